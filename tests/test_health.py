"""health and report: feed discovery, warnings, and what status and health say."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.intake.feedhealth import discover_feed, should_warn
from bot.report import ago, default_max_age, liveness, status_lines
from bot.store.records import Counts, FeedStatus, ServiceRecord, StatusReport
from tests.support.builders import NOW


def test_discovers_the_feed_a_page_links_to() -> None:
    page = b"""<html><head><link rel="stylesheet" href="/s.css">
    <link rel="alternate" type="application/rss+xml" title="News" href="/feeds/all.xml"></head></html>"""
    assert discover_feed(page, "https://paper.example/news/") == "https://paper.example/feeds/all.xml"
    assert discover_feed(b"<html><body>no feed</body></html>", "https://paper.example/") == ""


def test_warns_once_when_the_run_of_failures_reaches_the_limit() -> None:
    assert [should_warn(n, 3, warned=False) for n in (1, 2, 3)] == [False, False, True]
    assert not should_warn(4, 3, warned=True)


SERVICE = ServiceRecord(
    pid=42,
    started_at=NOW - timedelta(hours=2),
    last_poll_at=NOW - timedelta(minutes=3),
    stopped_at=None,
    interval_seconds=600.0,
)


def feed(name: str, **values: Any) -> FeedStatus:
    base: dict[str, Any] = {
        "url": f"https://{name}.example/feed",
        "moved_to": None,
        "gone_at": None,
        "last_success_at": None,
        "last_fetch_at": None,
        "last_status": None,
        "last_error": None,
        "failures": 0,
        "baseline_at": None,
        "next_poll_at": None,
        "next_reason": None,
        "entries_seen": 0,
        "relevant": 0,
    }
    return FeedStatus(name=name, **(base | values))


def report(**changes: Any) -> StatusReport:
    base = StatusReport(
        database_bytes=2_500_000,
        service=SERVICE,
        counts=Counts(entries=10, relevant=4, stories=3, developments=2),
        outbox={"sent": 2},
        last_post_at=NOW - timedelta(hours=1),
        halted=None,
        feeds=(
            feed(
                "good",
                last_success_at=NOW,
                next_poll_at=NOW + timedelta(minutes=10),
                next_reason="configured interval",
                entries_seen=100,
                relevant=4,
            ),
            feed(
                "bad",
                failures=4,
                last_error="HTTP 503",
                moved_to="https://new.example/feed",
                next_poll_at=NOW + timedelta(minutes=80),
                next_reason="backing off after 4 failures",
            ),
        ),
        dead=(),
    )
    return replace(base, **changes)


def test_status_answers_is_it_working_and_why_not() -> None:
    text = "\n".join(status_lines(report(), "webhook", NOW))
    assert "mode: webhook" in text
    assert "service: running (pid 42) since 2h ago, last poll 3m ago" in text
    assert "database 2.5 MB" in text and "outbox: sent 2; last post 60m ago" in text
    assert (
        "good: ok; last success 0s ago; 100 entries seen, 4 relevant; next poll in 10m (configured interval)"
        in text
    )
    assert "bad: FAILING x4: HTTP 503" in text and "backing off after 4 failures" in text
    assert "moved to https://new.example/feed (update feeds.yaml)" in text


def test_health_wants_a_recent_completed_poll() -> None:
    limit = timedelta(minutes=15)
    assert liveness(report(), NOW, limit) == (True, "ok: last completed poll 3m ago")
    late = report(service=replace(SERVICE, last_poll_at=NOW - timedelta(hours=1)))
    assert liveness(late, NOW, limit)[0] is False
    stopped = report(service=replace(SERVICE, stopped_at=NOW))
    assert liveness(stopped, NOW, limit) == (False, "unhealthy: the service stopped 0s ago")
    assert liveness(report(service=None), NOW, limit)[0] is False


def test_health_takes_its_default_limit_from_the_database() -> None:
    """Three of the service's shortest intervals, at least 15 minutes: no feeds.yaml needed."""
    assert default_max_age(report()) == timedelta(minutes=30)
    assert default_max_age(report(service=replace(SERVICE, interval_seconds=60.0))) == timedelta(minutes=15)
    assert default_max_age(report(service=None)) == timedelta(minutes=15)


def test_ago() -> None:
    assert ago(None, NOW) == "never"
    assert ago(NOW - timedelta(days=3), NOW) == "3d ago"
    assert ago(NOW + timedelta(seconds=30), NOW) == "in 30s"


def test_a_stopped_service_promises_no_next_poll() -> None:
    planned = feed("wire", next_poll_at=NOW + timedelta(seconds=38), next_reason="interval")
    running = "\n".join(status_lines(report(feeds=(planned,)), "console", NOW))
    assert "next poll in 38s (interval)" in running
    stopped = replace(SERVICE, stopped_at=NOW - timedelta(minutes=5))
    lines = "\n".join(status_lines(report(feeds=(planned,), service=stopped), "console", NOW))
    assert "next poll" not in lines and "polled when the service runs" in lines
