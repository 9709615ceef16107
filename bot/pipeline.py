"""One poll cycle, wired together: fetch → parse → match → dedup → cluster → store/outbox → deliver.

The decisions are made by the pure stages; this module only moves data between them and
the edges, and turns any failure of one feed into a one-line report for that feed.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot import cluster, health, policy, search
from bot.config import Config, FeedConfig, Polling
from bot.dedup import Action, Policy, decide
from bot.delivery import Deliverer, DrainReport, drain
from bot.delivery.pacing import Limit, Pacer
from bot.digest import Digester
from bot.errors import FeedError, FetchError, ParseError
from bot.fetch import Fetcher
from bot.locks import DeliveryLock
from bot.match import Rules, judge_entry
from bot.models import DevelopmentView, Entry, FeedCache, FetchResult, ParsedFeed, Story, Verdict
from bot.parse import parse_feed
from bot.parsepool import ParserPool, ParseTimeout
from bot.store import FeedState, OutboxState, Store
from bot.urls import canonical_url

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class FeedReport:
    """What one feed's poll did."""

    feed: str
    ok: bool
    entries: int = 0
    new: int = 0
    queued: int = 0
    baseline: bool = False
    not_modified: bool = False
    error: str = ""
    warning: str = ""
    next_poll: datetime | None = None
    next_reason: str = ""

    def line(self) -> str:
        if not self.ok:
            return f"feed {self.feed!r}: error: {self.error}"
        if self.not_modified:
            return f"feed {self.feed!r}: not modified"
        kind = "baseline, " if self.baseline else ""
        counts = f"{self.entries} entries, {self.new} new, {self.queued} to post"
        return f"feed {self.feed!r}: {kind}{counts}"


@dataclass(frozen=True)
class CycleReport:
    feeds: tuple[FeedReport, ...]
    delivery: DrainReport = field(default_factory=DrainReport)


def parse_and_judge(
    feed: str, body: bytes, url: str, content_type: str, language: str, now: datetime, rules: Rules
) -> tuple[ParsedFeed, tuple[Verdict, ...]]:
    """Parse a feed body and judge every entry: the CPU-bound part of a poll, run in a worker."""
    parsed = parse_feed(feed, body, url=url, content_type=content_type, language=language, now=now)
    return parsed, tuple(judge_entry(entry, rules) for entry in parsed.entries)


def entry_key(entry: Entry) -> str:
    """Canonical URL, or a per-feed key for entries that have no link at all."""
    return canonical_url(entry.url) if entry.url else f"entry:{entry.feed}:{entry.guid}"


def _client_settings(polling: Polling) -> tuple[bool, int, int]:
    """What the HTTP client is built with: a reload that changes it needs a new one."""
    return polling.allow_private, polling.concurrency, polling.per_host


def _shift(when: datetime, delta: timedelta) -> datetime:
    """`when + delta`, held within the datetime range (a hostile date must not overflow)."""
    try:
        return when + delta
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if delta < timedelta(0) else datetime.max.replace(tzinfo=UTC)


