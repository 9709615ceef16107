"""History: the backfill (post what is stored and was never posted, oldest first) and the
dated searches that bring older coverage in first."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import FeedConfig
from bot.errors import FeedError, StorageError
from bot.intake import docket, search
from bot.models import DevelopmentView, ParsedFeed
from bot.update.poll import Pipeline
from bot.update.reports import CycleReport

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


async def search_history(
    app: App, pipeline: Pipeline, since: datetime, until: datetime, feeds: Iterable[FeedConfig]
) -> int:
    """Store what dated Google News searches return for [since, until); the entries are the
    feed's own, so they are decided (and deduplicated) exactly like polled ones."""
    found = 0
    for feed in feeds:
        if not app.store.is_baselined(feed.name):
            continue  # a feed's first poll must stay its baseline
        for url in search.dated_queries(feed.url, since.date(), (until - timedelta(days=1)).date()):
            try:
                result = await pipeline.fetch(feed, url)
                if result.body is not None:
                    found += (await pipeline.ingest(feed, result, app.clock())).new
            except FeedError as exc:
                log.warning("search %s: %s", url, exc.problem)
    log.info("history search: %d new entries", found)
    return found


async def docket_history(app: App, pipeline: Pipeline, feed: FeedConfig, token: str) -> int:
    """Store what CourtListener's API holds of a docket beyond its feed's latest entries (with
    COURTLISTENER_TOKEN), page by page, decided like the feed's own items; how many were new."""
    url, found = docket.api_url(feed.url), 0
    for _ in range(docket.API_PAGES):
        if not url:
            break
        try:
            result = await pipeline.fetch(feed, url, authorization=f"Token {token}")
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
        parsed, verdicts = docket.adopt(
            ParsedFeed(feed.name, tuple(items)), feed.kind, feed.case, feed.url, now
        )
        try:
            found += pipeline.take(feed, parsed, verdicts, now).new
        except (StorageError, UnicodeError, ValueError) as exc:  # one bad page costs that page only
            log.warning(
                "docket %s: a page of the API could not be stored (%s); the next is read", feed.name, exc
            )
    log.info("docket %s: %d entries from CourtListener's API beyond its feed", feed.name, found)
    return found


def queue_unposted(
    app: App, since: datetime, until: datetime | None = None, feed: FeedConfig | None = None
) -> list[DevelopmentView]:
    """Queue, in one transaction, the posts of the developments in range never posted."""
    store = app.store
    if not app.config.discord.per_development:
        log.info("discord.per_development is false: developments go out in digests only")
        return []
    developments = store.unposted_developments(since, until, feed.name if feed else None)
    now = app.clock()
    with store.transaction():
        for development in developments:
            store.enqueue_post(development.id, now)
    return developments


@dataclass(frozen=True)
class Backfill:
    """What `backfill` is asked: the range, one feed or all, and where to look beyond the feeds."""

    since: datetime
    until: datetime | None = None
    feed: FeedConfig | None = None
    dry_run: bool = False
    dated_searches: bool = False
    courtlistener_token: str = field(default="", repr=False)


async def backfill(
    app: App, pipeline: Pipeline, ask: Backfill, progress: Callable[[int, int], None] | None = None
) -> tuple[list[DevelopmentView], CycleReport | None]:
    """Poll (unless dry run) and, with dated searches, search the range, and with a
    CourtListener token read the docket feeds' older entries from its API; then post the
    developments in range never posted, oldest first."""
    feeds = [ask.feed] if ask.feed else list(app.config.feeds)
    if ask.dry_run:
        return app.store.unposted_developments(
            ask.since, ask.until, ask.feed.name if ask.feed else None
        ), None
    cycle = await pipeline.poll(feeds, deliver=False)
    if ask.dated_searches:
        await search_history(app, pipeline, ask.since, ask.until or app.clock() + timedelta(days=1), feeds)
    for docket_feed in [f for f in feeds if f.kind == "docket" and ask.courtlistener_token]:
        if app.store.is_baselined(docket_feed.name):
            await docket_history(app, pipeline, docket_feed, ask.courtlistener_token)
    developments = queue_unposted(app, ask.since, ask.until, ask.feed)
    delivery = await app.deliver(progress)
    return developments, CycleReport(cycle.feeds, delivery)
