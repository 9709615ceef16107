"""History: the backfill (post what is stored and was never posted, oldest first) and the
dated searches that bring older coverage in first."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.config import FeedConfig
from bot.errors import FeedError, StorageError
from bot.intake import docket, search
from bot.models import DevelopmentView, FeedCache, ParsedFeed
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


async def docket_history(pipeline: Pipeline, feed: FeedConfig, token: str) -> int:
    """Store what CourtListener's API holds of a docket beyond its feed's latest entries (with
    COURTLISTENER_TOKEN), page by page, decided like the feed's own items; how many were new."""
    app, url, found = pipeline.app, docket.api_url(feed.url), 0
    for _ in range(docket.API_PAGES):
        if not url:
            break
        try:
            result = await app.fetcher.fetch(replace(feed, url=url), FeedCache(), f"Token {token}")
            payload = json.loads(result.body or b"null")
        except FeedError as exc:
            log.warning(
                "docket %s: the API refused or failed (%s); the feed's entries only", feed.name, exc.problem
            )
            break
        except ValueError:
            log.warning(
                "docket %s: the API answered something other than JSON; the feed's entries only", feed.name
            )
            break
        items, url = docket.from_api(payload, feed.name, feed.url)
        now = app.clock()
        page = ParsedFeed(feed.name, tuple(items))
        parsed, verdicts = docket.adopt(page, feed.kind, feed.case, feed.url, now)
        try:
            with pipeline.writing():
                found += pipeline.accept(feed, parsed, verdicts, now).new
        except (StorageError, UnicodeError, ValueError) as exc:  # one bad page costs that page only
            log.warning(
                "docket %s: a page of the API could not be stored (%s); the next is read", feed.name, exc
            )
    log.info("docket %s: %d entries from CourtListener's API beyond its feed", feed.name, found)
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
    courtlistener_token: str = "",
) -> tuple[list[DevelopmentView], CycleReport | None]:
    """Poll (unless dry run) and, with `dated_searches`, run dated searches, and with a
    `courtlistener_token` read the docket feeds' older entries from CourtListener's API; then
    post the developments in range never posted, oldest first."""
    app = pipeline.app
    if dry_run:
        return app.store.unposted_developments(since, until, feed.name if feed else None), None
    cycle = await pipeline.poll([feed] if feed else None, deliver=False)
    if dated_searches:
        end = until or app.clock() + timedelta(days=1)
        await search_history(pipeline, since, end, [feed] if feed else app.config.feeds)
    if courtlistener_token:
        for docket_feed in [f for f in ([feed] if feed else app.config.feeds) if f.kind == "docket"]:
            if app.store.is_baselined(docket_feed.name):
                await docket_history(pipeline, docket_feed, courtlistener_token)
    developments = queue_unposted(pipeline, since, until, feed)
    delivery = await app.deliver(progress)
    return developments, CycleReport(cycle.feeds, delivery)
