"""The story so far (`discord.timeline`): rendered within Discord's limits, kept in one place,
edited rather than posted again, pinned in bot mode; end to end through the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.delivery.render import DESCRIPTION_MAX
from bot.delivery.timeline import MAX_PARTS, TITLE, line, render
from bot.store import DevelopmentSummary
from tests.support.cli import bot_poll
from tests.support.fake_discord import FakeDiscord
from tests.support.feeds import Item, press, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW, assert_clean, cli

WHEN = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)


def summary(n: int, title: str = "", outlets: int = 3, url: str = "") -> DevelopmentSummary:
    return DevelopmentSummary(
        id=n,
        kind="verdict" if n % 2 else "",
        first_published=WHEN - timedelta(days=n),
        title=title or f"Development number {n} of the case, told in a headline of some length",
        url=url or f"https://news.example/{n}",
        outlet="Outlet",
        state="sent",
        message_id=None,
        coverage=outlets,
        entries=outlets,
        outlets=tuple(f"Outlet {i}" for i in range(outlets)),
    )


def test_a_line_tells_date_kind_headline_link_and_outlets() -> None:
    assert line(summary(1)) == (
        "`2026-05-17` verdict · [Development number 1 of the case, told in a headline of some length]"
        "(<https://news.example/1>) · 3 outlets"
    )
    assert line(summary(2, outlets=1)).startswith("`2026-05-16` news · ") and line(
        summary(2, outlets=1)
    ).endswith("· 1 outlet")


def test_feed_text_cannot_inject_markup_or_mentions_or_links() -> None:
    hostile = summary(1, title="**Bold** [click](https://evil.example) @everyone", url="javascript:alert(1)")
    text = line(hostile)
    assert "\\*\\*Bold\\*\\* \\[click\\]" in text and "@\u200beveryone" in text
    assert "javascript" not in text and "](<" not in text  # no link without an http(s) URL


def test_many_developments_split_within_limits_newest_first_and_count_the_rest() -> None:
    rows = [summary(n) for n in range(1, 400)]
    parts = render(rows, WHEN)
    assert len(parts) == MAX_PARTS
    assert [p.title for p in parts] == [f"{TITLE} ({k}/{MAX_PARTS})" for k in range(1, MAX_PARTS + 1)]
    assert all(len(p.description) <= DESCRIPTION_MAX for p in parts)
    assert parts[0].description.splitlines()[0] == line(rows[0])
    listed = sum(len(p.description.splitlines()) for p in parts) - 1
    assert parts[-1].description.splitlines()[-1] == f"+{len(rows) - listed} earlier developments"
    assert [p.title for p in render(rows[:3], WHEN)] == [TITLE]
    assert render([], WHEN)[0].description == "No developments yet."


def story(title: str, n: int, hours_ago: float) -> Item:
    return press(
        title, n, NOW - timedelta(hours=hours_ago), f"Elon Musk's lawsuit against OpenAI: {title.lower()}."
    )


def test_the_timeline_is_one_message_edited_as_developments_arrive_across_restarts(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, discord="timeline: true")
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    filing = story("Elon Musk sues OpenAI and Sam Altman again", 1, 24 * 5)
    feed_server.routes["/f.xml"] = Route(rss([filing]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # each poll is a new process
    verdict = story("Jury finds OpenAI not liable in Elon Musk's lawsuit", 2, 2)
    feed_server.routes["/f.xml"] = Route(rss([filing, verdict]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))

    titles = [e["title"] for e in discord_api.embeds()]
    assert titles == [filing.title, TITLE, verdict.title]  # the timeline was posted once
    timeline = discord_api.messages[1]
    assert (
        timeline.payload["embeds"][0]["description"]
        .splitlines()[0]
        .endswith(f"{filing.title}](<{filing.link}>) · 1 outlet")
    )
    [edit] = timeline.edits
    newest, older = edit["embeds"][0]["description"].splitlines()
    assert verdict.title in newest and filing.title in older
    assert discord_api.pins == []  # a webhook cannot pin


def test_in_bot_mode_the_timeline_is_pinned(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    verdict = story("Jury finds OpenAI not liable in Elon Musk's lawsuit", 2, 1)
    feed_server.routes["/f.xml"] = Route(rss([verdict]))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  post_recent: 1d",
        discord="timeline: true",
    )
    assert_clean(bot_poll(tmp_path, discord_api.api_base))
    post, timeline = discord_api.messages
    assert post.payload["embeds"][0]["title"] == verdict.title
    assert timeline.payload["embeds"][0]["title"] == TITLE
    assert discord_api.pins == [timeline.id]
