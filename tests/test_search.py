"""search: dated Google News queries for `backfill --search`."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.intake.search import dated_queries, searchable
from tests.support.cli import command, environment
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route

GOOGLE = "https://news.google.com/rss/search?q=Musk+OpenAI+lawsuit&hl=en-US&gl=US&ceid=US:en"


def test_one_query_per_week_with_date_operators() -> None:
    urls = dated_queries(GOOGLE, date(2024, 2, 1), date(2024, 2, 20))
    queries = [parse_qs(urlsplit(u).query)["q"][0] for u in urls]
    assert queries == [
        "Musk OpenAI lawsuit after:2024-01-31 before:2024-02-08",
        "Musk OpenAI lawsuit after:2024-02-07 before:2024-02-15",
        "Musk OpenAI lawsuit after:2024-02-14 before:2024-02-21",
    ]
    assert all(parse_qs(urlsplit(u).query)["ceid"] == ["US:en"] for u in urls)


def test_only_search_feeds_are_searched() -> None:
    assert searchable(GOOGLE)
    assert not searchable("https://techcrunch.com/feed/")
    assert dated_queries("https://techcrunch.com/feed/", date(2024, 2, 1), date(2024, 3, 1)) == []


def test_backfill_search_finds_history_the_feed_no_longer_holds(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_path = "/rss/search?q=Musk+OpenAI+lawsuit&hl=en-US"
    feed_server.routes[feed_path] = Route(rss([]))  # today's feed: the old story has scrolled off
    old = Item(
        "Elon Musk sues OpenAI and Sam Altman",
        "https://news.example/filing",
        datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
        description="Musk filed a lawsuit against OpenAI.",
    )
    feed_server.routes["/rss/search"] = Route(rss([old]))  # what the dated searches answer
    write_config(tmp_path / "feeds.yaml", {"google": feed_server.url(feed_path)})
    env = environment()
    assert (
        subprocess.run(command(tmp_path, "poll"), env=env, capture_output=True, timeout=120).returncode == 0
    )
    result = subprocess.run(
        command(tmp_path, "backfill", "--since", "2024-02-26", "--until", "2024-03-03", "--search"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "== Elon Musk sues OpenAI and Sam Altman" in result.stdout
    searched = [h.path for h in feed_server.requests if "after" in h.path]
    assert len(searched) == 1 and "after%3A2024-02-25+before%3A2024-03-04" in searched[0]
