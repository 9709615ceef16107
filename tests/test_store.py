"""store: migrations, entry identity, one post per story, backfill selection."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.models import Entry, FeedCache, Verdict
from bot.store import Store, from_iso, iso

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ON = Verdict(True, 3.0, ("musk: musk",), {"musk": ("musk",)})


def entry(guid: str, hours_ago: float, title: str = "T") -> Entry:
    return Entry(
        "f", guid, f"https://x.example/{guid}", title, "S", "", NOW - timedelta(hours=hours_ago), True
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "state" / "bot.db")
    s.record_success("f", "https://x.example/feed", 200, FeedCache('"e"', None), "Feed", NOW)
    return s


def test_migrations_apply_once_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Store(path).close()
    again = Store(path)
    assert again.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == 1
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_corrupt_database_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BotError, match="bot.db"):
        Store(path)


def test_feed_cache_and_health(store: Store) -> None:
    assert store.feed_cache("f", "https://x.example/feed") == FeedCache('"e"', None)
    assert store.feed_cache("f", "https://x.example/moved") == FeedCache()  # URL changed: start over
    store.record_failure("f", "https://x.example/feed", "HTTP 500", NOW)
    row = store.feed_row("f")
    assert row is not None and row["failures"] == 1 and row["last_error"] == "HTTP 500"
    assert not store.is_baselined("f")
    store.mark_baselined("f", NOW)
    assert store.is_baselined("f")


def test_entries_are_stored_once_and_updated_in_place(store: Store) -> None:
    e = entry("a", 1)
    store.save_entry(e, "https://x.example/a", ON, "new", None, NOW)
    store.save_entry(
        entry("a", 1, "Edited"), "https://x.example/a", ON, "updated", None, NOW + timedelta(hours=1)
    )
    rows = list(store.table("entries").rows)
    assert len(rows) == 1
    assert rows[0]["title"] == "Edited" and rows[0]["first_seen_at"] == iso(NOW)
    undated = replace(entry("a", 0, "Again"), has_date=False)
    store.save_entry(undated, "https://x.example/a", ON, "updated", None, NOW + timedelta(hours=2))
    assert next(iter(store.table("entries").rows))["published"] == iso(e.published)
    known = store.known_entry("f", "a")
    assert known is not None and known.title == "Again" and known.relevant


def test_a_story_is_queued_at_most_once(store: Store) -> None:
    story = store.create_story(entry("a", 1), "https://x.example/a", NOW)
    assert store.enqueue_post(story, NOW) is True
    assert store.enqueue_post(story, NOW) is False
    [row] = store.pending()
    store.mark_sending(row.id, NOW)
    assert [r.id for r in store.pending()] == [row.id]  # an interrupted send is resumed
    store.mark_sent(row.id, "999", NOW)
    assert store.pending() == [] and store.enqueue_post(story, NOW) is False


def test_unposted_stories_in_range_oldest_first(store: Store) -> None:
    ids = {}
    for guid, hours in (("new", 1), ("old", 50), ("mid", 20)):
        e = entry(guid, hours)
        ids[guid] = store.create_story(e, e.url, NOW)
        store.save_entry(e, e.url, ON, "baseline", ids[guid], NOW)
    store.enqueue_post(ids["mid"], NOW)
    since = NOW - timedelta(days=3)
    assert [s.title for s in store.unposted_stories(since, None, None)] == ["T", "T"]
    assert [s.id for s in store.unposted_stories(since, None, None)] == [ids["old"], ids["new"]]
    assert [s.id for s in store.unposted_stories(since, NOW - timedelta(hours=10), None)] == [ids["old"]]
    assert store.unposted_stories(since, None, "other-feed") == []


def test_iso_round_trip() -> None:
    assert from_iso(iso(NOW)) == NOW
