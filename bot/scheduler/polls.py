"""The polls: one APScheduler job per feed, at most one run at a time, moved after each poll
to the time the policy chose (backoff, server hints, the feed's rhythm); and storage.keep.
Jobs run on the service's event loop, never in a worker thread (SQLite refuses a connection
used from another thread)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.config import FeedConfig
from bot.update import Pipeline

log = logging.getLogger(__name__)

RETENTION_EVERY = timedelta(hours=6)  # how often `storage.keep` is applied
RETENTION_FIRST = timedelta(minutes=1)  # after the start, when it is applied first


class Polls:
    """Polls `app`'s feeds through `pipeline` on their schedule; `polled` is told after each."""

    def __init__(self, app: App, pipeline: Pipeline, stop: asyncio.Event, polled: Callable[[], None]) -> None:
        self.app, self.pipeline = app, pipeline
        self._stop, self._polled = stop, polled
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[None]] = set()

    def start(self, now: datetime) -> None:
        """Schedule every feed (its stored next poll, or a few seconds from now) and retention."""
        for feed in self.app.config.feeds:
            self._schedule(feed, self._first_run(feed, now))
        self._scheduler.add_job(
            self._forget,
            IntervalTrigger(seconds=RETENTION_EVERY.total_seconds(), timezone=UTC),
            id=" retention",  # feed names are stripped: no feed job has this id
            name="storage.keep",
            next_run_time=now + RETENTION_FIRST,
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()

    def retime(self, old: Iterable[FeedConfig], now: datetime) -> None:
        """After a reload: schedule the feeds that are new or changed, drop the ones removed."""
        before = {f.name: f for f in old}
        for feed in self.app.config.feeds:
            if before.get(feed.name) != feed:
                self._schedule(feed, now)
        for name in set(before) - {f.name for f in self.app.config.feeds}:
            self._scheduler.remove_job(name)

    async def finish(self, deadline: float) -> None:
        """No new polls; those in flight may run until `deadline` (loop time), then are cut off
        (their transaction rolls back: they run again at the next start)."""
        loop = asyncio.get_running_loop()
        self._scheduler.pause()  # not shut down: that would cancel the polls in flight at once
        if self._running:
            log.info(
                "stopping: waiting up to %gs for %d poll(s) in flight",
                max(0.0, deadline - loop.time()),
                len(self._running),
            )
            _, late = await asyncio.wait(self._running, timeout=max(0.0, deadline - loop.time()))
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        self._scheduler.shutdown(wait=False)

    async def _job(self, feed: FeedConfig) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            report = await self.pipeline.poll_feed(feed)
            self.app.store.service_polled(self.app.clock())
            if report.next_poll is not None and self._scheduler.get_job(feed.name) is not None:
                # The policy, not the trigger, decides: backoff, server hints, feed rhythm.
                self._scheduler.modify_job(feed.name, next_run_time=report.next_poll)
        except Exception as exc:  # a bug or a database error costs one poll, never the service
            log.error("feed %r: poll failed: %s: %s", feed.name, type(exc).__name__, exc)
            log.debug("poll failure", exc_info=True)
        except asyncio.CancelledError:
            if self._stop.is_set():
                # Cut off at the shutdown deadline. Raising would have APScheduler log a
                # traceback for it; the poll's transaction rolled back and runs again at start.
                log.warning("feed %r: poll cut off by the stop; it runs again at the next start", feed.name)
                return
            # Not ours: a library's stray cancellation costs this poll only.
            log.warning("feed %r: poll interrupted; it runs again at its next time", feed.name)
            log.debug("poll interrupted", exc_info=True)
        finally:
            if task is not None:
                self._running.discard(task)
            self._polled()

    async def _forget(self) -> None:
        """`storage.keep`, on the loop's thread: APScheduler runs a plain function in a worker
        thread, where this process's SQLite connection refuses to be used."""
        try:
            self.app.forget_old()
        except Exception as exc:
            log.error("storage.keep: %s: %s", type(exc).__name__, exc)

    def _schedule(self, feed: FeedConfig, first: datetime) -> None:
        """A job for `feed`; the trigger is only a safety net, each poll sets the next run."""
        ceiling = max(feed.interval, self.app.config.polling.max_interval)
        self._scheduler.add_job(
            self._job,
            IntervalTrigger(seconds=ceiling.total_seconds(), timezone=UTC),
            args=[feed],
            id=feed.name,
            name=f"poll {feed.name}",
            next_run_time=first,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(ceiling.total_seconds()),
            replace_existing=True,
        )

    def _first_run(self, feed: FeedConfig, now: datetime) -> datetime:
        """When to poll a feed at start: its stored next poll if still ahead, else now, spread
        over a few seconds so a restart does not hit every server at once."""
        planned = self.app.store.feed_state(feed.name, feed.url).next_poll_at
        if planned is not None and planned > now:
            return planned
        spread = min(feed.interval.total_seconds() / 10, 5.0)
        return now + timedelta(seconds=spread * (hash(feed.name) % 100) / 100)
