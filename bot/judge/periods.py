"""Digest periods (`discord.digest`): when each period ends, in the configured time zone, and
which digests are due. Pure: the service asks `due` at every delivery tick; the outbox holds
one row per period, so a restart neither skips nor repeats one.

Periods end at `at` local time on the days whose ordinal is a multiple of `every` (in days):
every day for `1d`, a fixed weekday for `7d`. Local time is honoured across daylight saving
changes (a day may last 23 or 25 hours).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Digest

CATCH_UP = 7  # periods at most that a long outage posts late; older ones are let go


def _end_on(day: date, digest: Digest) -> datetime:
    return datetime.combine(day, digest.at, tzinfo=ZoneInfo(digest.timezone)).astimezone(UTC)


def latest_end(digest: Digest, now: datetime) -> datetime:
    """The end of the last period that has ended by `now`."""
    days = digest.every.days
    day = now.astimezone(ZoneInfo(digest.timezone)).date()
    day -= timedelta(days=day.toordinal() % days)
    while _end_on(day, digest) > now:
        day -= timedelta(days=days)
    return _end_on(day, digest)


def start_of(end: datetime, digest: Digest) -> datetime:
    """Where the period ending at `end` began: the previous end, in local time."""
    day = end.astimezone(ZoneInfo(digest.timezone)).date()
    return _end_on(day - digest.every, digest)


def due(digest: Digest, last: datetime | None, now: datetime) -> list[datetime]:
    """The ends of the periods whose digest is due: those after `last` (the latest digest
    queued) up to `now`, oldest first, at most CATCH_UP; only the latest when no digest was
    ever queued (a digest turned on starts with the period just ended)."""
    end = latest_end(digest, now)
    ends: list[datetime] = []
    while (last is None and not ends) or (last is not None and end > last and len(ends) < CATCH_UP):
        ends.append(end)
        end = start_of(end, digest)
    return sorted(ends)
