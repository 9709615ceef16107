"""The long-lived service: one APScheduler interval job per feed, clean stop on signals.

Policy (when each feed is due) lives in the job definitions; the work is `Pipeline`'s.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import commands
from bot.config import FeedConfig
from bot.deliver import BotDeliverer
from bot.pipeline import Pipeline

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 30.0  # seconds in-flight polls get to finish (and mark what they sent)


class Service:
    """Runs `pipeline` on a schedule until `stop()` or SIGINT/SIGTERM."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._stop = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        self._stop.set()

    async def _job(self, feed: FeedConfig) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.pipeline.poll_feed(feed)
            await self.pipeline.deliver()
        finally:
            if task is not None:
                self._running.discard(task)

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
        scheduler = AsyncIOScheduler(timezone=UTC)
        now = datetime.now(UTC)
        for feed in self.pipeline.config.feeds:
            seconds = feed.interval.total_seconds()
            scheduler.add_job(
                self._job,
                IntervalTrigger(seconds=seconds, jitter=min(30.0, seconds / 10), timezone=UTC),
                args=[feed],
                id=feed.name,
                name=f"poll {feed.name}",
                next_run_time=now,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=int(seconds),
            )
        # Whatever an earlier run queued but did not send goes out first.
        await self.pipeline.deliver()
        gateway = self._start_gateway()
        scheduler.start()
        log.info("service started: %d feeds", len(self.pipeline.config.feeds))
        try:
            await self._stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            if self._running:
                log.info("stopping: waiting for %d poll(s) in flight", len(self._running))
                await asyncio.wait(self._running, timeout=SHUTDOWN_GRACE)
            if gateway is not None:
                await self.pipeline.deliverer.close()
                await asyncio.wait([gateway], timeout=SHUTDOWN_GRACE)
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        log.info("service stopped")
