"""Durability and configuration fuzzing: no crash, no corruption, no lost or doubled entry."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import parse_config
from bot.errors import ConfigError
from tests.support.cli import command, environment
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW


@pytest.mark.slow
def test_sigkill_during_polls_never_corrupts_or_loses(tmp_path: Path, feed_server: FeedServer) -> None:
    feeds = {}
    for f in range(30):
        items = [
            Item(f"Feed {f} item {i}", f"https://news.example/{f}/{i}", NOW, guid=f"{f}-{i}")
            for i in range(40)
        ]
        feed_server.routes[f"/{f}.xml"] = Route(rss(items))
        feeds[f"f{f}"] = feed_server.url(f"/{f}.xml")
    write_config(tmp_path / "feeds.yaml", feeds, extra="  concurrency: 4\n  per_host: 4")
    rng = random.Random(20)
    for kill in range(20):
        proc = subprocess.Popen(
            command(tmp_path, "-q", "poll"),
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # A random moment inside the poll: after a random number of feed requests.
        feed_server.wait_for_hits_total(len(feed_server.requests) + rng.randint(1, 30), timeout=60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        check = sqlite3.connect(tmp_path / "bot.db")
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"kill {kill}"
        check.close()
    final = subprocess.run(
        command(tmp_path, "poll"), env=environment(), capture_output=True, text=True, timeout=120
    )
    assert final.returncode == 0, final.stderr
    db = sqlite3.connect(tmp_path / "bot.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    total, distinct = db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT feed || '|' || guid) FROM entries"
    ).fetchone()
    assert total == distinct == 30 * 40  # none lost, none doubled


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["10m", "1s", "http://x.org/f", "ftp://x", "7d", ""]),
)
KEYS = st.sampled_from(
    [
        "topic",
        "feeds",
        "polling",
        "discord",
        "summaries",
        "name",
        "url",
        "require",
        "cues",
        "interval",
        "threshold",
        "weight",
        "terms",
        "exclude",
        "developments",
        "events",
        "x",
    ]
)
YAMLISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_any_document_is_a_config_or_a_config_error(data: Any) -> None:
    try:
        parse_config(data)
    except ConfigError as exc:
        assert str(exc).startswith("feeds.yaml") and "\n" not in str(exc)
