"""Deeper history for `backfill --search`: Google News search feeds accept `after:` and
`before:` date operators in the query, so a range can be searched window by window.

Limits: Google returns at most about 100 items per query, so a busy week can still lose
items; windows are 7 days by default; every window is one request, paced like any feed.
Other feeds have no such operators and contribute only what they still hold.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

WINDOW = timedelta(days=7)


def searchable(url: str) -> bool:
    """A Google News RSS search feed (its path and a `q` parameter)."""
    parts = urlsplit(url)
    return parts.path.rstrip("/").endswith("/rss/search") and any(k == "q" for k, _ in parse_qsl(parts.query))


def dated_queries(url: str, since: date, until: date, window: timedelta = WINDOW) -> list[str]:
    """The search URL once per window of [since, until], with `after:`/`before:` added to `q`."""
    if not searchable(url) or until < since:
        return []
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    urls = []
    start = since
    while start <= until:
        end = min(start + window, until + timedelta(days=1))
        dated = [
            (k, f"{v} after:{start - timedelta(days=1):%Y-%m-%d} before:{end:%Y-%m-%d}" if k == "q" else v)
            for k, v in params
        ]
        urls.append(urlunsplit(parts._replace(query=urlencode(dated))))
        start = end
    return urls