class Pipeline:
    """Holds the long-lived parts (store, fetcher, deliverer) for polls and backfills."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        deliverer: Deliverer,
        clock: Clock = utcnow,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.deliverer = deliverer
        self.clock = clock
        self._delivering = asyncio.Lock()  # one drain at a time in this process...
        self._delivery_lock = DeliveryLock(store.path)  # ...and across processes
        self.digester = Digester(fetcher, store, clock)
        self.parsers = ParserPool()
        self._made: list[Fetcher] = []  # fetchers built here on reload, closed by aclose
        self.parse_work = parse_and_judge  # a seam for tests of the parse deadline
        self.reconfigure(config)

    def reconfigure(self, config: Config) -> None:
        """Adopt feeds.yaml (at start, and again on reload): everything derived from it is
        built here and only here. Connections stay, unless the settings of the HTTP client
        changed: then a new client serves the next polls."""
        if _client_settings(config.polling) != _client_settings(self.config.polling):
            self.fetcher = Fetcher.from_polling(config.polling)
            self._made.append(self.fetcher)
            log.info("polling.allow_private, concurrency or per_host changed: a new HTTP client takes over")
        self.digester.fetcher = self.fetcher
        self.config = config
        self.rules = Rules.from_topic(config.topic)
        self.kinds = cluster.KindFinder(config.topic.developments)
        self.policy = Policy(max_age=config.polling.max_age, post_recent=config.polling.post_recent)
        pace = config.discord
        self.pacer = Pacer((Limit(pace.burst, 2.0), Limit(pace.max_per_minute, 60.0)))
        self.digester.configure(config, self.rules)

    async def aclose(self) -> None:
        await self.digester.aclose()
        self.parsers.close()
        for fetcher in self._made:
            await fetcher.aclose()

    async def poll(self, feeds: Iterable[FeedConfig] | None = None, deliver: bool = True) -> CycleReport:
        """Poll the feeds concurrently (bounded by the fetcher), then deliver what was queued."""
        selected = tuple(self.config.feeds if feeds is None else feeds)
        reports = await asyncio.gather(*(self.poll_feed(feed) for feed in selected))
        self.forget_old()
        delivery = await self.deliver() if deliver else DrainReport()
        return CycleReport(tuple(reports), delivery)

    async def deliver(
        self,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> DrainReport:
        """Send what the outbox holds; one drain at a time, across processes too."""
        async with self._delivering, self._delivery_lock.held():
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

    async def poll_feed(self, feed: FeedConfig) -> FeedReport:
        """Fetch, parse and store one feed, and schedule its next poll; never raises for a
        feed's own failure."""
        state = self.store.feed_state(feed.name, feed.url)
        if state.gone:
            return FeedReport(feed.name, ok=False, error="gone (HTTP 410): remove it or give it a new url")
        try:
            return await self._poll_feed(feed, state)
        except FeedError as exc:
            return self._failed(feed, state, exc)
        except Exception as exc:  # a bug must cost one feed one cycle, not the service
            log.debug("feed %r: unexpected error", feed.name, exc_info=True)
            return self._failed(feed, state, FeedError(feed.name, f"unexpected {type(exc).__name__}: {exc}"))

    def _bounds(self, feed: FeedConfig) -> policy.Bounds:
        polling = self.config.polling
        return policy.Bounds(
            interval=feed.interval,
            min_interval=max(polling.min_interval, feed.interval / 2),
            max_interval=max(feed.interval, polling.max_interval),
            max_backoff=polling.max_backoff,
        )

    def _failed(self, feed: FeedConfig, state: FeedState, exc: FeedError) -> FeedReport:
        now = self.clock()
        with self.store.transaction():
            failures = self.store.record_failure(feed.name, feed.url, exc.problem, now)
            warned = state.warned
            retry_after = None
            if isinstance(exc, FetchError):
                if exc.gone:
                    self.store.record_gone(feed.name, now)
                if exc.retry_after is not None:
                    retry_after = timedelta(seconds=exc.retry_after)
            outcome = policy.Outcome(ok=False, failures=failures, retry_after=retry_after)
            nxt = policy.next_poll(now, self._bounds(feed), outcome, 0.0)
            self.store.schedule(feed.name, nxt.at, nxt.reason)
            if health.should_warn(failures, self.config.polling.warn_after, warned):
                self.store.enqueue_notice(health.warning_text(feed.name, failures, exc.problem), now)
                self.store.set_warned(feed.name, True)
        report = FeedReport(feed.name, ok=False, error=exc.problem, next_poll=nxt.at, next_reason=nxt.reason)
        log.warning("%s", report.line())
        return report

    async def _poll_feed(self, feed: FeedConfig, state: FeedState) -> FeedReport:
        result = await self.fetcher.fetch(replace(feed, url=state.url), state.cache)
        now = self.clock()
        if result.moved_to:
            log.warning(
                "feed %r moved permanently to %s: now fetched there; update feeds.yaml",
                feed.name,
                result.moved_to,
            )
        digest = hashlib.sha256(result.body).hexdigest() if result.body is not None else ""
        if result.body is None or digest == state.body_hash:
            # 304, or a server that ignores conditional requests sending the same bytes: nothing to parse.
            with self.store.transaction():
                self.store.record_success(feed.name, feed.url, result.status, result.cache, "", now)
                nxt = self._succeeded(feed, result, None, 0, 0, now, state.warned)
            return FeedReport(feed.name, ok=True, not_modified=True, next_poll=nxt.at, next_reason=nxt.reason)
        try:
            parsed, verdicts = await self._parse(feed, result, now)
        except ParseError as exc:
            found = (
                health.discover_feed(result.body, result.url) if "html" in result.content_type.lower() else ""
            )
            if found:
                raise ParseError(feed.name, f"{exc.problem}; the page names its feed at {found}") from None
            raise
        with self.store.transaction():
            self.store.record_success(feed.name, feed.url, result.status, result.cache, parsed.title, now)
            report = self._accept(feed, parsed, verdicts, now)
            nxt = self._succeeded(feed, result, parsed.ttl, report.new, report.entries, now, state.warned)
            self.store.record_body(feed.name, digest)
        report = replace(report, next_poll=nxt.at, next_reason=nxt.reason)
        log.info("%s", report.line())
        return report

    def _succeeded(
        self,
        feed: FeedConfig,
        result: FetchResult,
        ttl: int | None,
        new: int,
        seen: int,
        now: datetime,
        warned: bool,
    ) -> policy.NextPoll:
        """Record a good poll: its history, where the feed lives, a recovery note, the next poll."""
        history = self.store.record_polled(feed.name, new, seen, now)
        if result.moved_to:
            self.store.record_moved(feed.name, result.moved_to)
        if warned:
            self.store.enqueue_notice(health.recovery_text(feed.name), now)
            self.store.set_warned(feed.name, False)
        hints = [s for s in (result.hint, ttl * 60 if ttl else None) if s]
        outcome = policy.Outcome(
            ok=True, new_entries=new, hint=timedelta(seconds=max(hints)) if hints else None
        )
        nxt = policy.next_poll(now, self._bounds(feed), outcome, policy.rate(history, now))
        self.store.schedule(feed.name, nxt.at, nxt.reason)
        return nxt

    async def _parse(
        self, feed: FeedConfig, result: FetchResult, now: datetime
    ) -> tuple[ParsedFeed, tuple[Verdict, ...]]:
        """Parse and judge a body: in worker processes when it is large (both cores work on a
        big poll), in a thread otherwise (a worker's start-up would cost more)."""
        assert result.body is not None
        work = functools.partial(
            self.parse_work,
            feed.name,
            result.body,
            result.url,
            result.content_type,
            feed.language,
            now,
            self.rules,
        )
        try:
            return await self.parsers.run(work, len(result.body))
        except ParseTimeout as exc:
            raise ParseError(feed.name, str(exc)) from None

    def _accept(
        self, feed: FeedConfig, parsed: ParsedFeed, verdicts: tuple[Verdict, ...], now: datetime
    ) -> FeedReport:
        """Decide and store every entry, queueing posts in the same transaction."""
        baseline = not self.store.is_baselined(feed.name)
        new = queued = posts = 0
        for entry, verdict in sorted(
            zip(parsed.entries, verdicts, strict=True), key=lambda p: p[0].published
        ):
            key = entry_key(entry)
            # Only relevant entries can be stories; a baseline knows no entry of its feed yet.
            story_id = self.store.story_id_for(key) if verdict.relevant else None
            known = None if baseline else self.store.known_entry(entry.feed, entry.guid)
            decision = decide(
                entry,
                verdict,
                known=known,
                story_exists=story_id is not None,
                baseline=baseline,
                policy=self.policy,
                now=now,
            )
            log.debug("entry %r: %s (%s)", entry.title[:60], decision.action, "; ".join(verdict.reasons))
            if decision.action is Action.UNCHANGED:
                continue
            new += decision.action is not Action.UPDATED
            action = decision.action
            if decision.creates_story:
                hold = policy.hold_until(now, posts, self.config.polling.max_posts_per_poll, feed.interval)
                story_id, joined, queued_now = self._develop(entry, key, decision.posts, now, hold)
                action = Action.COVERAGE if joined else action
                queued += queued_now
                posts += queued_now if not joined else 0
            linked = story_id if verdict.relevant and action is not Action.UPDATED else None
            self.store.save_entry(entry, key, verdict, action.value, linked, now, known=known is not None)
        if baseline:
            self.store.mark_baselined(feed.name, now)
        return FeedReport(
            feed.name,
            ok=True,
            entries=len(parsed.entries),
            new=new,
            queued=queued,
            baseline=baseline,
            warning=parsed.warning,
        )

    def _develop(
        self, entry: Entry, key: str, fresh: bool, now: datetime, hold: datetime | None = None
    ) -> tuple[int, bool, int]:
        """Store a new story and place it: in a new development (posted when `fresh`, not
        before `hold`), or in a known one (whose posted message is edited when `fresh`).
        Returns the story id, whether it joined a known development, and how many outbox
        rows it queued."""
        kind = self.kinds.kind(entry.title, entry.summary or entry.content)
        story_id = self.store.create_story(entry, key, kind, now)
        story = Story(
            story_id,
            entry.title,
            entry.url,
            entry.summary,
            entry.outlet,
            entry.published,
            key,
            entry.language,
            kind,
        )
        span = self.kinds.span
        near = self.store.developments_between(_shift(entry.published, -span), _shift(entry.published, span))
        assignment = cluster.assign(
            cluster.features(story), [cluster.development(d) for d in near], self.kinds
        )
        log.debug("story %d %r: %s", story_id, entry.title[:60], assignment.reason)
        if assignment.development is None:
            development = self.store.create_development(story_id, kind, entry.published, now)
            return story_id, False, int(fresh and self.store.enqueue_post(development, now, hold))
        self.store.join_development(story_id, assignment.development)
        post = self.store.post_message(assignment.development)
        # A post still waiting renders the new coverage when it goes; a sent one is edited.
        edit = fresh and post is not None and post.state is OutboxState.SENT
        return story_id, True, int(edit and self.store.enqueue_edit(assignment.development, now))

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

    async def search_history(self, since: datetime, until: datetime, feeds: Iterable[FeedConfig]) -> int:
        """Store what dated Google News searches return for [since, until); the entries are the
        feed's own, so they are decided (and deduplicated) exactly like polled ones."""
        found = 0
        for feed in feeds:
            if not self.store.is_baselined(feed.name):
                continue  # a feed's first poll must stay its baseline
            for url in search.dated_queries(feed.url, since.date(), (until - timedelta(days=1)).date()):
                try:
                    result = await self.fetcher.fetch(replace(feed, url=url), FeedCache())
                    if result.body is None:
                        continue
                    parsed, verdicts = await self._parse(feed, result, self.clock())
                except FeedError as exc:
                    log.warning("search %s: %s", url, exc.problem)
                    continue
                with self.store.transaction():
                    found += self._accept(feed, parsed, verdicts, self.clock()).new
        log.info("history search: %d new entries", found)
        return found

    def queue_unposted(
        self, since: datetime, until: datetime | None = None, feed: FeedConfig | None = None
    ) -> list[DevelopmentView]:
        """Queue, in one transaction, the posts of the developments in range never posted."""
        developments = self.store.unposted_developments(since, until, feed.name if feed else None)
        now = self.clock()
        with self.store.transaction():
            for development in developments:
                self.store.enqueue_post(development.id, now)
        return developments

    async def backfill(
        self,
        since: datetime,
        until: datetime | None = None,
        feed: FeedConfig | None = None,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
        search_history: bool = False,
    ) -> tuple[list[DevelopmentView], CycleReport | None]:
        """Poll (unless dry run) and, with `search_history`, run dated searches; then post
        the developments in range never posted, oldest first."""
        cycle = None
        if not dry_run:
            cycle = await self.poll([feed] if feed else None, deliver=False)
            if search_history:
                end = until or self.clock() + timedelta(days=1)
                await self.search_history(since, end, [feed] if feed else self.config.feeds)
        if dry_run:
            return self.store.unposted_developments(since, until, feed.name if feed else None), None
        developments = self.queue_unposted(since, until, feed)
        delivery = await self.deliver(progress)
        return developments, CycleReport(cycle.feeds if cycle else (), delivery)
