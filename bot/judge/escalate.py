"""Escalation (`discord.ping`): which posts ping the configured role, and when a development's
coverage surges. Pure: the poll asks `surged` as coverage arrives, delivery asks `pings`.

Opt-in and rare by design: a post pings only when its development is of a listed kind (a
verdict, a ruling) and it is news rather than history; a development pings once more, in a
short follow-up, when its coverage crosses the surge threshold ("8 outlets in 3h"), unless
its post pinged already.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.config import Ping, Surge
from bot.intake.urls import outlet_key


def pings(ping: Ping | None, kind: str) -> bool:
    """Whether a post of a development of `kind` pings the role."""
    return ping is not None and kind in ping.kinds


def surged(coverage: Iterable[tuple[datetime, str, str]], surge: Surge) -> bool:
    """Whether some span of `surge.within` holds stories from `surge.outlets` distinct
    outlets; `coverage` is (published, outlet, link) per story, in any order."""
    stories = sorted((when, outlet_key(outlet, url)) for when, outlet, url in coverage)
    inside: Counter[str] = Counter()
    start = 0
    for when, outlet in stories:
        inside[outlet] += 1
        while when - stories[start][0] > surge.within:
            gone = stories[start][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            start += 1
        if len(inside) >= surge.outlets:
            return True
    return False


def span(within: timedelta) -> str:
    """'3h', '90m', '2d': a surge's span as feeds.yaml writes it."""
    seconds = int(within.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
