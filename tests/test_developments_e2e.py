"""One post per development, end to end: later coverage edits the post, never adds one."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from tests.support.fake_discord import FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW, assert_clean, cli

LEDE = "A jury in Oakland decided Elon Musk's lawsuit against OpenAI and Sam Altman."
LEDE_FR = "Le jury a tranché le procès intenté par Elon Musk contre OpenAI et Sam Altman."


def item(title: str, link: str, hours_ago: float, outlet: str, lede: str = LEDE) -> Item:
    return Item(title, link, NOW - timedelta(hours=hours_ago), description=lede, source=outlet)


def test_six_outlets_one_event_make_one_post_listing_the_others(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    for path in ("/wire.xml", "/presse.xml", "/aggregator.xml"):
        feed_server.routes[path] = Route(rss([]))
    write_config(
        tmp_path / "feeds.yaml",
        {name: feed_server.url(f"/{name}.xml") for name in ("wire", "presse", "aggregator")},
        languages={"wire": "en", "presse": "fr", "aggregator": "en"},
    )
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # baselines

    alpha = item(
        "Jury finds OpenAI not liable in Elon Musk's lawsuit",
        "https://www.alpha.example/2026/05/18/verdict?utm_source=rss&utm_medium=feed",
        5,
        "Alpha News",
    )
    feed_server.routes["/wire.xml"] = Route(rss([alpha]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    assert [e["title"] for e in discord_api.embeds()] == [alpha.title]

    bravo = item(
        "Musk loses as jury sides with OpenAI in landmark trial",
        "https://bravo.example/tech/musk-verdict",
        4.5,
        "Bravo Times",
    )
    echo = item(
        "Jury finds OpenAI not liable in Musk's lawsuit",  # the wire story, syndicated
        "https://echo.example/wire/jury-finds-openai-not-liable",
        4,
        "Echo Gazette",
    )
    delta_amp = item(
        "Musk v OpenAI: what the verdict means for AI",
        "https://amp.delta.example/news/musk-openai-verdict/amp/",
        3.5,
        "Delta Daily",
    )
    charlie = item(
        "Procès Musk contre OpenAI : le verdict du jury est tombé",
        "https://charlie.example/proces-musk-openai",
        3,
        "Charlie Le Journal",
        LEDE_FR,
    )
    foxtrot = item(
        "Elon Musk perd son procès contre OpenAI, selon le verdict",
        "https://foxtrot.example/musk-perd",
        2,
        "Foxtrot Info",
        LEDE_FR,
    )
    bravo_tracked = item(bravo.title, bravo.link + "?utm_campaign=share&fbclid=AbC", 4.5, "Bravo Times")
    delta = item(delta_amp.title, "https://delta.example/news/musk-openai-verdict", 3.5, "Delta Daily")
    feed_server.routes["/wire.xml"] = Route(rss([alpha, bravo, echo]))
    feed_server.routes["/presse.xml"] = Route(rss([charlie, foxtrot]))
    feed_server.routes["/aggregator.xml"] = Route(rss([bravo_tracked, delta_amp]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    feed_server.routes["/wire.xml"] = Route(rss([alpha, bravo, echo, delta]))  # delta's own URL
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))

    [message] = discord_api.messages  # one post, ever
    assert message.edits, "later coverage edits the post"
    final = message.edits[-1]["embeds"][0]
    assert final["title"] == alpha.title
    [field] = final["fields"]
    assert field["name"] == "Also covered by"
    listed = field["value"].splitlines()
    assert [line.split("](")[0].lstrip("[") for line in listed] == [
        "Bravo Times",
        "Echo Gazette",
        "Delta Daily",
        "Charlie Le Journal",
        "Foxtrot Info",
    ]
    assert final["footer"]["text"] == "6 outlets"
    stories = json.loads(cli(tmp_path, "stories", "--json").stdout)
    assert len(stories) == 1 and stories[0]["coverage"] == 6 and stories[0]["entries"] == 8


def test_two_events_a_week_apart_with_similar_headlines_make_two_posts(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, extra="  max_age: 30d")
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    first = item("Musk v. OpenAI: judge sets a trial date", "https://a.example/1", 24 * 8, "A")
    second = item("Musk v. OpenAI: judge sends the case to a jury", "https://a.example/2", 1, "A")
    feed_server.routes["/f.xml"] = Route(rss([first, second]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    assert [e["title"] for e in discord_api.embeds()] == [first.title, second.title]
    assert all(not m.edits for m in discord_api.messages)


def test_a_roundup_joins_no_development_by_time_and_is_never_a_post_of_its_own(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    verdict = item("Jury finds OpenAI not liable in Elon Musk's lawsuit", "https://a.example/verdict", 3, "A")
    roundup = item(
        "Musk v. OpenAI trial, week two: what to know",
        "https://b.example/roundup",
        2,
        "B",
        "The trial of Elon Musk's lawsuit against OpenAI goes on.",
    )
    feed_server.routes["/f.xml"] = Route(rss([verdict, roundup]))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))

    [message] = discord_api.messages  # the verdict; the roundup, of the same hours, joins nothing
    assert message.payload["embeds"][0]["title"] == verdict.title
    assert "fields" not in message.payload["embeds"][0]
    with closing(sqlite3.connect(tmp_path / "bot.db")) as db:
        [(entry, decision)] = db.execute("SELECT id, decision FROM entries WHERE url = ?", [roundup.link])
    assert decision == "roundup"
    shown = cli(tmp_path, "explain", "--entry", str(entry))
    assert_clean(shown)
    assert shown.stdout.startswith("in no development: a roundup")
    placed = json.loads(cli(tmp_path, "explain", "--json", "--entry", str(entry)).stdout)["development"]
    assert placed["id"] is None and placed["why"].startswith("a roundup")
