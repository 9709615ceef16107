"""Updating: polling feeds into the store, and backfilling history.

- `poll.py`: one feed's poll and a whole cycle (read → fetch → parse → decide → write);
- `decide.py`: what a poll's outcome means (next poll, notices, retirement, edits), pure;
- `place.py`: a new story stored and placed, and what it queues for the channel;
- `candidates.py`: the developments a new story could join, kept between stories;
- `history.py`: the backfill and dated searches; `reports.py`: what a poll says it did;
- `parsepool.py`: worker processes for parsing, with a deadline.

May import: `bot.app` (for typing only), `bot.store`, `bot.delivery` (reports only), and
the flat pure stages (parse, match, dedup, cluster, escalate, periods, policy, health, urls).
"""

from __future__ import annotations

from bot.update.poll import Pipeline, parse_and_judge
from bot.update.reports import CycleReport, FeedReport

__all__ = ["CycleReport", "FeedReport", "Pipeline", "parse_and_judge"]
