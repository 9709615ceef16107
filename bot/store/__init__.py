"""Storage: the bot's SQLite database, through sqlite-utils.

Holds one `Store`, assembled from a mixin per domain over `StoreBase`, which owns the
connection, the transaction and the mapping of SQLite's errors to `StorageError`:

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

from bot.store.base import StoreBase, mapped
from bot.store.entries import EntriesMixin
from bot.store.feeds import FeedsMixin
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


class Store(FeedsMixin, EntriesMixin, ReportsMixin, StoreBase):
    """The bot's SQLite database; every public method raises StorageError, never sqlite3's."""


for _name in dir(Store):
    _method = getattr(Store, _name)
    if not _name.startswith("_") and callable(_method) and _name not in ("transaction", "close", "table"):
        setattr(Store, _name, mapped(_method))
