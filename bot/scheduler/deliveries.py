"""The delivery task: drains the outbox whenever woken (a poll queued something, /backfill)
and every DELIVERY_TICK for retries; at a stop, one last drain within the deadline for what
the last polls queued. Polls never wait for it: a backlog of posts (Discord allows about one
every two seconds) must not freeze polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.app import App

log = logging.getLogger(__name__)

DELIVERY_TICK = 30.0  # seconds between drains when nothing wakes the delivery task (retries)


class Deliveries:
    """Drains `app`'s outbox until `finish`."""

    def __init__(self, app: App, stop: asyncio.Event) -> None:
        self.app = app
        self._stop = stop
        self._wake = asyncio.Event()
        self._flush_until = 0.0  # loop time after which no new send starts, once stopping
        self._polls_done = asyncio.Event()  # set at a stop once no poll can queue anything

    def wake(self) -> None:
        """Ask for a drain soon."""
        self._wake.set()

    def _stopping(self) -> bool:
        """Asked by a drain between rows: once stopping, only until the flush deadline."""
        return self._stop.is_set() and asyncio.get_running_loop().time() >= self._flush_until

    async def run(self) -> None:
        """Drain whenever woken until the stop; whatever one drain raises is logged and the
        next wake tries again. Whatever an earlier run queued goes out first."""
        self._wake.set()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), DELIVERY_TICK)
            self._wake.clear()
            final = self._stop.is_set()
            if final:  # one last drain, for what the last polls queued, within the deadline
                await self._polls_done.wait()
            try:
                await self.app.deliver(should_stop=self._stopping)
            except Exception as exc:
                log.error("delivery failed: %s: %s; retried at the next wake", type(exc).__name__, exc)
                log.debug("delivery failure", exc_info=True)
            if final:
                return

    def stopping(self, deadline: float) -> None:
        """The service stops: sends due now may still start until `deadline` (loop time)."""
        self._flush_until = deadline
        self._wake.set()

    def polls_done(self) -> None:
        """No poll can queue anything any more: the last drain may run."""
        self._polls_done.set()
        self._wake.set()
