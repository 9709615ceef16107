"""Updating: polling feeds into the store, and backfilling history.

- `poll.py`: the Pipeline: one feed's poll and a whole cycle (fetch → parse → decide →
  write), with `ingest` (and `take`) the one way entries get in;
- `decide.py`: what a poll's outcome means (next poll, notices, retirement, edits), pure;
- `place.py`: a new story stored and placed, and what it queues for the channel;
- `resolve.py`: Google News links resolved to their publishers before entries are stored;
- `candidates.py`: the developments a new story could join, kept between stories;
- `history.py`: the backfill and dated searches; `reports.py`: what a poll says it did;
- `parsepool.py`: worker processes for parsing, with a deadline.

May import: `bot.app`, `bot.store`, `bot.delivery` (reports only), `bot.intake`,
`bot.judge`, `bot.prose` and what they stand on; never an interface (`bot.web`, `bot.slash`,
`bot.scheduler`, `bot.cli`).
"""

from __future__ import annotations

from bot.update.poll import Pipeline, parse_and_judge
from bot.update.reports import CycleReport, FeedReport

__all__ = ["CycleReport", "FeedReport", "Pipeline", "parse_and_judge"]
