"""History: the backfill (post what is stored and was never posted, oldest first) and the
dated searches that bring older coverage in first."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from bot import search
from bot.config import FeedConfig
from bot.errors import FeedError
from bot.models import DevelopmentView, FeedCache
from bot.update.poll import Pipeline
from bot.update.reports import CycleReport

log = logging.getLogger(__name__)


async def search_history(
    pipeline: Pipeline, since: datetime, until: datetime, feeds: Iterable[FeedConfig]
) -> int:
    """Store what dated Google News searches return for [since, until); the entries are the
    feed's own, so they are decided (and deduplicated) exactly like polled ones."""
    app, found = pipeline.app, 0
    for feed in feeds:
        if not app.store.is_baselined(feed.name):
            continue  # a feed's first poll must stay its baseline
        for url in search.dated_queries(feed.url, since.date(), (until - timedelta(days=1)).date()):
            try:
                result = await app.fetcher.fetch(replace(feed, url=url), FeedCache())
                if result.body is None:
                    continue
                parsed, verdicts, sketches = await pipeline.parse(feed, result, app.clock())
            except FeedError as exc:
                log.warning("search %s: %s", url, exc.problem)
                continue
            with pipeline.writing():
                found += pipeline.accept(feed, parsed, verdicts, app.clock(), sketches).new
    log.info("history search: %d new entries", found)
    return found


def queue_unposted(
    pipeline: Pipeline, since: datetime, until: datetime | None = None, feed: FeedConfig | None = None
) -> list[DevelopmentView]:
    """Queue, in one transaction, the posts of the developments in range never posted."""
    store = pipeline.app.store
    if not pipeline.app.config.discord.per_development:
        log.info("discord.per_development is false: developments go out in digests only")
        return []
    developments = store.unposted_developments(since, until, feed.name if feed else None)
    now = pipeline.app.clock()
    with store.transaction():
        for development in developments:
            store.enqueue_post(development.id, now)
    return developments


async def backfill(
    pipeline: Pipeline,
    since: datetime,
    until: datetime | None = None,
    feed: FeedConfig | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    dated_searches: bool = False,
) -> tuple[list[DevelopmentView], CycleReport | None]:
    """Poll (unless dry run) and, with `dated_searches`, run dated searches; then post the
    developments in range never posted, oldest first."""
    app = pipeline.app
    if dry_run:
        return app.store.unposted_developments(since, until, feed.name if feed else None), None
    cycle = await pipeline.poll([feed] if feed else None, deliver=False)
    if dated_searches:
        end = until or app.clock() + timedelta(days=1)
        await search_history(pipeline, since, end, [feed] if feed else app.config.feeds)
    developments = queue_unposted(pipeline, since, until, feed)
    delivery = await app.deliver(progress)
    return developments, CycleReport(cycle.feeds, delivery)
