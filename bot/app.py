"""The application context: what every command and the service share (configuration,
store, HTTP client, deliverer, clock) and what is derived from feeds.yaml (compiled rules,
event kinds, pacing, summaries), rebuilt in one place on reload and closed in one place.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import Config, Env, Polling
from bot.delivery import Deliverer, DrainReport, drain, make_deliverer
from bot.delivery.pacing import Limit, Pacer
from bot.intake.fetch import Fetcher
from bot.judge import periods
from bot.judge.dedup import Freshness
from bot.judge.kinds import KindFinder
from bot.judge.match import Rules
from bot.locks import DeliveryLock
from bot.prose.digest import Digester
from bot.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

CONSOLE_NOTICE = (
    "console mode: neither DISCORD_WEBHOOK_URL nor DISCORD_TOKEN is set, so messages are"
    " printed here instead of posted"
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def client_settings(polling: Polling) -> tuple[bool, int, int]:
    """What the HTTP client is built with: a reload that changes it needs a new one."""
    return polling.allow_private, polling.concurrency, polling.per_host


@dataclass(frozen=True)
class Derived:
    """What feeds.yaml derives, built in one place and read per call: a reload swaps it whole,
    so no reader sees the rules of one file and the kinds of another."""

    rules: Rules
    kinds: KindFinder
    freshness: Freshness
    pacer: Pacer

    @classmethod
    def of(cls, config: Config) -> Derived:
        pace = config.discord
        return cls(
            rules=Rules.from_topic(config.topic),
            kinds=KindFinder.for_topic(config.topic),
            freshness=Freshness(max_age=config.polling.max_age, post_recent=config.polling.post_recent),
            pacer=Pacer((Limit(pace.burst, 2.0), Limit(pace.max_per_minute, 60.0))),
        )


class App:
    """The long-lived parts, and what feeds.yaml derives; `aclose` closes what it built."""

    def __init__(
        self, config: Config, store: Store, fetcher: Fetcher, deliverer: Deliverer, clock: Clock = utcnow
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.deliverer = deliverer
        self.clock = clock
        self.digester = Digester(fetcher, store, clock)
        self._closing = AsyncExitStack()  # fetchers built on reload; closed with the app
        self._delivering = asyncio.Lock()  # one drain at a time in this process...
        self._delivery_lock = DeliveryLock(store.path)  # ...and across processes
        self.reconfigure(config)

    @classmethod
    @asynccontextmanager
    async def open(cls, config: Config, env: Env, db: str, quiet: bool = False) -> AsyncIterator[App]:
        """Open the store, HTTP client and deliverer for `config` and `env`, and close them
        whatever happens; `quiet` for commands that post nothing (no console-mode notice)."""
        async with AsyncExitStack() as stack:
            store = Store(db)
            stack.callback(store.close)
            fetcher = Fetcher.from_polling(config.polling)
            stack.push_async_callback(fetcher.aclose)
            deliverer = make_deliverer(env, config)
            stack.push_async_callback(deliverer.close)
            if deliverer.mode == "console" and not quiet:
                log.info(CONSOLE_NOTICE)
            app = cls(config, store, fetcher, deliverer)
            stack.push_async_callback(app.aclose)
            yield app

    def reconfigure(self, config: Config) -> None:
        """Adopt feeds.yaml (at start, and again on reload): everything derived from it is
        built here and only here. Connections stay, unless the settings of the HTTP client
        changed: then a new client serves what comes next."""
        if client_settings(config.polling) != client_settings(self.config.polling):
            self.fetcher = Fetcher.from_polling(config.polling)
            self._closing.push_async_callback(self.fetcher.aclose)
            log.info("polling.allow_private, concurrency or per_host changed: a new HTTP client takes over")
        self.derived = Derived.of(config)  # one frozen snapshot, swapped whole
        self.config = config
        self.deliverer.configure(config.discord)
        self.digester.fetcher = self.fetcher
        self.digester.configure(config, self.rules)

    @property
    def rules(self) -> Rules:
        return self.derived.rules

    @property
    def kinds(self) -> KindFinder:
        return self.derived.kinds

    @property
    def freshness(self) -> Freshness:
        return self.derived.freshness

    @property
    def pacer(self) -> Pacer:
        return self.derived.pacer

    async def deliver(
        self,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> DrainReport:
        """Send what the outbox holds; one drain at a time, across processes too."""
        async with self._delivering, self._delivery_lock.held():
            self.queue_digests()
            await self.digester.prepare(should_stop)
            return await drain(
                self.store,
                self.deliverer,
                self.config,
                self.clock,
                pacer=self.pacer,
                progress=progress,
                should_stop=should_stop,
            )

    def queue_digests(self) -> int:
        """Queue the digest of every period that ended since the last one (`discord.digest`);
        how many. The outbox keys them by period, so none is queued twice."""
        digest, now = self.config.discord.digest, self.clock()
        if digest is None:
            return 0
        ends = periods.due(digest, self.store.last_digest_end(), now)
        with self.store.transaction():
            return sum(self.store.enqueue_digest(end, now) for end in ends)

    def forget_old(self) -> int:
        """Apply `storage.keep`: forget irrelevant entries older than that."""
        forgotten = self.store.forget_irrelevant(self.clock() - self.config.storage.keep)
        if forgotten:
            log.info(
                "forgot %d irrelevant entries older than %s (storage.keep)",
                forgotten,
                self.config.storage.keep,
            )
        return forgotten

    def on_close(self, callback: Callable[[], object]) -> None:
        """Have `callback` run when the app closes (what a part built on the app owns)."""
        self._closing.callback(callback)

    async def aclose(self) -> None:
        await self.digester.aclose()
        await self._closing.aclose()
