"""Storage: the bot's SQLite database, through sqlite-utils.

Holds one `Store`, assembled from sibling mixins, one per domain, over `StoreBase`, which
owns the connection and the transaction; each public method maps SQLite's errors to
`StorageError` (`@mapped`, written on the method). What two domains both read is a
module function over the connection (`whole_view`, `read_halt`), never a call across mixins:

- `feeds.py`: validators, health, schedule, baseline;
- `entries.py`: entries and stories;
- `developments.py`: developments and their candidates;
- `outbox.py`: posts, edits and notices to deliver, and the delivery halt;
- `service.py`: the heartbeat and the LLM's daily count;
- `reports.py`: what `status`, `health` and `stories` read;
- `schema.py`: the migrations; `records.py`: the frozen records every query returns.

A new query goes into the file of its domain. May import: `bot.models`, `bot.errors`,
`bot.judge.dedup` (the `Known` record), sqlite-utils. Nothing here decides anything.
"""

from __future__ import annotations

from bot.store.base import StoreBase
from bot.store.developments import DevelopmentsMixin
from bot.store.entries import EntriesMixin
from bot.store.feeds import FeedsMixin
from bot.store.outbox import OutboxMixin
from bot.store.records import (
    Candidate,
    DevelopmentSummary,
    FeedState,
    FeedStatus,
    Halt,
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
    "Near",
    "OutboxAction",
    "OutboxRow",
    "OutboxState",
    "PostState",
    "ServiceRecord",
    "Spread",
    "StatusReport",
    "Store",
    "from_iso",
    "iso",
    "to_json",
]


class Store(FeedsMixin, EntriesMixin, DevelopmentsMixin, OutboxMixin, ServiceMixin, ReportsMixin, StoreBase):
    """The bot's SQLite database; every public method raises StorageError, never sqlite3's
    (each is written `@mapped`: `tests/test_store.py` checks every one)."""
