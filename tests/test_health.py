"""health and report: feed discovery, warnings, and what status and health say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.health import discover_feed, should_warn
from bot.report import ago, health, status_lines
from bot.store import iso

NOW = datetime(2026, 5, 18, 12, 0, tzinfo=UTC)


def test_discovers_the_feed_a_page_links_to() -> None:
    page = b"""<html><head><link rel="stylesheet" href="/s.css">
    <link rel="alternate" type="application/rss+xml" title="News" href="/feeds/all.xml"></head></html>"""
    assert discover_feed(page, "https://paper.example/news/") == "https://paper.example/feeds/all.xml"
    assert discover_feed(b"<html><body>no feed</body></html>", "https://paper.example/") == ""


def test_warns_once_when_the_run_of_failures_reaches_the_limit() -> None:
    assert [should_warn(n, 3, warned=False) for n in (1, 2, 3)] == [False, False, True]
    assert not should_warn(4, 3, warned=True)


def report(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "mode": "webhook",
        "service": {
            "pid": 42,
            "started_at": iso(NOW - timedelta(hours=2)),
            "last_poll_at": iso(NOW - timedelta(minutes=3)),
            "stopped_at": None,
        },
        "counts": {"entries": 10, "relevant": 4, "stories": 3, "developments": 2},
        "database_bytes": 2_500_000,
        "outbox": {"sent": 2},
        "last_post_at": iso(NOW - timedelta(hours=1)),
        "halted": None,
        "dead": [],
        "feeds": [
            {
                "name": "good",
                "gone_at": None,
                "failures": 0,
                "last_error": None,
                "last_success_at": iso(NOW),
                "moved_to": None,
                "next_poll_at": iso(NOW + timedelta(minutes=10)),
                "next_reason": "configured interval",
                "entries_seen": 100,
                "relevant": 4,
            },
            {
                "name": "bad",
                "gone_at": None,
                "failures": 4,
                "last_error": "HTTP 503",
                "last_success_at": None,
                "moved_to": "https://new.example/feed",
                "next_poll_at": iso(NOW + timedelta(minutes=80)),
                "next_reason": "backing off after 4 failures",
                "entries_seen": 0,
                "relevant": 0,
            },
        ],
    }
    return base | changes


def test_status_answers_is_it_working_and_why_not() -> None:
    text = "\n".join(status_lines(report(), NOW))
    assert "service: running (pid 42) since 2h ago, last poll 3m ago" in text
    assert "database 2.5 MB" in text and "outbox: sent 2; last post 60m ago" in text
    assert (
        "good: ok; last success 0s ago; 100 entries seen, 4 relevant; next poll in 10m (configured interval)"
        in text
    )
    assert "bad: FAILING x4: HTTP 503" in text and "backing off after 4 failures" in text
    assert "moved to https://new.example/feed (update feeds.yaml)" in text


def test_health_wants_a_recent_completed_poll() -> None:
    assert health(report(), NOW, timedelta(minutes=15)) == (True, "ok: last completed poll 3m ago")
    late = report(service={**report()["service"], "last_poll_at": iso(NOW - timedelta(hours=1))})
    assert health(late, NOW, timedelta(minutes=15))[0] is False
    stopped = report(service={**report()["service"], "stopped_at": iso(NOW)})
    assert health(stopped, NOW, timedelta(minutes=15)) == (False, "unhealthy: the service stopped 0s ago")
    assert health(report(service=None), NOW, timedelta(minutes=15))[0] is False


def test_ago() -> None:
    assert ago(None, NOW) == "never"
    assert ago(iso(NOW - timedelta(days=3)), NOW) == "3d ago"
    assert ago(iso(NOW + timedelta(seconds=30)), NOW) == "in 30s"
