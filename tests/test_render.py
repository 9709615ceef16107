"""render and summarize: messages within Discord's limits, with no active mentions."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.models import Story
from bot.render import AUTHOR_MAX, TITLE_MAX, render_console, render_story
from bot.summarize import summarize

WHEN = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def story(title: str = "T", summary: str = "", outlet: str = "O", url: str = "https://x.example/a") -> Story:
    return Story(1, title, url, summary, outlet, WHEN, url)


def test_summary_is_the_lede_cut_at_500() -> None:
    lede = "The jury began deliberating. " * 40
    text = summarize("Headline", lede, "", 500)
    assert len(text) <= 500 and text.endswith("deliberating.")


def test_aggregator_echo_of_the_headline_is_dropped() -> None:
    assert summarize("Musk sues OpenAI", "Musk sues OpenAI  Daily Example", "", 500) == ""
    assert (
        summarize("Musk sues OpenAI", "Musk sues OpenAI Daily", "Full text here.", 500) == "Full text here."
    )


def test_mentions_are_defused_and_bad_urls_dropped() -> None:
    message = render_story(story("@everyone look", "ping @here and <@&123>", "@everyone", "javascript:x"))
    assert "@everyone" not in message.title and "@here" not in message.description
    assert "@&" not in message.description and "@everyone" not in message.author
    assert message.url == ""
    assert "look" in render_console(message)


@given(st.text(), st.text(), st.text(), st.text())
def test_any_story_renders_within_limits(title: str, summary: str, outlet: str, url: str) -> None:
    message = render_story(story(title * 50, summary * 50, outlet * 20, url), max_chars=500)
    assert len(message.title) <= TITLE_MAX and message.title
    assert len(message.description) <= 500
    assert len(message.author) <= AUTHOR_MAX
    assert message.url == "" or message.url.startswith(("http://", "https://"))
    total = len(message.title) + len(message.description) + len(message.author) + len(message.footer)
    assert total <= 6000
