"""store: migrations, entry identity, one post per story, backfill selection."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bot.errors import BotError, StorageError
from bot.models import Entry, FeedCache, Verdict
from bot.store import Near, OutboxState, PostState, Store, from_iso, iso
from bot.store.schema import migrations
from tests.support.builders import NOW

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
    applied = [r[0] for r in again.db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == [
        "m001_initial",
        "m002_retention",
        "m003_service_interval",
        "m004_placement",
        "m005_candidate_index",
        "m006_story_image",
        "m007_newsroom_outbox",
        "m008_muted",
        "m009_story_document",
        "m010_google_links",
    ]
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_corrupt_database_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BotError, match="bot.db"):
        Store(path)


def test_feed_cache_and_health(store: Store) -> None:
    assert store.feed_state("f", "https://x.example/feed").cache == FeedCache('"e"', None)
    assert store.feed_state("f", "https://x.example/moved").cache == FeedCache()  # URL changed: start over
    assert store.record_failure("f", "https://x.example/feed", "HTTP 500", NOW) == 1
    [feed] = store.status().feeds
    assert feed.failures == 1 and feed.last_error == "HTTP 500"
    assert store.feed_state("f", "https://x.example/feed").failures == 1
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


def develop(store: Store, e: Entry, kind: str = "filing") -> tuple[int, int]:
    story = store.create_story(e, e.url, kind, NOW)
    return story, store.create_development(story, kind, e.published, NOW)


def test_a_development_is_posted_at_most_once(store: Store) -> None:
    _, dev = develop(store, entry("a", 1))
    assert store.enqueue_post(dev, NOW) is True
    assert store.enqueue_post(dev, NOW) is False
    [row] = store.pending()
    assert row.development is not None
    assert (row.action, row.development.id, row.message_id) == ("post", dev, None)
    assert store.claim(row.id, NOW)
    assert [r.id for r in store.pending()] == [row.id]  # an interrupted send is resumed
    store.mark_sent(row.id, "999", NOW)
    assert store.pending() == [] and store.enqueue_post(dev, NOW) is False
    assert store.post_message(dev) == PostState(OutboxState.SENT, "999")


def test_a_row_is_claimed_once(store: Store) -> None:
    """Two processes reading the same pending row: only the first claim wins."""
    _, dev = develop(store, entry("a", 1))
    store.enqueue_post(dev, NOW)
    [row] = store.pending()
    assert store.claim(row.id, NOW)
    store.mark_sent(row.id, "999", NOW)
    assert not store.claim(row.id, NOW)  # a second process with a stale list sends nothing


def test_one_waiting_edit_per_development(store: Store) -> None:
    _, dev = develop(store, entry("a", 1))
    store.enqueue_post(dev, NOW)
    [post] = store.pending()
    store.mark_sent(post.id, "999", NOW)
    assert store.enqueue_edit(dev, NOW) is True
    assert store.enqueue_edit(dev, NOW) is False  # one waiting edit renders all new coverage
    [edit] = store.pending()
    assert (edit.action, edit.message_id) == ("edit", "999")
    assert store.claim(edit.id, NOW)
    assert store.enqueue_edit(dev, NOW) is True  # the one in flight may have rendered too early


def test_development_view_lists_lead_then_coverage(store: Store) -> None:
    lead, dev = develop(store, entry("a", 5))
    later = store.create_story(entry("b", 1), "https://x.example/b", "filing", NOW)
    earlier = store.create_story(entry("c", 9), "https://x.example/c", "filing", NOW)
    for story in (later, earlier):
        store.join_development(story, dev)
    view = store.development(dev)
    assert view.lead.id == lead and [s.id for s in view.coverage] == [earlier, later]
    assert view.first_published == NOW - timedelta(hours=5) and view.kind == "filing"
    around = Near(NOW - timedelta(hours=5), NOW - timedelta(hours=6), NOW)
    assert [d.id for d in store.candidates(around)] == [dev]
    assert store.candidates(Near(NOW - timedelta(hours=2), NOW - timedelta(hours=4), NOW)) == []


def test_candidates_come_from_indexes_not_from_every_development_in_the_window(store: Store) -> None:
    """Of 200 developments an hour apart, a story sees the nearest few in time, the nearest
    few of each kind it may join, and the ones whose stories name one of its people."""
    ids = []
    for i in range(200):
        story = store.create_story(
            entry(f"s{i}", i), f"https://x.example/{i}", "verdict" if i == 150 else "", NOW
        )
        ids.append(
            store.create_development(story, "verdict" if i == 150 else "", NOW - timedelta(hours=i), NOW)
        )
        if i == 120:
            store.name_story(story, NOW - timedelta(hours=i), ["zilis"])
    week = Near(NOW, NOW - timedelta(days=9), NOW, ("verdict",), frozenset({"zilis"}), nearest=3)
    found = {d.id for d in store.candidates(week)}
    assert found == {ids[0], ids[1], ids[2], ids[120], ids[150]}


def test_unposted_developments_in_range_oldest_first(store: Store) -> None:
    ids = {}
    for guid, hours in (("new", 1), ("old", 50), ("mid", 20)):
        e = entry(guid, hours)
        story, ids[guid] = develop(store, e)
        store.save_entry(e, e.url, ON, "baseline", story, NOW)
    store.enqueue_post(ids["mid"], NOW)
    since = NOW - timedelta(days=3)
    assert [d.id for d in store.unposted_developments(since, None, None)] == [ids["old"], ids["new"]]
    assert [d.id for d in store.unposted_developments(since, NOW - timedelta(hours=10), None)] == [ids["old"]]
    assert store.unposted_developments(since, None, "other-feed") == []
    assert len(store.unposted_developments(since, None, "f")) == 2


def test_iso_round_trip() -> None:
    assert from_iso(iso(NOW)) == NOW


def test_notices_go_first_and_need_no_development(store: Store) -> None:
    _, dev = develop(store, entry("a", 1))
    store.enqueue_post(dev, NOW)
    store.enqueue_notice("Feed 'f' has failed 10 times", NOW)
    first, second = store.pending()
    assert (first.action, first.development, first.notice) == ("notice", None, "Feed 'f' has failed 10 times")
    assert second.action == "post"


def test_a_new_url_forgets_where_the_old_one_moved(store: Store) -> None:
    store.record_moved("f", "https://x.example/moved")
    assert store.feed_state("f", "https://x.example/feed").url == "https://x.example/moved"
    store.ensure_feed("f", "https://x.example/new")
    assert store.feed_state("f", "https://x.example/new").url == "https://x.example/new"


def test_old_irrelevant_entries_are_forgotten_and_the_rest_kept(store: Store) -> None:
    """storage.keep: the database must not grow without bound over months of polling."""
    old, recent = NOW - timedelta(days=100), NOW - timedelta(days=10)
    for guid, seen, relevant in (("old-off", old, False), ("new-off", recent, False), ("old-on", old, True)):
        e = entry(guid, 1)
        store.ensure_feed(e.feed, "https://x.example/feed")
        store.save_entry(e, e.url, Verdict(relevant, 0.0), "new", None, seen, known=False)
    assert store.forget_irrelevant(NOW - timedelta(days=90)) == 1
    assert sorted(r["guid"] for r in store.table("entries").rows) == ["new-off", "old-on"]


def test_a_locked_database_is_one_line_naming_it(tmp_path: Path) -> None:
    """A second writer holding the database used to surface as 'internal error'."""
    path = tmp_path / "bot.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = Store(path, timeout=0.1)
    except StorageError as exc:  # opening may already need the lock
        error = exc
    else:
        with pytest.raises(StorageError) as caught:
            store.ensure_feed("f", "https://x.example/feed")
        error = caught.value
        store.close()
    finally:
        holder.rollback()
        holder.close()
    assert (
        str(error)
        == f"database {path}: locked by another process for too long (is a second bot writing to it?)"
    )


def test_a_full_disk_is_one_line_naming_the_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store(path)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # as if the disk had no room left
    with pytest.raises(StorageError) as caught, store.transaction():
        for i in range(2000):
            store.enqueue_notice("x" * 1000 + str(i), NOW)
    store.close()
    assert (
        str(caught.value)
        == f"database {path}: the disk (or the database's size limit) is full: free some space"
    )


def test_a_story_edited_at_the_source_keeps_its_summary_only_while_its_text_is_the_same(
    store: Store,
) -> None:
    e = entry("a", 1)
    story, dev = develop(store, e)
    store.set_digest(story, "Prepared from the article page.", "article")
    assert store.revise_story(story, replace(e, title="Corrected headline")) == dev
    view = store.development(dev)
    assert view.lead.title == "Corrected headline" and view.lead.digest == "Prepared from the article page."
    assert (
        store.revise_story(story, replace(e, summary="A new lede.", image="https://i.example/p.jpg")) == dev
    )
    view = store.development(dev)
    assert (view.lead.summary, view.lead.digest, view.lead.image) == (
        "A new lede.",
        "",
        "https://i.example/p.jpg",
    )


def test_the_outbox_rebuilt_for_pings_keeps_every_row_and_its_guarantees(tmp_path: Path) -> None:
    """A database from before pings: its queued and sent rows survive the rebuild, and a post
    is still one per development."""
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m007_newsroom_outbox")
    old.execute(
        "INSERT INTO developments (id, kind, first_published, lead_story_id, created_at)"
        " VALUES (1, '', ?, 1, ?)",
        [iso(NOW)] * 2,
    )
    old.execute(
        "INSERT INTO outbox (development_id, action, state, message_id, created_at, updated_at)"
        " VALUES (1, 'post', 'sent', '42', ?, ?)",
        [iso(NOW)] * 2,
    )
    old.conn.commit()
    old.close()
    store = Store(path)
    assert store.post_message(1) == PostState(OutboxState.SENT, "42", False)
    assert store.enqueue_post(1, NOW) is False
    assert store.enqueue_ping(1, NOW) is True and store.enqueue_ping(1, NOW) is False
    store.close()
