"""The long-lived service: one APScheduler job per feed, timed by the polling policy, and
one delivery task that drains the outbox whenever a poll queued something.

Each feed's job runs at most once at a time (coalesced, jittered) and, after each poll,
is moved to the time the policy chose. Polls never wait for delivery: a backlog of posts
(Discord allows about one every two seconds) must not freeze polling. SIGTERM/SIGINT stop
new polls and new sends at once, give in-flight work 10 s in all, and exit; SIGHUP re-reads
feeds.yaml (an invalid file is logged and the running configuration kept). A heartbeat in
the database feeds `status` and `health`; a lock beside the database keeps a second
service off it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import logs, slash
from bot.app import App
from bot.config import Config, FeedConfig
from bot.errors import BotError, ConfigError
from bot.locks import service_lock
from bot.store import Store
from bot.update import Pipeline
from bot.update.history import queue_unposted
from bot.web.server import Page

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 8.0  # seconds in-flight polls and the send under way get, in all, at a stop
DELIVERY_TICK = 30.0  # seconds between drains when nothing wakes the delivery task (retries)
RETENTION_EVERY = timedelta(hours=6)  # how often `storage.keep` is applied
RETENTION_FIRST = timedelta(minutes=1)  # after the start, when it is applied first


class Service:
    """Runs `pipeline` on a schedule until `stop()` or SIGINT/SIGTERM."""

    def __init__(self, app: App, pipeline: Pipeline, reload: Callable[[], Config] | None = None) -> None:
        self.app = app
        self.pipeline = pipeline
        self._reload = reload
        self._stop = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._wake = asyncio.Event()  # something was queued: the delivery task should drain
        self._flush_until = 0.0  # loop time after which no new send starts, once stopping
        self._polls_done = asyncio.Event()  # set at a stop once no poll can queue anything
        self._page = Page(app.store.path)  # with web.listen: the page beside polling
        self._running_tasks: set[asyncio.Task[None]] = set()  # reloads of the page under way

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def deliver_soon(self) -> None:
        """Ask the delivery task for a drain (after a poll, or /backfill)."""
        self._wake.set()

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
            self._wake.set()

    async def _forget(self) -> None:
        """`storage.keep`, on the loop's thread: APScheduler runs a plain function in a worker
        thread, where this process's SQLite connection refuses to be used."""
        try:
            self.app.forget_old()
        except Exception as exc:
            log.error("storage.keep: %s: %s", type(exc).__name__, exc)

    def _stopping(self) -> bool:
        """Asked by a drain between rows: once stopping, only until the flush deadline."""
        return self._stop.is_set() and asyncio.get_running_loop().time() >= self._flush_until

    async def _deliveries(self) -> None:
        """Drain the outbox whenever woken (and every DELIVERY_TICK for retries), until stopped.
        Whatever one drain raises is logged: the next wake tries again."""
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

    def reload(self) -> None:
        """SIGHUP: re-read feeds.yaml and add, drop or re-time feeds; keep going on errors."""
        if self._reload is None:
            return
        try:
            config = self._reload()
        except ConfigError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        old = {f.name: f for f in self.app.config.feeds}
        self.app.reconfigure(config)
        task = asyncio.get_running_loop().create_task(self._page.apply(config))
        self._running_tasks.add(task)
        task.add_done_callback(self._running_tasks.discard)
        now = self.app.clock()
        for feed in config.feeds:
            if old.get(feed.name) != feed:
                self._schedule(feed, now)
        for name in set(old) - {f.name for f in config.feeds}:
            self._scheduler.remove_job(name)
        log.info("reloaded %s: %d feeds", config.path, len(config.feeds))

    def _start_gateway(self) -> asyncio.Task[None] | None:
        """In bot mode, connect to the gateway and answer slash commands alongside polling."""
        deliverer = self.app.deliverer
        if not deliverer.gateway:
            return None

        async def serve() -> None:
            try:
                await deliverer.serve(lambda tree, guild: slash.install(tree, self._slash_context(guild)))
            except discord.DiscordException as exc:  # posting still works over REST
                log.error("Discord gateway: %s; slash commands are unavailable", exc)

        return asyncio.create_task(serve())

    def _slash_context(self, guild: int) -> slash.Context:
        return slash.Context(
            store=self.app.store,
            seconds_per_post=self.app.pacer.seconds_per_request,
            queue_unposted=lambda since: queue_unposted(self.app, since),
            deliver_soon=self.deliver_soon,
            home_guild=guild,
            rules=lambda: self.app.rules,
        )

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        store = self.app.store
        lock = service_lock(store.path)
        if lock is not None and not lock.acquire():
            raise BotError(
                f"another followup-bot service (pid {lock.holder() or '?'}) is running on {store.path};"
                " stop it first, or give this one another --db"
            )
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        try:
            await self._serve(store)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            if lock is not None:
                lock.release()
        log.info("service stopped")

    async def _serve(self, store: Store) -> None:
        now = self.app.clock()
        feeds = self.app.config.feeds
        shortest = min((f.interval for f in feeds), default=self.app.config.polling.interval)
        store.service_started(os.getpid(), now, shortest.total_seconds())
        fresh = [f.name for f in self.app.config.feeds if not store.is_baselined(f.name)]
        if fresh:
            log.info(
                "first poll of %d feed(s) (%s) is a baseline: nothing from them is posted; "
                "`%s backfill --since YYYY-MM-DD` posts history",
                len(fresh),
                ", ".join(fresh[:5]) + (" …" if len(fresh) > 5 else ""),
                logs.command(),
            )
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
        # Whatever an earlier run queued but did not send goes out first, beside the polls.
        self._wake.set()
        delivery = asyncio.create_task(self._deliveries())
        gateway = self._start_gateway()
        await self._page.apply(self.app.config)
        self._scheduler.start()
        log.info("service started: %d feeds", len(self.app.config.feeds))
        try:
            await self._stop.wait()
        finally:
            await self._shutdown(delivery, gateway)
            await self._page.close()

    async def _shutdown(self, delivery: asyncio.Task[None], gateway: asyncio.Task[None] | None) -> None:
        """No new polls; polls in flight and the send under way share SHUTDOWN_GRACE; what
        is queued then goes out at the next start. A send is never cut off and repeated
        here: one still unanswered at the deadline is left 'sending' for the next start."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SHUTDOWN_GRACE
        self._flush_until = deadline  # rows due now may still go until then
        self._stop.set()
        self._wake.set()
        # Pause first: shutting the scheduler down would cancel the polls in flight at once.
        self._scheduler.pause()
        if self._running:
            log.info(
                "stopping: waiting up to %gs for %d poll(s) in flight", SHUTDOWN_GRACE, len(self._running)
            )
            _, late = await asyncio.wait(self._running, timeout=max(0.0, deadline - loop.time()))
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        self._scheduler.shutdown(wait=False)
        self._polls_done.set()
        _, unfinished = await asyncio.wait([delivery], timeout=max(0.5, deadline - loop.time()))
        if unfinished:
            delivery.cancel()
            await asyncio.wait([delivery], timeout=1.0)
            log.warning("stopping: a send was still unanswered; it is checked and resent at the next start")
        if self.app.store.waiting():
            log.info(
                "stopping: %d message(s) queued; they go out at the next start", self.app.store.waiting()
            )
        if gateway is not None:
            await self.app.deliverer.close()
            await asyncio.wait([gateway], timeout=2.0)
        self.app.store.service_stopped(self.app.clock())
