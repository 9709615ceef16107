"""When to send the next Discord request, and when to retry a failed one. Pure policy.

Webhooks allow about 5 requests per 2 seconds and 30 per minute per channel. A backfill of
hundreds of developments is paced under those limits instead of leaning on 429s, and a
failed delivery is retried later with exponential backoff and jitter, across restarts.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    """At most `count` requests in any `seconds`."""

    count: int
    seconds: float


def pace_delay(history: Sequence[float], now: float, limits: Sequence[Limit]) -> float:
    """Seconds to wait before the next request, given when recent requests went out."""
    delay = 0.0
    for limit in limits:
        recent = [t for t in history if now - t < limit.seconds]
        if len(recent) >= limit.count:
            # Wait until the oldest request that still counts leaves the window.
            oldest = sorted(recent)[len(recent) - limit.count]
            delay = max(delay, oldest + limit.seconds - now)
    return delay


def retry_at(attempts: int, now: datetime, jitter: float) -> datetime:
    """When to try again after `attempts` failures: 30 s, 1 min, 2 min... capped at an hour,
    times a jitter factor in [0.5, 1.5) so many rows do not retry in lockstep."""
    delay: timedelta = min(RETRY_CAP, RETRY_BASE * 2 ** max(0, attempts - 1))
    return now + delay * (0.5 + jitter)


class Pacer:
    """Waits before each request as `pace_delay` says; clock and sleep are injectable."""

    def __init__(
        self,
        limits: Sequence[Limit],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = tuple(limits)
        self._clock = clock
        self._sleep = sleep
        longest = max((limit.count for limit in self.limits), default=0)
        self._history: deque[float] = deque(maxlen=max(longest, 1))

    @property
    def seconds_per_request(self) -> float:
        """The sustained pace: what a long backfill costs per message."""
        return max((limit.seconds / limit.count for limit in self.limits), default=0.0)

    async def wait(self) -> None:
        delay = pace_delay(self._history, self._clock(), self.limits)
        if delay > 0:
            await self._sleep(delay)
        self._history.append(self._clock())
