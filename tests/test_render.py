"""render and summarize: messages within Discord's limits, with no active mentions."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.render import (
    AUTHOR_MAX,
    FIELD_VALUE_MAX,
    TITLE_MAX,
    coverage_list,
    render_console,
    render_development,
    render_ping,
    render_story,
)
from bot.intake.urls import safe_url
from bot.judge.lead import best_lead
from bot.models import DevelopmentView, Story
from bot.prose.summarize import summarize
from bot.slash import latest_text
from bot.store import DevelopmentSummary

WHEN = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def story(title: str = "T", summary: str = "", outlet: str = "O", url: str = "https://x.example/a") -> Story:
    return Story(1, title, url, summary, outlet, WHEN, url)


def test_summary_is_the_lede_cut_at_500() -> None:
    lede = "The jury began deliberating. " * 40
    text = summarize("Headline", lede, 500)
    assert len(text) <= 500 and text.endswith("deliberating.")


def test_aggregator_echo_of_the_headline_is_dropped() -> None:
    assert summarize("Musk sues OpenAI", "Musk sues OpenAI  Daily Example", 500) == ""


def test_mentions_are_defused_and_bad_urls_dropped() -> None:
    message = render_story(story("@everyone look", "ping @here and <@&123>", "@everyone", "javascript:x"))
    assert "@everyone" not in message.title and "@here" not in message.description
    assert "@&" not in message.description and "@everyone" not in message.author
    assert message.url == ""
    assert "look" in render_console(message)


ACTIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>")
HUGE = st.text(min_size=0, max_size=40).map(lambda t: t * 250)  # up to 10,000 characters
MENTIONY = st.sampled_from(
    ["@everyone ", "@here ", "<@123456789012345678> ", "<@&1234> ", "[x](https://e.x) ", ""]
)


@given(st.tuples(MENTIONY, HUGE).map("".join), st.tuples(MENTIONY, HUGE).map("".join), HUGE, st.text())
def test_any_story_renders_within_limits(title: str, summary: str, outlet: str, url: str) -> None:
    message = render_story(story(title, summary, outlet, url), max_chars=500)
    for text in (message.title, message.description, message.author, message.footer):
        assert not ACTIVE_MENTION.search(text)
    assert len(message.title) <= TITLE_MAX and message.title
    assert len(message.description) <= 500
    assert len(message.author) <= AUTHOR_MAX
    assert message.url == "" or message.url.startswith(("http://", "https://"))
    total = len(message.title) + len(message.description) + len(message.author) + len(message.footer)
    assert total <= 6000


def coverage(n: int, outlet: str = "Outlet {i}", url: str = "https://o{i}.example/a") -> tuple[Story, ...]:
    return tuple(
        Story(i + 2, f"Copy {i}", url.format(i=i), "", outlet.format(i=i), WHEN, url.format(i=i))
        for i in range(n)
    )


def test_development_lists_other_outlets_up_to_ten_then_more() -> None:
    message = render_development(DevelopmentView(1, "verdict", WHEN, story(), coverage(12)))
    [field] = message.fields
    lines = field.value.splitlines()
    assert field.name == "Also covered by" and len(lines) == 11
    assert lines[0] == "[Outlet 0](https://o0.example/a)" and lines[-1] == "+2 more"
    assert message.footer == "13 outlets"


def test_development_lists_each_outlet_once_and_not_the_lead() -> None:
    same = (Story(5, "x", "https://o.example/b", "", "O", WHEN, "https://o.example/b"),)
    message = render_development(DevelopmentView(1, "", WHEN, story(outlet="O"), same + coverage(1)))
    assert message.fields[0].value == "[Outlet 0](https://o0.example/a)"
    assert render_development(DevelopmentView(1, "", WHEN, story(), ())).fields == ()


@given(st.lists(st.tuples(st.text(), st.text()), max_size=30))
def test_coverage_list_stays_within_the_field_limit(items: list[tuple[str, str]]) -> None:
    stories = [
        Story(i, "t", f"https://x.example/{url}", "", outlet, WHEN, "")
        for i, (outlet, url) in enumerate(items)
    ]
    value = coverage_list(stories)
    assert len(value) <= FIELD_VALUE_MAX
    assert "@everyone" not in value and "@here" not in value
    shown = [line for line in value.splitlines() if not line.startswith("+")]
    assert len(shown) <= 10


def test_a_long_summary_with_coverage_stays_within_the_embed_total() -> None:
    lead = replace(story("T" * 300, "", "O" * 300), digest="A sentence of the prepared summary. " * 120)
    message = render_development(
        DevelopmentView(1, "", WHEN, lead, coverage(40, "X" * 88 + "{i}")), max_chars=4096
    )
    total = len(message.title) + len(message.description) + len(message.author) + len(message.footer)
    total += sum(len(f.name) + len(f.value) for f in message.fields)
    assert total <= 6000 and len(message.description) > 1000


def test_a_lead_without_summary_gives_way_to_coverage_that_has_one() -> None:
    echo = story("Musk loses", "Musk loses  Aggregator", "Aggregator", "https://agg.example/1")
    with_text = replace(
        story("Jury rules for OpenAI", "The jury ruled for OpenAI on Monday in Oakland.", "Paper"),
        url="https://paper.example/2",
    )
    message = render_development(DevelopmentView(1, "verdict", WHEN, echo, (with_text,)))
    assert message.title == "Jury rules for OpenAI" and message.url == "https://paper.example/2"
    assert message.description == "The jury ruled for OpenAI on Monday in Oakland."
    assert message.fields[0].value == "[Aggregator](https://agg.example/1)"


def test_mentions_hidden_behind_entities_are_defused_after_decoding() -> None:
    """Defusing ran before the summariser decoded entities: '&amp;amp;#64;everyone' came out
    as '@everyone' in the text (inert in an embed, but never what we promise)."""
    text = "The court ruled today. &amp;amp;#64;everyone should read the order of the judge."
    message = render_story(story("Ruling", text, "Outlet", "https://x.example/a"))
    assert "@everyone" not in message.description and "everyone" in message.description


def test_urls_cannot_close_a_masked_link() -> None:
    assert safe_url("https://x.example/a>b)<c") == "https://x.example/a%3Eb)%3Cc"
    row = DevelopmentSummary(
        1, "filing", WHEN, "T", "https://x.example/a>[x](y)", "O", None, None, 1, 1, ("O",)
    )
    line = latest_text([row])
    assert line.count(">") == 1  # only the one that closes <url>


def test_the_lead_is_in_the_channel_s_language_when_there_is_one() -> None:
    """A French wire story came first; the English channel is led by the English report."""
    french = replace(
        story("Musk perd son procès", "Le jury a tranché.", "Le Monde", "https://fr.example/1"), language="fr"
    )
    english = replace(
        story("Jury rules for OpenAI", "The jury ruled.", "Paper", "https://en.example/2"),
        id=2,
        language="en",
    )
    development = DevelopmentView(1, "verdict", WHEN, french, (english,))
    message = render_development(development, language="en")
    assert message.title == "Jury rules for OpenAI"
    assert message.fields[0].value == "[Le Monde](https://fr.example/1)"
    assert render_development(development, language="fr").title == "Musk perd son procès"
    unknown = replace(french, language="")
    assert (
        render_development(replace(development, lead=unknown), language="en").title == "Musk perd son procès"
    )


def test_a_titled_story_with_text_leads_over_an_untitled_one_and_equals_never_swap() -> None:
    lede = "Judge Yvonne Gonzalez Rogers ruled on Tuesday that the case goes to a jury in spring."
    untitled = replace(story("", lede, "Wire", "https://w.example/1"), language="en")
    titled = replace(story("Judge sends Musk case to jury", lede, "Paper", "https://p.example/2"), id=2)
    bare = replace(story("Musk case to go to jury", "", "Blog", "https://b.example/3"), id=3)
    development = DevelopmentView(1, "ruling", WHEN, untitled, (bare, titled))
    assert best_lead(development, "en").lead == titled  # titled and with text beats titled alone
    assert best_lead(development, "en").coverage == (untitled, bare)
    later = replace(titled, id=4, url="https://q.example/4", title="Musk case heads to a jury")
    settled = DevelopmentView(1, "ruling", WHEN, titled, (untitled, later))
    assert best_lead(settled, "en") == settled  # an equal story arriving later changes nothing


def test_the_lead_s_picture_is_the_thumbnail_only_when_it_is_http_and_wanted() -> None:
    lead = replace(story("Jury rules for OpenAI", "The jury ruled."), image="https://img.example/a.jpg")
    development = DevelopmentView(1, "verdict", WHEN, lead, ())
    assert render_development(development).thumbnail == "https://img.example/a.jpg"
    assert render_development(development, thumbnails=False).thumbnail == ""
    for hostile in ("javascript:alert(1)", "data:image/png;base64,AAAA", "https://img.example/a b.jpg", ""):
        hidden = DevelopmentView(1, "verdict", WHEN, replace(lead, image=hostile), ())
        assert render_development(hidden).thumbnail == ""
    assert render_console(render_development(development)).splitlines()[-2] == (
        "[picture: https://img.example/a.jpg]"
    )


def test_a_surge_ping_stays_within_the_content_limit_whatever_its_link() -> None:
    long_url = "https://x.example/" + "a" * 2000
    lead = replace(story("Judge sets a trial date " * 30, "Text."), url=long_url)
    ping = render_ping(DevelopmentView(1, "trial", WHEN, lead, ()), 42, 8, "3h")
    assert len(ping.content) <= 2000 and ping.content.startswith(
        "<@&42> Coverage is surging: 8 outlets within 3h: "
    )
    assert long_url not in ping.content and ping.mention == 42 and not ping.title
    short = render_ping(
        DevelopmentView(1, "trial", WHEN, story("Judge sets a date", "Text."), ()), 42, 8, "3h"
    )
    assert short.content.endswith(" <https://x.example/a>")
