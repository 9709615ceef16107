"""Turn a feed body (bytes) into clean `Entry` dataclasses with feedparser.

feedparser is always given bytes plus the HTTP headers that matter for decoding, never a
URL, so it can do no I/O of its own.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.errors import ParseError
from bot.intake.urls import canonical_url, host_of, unwrap_redirect
from bot.models import Entry, ParsedFeed
from bot.text import first_sentence, squash, strip_html

log = logging.getLogger(__name__)

MAX_TEXT = 50_000  # characters of content kept per entry; feeds sometimes embed whole books
MAX_TITLE = 1_000
MAX_URL = 2048  # characters of a picture's URL (Discord's limit for any URL in an embed)
BUILT_TITLE = 120  # characters of a headline built from an untitled item's first sentence
MAX_TTL = 7 * 24 * 60  # minutes; a larger RSS <ttl> is read as a week
# No news item predates this; an earlier date (year 1, 999) is read as this one, so it is
# old (stored, not posted) and every later date arithmetic stays in range.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def parse_feed(
    feed: str,
    body: bytes,
    *,
    url: str = "",
    content_type: str = "",
    language: str = "",
    now: datetime,
) -> ParsedFeed:
    """Parse one feed body; raise ParseError when nothing feed-like is in it."""
    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type
    try:
        # Our own stripping removes all HTML, so feedparser's sanitiser and URI rewriting
        # (most of its time) would be wasted work.
        parsed: Any = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser's own bugs must not take a poll cycle down
        raise ParseError(feed, f"feedparser failed: {type(exc).__name__}: {exc}") from None
    warning = ""
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        warning = squash(f"{type(problem).__name__}: {problem}")[:300] if problem else "ill-formed"
    if not parsed.get("version") and not parsed.entries:
        raise ParseError(feed, f"not an RSS/Atom feed ({warning or 'no entries, no feed element'})")
    channel: Mapping[str, Any] = parsed.get("feed", {})
    feed_title = strip_html(str(channel.get("title", "")))
    language = language or str(channel.get("language", "") or "")[:16]
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in parsed.entries:
        entry = _entry(feed, raw, feed_title=feed_title, language=language, base=url, now=now)
        if entry is None or entry.guid in seen:
            continue  # duplicate guids in one document: the first one wins
        seen.add(entry.guid)
        entries.append(entry)
    ttl = str(channel.get("ttl", "") or "").strip()
    return ParsedFeed(
        title=feed_title,
        entries=tuple(entries),
        warning=warning,
        ttl=min(int(ttl[:9]), MAX_TTL) if ttl.isdigit() else None,
    )


def _entry(
    feed: str, raw: Mapping[str, Any], *, feed_title: str, language: str, base: str, now: datetime
) -> Entry | None:
    link = unwrap_redirect(_text(raw.get("link")))
    if link and not link.lower().startswith(("http://", "https://")):
        link = ""
    summary = strip_html(_text(raw.get("summary")))
    content = strip_html(" ".join(_text(c.get("value")) for c in raw.get("content") or []))
    if len(content) > MAX_TEXT:
        content = content[:MAX_TEXT]
    outlet = _outlet(raw) or feed_title or host_of(link)
    title = _strip_outlet_suffix(strip_html(_text(raw.get("title"))), outlet)[:MAX_TITLE]
    if title and summary and outlet and summary in (title, f"{title} {outlet}"):
        summary = ""  # aggregators echo the headline as the description
    if not title:  # real feeds carry untitled items; their text stays, whatever the headline took
        title = first_sentence(summary or content, BUILT_TITLE)
    if not (title or link):
        return None
    canonical = canonical_url(link) if link else ""  # made here, in the worker, not in the writer
    guid = _text(raw.get("id")) or canonical or _hash_id(title, summary)
    published, has_date = _date(raw, now)
    return Entry(
        feed=feed,
        guid=guid[:2000],
        url=link,
        title=title,
        summary=summary[:MAX_TEXT],
        content=content,
        published=published,
        has_date=has_date,
        author=strip_html(_text(raw.get("author")))[:200],
        outlet=outlet[:200],
        language=language,
        canonical=canonical,
        image=_image(raw),
        document=_document(raw),
    )


def _image(raw: Mapping[str, Any]) -> str:
    """The item's picture: its media:thumbnail, else an image media:content, else an image
    enclosure; only an absolute http(s) URL of sane length ('' otherwise)."""
    found = [_text(m.get("url")) for m in raw.get("media_thumbnail") or [] if isinstance(m, Mapping)]
    for media in raw.get("media_content") or []:
        if isinstance(media, Mapping) and (media.get("medium") == "image" or _is_image(media)):
            found.append(_text(media.get("url")))
    for link in raw.get("links") or []:
        if isinstance(link, Mapping) and link.get("rel") == "enclosure" and _is_image(link):
            found.append(_text(link.get("href")))
    return next((url for url in found if _web_url(url)), "")


def _document(raw: Mapping[str, Any]) -> str:
    """The item's PDF enclosure (a docket entry's filing), an http(s) URL; else ''."""
    for link in raw.get("links") or []:
        if isinstance(link, Mapping) and link.get("rel") == "enclosure":
            href = _text(link.get("href"))
            if str(link.get("type", "")).lower() == "application/pdf" and _web_url(href):
                return href
    return ""


def _is_image(media: Mapping[str, Any]) -> bool:
    return str(media.get("type", "")).lower().startswith("image/")


def _web_url(url: str) -> bool:
    """An absolute http(s) URL without white space or control characters, of sane length."""
    return (
        url.lower().startswith(("http://", "https://"))
        and len(url) <= MAX_URL
        and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url)
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _outlet(raw: Mapping[str, Any]) -> str:
    """The publisher an aggregator names for this item (Google News <source>, Bing News:Source)."""
    source = raw.get("source")
    if isinstance(source, Mapping) and source.get("title"):
        return strip_html(str(source["title"]))
    return strip_html(_text(raw.get("news_source")))


def _strip_outlet_suffix(title: str, outlet: str) -> str:
    """'Headline - Publisher' (Google News style) -> 'Headline'."""
    for sep in (" - ", " | ", " – ", " — "):
        if outlet and title.endswith(sep + outlet):
            return title[: -len(sep + outlet)].strip()
    return title


def _hash_id(title: str, summary: str) -> str:
    digest = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()[:32]
    return f"sha256:{digest}"


def _date(raw: Mapping[str, Any], now: datetime) -> tuple[datetime, bool]:
    """UTC publication date; missing or future dates count as `now` (first seen)."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get skips FeedParserDict's deprecated updated->published key aliasing.
        value = dict.get(raw, key) if isinstance(raw, dict) else raw.get(key)
        if isinstance(value, time.struct_time):
            try:
                when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
            if when > now:
                return now, False
            return max(when, EARLIEST), True
    return now, False
