"""Following the story like a newsroom (issue 15): the feed list for other readers, pictures,
posts that stay right, and pings for what matters; end to end through the CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

from bot.config import FeedConfig
from bot.intake.article import picture
from bot.report import opml
from tests.support.cli import bot_poll
from tests.support.fake_discord import FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW, assert_clean, cli, on_topic


def test_opml_carries_every_feed_whatever_its_name_holds() -> None:
    pace = (timedelta(minutes=10), timedelta(seconds=30), 1_000_000)
    feeds = [
        FeedConfig('a&b <"quoted">', "https://example.org/rss?x=1&y=2", *pace, language="fr"),
        FeedConfig("plain", "https://example.org/atom", *pace),
    ]
    root = ET.fromstring(opml("Musk & OpenAI", feeds))
    assert root.get("version") == "2.0" and root.findtext("head/title") == "Musk & OpenAI"
    outlines = root.findall("body/outline")
    assert [(o.get("text"), o.get("xmlUrl"), o.get("language")) for o in outlines] == [
        ('a&b <"quoted">', "https://example.org/rss?x=1&y=2", "fr"),
        ("plain", "https://example.org/atom", None),
    ]
    assert all(o.get("type") == "rss" for o in outlines)


def test_feeds_shows_each_feed_s_health_and_exports_the_list_as_opml(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.routes["/wire.xml"] = Route(rss([on_topic(1, 2, "https://a.example/1")]))
    feed_server.routes["/broken.xml"] = Route(b"nope", status=500)
    urls = {"wire": feed_server.url("/wire.xml"), "broken": feed_server.url("/broken.xml")}
    write_config(tmp_path / "feeds.yaml", urls)
    before = cli(tmp_path, "feeds")  # a read-only command creates no database
    assert before.returncode == 2 and "no database at" in before.stderr and not (tmp_path / "bot.db").exists()
    cli(tmp_path, "poll")

    health = cli(tmp_path, "feeds")
    assert_clean(health)
    lines = sorted(health.stdout.splitlines())
    assert lines[0].startswith("broken: FAILING x1: ") and lines[1].startswith("wire: ok;")
    exported = cli(tmp_path, "feeds", "--opml")
    assert_clean(exported)
    listed = ET.fromstring(exported.stdout).findall("body/outline")
    assert {o.get("text"): o.get("xmlUrl") for o in listed} == urls
    (tmp_path / "feeds.yaml").write_text("topic: [unclosed\n", encoding="utf-8")
    broken = cli(tmp_path, "feeds", "--opml")
    assert broken.returncode == 2 and broken.stderr.count("\n") == 1 and "invalid YAML" in broken.stderr
    assert cli(tmp_path, "feeds").stdout.startswith("broken: FAILING")  # the database alone


def test_a_post_shows_its_story_s_picture_as_thumbnail(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    story = on_topic(1, 2, "https://a.example/1")
    item = (
        f"<item><title>{story.title}</title><link>{story.link}</link>"
        f"<pubDate>{format_datetime(story.published or NOW)}</pubDate>"
        f"<description>{story.description}</description>"
        '<media:thumbnail url="https://img.example/jury.jpg" width="640" height="360"/></item>'
    )
    feed_server.routes["/f.xml"] = Route(
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>t</title>{item}</channel></rss>".encode()
    )
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    [embed] = discord_api.embeds()
    assert embed["title"] == story.title
    assert embed["thumbnail"] == {"url": "https://img.example/jury.jpg"}


def test_a_headline_changed_at_the_source_edits_the_post_never_a_new_one(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    first = replace(on_topic(1, 2, "https://a.example/1"), guid="item-1")
    feed_server.routes["/f.xml"] = Route(rss([first]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # unchanged: nothing to do
    [message] = discord_api.messages
    assert not message.edits

    corrected = replace(
        first,
        title="Musk v. OpenAI: jury hears Altman on day 1 of the trial",
        description="Sam Altman took the stand on the first day of Elon Musk's lawsuit against OpenAI.",
    )
    feed_server.routes["/f.xml"] = Route(rss([corrected]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    [message] = discord_api.messages  # still one post
    [edit] = message.edits
    assert edit["embeds"][0]["title"] == corrected.title
    assert edit["embeds"][0]["description"] == corrected.description
    assert edit["allowed_mentions"] == {"parse": []}


ROLE = 112233445566778899
JURY = "A jury in Oakland decided Elon Musk's lawsuit against OpenAI and Sam Altman."
DATE = "Judge Yvonne Gonzalez Rogers set the date in Elon Musk's lawsuit against OpenAI."


def test_a_verdict_pings_the_role_once_a_filing_never_and_a_surge_pings_once(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        discord=f'ping: {{role: "{ROLE}", kinds: [verdict], surge: "3 outlets in 3h"}}',
    )
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))

    def story(title: str, n: int, hours_ago: float, lede: str) -> Item:
        return Item(
            title,
            f"https://o{n}.example/{n}",
            NOW - timedelta(hours=hours_ago),
            description=lede,
            source=f"Outlet {n}",
        )

    verdict = story("Jury finds OpenAI not liable in Elon Musk's lawsuit", 1, 3, JURY)
    filing = story(
        "Elon Musk sues OpenAI and Sam Altman again",
        2,
        24 * 5,
        "Elon Musk filed a new lawsuit against OpenAI.",
    )
    dates = [story(f"Musk v. OpenAI: judge sets a trial date ({n})", n, 34 - n, DATE) for n in range(3, 7)]
    shown = [filing, dates[0], verdict]
    feed_server.routes["/f.xml"] = Route(rss(shown))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    shown += [dates[1], dates[2], story("Jury sides with OpenAI against Musk", 7, 2.5, JURY)]
    shown += [story("Jury finds for OpenAI in Musk's case", 8, 2, JURY)]
    feed_server.routes["/f.xml"] = Route(rss(shown))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # both surge: the trial date pings
    feed_server.routes["/f.xml"] = Route(rss([*shown, dates[3]]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # a fourth outlet: no second ping

    posts = [m.payload for m in discord_api.messages]
    assert [p["embeds"][0]["title"] if p.get("embeds") else "(text)" for p in posts] == [
        filing.title,
        dates[0].title,
        verdict.title,
        "(text)",
    ]
    assert [p.get("content") or "" for p in posts[:3]] == ["", "", f"<@&{ROLE}>"]
    assert [p["allowed_mentions"] for p in posts[:2]] == [{"parse": []}, {"parse": []}]
    assert posts[2]["allowed_mentions"] == {"parse": [], "roles": [str(ROLE)]}
    ping = posts[3]
    assert ping["content"].startswith(f"<@&{ROLE}> Coverage is surging: 3 outlets within 3h: Musk v. OpenAI")
    assert ping["allowed_mentions"] == {"parse": [], "roles": [str(ROLE)]}
    assert all(
        not m.edits or "content" not in m.edits[-1] or not m.edits[-1]["content"]
        for m in discord_api.messages
    )


def test_in_bot_mode_a_verdict_post_pings_the_role_and_nothing_else(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    verdict = Item(
        "Jury finds OpenAI not liable in Musk lawsuit @everyone",
        "https://news.example/verdict",
        NOW - timedelta(hours=1),
        description="Elon Musk's lawsuit against OpenAI ended. <@&998877665544332211>",
    )
    feed_server.routes["/f.xml"] = Route(rss([verdict]))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  post_recent: 1d",
        discord=f"ping: {{role: {ROLE}, kinds: [verdict]}}",
    )
    assert_clean(bot_poll(tmp_path, discord_api.api_base))
    [message] = discord_api.messages
    assert message.payload["content"] == f"<@&{ROLE}>"
    assert message.payload["allowed_mentions"] == {"parse": [], "roles": [str(ROLE)]}
    assert "@\u200beveryone" in message.payload["embeds"][0]["title"]  # feed text is defused too


def test_without_a_picture_in_the_feed_the_fetched_page_s_og_image_is_the_thumbnail(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    page = (
        '<html><head><meta property="og:image" content="https://img.example/court.jpg"></head><body>'
        "<article><p>"
        + "A federal jury on Monday rejected Elon Musk's claims against OpenAI. " * 12
        + "</p></article></body></html>"
    )
    feed_server.routes["/article"] = Route(page.encode(), content_type="text/html; charset=utf-8")
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, fetch_articles=True)
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    teaser = replace(
        on_topic(1, 1, feed_server.url("/article")), description="Musk v. OpenAI: the jury decided."
    )
    feed_server.routes["/f.xml"] = Route(rss([teaser]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    [embed] = discord_api.embeds()
    assert embed["thumbnail"] == {"url": "https://img.example/court.jpg"}
    assert embed["description"].startswith("A federal jury on Monday rejected")  # the page was read anyway


def test_a_page_s_picture_is_taken_only_when_it_is_an_http_url() -> None:
    def page(image: str) -> str:
        head = f'<meta property="og:image" content="{image}"><title>t</title>'
        return f"<html><head>{head}</head><body></body></html>"

    assert picture(page("https://img.example/a.jpg")) == "https://img.example/a.jpg"
    assert picture(page("javascript:alert(1)")) == picture(page("data:image/png;base64,AA")) == ""
    assert picture("<html><body>no picture</body></html>") == picture(b"\xff\xfe\x00") == ""


def test_in_bot_mode_a_surge_pings_once_in_one_line(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    def story(n: int, hours_ago: float) -> Item:
        title = f"Jury finds OpenAI not liable in Musk lawsuit ({n})"
        return Item(
            title,
            f"https://o{n}.example/v",
            NOW - timedelta(hours=hours_ago),
            description=JURY,
            source=f"O{n}",
        )

    feed_server.routes["/f.xml"] = Route(rss([story(1, 2)]))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  post_recent: 1d",
        discord=f'ping: {{role: {ROLE}, surge: "2 outlets in 3h"}}',
    )
    for shown in ([story(1, 2)], [story(1, 2), story(2, 1.5)], [story(1, 2), story(2, 1.5), story(3, 1)]):
        feed_server.routes["/f.xml"] = Route(rss(shown))
        assert_clean(bot_poll(tmp_path, discord_api.api_base))
    post, ping = discord_api.messages
    assert "content" not in post.payload or not post.payload["content"]  # no listed kind: the post is quiet
    assert ping.payload["content"].startswith(f"<@&{ROLE}> Coverage is surging: 2 outlets within 3h: ")
    assert (
        ping.payload["allowed_mentions"] == {"parse": [], "roles": [str(ROLE)]} and not ping.payload["embeds"]
    )
