"""When to poll a feed next. Pure: feed state and the last result in, a time out.

- A feed that fails backs off exponentially (interval × 2^(failures-1), capped at
  `max_backoff`) and returns to its pace on the first success.
- A server's own hints are floors: `Retry-After` on 429/503, `Cache-Control: max-age`,
  `Expires`, and RSS `<ttl>`; none of them can push a poll past `max_interval`.
- A feed that publishes often is polled more often, a quiet one less, between
  `min_interval` and `max_interval`: the aim is about one new entry per poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Bounds:
    interval: timedelta  # the feed's configured pace
    min_interval: timedelta
    max_interval: timedelta
    max_backoff: timedelta = timedelta(hours=6)


@dataclass(frozen=True)
class Outcome:
    """What the last poll saw."""

    ok: bool
    failures: int = 0  # consecutive, including this one when not ok
    new_entries: int = 0
    hint: timedelta | None = None  # the server's or the feed's own "not before" (max-age, ttl...)
    retry_after: timedelta | None = None


@dataclass(frozen=True)
class NextPoll:
    at: datetime
    reason: str


def next_poll(now: datetime, bounds: Bounds, outcome: Outcome, recent_rate: float) -> NextPoll:
    """The time of the next poll. `recent_rate` is new entries per hour over recent polls."""
    if not outcome.ok:
        # In float seconds: interval × 2^n overflows timedelta after about 40 failures.
        doubled = bounds.interval.total_seconds() * 2.0 ** min(max(0, outcome.failures - 1), 64)
        delay = timedelta(seconds=min(bounds.max_backoff.total_seconds(), doubled))
        reason = f"backing off after {outcome.failures} failure{'s' * (outcome.failures != 1)}"
        if outcome.retry_after is not None and outcome.retry_after > delay:
            delay, reason = min(outcome.retry_after, bounds.max_backoff), "server asked to retry later"
        return NextPoll(now + delay, reason)
    delay, reason = bounds.interval, "configured interval"
    if recent_rate > 0:
        # About one new entry per poll, within the bounds.
        hours = min(1 / recent_rate, bounds.max_interval.total_seconds() / 3600)
        delay, reason = timedelta(hours=hours), f"{recent_rate:.1f} new entries an hour"
    elif outcome.new_entries == 0:
        delay, reason = bounds.interval * 2, "quiet feed"
    delay = max(bounds.min_interval, min(bounds.max_interval, delay))
    if outcome.hint is not None and outcome.hint > delay:
        delay, reason = min(outcome.hint, bounds.max_interval), "server or feed asks for a longer pause"
    return NextPoll(now + delay, reason)


def rate(history: list[tuple[datetime, int]], now: datetime, span: timedelta = timedelta(days=2)) -> float:
    """New entries per hour over the polls of the last `span`: (poll time, new entries)."""
    recent = [(when, n) for when, n in history if now - when <= span]
    if len(recent) < 2:
        return 0.0
    hours = (now - min(when for when, _ in recent)).total_seconds() / 3600
    return sum(n for _, n in recent) / hours if hours > 0 else 0.0


def hold_until(now: datetime, posts_so_far: int, per_poll: int, interval: timedelta) -> datetime | None:
    """When the next post a feed queues in this poll may go: at once for the first
    `per_poll`, then one interval later per further batch, so a feed that suddenly carries
    hundreds of relevant items (hostile, or broken) cannot flood the channel. They wait in
    the outbox; none is dropped."""
    batch = posts_so_far // per_poll
    return now + interval * min(batch, 10_000) if batch else None


def settled(now: datetime, hold: datetime | None, settle: timedelta) -> datetime | None:
    """When a new development's post may go: after `settle`, so that the first minutes of
    coverage join it (and the best lead is chosen) before anything is posted; never
    earlier than `hold`."""
    if not settle:
        return hold
    return max(hold, now + settle) if hold else now + settle
