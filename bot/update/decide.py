"""What a poll's outcome means for its feed, decided without I/O (reader's *Intent style):
when to poll next, what to tell the channel, whether the feed is retired; and what a
story's placement means for the post. The poll writes what these functions return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.config import FeedConfig, Polling
from bot.errors import FeedError, FetchError
from bot.intake import feedhealth
from bot.intake.urls import canonical_url
from bot.judge import policy
from bot.models import Entry


@dataclass(frozen=True)
class FeedIntent:
    """What to write for a feed after a poll."""

    next_poll: policy.NextPoll
    notice: str = ""  # a message about the feed to queue for the channel
    warned: bool | None = None  # the feed's new "channel was warned" flag; None: unchanged
    gone: bool = False  # 410: retire the feed


def bounds(feed: FeedConfig, polling: Polling) -> policy.Bounds:
    return policy.Bounds(
        interval=feed.interval,
        min_interval=max(polling.min_interval, feed.interval / 2),
        max_interval=max(feed.interval, polling.max_interval),
        max_backoff=polling.max_backoff,
    )


def after_failure(
    feed: FeedConfig, polling: Polling, failures: int, warned: bool, exc: FeedError, now: datetime
) -> FeedIntent:
    """A failed poll (the `failures`-th in a row): back off, warn the channel once."""
    gone = isinstance(exc, FetchError) and exc.gone
    retry_after = None
    if isinstance(exc, FetchError) and exc.retry_after is not None:
        retry_after = timedelta(seconds=exc.retry_after)
    outcome = policy.Outcome(ok=False, failures=failures, retry_after=retry_after)
    nxt = policy.next_poll(now, bounds(feed, polling), outcome, 0.0)
    if feedhealth.should_warn(failures, polling.warn_after, warned):
        return FeedIntent(nxt, feedhealth.warning_text(feed.name, failures, exc.problem), True, gone)
    return FeedIntent(nxt, gone=gone)


def after_success(
    feed: FeedConfig,
    polling: Polling,
    warned: bool,
    hints: tuple[float | None, ...],
    new: int,
    history: list[tuple[datetime, int]],
    now: datetime,
) -> FeedIntent:
    """A good poll: its pace from the feed's rhythm and the server's hints (seconds); a
    recovery note if the channel was warned."""
    seconds = [s for s in hints if s]
    outcome = policy.Outcome(
        ok=True, new_entries=new, hint=timedelta(seconds=max(seconds)) if seconds else None
    )
    nxt = policy.next_poll(now, bounds(feed, polling), outcome, policy.rate(history, now))
    if warned:
        return FeedIntent(nxt, feedhealth.recovery_text(feed.name), False)
    return FeedIntent(nxt)


def entry_key(entry: Entry) -> str:
    """Canonical URL, or a per-feed key for entries that have no link at all."""
    if not entry.url:
        return f"entry:{entry.feed}:{entry.guid}"
    return entry.canonical or canonical_url(entry.url)


def shift(when: datetime, delta: timedelta) -> datetime:
    """`when + delta`, held within the datetime range (a hostile date must not overflow)."""
    try:
        return when + delta
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if delta < timedelta(0) else datetime.max.replace(tzinfo=UTC)
