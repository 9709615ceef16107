"""The long-lived service: one APScheduler job per feed, timed by the polling policy.

Each feed's job runs at most once at a time (coalesced, jittered) and, after each poll,
is moved to the time the policy chose. SIGTERM/SIGINT stop new polls, give in-flight work
10 s, flush the outbox and exit; SIGHUP re-reads feeds.yaml (an invalid file is logged and
the running configuration kept). A heartbeat in the database feeds `status` and `health`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import commands
from bot.config import Config, FeedConfig
from bot.deliver import BotDeliverer
from bot.errors import ConfigError
from bot.pipeline import Pipeline
from bot.store import from_iso

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 10.0  # seconds in-flight polls get to finish (and mark what they sent)


class Service:
    """Runs `pipeline` on a schedule until `stop()` or SIGINT/SIGTERM."""

    def __init__(self, pipeline: Pipeline, reload: Callable[[], Config] | None = None) -> None:
        self.pipeline = pipeline
        self._reload = reload
        self._stop = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def stop(self) -> None:
        self._stop.set()

    async def _job(self, feed: FeedConfig) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            report = await self.pipeline.poll_feed(feed)
            self.pipeline.store.service_polled(self.pipeline.clock())
            if report.next_poll is not None and self._scheduler.get_job(feed.name) is not None:
                # The policy, not the trigger, decides: backoff, server hints, feed rhythm.
                self._scheduler.modify_job(feed.name, next_run_time=report.next_poll)
            await self.pipeline.deliver()
        finally:
            if task is not None:
                self._running.discard(task)

    def _schedule(self, feed: FeedConfig, first: datetime) -> None:
        """A job for `feed`; the trigger is only a safety net, each poll sets the next run."""
        ceiling = max(feed.interval, self.pipeline.config.polling.max_interval)
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
        row = self.pipeline.store.feed_row(feed.name)
        if row and row["next_poll_at"] and row["url"] == feed.url:
            planned = from_iso(row["next_poll_at"])
            if planned > now:
                return planned
        spread = min(feed.interval.total_seconds() / 10, 5.0)
        return now + timedelta(seconds=spread * (hash(feed.name) % 100) / 100)

    def reload(self) -> None:
        """SIGHUP: re-read feeds.yaml and add, drop or re-time feeds; keep going on errors."""
        if self._reload is None:
            return
        try:
            config = self._reload()
        except ConfigError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        old = {f.name: f for f in self.pipeline.config.feeds}
        self.pipeline.reconfigure(config)
        now = datetime.now(UTC)
        for feed in config.feeds:
            if old.get(feed.name) != feed:
                self._schedule(feed, now)
        for name in set(old) - {f.name for f in config.feeds}:
            self._scheduler.remove_job(name)
        log.info("reloaded %s: %d feeds", config.path, len(config.feeds))

    def _start_gateway(self) -> asyncio.Task[None] | None:
        """In bot mode, connect to the gateway and answer slash commands alongside polling."""
        deliverer = self.pipeline.deliverer
        if not isinstance(deliverer, BotDeliverer):
            return None

        async def serve() -> None:
            try:
                await deliverer.serve(lambda tree: commands.install(tree, self.pipeline))
            except discord.DiscordException as exc:  # posting still works over REST
                log.error("Discord gateway: %s; slash commands are unavailable", exc)

        return asyncio.create_task(serve())

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        store = self.pipeline.store
        now = datetime.now(UTC)
        store.service_started(os.getpid(), now)
        fresh = [f.name for f in self.pipeline.config.feeds if not store.is_baselined(f.name)]
        if fresh:
            log.info(
                "first poll of %d feed(s) (%s) is a baseline: nothing from them is posted; "
                "`followup-bot backfill --since YYYY-MM-DD` posts history",
                len(fresh),
                ", ".join(fresh[:5]) + (" …" if len(fresh) > 5 else ""),
            )
        for feed in self.pipeline.config.feeds:
            self._schedule(feed, self._first_run(feed, now))
        # Whatever an earlier run queued but did not send goes out first.
        await self.pipeline.deliver()
        gateway = self._start_gateway()
        self._scheduler.start()
        log.info("service started: %d feeds", len(self.pipeline.config.feeds))
        try:
            await self._stop.wait()
        finally:
            await self._shutdown(gateway)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(sig)
        log.info("service stopped")

    async def _shutdown(self, gateway: asyncio.Task[None] | None) -> None:
        """No new polls; in-flight ones get SHUTDOWN_GRACE; the outbox is flushed once more."""
        # Pause first: shutting the scheduler down would cancel the polls in flight at once.
        self._scheduler.pause()
        if self._running:
            log.info(
                "stopping: waiting up to %gs for %d poll(s) in flight", SHUTDOWN_GRACE, len(self._running)
            )
            _, late = await asyncio.wait(self._running, timeout=SHUTDOWN_GRACE)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        self._scheduler.shutdown(wait=False)
        try:
            await asyncio.wait_for(self.pipeline.deliver(), SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning("stopping: the outbox is not empty; it is delivered at the next start")
        if gateway is not None:
            await self.pipeline.deliverer.close()
            await asyncio.wait([gateway], timeout=SHUTDOWN_GRACE)
        self.pipeline.store.service_stopped(datetime.now(UTC))
