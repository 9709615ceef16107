"""Google News links resolved to their publishers before a poll's entries are stored: from
the store (an id's URL never changes: it is asked for once), offline (old ids hold it), or
through Google's decoder (an article page each, paced, then one request for all of a poll's
new ids), within an hourly budget. The story is then the publisher's: its link and canonical
URL, so the copy in the publisher's own feed is the same story; its title loses the
' - Outlet' suffix. Google not answering costs the links, never the poll: those stories keep
Google's link, and their ids are asked again at a later poll."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from bot.config import FeedConfig
from bot.errors import FeedError
from bot.intake import gnews
from bot.intake.urls import canonical_url
from bot.models import Entry, FetchResult, ParsedFeed

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

HOUR = 3600.0
MAX_ASKED = 50  # new ids one poll asks Google about; the rest wait for the next poll


class Fetch(Protocol):
    """`Pipeline.fetch`: a URL fetched as the feed it came from (its limits and timeouts)."""

    async def __call__(self, feed: FeedConfig, url: str = "", *, form: str = "") -> FetchResult: ...


class Resolver:
    """Resolves the Google News links of `app`'s polls; counts its requests to Google."""

    def __init__(self, app: App, fetch: Fetch) -> None:
        self.app = app
        self._fetch = fetch  # the pipeline's: a URL fetched as the feed it came from
        self._spent: deque[float] = deque()  # when each request to Google of the last hour went

    async def resolve(self, feed: FeedConfig, parsed: ParsedFeed) -> ParsedFeed:
        """`parsed` with every Google News link it can resolve replaced by the publisher's."""
        hosts = self.app.config.google_news.hosts
        links = {entry.url: gnews.article_id(entry.url, hosts) for entry in parsed.entries}
        ids = {link: article for link, article in links.items() if article}
        if not ids:
            return parsed
        store, now = self.app.store, self.app.clock()
        known = store.known_links(sorted(set(ids.values())))
        for article in set(ids.values()) - set(known):
            if url := gnews.offline_url(article):
                store.save_link(article, url, now)
                known[article] = url
        asking = {a: link for link, a in ids.items() if a not in known and gnews.needs_decoder(a)}
        if asking:
            known.update(await self._decode(feed, dict(list(asking.items())[:MAX_ASKED])))
        entries = tuple(_adopt(entry, known.get(ids.get(entry.url, ""), "")) for entry in parsed.entries)
        return replace(parsed, entries=entries)

    def _afford(self) -> bool:
        """Whether one more request to Google fits the hourly budget (and spend it)."""
        clock = time.monotonic()
        while self._spent and clock - self._spent[0] > HOUR:
            self._spent.popleft()
        if len(self._spent) >= self.app.config.google_news.per_hour:
            return False
        self._spent.append(clock)
        return True

    async def _decode(self, feed: FeedConfig, asking: dict[str, str]) -> dict[str, str]:
        """Ask Google's decoder for `asking` (id -> its link): each article page for its
        signature, then one request for them all. What it tells is stored."""
        store, pace = self.app.store, self.app.config.google_news.pace.total_seconds()
        signed: list[tuple[str, gnews.Signed]] = []
        origin = ""
        for n, (article, link) in enumerate(asking.items()):
            if not self._afford():
                log.info("google news: the hourly budget is spent; %d links wait", len(asking) - n)
                break
            if n and pace:
                await asyncio.sleep(pace)  # Google answers 429 to clients that ask too fast
            parts = urlsplit(link)
            origin = f"{parts.scheme}://{parts.netloc}"
            try:
                page = await self._fetch(feed, link)
            except FeedError as exc:
                store.link_failed(article, f"article page: {exc.problem}", self.app.clock())
                continue
            if (found := gnews.signature(page.body or b"")) is None:
                store.link_failed(article, "the article page has no signature", self.app.clock())
                continue
            signed.append((article, found))
        if not signed or not self._afford():
            return {}
        try:
            form = gnews.decoder_form(signed)
            answer = await self._fetch(feed, origin + gnews.DECODER_PATH, form=form)
        except FeedError as exc:
            log.warning("google news: the decoder failed (%s); %d links wait", exc.problem, len(signed))
            for article, _ in signed:
                store.link_failed(article, f"decoder: {exc.problem}", self.app.clock())
            return {}
        asked = [article for article, _ in signed]
        urls = gnews.decoded(answer.body or b"", asked)
        now = self.app.clock()
        for article in asked:
            if article in urls:
                store.save_link(article, urls[article], now)
            else:
                store.link_failed(article, "the decoder did not tell its URL", now)
        if asked and not urls:
            log.warning(
                "google news: the decoder's answer held none of %d links (did it change?)", len(asked)
            )
        return urls


def _adopt(entry: Entry, publisher: str) -> Entry:
    """A Google News entry as the publisher's story: its link, when known, and its title
    without the ' - Outlet' suffix."""
    title = gnews.without_outlet(entry.title, entry.outlet)
    if not publisher:
        return replace(entry, title=title)
    return replace(entry, title=title, url=publisher, canonical=canonical_url(publisher))
