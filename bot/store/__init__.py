"""Storage: the bot's SQLite database, through sqlite-utils.

Holds one `Store`, assembled from sibling mixins, one per domain, over `StoreBase`, which
owns the connection and the transaction; each public method maps SQLite's errors to
`StorageError` (`@mapped`, written on the method). What two domains both read is a
module function over the connection (`whole_view`, `read_halt`), never a call across mixins:

- `feeds.py`: validators, health, schedule, baseline;
- `entries.py`: entries and stories;
- `developments.py`: developments and their candidates;
- `outbox.py`: posts, edits and notices to deliver, and the delivery halt;
- `service.py`: the heartbeat and the LLM's daily count; `links.py`: Google News links;
- `reports.py`: what `status`, `health` and `stories` read;
- `schema.py`: the migrations; `records.py`: the frozen records every query returns.

A new query goes into the file of its domain. May import: `bot.models`, `bot.errors`,
`bot.judge.dedup` (the `Known` record), sqlite-utils. Nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.judge.placement import Placement, Queue
from bot.models import Entry
from bot.store.base import StoreBase, mapped
from bot.store.developments import DevelopmentsMixin
from bot.store.entries import EntriesMixin
from bot.store.feeds import FeedsMixin
from bot.store.links import LinksMixin
from bot.store.outbox import OutboxMixin
from bot.store.records import (
    Candidate,
    DevelopmentSummary,
    FeedState,
    FeedStatus,
    Halt,
    LinkCounts,
    Near,
    OutboxAction,
    OutboxRow,
    OutboxState,
    PostState,
    ServiceRecord,
    Spread,
    StatusReport,
    from_iso,
    iso,
    to_json,
)
from bot.store.reports import ReportsMixin
from bot.store.service import ServiceMixin

__all__ = [
    "Candidate",
    "DevelopmentSummary",
    "FeedState",
    "FeedStatus",
    "Halt",
    "LinkCounts",
    "Near",
    "OutboxAction",
    "OutboxRow",
    "OutboxState",
    "Placed",
    "PostState",
    "ServiceRecord",
    "Spread",
    "StatusReport",
    "Store",
    "from_iso",
    "iso",
    "to_json",
]


@dataclass(frozen=True)
class Placed:
    """A placement written: the story, its development (None when aside), what it queued."""

    story_id: int
    development_id: int | None
    queued: int
    posted: bool  # a new development's post was queued


class Store(
    FeedsMixin,
    EntriesMixin,
    DevelopmentsMixin,
    OutboxMixin,
    ServiceMixin,
    ReportsMixin,
    LinksMixin,
    StoreBase,
):
    """The bot's SQLite database; every public method raises StorageError, never sqlite3's
    (each is written `@mapped`: `tests/test_store_errors.py` tries every one)."""

    @mapped
    def place(self, entry: Entry, key: str, kind: str, placement: Placement, now: datetime) -> Placed:
        """Write what `judge.placement.plan` decided for a new story, in the caller's
        transaction: the story, the development it starts, and what it queues."""
        queue, kept = placement.queue, not placement.starts  # a kept reason is the story's own
        story_id = self.create_story(entry, key, kind, now, placement.joins, placement.reason if kept else "")
        queued = int(queue.timeline and self.enqueue_timeline(now))
        if placement.aside:
            return Placed(story_id, None, queued, posted=False)
        if placement.joins is None:
            development = self.create_development(story_id, kind, entry.published, now, placement.reason)
            posted = queue.post and self.enqueue_post(development, now, queue.hold, may_ping=True)
            return Placed(story_id, development, queued + int(posted), posted=posted)
        development = placement.joins
        queued += int(queue.edit and self.enqueue_edit(development, now))
        queued += int(queue.coverage and self.enqueue_coverage(development, story_id, now))
        return Placed(story_id, development, queued, posted=False)

    @mapped
    def requeue(self, development: int, queue: Queue, now: datetime) -> int:
        """Write what a revised story queues (`judge.placement.revision`); how many rows."""
        return int(queue.timeline and self.enqueue_timeline(now)) + int(
            queue.edit and self.enqueue_edit(development, now)
        )
