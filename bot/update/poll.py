"""One poll of one feed, then of all feeds: read → fetch → parse → decide → write.

Decides nothing itself: dedup, clustering and `decide.py` do, and this module writes what
they return, in one transaction per feed, and turns any failure of one feed into a
one-line report for that feed.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import FeedConfig
from bot.delivery import DrainReport
from bot.errors import FeedError, ParseError
from bot.intake import docket, feedhealth
from bot.intake.parse import parse_feed
from bot.intake.urls import shown
from bot.judge import cluster, policy
from bot.judge.dedup import Action, decide
from bot.judge.kinds import KindFinder
from bot.judge.match import Rules, judge_entry
from bot.models import FeedCache, FetchResult, ParsedFeed, Verdict
from bot.store import FeedState
from bot.update.decide import FeedIntent, after_failure, after_success, entry_key
from bot.update.parsepool import ParserPool, ParseTimeout
from bot.update.place import Placer
from bot.update.reports import CycleReport, FeedReport
from bot.update.resolve import Resolver

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


Judged = tuple[ParsedFeed, tuple[Verdict, ...], tuple[cluster.Features | None, ...]]
Then = Callable[[ParsedFeed, FeedReport], FeedReport]  # more writes in an ingest's transaction


def parse_and_judge(
    feed: str,
    body: bytes,
    url: str,
    content_type: str,
    language: str,
    now: datetime,
    rules: Rules,
    kinds: KindFinder,
    source: tuple[str, str] = ("feed", ""),
) -> Judged:
    """Parse a feed body, judge every entry and sketch the relevant ones for clustering: the
    CPU-bound part of a poll, run in a worker. `source` is the feed's kind and case: a
    docket's entries are judged by their significance, not by the topic's words."""
    parsed = parse_feed(feed, body, url=url, content_type=content_type, language=language, now=now)
    kind, case = source
    if kind == "feed":
        verdicts = tuple(judge_entry(entry, rules) for entry in parsed.entries)
    else:
        parsed, verdicts = docket.adopt(parsed, kind, case, url, now)
    sketches = tuple(
        cluster.sketch(entry, kinds) if verdict.relevant else None
        for entry, verdict in zip(parsed.entries, verdicts, strict=True)
    )
    return parsed, verdicts, sketches


class Pipeline:
    """Polls feeds for `app`; the backfill is in `history.py`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._placer = Placer(app)
        self.parsers = ParserPool()  # big bodies are parsed in worker processes
        self.resolver = Resolver(app, self.fetch)
        app.on_close(self.parsers.close)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The store's transaction, for `accept`: if it rolls back, clustering forgets what it
        learnt in it (the developments and stories it kept are not in the store)."""
        try:
            with self.app.store.transaction():
                yield
        except BaseException:
            self._placer.forget()
            raise

    async def poll(self, feeds: Iterable[FeedConfig] | None = None, deliver: bool = True) -> CycleReport:
        """Poll the feeds concurrently (bounded by the fetcher), then deliver what was queued."""
        selected = tuple(self.app.config.feeds if feeds is None else feeds)
        reports = await asyncio.gather(*(self.poll_feed(feed) for feed in selected))
        self.app.forget_old()
        delivery = await self.app.deliver() if deliver else DrainReport()
        return CycleReport(tuple(reports), delivery)

    async def poll_feed(self, feed: FeedConfig) -> FeedReport:
        """Fetch, parse and store one feed, and schedule its next poll; never raises for a
        feed's own failure."""
        state = self.app.store.feed_state(feed.name, feed.url)
        if state.gone:
            return FeedReport(feed.name, ok=False, error="gone (HTTP 410): remove it or give it a new url")
        try:
            return await self._poll_feed(feed, state)
        except FeedError as exc:
            return self._failed(feed, state, exc)
        except Exception as exc:  # a bug must cost one feed one cycle, not the service
            log.debug("feed %r: unexpected error", feed.name, exc_info=True)
            return self._failed(feed, state, FeedError(feed.name, f"unexpected {type(exc).__name__}: {exc}"))

    def _failed(self, feed: FeedConfig, state: FeedState, exc: FeedError) -> FeedReport:
        store, now = self.app.store, self.app.clock()
        with store.transaction():
            failures = store.record_failure(feed.name, feed.url, exc.problem, now)
            intent = after_failure(feed, self.app.config.polling, failures, state.warned, exc, now)
            if intent.gone:
                store.record_gone(feed.name, now)
            self._write(feed, intent, now)
        nxt = intent.next_poll
        report = FeedReport(feed.name, ok=False, error=exc.problem, next_poll=nxt.at, next_reason=nxt.reason)
        log.warning("%s", report.line())
        return report

    def _write(self, feed: FeedConfig, intent: FeedIntent, now: datetime) -> None:
        """Write what a poll's outcome means for its feed."""
        self.app.store.schedule(feed.name, intent.next_poll.at, intent.next_poll.reason)
        if intent.notice:
            self.app.store.enqueue_notice(intent.notice, now)
        if intent.warned is not None:
            self.app.store.set_warned(feed.name, intent.warned)

    async def fetch(
        self,
        feed: FeedConfig,
        url: str = "",
        cache: FeedCache | None = None,
        authorization: str = "",
        form: str = "",
    ) -> FetchResult:
        """Fetch `feed` (or `url`, as that feed: its limits and timeouts) with the app's
        client; `form` makes it a POST of that form."""
        target = replace(feed, url=url) if url else feed
        return await self.app.fetcher.fetch(target, cache or FeedCache(), authorization, form)

    async def ingest(
        self, feed: FeedConfig, result: FetchResult, now: datetime, then: Then | None = None
    ) -> FeedReport:
        """The one way in: parse and judge a fetched body, then decide and store its entries
        in one transaction, with what `then` writes (a poll's bookkeeping) in the same one."""
        parsed, verdicts, sketches = await self.parse(feed, result, now)
        parsed = await self.resolver.resolve(feed, parsed)  # Google News links: the publisher's
        return self.take(feed, parsed, verdicts, now, sketches, then)

    def take(
        self,
        feed: FeedConfig,
        parsed: ParsedFeed,
        verdicts: tuple[Verdict, ...],
        now: datetime,
        sketches: Sequence[cluster.Features | None] = (),
        then: Then | None = None,
    ) -> FeedReport:
        """Decide and store entries already parsed and judged, in one transaction."""
        with self.writing():
            self.app.store.ensure_feed(feed.name, feed.url)  # its entries refer to it
            report = self.accept(feed, parsed, verdicts, now, sketches)
            return then(parsed, report) if then is not None else report

    async def _poll_feed(self, feed: FeedConfig, state: FeedState) -> FeedReport:
        store = self.app.store
        result = await self.fetch(feed, state.url, state.cache)
        now = self.app.clock()
        if result.moved_to:
            log.warning(
                "feed %r moved permanently to %s: fetched there now; update feeds.yaml",
                feed.name,
                shown(result.moved_to),
            )
        body_hash = hashlib.sha256(result.body).hexdigest() if result.body is not None else ""
        if result.body is None or body_hash == state.body_hash:
            # 304, or a server that ignores conditional requests sending the same bytes: nothing to parse.
            with store.transaction():
                store.record_success(feed.name, feed.url, result.status, result.cache, "", now)
                nxt = self._succeeded(feed, state, result, None, 0, 0, now)
            return FeedReport(feed.name, ok=True, not_modified=True, next_poll=nxt.at, next_reason=nxt.reason)

        def bookkeeping(parsed: ParsedFeed, report: FeedReport) -> FeedReport:
            store.record_success(feed.name, feed.url, result.status, result.cache, parsed.title, now)
            nxt = self._succeeded(feed, state, result, parsed.ttl, report.new, report.entries, now)
            store.record_body(feed.name, body_hash)
            return replace(report, next_poll=nxt.at, next_reason=nxt.reason)

        try:
            report = await self.ingest(feed, result, now, bookkeeping)
        except ParseError as exc:
            html = "html" in result.content_type.lower() and result.body is not None
            if found := (feedhealth.discover_feed(result.body or b"", result.url) if html else ""):
                raise ParseError(feed.name, f"{exc.problem}; the page names its feed at {found}") from None
            raise
        log.info("%s", report.line())
        return report

    def _succeeded(
        self,
        feed: FeedConfig,
        state: FeedState,
        result: FetchResult,
        ttl: int | None,
        new: int,
        seen: int,
        now: datetime,
    ) -> policy.NextPoll:
        """Record a good poll: its history, where the feed lives, a recovery note, the next poll."""
        history = self.app.store.record_polled(feed.name, new, seen, now)
        if result.moved_to:
            self.app.store.record_moved(feed.name, result.moved_to)
        hints = (result.hint, ttl * 60 if ttl else None)
        intent = after_success(feed, self.app.config.polling, state.warned, hints, new, history, now)
        self._write(feed, intent, now)
        return intent.next_poll

    async def parse(self, feed: FeedConfig, result: FetchResult, now: datetime) -> Judged:
        """Parse and judge a body: in worker processes when it is large (both cores work on a
        big poll), in a thread otherwise (a worker's start-up would cost more)."""
        assert result.body is not None
        work = functools.partial(
            parse_and_judge,
            feed.name,
            result.body,
            result.url,
            result.content_type,
            feed.language,
            now,
            self.app.rules,
            self.app.kinds,
            (feed.kind, feed.case),
        )
        try:
            return await self.parsers.run(work, len(result.body))
        except ParseTimeout as exc:
            raise ParseError(feed.name, str(exc)) from None

    def accept(
        self,
        feed: FeedConfig,
        parsed: ParsedFeed,
        verdicts: tuple[Verdict, ...],
        now: datetime,
        sketches: Sequence[cluster.Features | None] = (),
    ) -> FeedReport:
        """Decide and store every entry, queueing posts in the same transaction (`writing`);
        `sketches` are the relevant entries' clustering features when the parse worker made them."""
        store = self.app.store
        baseline = not store.is_baselined(feed.name)
        new = queued = posts = 0
        sketched = sketches or (None,) * len(parsed.entries)
        for entry, verdict, sketch in sorted(
            zip(parsed.entries, verdicts, sketched, strict=True), key=lambda p: p[0].published
        ):
            key = entry_key(entry)
            # Only relevant entries can be stories; a baseline knows no entry of its feed yet.
            story_id = store.story_id_for(key) if verdict.relevant else None
            known = None if baseline else store.known_entry(entry.feed, entry.guid)
            decision = decide(
                entry,
                verdict,
                known=known,
                story_exists=story_id is not None,
                baseline=baseline,
                freshness=self.app.freshness,
                now=now,
            )
            log.debug("entry %r: %s (%s)", entry.title[:60], decision.action, "; ".join(verdict.reasons))
            if decision.action is Action.UNCHANGED:
                continue
            if decision.action is Action.UPDATED and story_id is not None:
                queued += self._placer.revise(story_id, entry, now)
            new += decision.action is not Action.UPDATED
            action: Action = decision.action
            if decision.creates_story:
                hold = policy.hold_until(
                    now, posts, self.app.config.polling.max_posts_per_poll, feed.interval
                )
                sketch = sketch or cluster.sketch(entry, self.app.kinds)
                developed = self._placer.develop(entry, key, sketch, decision.posts, now, hold)
                story_id, action = developed.story_id, developed.action or action
                queued += developed.queued
                posts += developed.posted
            linked = story_id if verdict.relevant and action is not Action.UPDATED else None
            store.save_entry(entry, key, verdict, action.value, linked, now, known=known is not None)
        if baseline:
            store.mark_baselined(feed.name, now)
        return FeedReport(
            feed.name,
            ok=True,
            entries=len(parsed.entries),
            new=new,
            queued=queued,
            baseline=baseline,
            warning=parsed.warning,
        )
