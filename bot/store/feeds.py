"""Feeds: validators, health (failures, warnings, moves, retirement), the next poll's time,
the baseline, and the recent history the polling policy reads."""

from __future__ import annotations

import json
from datetime import datetime

from bot.models import FeedCache
from bot.store.base import StoreBase, mapped
from bot.store.records import FeedState, from_iso, iso, maybe_time


class FeedsMixin(StoreBase):
    @mapped
    def feed_state(self, name: str, url: str) -> FeedState:
        """What a poll needs to know of a feed, read once; a URL changed in feeds.yaml starts
        over (no validators, no move, no retirement, no planned poll)."""
        row = self.db.execute(
            "SELECT url, moved_to, etag, last_modified, gone_at, body_hash, failures, warned,"
            " next_poll_at FROM feeds WHERE name = ?",
            [name],
        ).fetchone()
        if row is None:
            return FeedState(url=url, cache=FeedCache(), gone=False, body_hash=None)
        stored, moved_to, etag, modified, gone_at, body_hash, failures, warned, next_poll = row
        if stored != url:
            return FeedState(url=url, cache=FeedCache(), gone=False, body_hash=None)
        return FeedState(
            url=moved_to or url,
            cache=FeedCache(etag=etag, last_modified=modified),
            gone=bool(gone_at),
            body_hash=body_hash,
            failures=failures,
            warned=bool(warned),
            next_poll_at=maybe_time(next_poll),
        )

    @mapped
    def is_baselined(self, name: str) -> bool:
        row = self.db.execute("SELECT baseline_at FROM feeds WHERE name = ?", [name]).fetchone()
        return bool(row and row[0])

    @mapped
    def ensure_feed(self, name: str, url: str) -> None:
        """A row for the feed; a new URL in feeds.yaml forgets where the old one moved or died."""
        self.db.execute("INSERT OR IGNORE INTO feeds (name, url) VALUES (?, ?)", [name, url])
        self.db.execute(
            "UPDATE feeds SET url = ?, moved_to = NULL, gone_at = NULL, etag = NULL, last_modified = NULL,"
            " body_hash = NULL WHERE name = ? AND url != ?",
            [url, name, url],
        )

    @mapped
    def record_success(
        self, name: str, url: str, status: int, cache: FeedCache, title: str, now: datetime
    ) -> None:
        self.ensure_feed(name, url)
        self.db.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, last_fetch_at = ?, last_success_at = ?,"
            " last_status = ?, last_error = NULL, failures = 0, title = COALESCE(NULLIF(?, ''), title)"
            " WHERE name = ?",
            [cache.etag, cache.last_modified, iso(now), iso(now), status, title, name],
        )

    @mapped
    def record_failure(self, name: str, url: str, error: str, now: datetime) -> int:
        """Count a failed poll; returns the run of consecutive failures, this one included."""
        self.ensure_feed(name, url)
        row = self.db.execute(
            "UPDATE feeds SET last_fetch_at = ?, last_error = ?, failures = failures + 1 WHERE name = ?"
            " RETURNING failures",
            [iso(now), error, name],
        ).fetchone()
        return int(row[0]) if row else 1

    @mapped
    def record_body(self, name: str, body_hash: str) -> None:
        self.db.execute("UPDATE feeds SET body_hash = ? WHERE name = ?", [body_hash, name])

    @mapped
    def record_moved(self, name: str, moved_to: str) -> None:
        self.db.execute("UPDATE feeds SET moved_to = ? WHERE name = ?", [moved_to, name])

    @mapped
    def record_gone(self, name: str, now: datetime) -> None:
        self.db.execute("UPDATE feeds SET gone_at = ? WHERE name = ?", [iso(now), name])

    @mapped
    def set_warned(self, name: str, warned: bool) -> None:
        self.db.execute("UPDATE feeds SET warned = ? WHERE name = ?", [int(warned), name])

    @mapped
    def schedule(self, name: str, at: datetime, reason: str) -> None:
        self.db.execute(
            "UPDATE feeds SET next_poll_at = ?, next_reason = ? WHERE name = ?", [iso(at), reason, name]
        )

    @mapped
    def record_polled(
        self, name: str, new_entries: int, seen: int, now: datetime, keep: int = 30
    ) -> list[tuple[datetime, int]]:
        """Add a successful poll to the feed's recent history; return that history."""
        row = self.db.execute("SELECT recent FROM feeds WHERE name = ?", [name]).fetchone()
        recent = [(from_iso(t), n) for t, n in json.loads(row[0])] if row else []
        recent = [*recent, (now, new_entries)][-keep:]
        self.db.execute(
            "UPDATE feeds SET recent = ?, entries_seen = entries_seen + ? WHERE name = ?",
            [json.dumps([(iso(t), n) for t, n in recent]), seen, name],
        )
        return recent

    @mapped
    def mark_baselined(self, name: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE feeds SET baseline_at = ? WHERE name = ? AND baseline_at IS NULL",
            [iso(now), name],
        )
