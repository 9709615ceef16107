"""Feed health: what to tell the channel when a feed keeps failing or recovers, and where a
web page says its feed is. Pure.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from bot.intake.urls import scrub

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")


class _Alternates(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        alternate = tag == "link" and "alternate" in values.get("rel", "").lower().split()
        if alternate and values.get("type", "").lower() in FEED_TYPES and values.get("href"):
            self.found.append(values["href"])


def discover_feed(page: bytes, base_url: str) -> str:
    """The first feed a web page links to with <link rel="alternate">, absolute; '' if none."""
    parser = _Alternates()
    try:
        parser.feed(page[:500_000].decode("utf-8", errors="replace"))
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient
        return ""
    return urljoin(base_url, parser.found[0]) if parser.found else ""


def warning_text(feed: str, failures: int, error: str) -> str:
    return (
        f"Feed {feed!r} has failed {failures} times in a row: {scrub(error)}. "
        "Its stories are missing until it recovers; `followup-bot status` has the details."
    )


def recovery_text(feed: str) -> str:
    return f"Feed {feed!r} works again; its stories are being followed as before."


def should_warn(failures: int, warn_after: int, warned: bool) -> bool:
    """Warn once, when the run of failures reaches `warn_after`."""
    return failures >= warn_after and not warned
