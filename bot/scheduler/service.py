"""The service: polls, deliveries, the page and the gateway under one TaskGroup until
SIGTERM/SIGINT; SIGHUP re-reads feeds.yaml (an invalid file is logged and the running
configuration kept). At a stop, polls in flight and the send under way share
SHUTDOWN_GRACE; what is queued then goes out at the next start."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable

import discord

from bot import logs, slash
from bot.app import App
from bot.config import Config
from bot.errors import BotError, ConfigError
from bot.locks import service_lock
from bot.scheduler.deliveries import Deliveries
from bot.scheduler.polls import Polls
from bot.update import Pipeline
from bot.update.history import queue_unposted
from bot.web.server import Page

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 8.0  # seconds in-flight polls and the send under way get, in all, at a stop


class Service:
    """Runs `pipeline` on a schedule until `stop()` or SIGINT/SIGTERM."""

    def __init__(self, app: App, pipeline: Pipeline, reload: Callable[[], Config] | None = None) -> None:
        self.app = app
        self._reload = reload
        self._stop = asyncio.Event()
        self._deliveries = Deliveries(app, self._stop)
        self._polls = Polls(app, pipeline, self._stop, self._deliveries.wake)
        self._page = Page(app.store.path)  # with web.listen: the page beside polling
        self._reloads: set[asyncio.Task[None]] = set()  # the page's moves under way

    def stop(self) -> None:
        self._stop.set()
        self._deliveries.wake()

    def deliver_soon(self) -> None:
        """Ask the delivery task for a drain (after /backfill)."""
        self._deliveries.wake()

    def reload(self) -> None:
        """SIGHUP: re-read feeds.yaml; add, drop or re-time feeds; move or reconfigure the
        page; keep going on errors."""
        if self._reload is None:
            return
        try:
            config = self._reload()
        except ConfigError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        old = self.app.config.feeds
        self.app.reconfigure(config)
        self._polls.retime(old, self.app.clock())
        task = asyncio.get_running_loop().create_task(self._page.apply(config))
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)
        log.info("reloaded %s: %d feeds", config.path, len(config.feeds))

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
            await self._serve()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            if lock is not None:
                lock.release()
        log.info("service stopped")

    async def _serve(self) -> None:
        self._started()
        async with asyncio.TaskGroup() as tasks:
            delivery = tasks.create_task(self._deliveries.run())
            gateway = tasks.create_task(self._gateway()) if self.app.deliverer.gateway else None
            await self._page.apply(self.app.config)
            self._polls.start(self.app.clock())
            log.info("service started: %d feeds", len(self.app.config.feeds))
            try:
                await self._stop.wait()
            finally:
                await self._shutdown(delivery, gateway)

    def _started(self) -> None:
        """The heartbeat, and a word on the feeds whose first poll is a baseline."""
        store, config = self.app.store, self.app.config
        shortest = min((f.interval for f in config.feeds), default=config.polling.interval)
        store.service_started(os.getpid(), self.app.clock(), shortest.total_seconds())
        fresh = [f.name for f in config.feeds if not store.is_baselined(f.name)]
        if fresh:
            log.info(
                "first poll of %d feed(s) (%s) is a baseline: nothing from them is posted; "
                "`%s backfill --since YYYY-MM-DD` posts history",
                len(fresh),
                ", ".join(fresh[:5]) + (" …" if len(fresh) > 5 else ""),
                logs.command(),
            )

    async def _gateway(self) -> None:
        """In bot mode, answer slash commands on the gateway alongside polling."""
        try:
            await self.app.deliverer.serve(
                lambda tree, guild: slash.install(tree, self._slash_context(guild))
            )
        except discord.DiscordException as exc:  # posting still works over REST
            log.error("Discord gateway: %s; slash commands are unavailable", exc)
        except Exception as exc:  # never the service's end: polling and posting go on
            log.error(
                "Discord gateway failed: %s: %s; slash commands are unavailable", type(exc).__name__, exc
            )

    def _slash_context(self, guild: int) -> slash.Context:
        return slash.Context(
            store=self.app.store,
            seconds_per_post=self.app.pacer.seconds_per_request,
            queue_unposted=lambda since: queue_unposted(self.app, since),
            deliver_soon=self.deliver_soon,
            home_guild=guild,
            rules=lambda: self.app.rules,
        )

    async def _shutdown(self, delivery: asyncio.Task[None], gateway: asyncio.Task[None] | None) -> None:
        """No new polls; polls in flight and the send under way share SHUTDOWN_GRACE. A send
        is never cut off and repeated here: one still unanswered at the deadline is left
        'sending' for the next start."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SHUTDOWN_GRACE
        self._deliveries.stopping(deadline)  # rows due now may still go until then
        self._stop.set()
        await self._polls.finish(deadline)
        self._deliveries.polls_done()
        _, unfinished = await asyncio.wait([delivery], timeout=max(0.5, deadline - loop.time()))
        if unfinished:
            delivery.cancel()
            await asyncio.wait([delivery], timeout=1.0)
            log.warning("stopping: a send was still unanswered; it is checked and resent at the next start")
        if waiting := self.app.store.waiting():
            log.info("stopping: %d message(s) queued; they go out at the next start", waiting)
        if gateway is not None:
            await self.app.deliverer.close()  # ends the gateway's task...
            if (await asyncio.wait([gateway], timeout=2.0))[1]:
                gateway.cancel()  # ...or it is ended here
        await self._page.close()
        self.app.store.service_stopped(self.app.clock())
