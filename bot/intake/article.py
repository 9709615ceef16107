"""The article page behind a story: fetched like a feed (same guard, timeout and size cap),
its main text extracted with trafilatura. Used when the feed's own text is too short.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import anyio
import trafilatura

from bot.config import FeedConfig
from bot.errors import FeedError
from bot.intake.fetch import Fetcher
from bot.models import FeedCache

log = logging.getLogger(__name__)

MAX_PAGE = 2 * 1024 * 1024  # bytes of an article page read; extraction time grows with it

# Aggregator links that lead to a script, not to the article: following them is pointless.
UNFOLLOWABLE = ("news.google.com",)


def followable(url: str) -> bool:
    """Whether fetching `url` can give an article page (not for a link that is no URL)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # "http://[bad/": feed links are hostile input
        return False
    return parts.scheme in ("http", "https") and not any(
        host == h or host.endswith("." + h) for h in UNFOLLOWABLE
    )


def extract(page: bytes | str, url: str = "") -> str:
    """The main text of an HTML page, paragraphs separated by newlines; '' if none."""
    if not page.strip():
        return ""
    try:
        text = trafilatura.extract(
            page,
            url=url or None,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
            # trafilatura's deduplication remembers text across calls: a syndicated copy of
            # an article already read would come back empty.
            deduplicate=False,
        )
    except Exception as exc:  # a parser bug on one page must not cost the post
        log.debug("extraction failed for %s: %s", url, exc)
        return ""
    return text or ""


@dataclass(frozen=True)
class Page:
    """What an article page gives: its main text, and its picture (og:image), http(s) only."""

    text: str = ""
    image: str = ""


def picture(page: bytes | str) -> str:
    """The page's own picture (og:image and the like), when it is an http(s) URL; else ''."""
    try:
        found = trafilatura.extract_metadata(page)
    except Exception as exc:  # a parser bug on one page must not cost the post
        log.debug("metadata extraction failed: %s", exc)
        return ""
    image = (found.image or "") if found is not None else ""
    return image if image.lower().startswith(("http://", "https://")) and len(image) <= 2048 else ""


async def fetch_page(fetcher: Fetcher, url: str, timeout: timedelta, max_bytes: int) -> Page:
    """The article's text and picture, or an empty Page on any failure within `timeout`."""
    if not followable(url):
        return Page()
    page = FeedConfig(f"article {urlsplit(url).hostname}", url, timeout, timeout, min(max_bytes, MAX_PAGE))
    try:
        with anyio.fail_after(timeout.total_seconds()):  # anyio's: see fetch.py on asyncio timeouts
            result = await fetcher.fetch(page, FeedCache())
    except (FeedError, TimeoutError) as exc:
        log.info("article %s: %s; using the feed's text", url, exc)
        return Page()
    if result.body is None or (result.content_type and "html" not in result.content_type.lower()):
        return Page()
    body = result.body
    text, image = await asyncio.gather(
        asyncio.to_thread(extract, body, result.url), asyncio.to_thread(picture, body)
    )
    return Page(text, image)
