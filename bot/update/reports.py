"""What a poll says it did: one report per feed, and one per cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.delivery import DrainReport


@dataclass(frozen=True)
class FeedReport:
    """What one feed's poll did."""

    feed: str
    ok: bool
    entries: int = 0
    new: int = 0
    queued: int = 0
    baseline: bool = False
    not_modified: bool = False
    error: str = ""
    warning: str = ""
    next_poll: datetime | None = None
    next_reason: str = ""

    def line(self) -> str:
        if not self.ok:
            return f"feed {self.feed!r}: error: {self.error}"
        if self.not_modified:
            return f"feed {self.feed!r}: not modified"
        kind = "baseline, " if self.baseline else ""
        counts = f"{self.entries} entries, {self.new} new, {self.queued} to post"
        return f"feed {self.feed!r}: {kind}{counts}"


@dataclass(frozen=True)
class CycleReport:
    feeds: tuple[FeedReport, ...]
    delivery: DrainReport = field(default_factory=DrainReport)
