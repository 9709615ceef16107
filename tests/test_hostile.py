"""Hostile and broken input: nothing a feed, a server or an entry sends crashes, hangs,
exhausts memory or leaks; each failure is one clear line in status."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.delivery.render import render_story
from bot.intake.parse import parse_feed
from bot.models import Story
from bot.store import from_iso, iso
from tests.conftest import data_path
from tests.support.cli import command, environment
from tests.support.cli import status as status_of
from tests.support.feeds import write_config
from tests.support.feedserver import FeedServer, Route
from tests.support.hostile import HostileServer

SECRET = "TOPSECRET-file-content-4711"
ACTIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>")
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
MEASURE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(r.returncode);"
    "sys.stderr.write(r.stderr); sys.stdout.write(r.stdout)"
)


@pytest.mark.slow
def test_hostile_servers_cost_bounded_time_and_memory(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    with HostileServer(secret) as server:
        feeds = {"h" + path.replace("/", "-"): server.url(path) for path in HostileServer.PATHS}
        write_config(tmp_path / "feeds.yaml", feeds, extra="  timeout: 4s")
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, *command(tmp_path, "poll")],
            capture_output=True,
            text=True,
            timeout=180,
            env=environment(),
        )
        elapsed = time.monotonic() - started
    peak_kb, returncode = result.stdout.splitlines()[:2]
    assert returncode == "0", result.stderr
    assert elapsed < 60  # every feed's deadline is 4 s; retries and redirects included
    assert int(peak_kb) / 1024 <= 200, f"peak RSS {int(peak_kb) / 1024:.0f} MB"
    assert "Traceback" not in result.stderr
    status = status_of(tmp_path)
    errors = {f["name"][2:]: f["last_error"] for f in status["feeds"] if f["failures"]}
    failing = {"gzip-bomb", "huge", "drip", "loop", "scheme", "404", "410", "500", "html", "empty"}
    assert set(errors) == failing
    assert "cap" in errors["gzip-bomb"] and "cap" in errors["huge"]
    assert "within 4s" in errors["drip"] or "timed out" in errors["drip"]
    assert "redirects" in errors["loop"] and "non-http" in errors["scheme"]
    assert errors["404"].startswith("HTTP 404") and errors["410"].startswith("HTTP 410")
    assert errors["500"].startswith("HTTP 500") and "not an RSS/Atom feed" in errors["html"]
    ok = {f["name"][2:]: f["entries_seen"] for f in status["feeds"] if not f["failures"]}
    assert ok["good"] == 1 and ok["ten-thousand"] == 10_000 and ok["laughs"] <= 1 and ok["bad-utf8"] == 1
    # The external entity's file never reaches the database, the output or the logs.
    dump = "\n".join(sqlite3.connect(tmp_path / "bot.db").iterdump())
    assert SECRET not in dump and SECRET not in result.stdout + result.stderr


HOSTILE_ENTRIES = b"\n".join(
    [
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>H</title>',
        b"<item><title>Click me</title><link>javascript:alert(document.cookie)</link><guid>js</guid></item>",
        b"<item><title>Data</title><link>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</link>"
        b"<guid>data</guid></item>",
        b"<item><title>@everyone &lt;@&amp;1234&gt; &lt;@5678&gt; [free](https://evil.example) **bold**"
        b"\xe2\x80\x8b\x01</title><link>https://news.example/m</link><guid>m</guid>"
        b"<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>",
        b"<item><title>Future</title><link>https://news.example/f</link><guid>f</guid>"
        b"<pubDate>Sat, 01 Jan 2101 00:00:00 GMT</pubDate></item>",
        b"<item><title>Nonsense date</title><link>https://news.example/n</link><guid>n</guid>"
        b"<pubDate>yesterday-ish</pubDate></item>",
        b"<item><title>"
        + b"T" * 100_000
        + b"</title><link>https://news.example/long</link><guid>long</guid></item>",
        b"</channel></rss>",
    ]
)


def test_hostile_entries_are_tamed() -> None:
    now = datetime(2026, 5, 18, 12, 0, tzinfo=UTC)
    entries = {e.guid: e for e in parse_feed("h", HOSTILE_ENTRIES, now=now).entries}
    assert entries["js"].url == "" and entries["data"].url == ""  # never a link to post
    assert entries["m"].published == datetime(1970, 1, 1, tzinfo=UTC)
    assert (entries["f"].published, entries["f"].has_date) == (now, False)
    assert (entries["n"].published, entries["n"].has_date) == (now, False)
    assert len(entries["long"].title) <= 1000
    for entry in entries.values():
        story = Story(1, entry.title, entry.url, entry.summary, "Outlet @here", entry.published, entry.url)
        message = render_story(story)
        assert message.url == "" or message.url.startswith("https://")
        for text in (message.title, message.description, message.author):
            assert not ACTIVE_MENTION.search(text) and not MASKED_LINK.search(text), text
            assert not re.search(r"(?<!\\)\*(?<!\\)\*", text) and "\x01" not in text
        assert len(message.title) <= 256


@pytest.mark.slow
def test_every_feedparser_test_feed_in_one_poll(tmp_path: Path, feed_server: FeedServer) -> None:
    corpus = data_path("corpora", "feedparser-tests")
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in {".xml", ".rdf", ".json"})
    feeds = {}
    for i, path in enumerate(files):
        feed_server.routes[f"/{i}"] = Route(path.read_bytes(), content_type="application/xml")
        feeds[f"t{i}"] = feed_server.url(f"/{i}")
    write_config(tmp_path / "feeds.yaml", feeds, extra="  concurrency: 16\n  per_host: 16")
    result = subprocess.run(
        command(tmp_path, "-q", "poll"), capture_output=True, text=True, timeout=600, env=environment()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    status = status_of(tmp_path)
    assert len(status["feeds"]) == len(files) > 2000
    failed = [f for f in status["feeds"] if f["failures"]]
    assert all(f["last_error"] and "\n" not in f["last_error"] for f in failed)  # one clear line each
    assert len(failed) < len(files) / 5  # most of feedparser's own test feeds are readable


def test_dates_before_year_1000_are_old_not_broken() -> None:
    """Year 999 was stored as '999-…' (sorting after 2024) and year 1 overflowed clustering."""
    now = datetime(2026, 5, 18, 12, 0, tzinfo=UTC)
    body = (
        b'<rss version="2.0"><channel><title>H</title>'
        b"<item><title>One</title><link>https://news.example/1</link><pubDate>Mon, 01 Jan 0001 00:00:00 GMT"
        b"</pubDate></item><item><title>Nine</title><link>https://news.example/9</link>"
        b"<pubDate>Tue, 01 Jan 0999 00:00:00 GMT</pubDate></item></channel></rss>"
    )
    entries = parse_feed("h", body, now=now).entries
    assert [(e.published, e.has_date) for e in entries] == [(datetime(1970, 1, 1, tzinfo=UTC), True)] * 2
    assert iso(datetime(999, 1, 1, tzinfo=UTC)) == "0999-01-01T00:00:00.000000Z"
    assert sorted([iso(datetime(999, 1, 1, tzinfo=UTC)), iso(now)])[0].startswith("0999")
    assert from_iso(iso(datetime(1, 1, 1, tzinfo=UTC))) == datetime(1, 1, 1, tzinfo=UTC)
