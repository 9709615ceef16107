"""What `status`, `health` and `feeds` say, from the store's report and feeds.yaml. Pure:
so that an operator can answer "is it working, and if not, why?" from one screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from bot.config import FeedConfig
from bot.intake.urls import scrub, shown
from bot.store.records import FeedStatus, StatusReport


def ago(when: datetime | None, now: datetime) -> str:
    """'3m ago' / 'in 5m' / 'never' for a stored time."""
    if when is None:
        return "never"
    delta = now - when
    seconds = abs(int(delta.total_seconds()))
    amount = (
        f"{seconds}s"
        if seconds < 90
        else f"{seconds // 60}m"
        if seconds < 5400
        else f"{seconds // 3600}h"
        if seconds < 172800
        else f"{seconds // 86400}d"
    )
    return f"{amount} ago" if delta.total_seconds() >= 0 else f"in {amount}"


def status_lines(report: StatusReport, mode: str, now: datetime) -> list[str]:
    """The text of `followup-bot status`."""
    counts, service = report.counts, report.service
    lines = [f"mode: {mode}"]
    if service and not service.stopped_at:
        lines.append(
            f"service: running (pid {service.pid}) since {ago(service.started_at, now)},"
            f" last poll {ago(service.last_poll_at, now)}"
        )
    elif service:
        lines.append(f"service: stopped {ago(service.stopped_at, now)}")
    else:
        lines.append("service: never run")
    lines.append(
        f"entries: {counts.entries} ({counts.relevant} relevant), stories: {counts.stories},"
        f" developments: {counts.developments}; database {report.database_bytes / 1e6:.1f} MB"
    )
    queue = ", ".join(f"{k} {v}" for k, v in sorted(report.outbox.items())) or "empty"
    lines.append(f"outbox: {queue}; last post {ago(report.last_post_at, now)}")
    if report.halted:
        lines.append(
            f"DELIVERY HALTED since {report.halted.since:%Y-%m-%d %H:%M} UTC: {report.halted.reason}"
        )
        lines.append("  fix the credentials (or channel), then run `followup-bot retry`")
    for row in report.dead:
        what = row.notice if row.notice else f"development {row.development_id}"
        lines.append(f"  dead {row.action}: {what}: {row.last_error}")
    if links := report.google_links.resolved + report.google_links.failing:
        failing = report.google_links.failing
        since = f" (unresolved since {report.google_links.failing_since[:16].replace('T', ' ')} UTC)"
        lines.append(
            f"google news links: {report.google_links.resolved} of {links} resolved to their publishers"
            + (f"; {failing} not yet{since if report.google_links.failing_since else ''}" if failing else "")
        )
    lines.append("feeds:")
    for feed in report.feeds:
        lines.append("  " + feed_line(feed, now, running(report)))
    return lines


def public(feed: FeedStatus) -> FeedStatus:
    """A feed's status as people may see it: its URLs without query or credentials."""
    return replace(
        feed,
        url=shown(feed.url),
        moved_to=shown(feed.moved_to) if feed.moved_to else feed.moved_to,
        last_error=scrub(feed.last_error) if feed.last_error else feed.last_error,
    )


def running(report: StatusReport) -> bool:
    """Whether a service is running on the database (it started and has not stopped)."""
    return report.service is not None and report.service.stopped_at is None


def feed_line(feed: FeedStatus, now: datetime, scheduled: bool = True) -> str:
    """One feed's health in one line; its next poll only where a service will make it
    (`scheduled`): a stopped service polls nothing."""
    if feed.gone_at:
        state = f"GONE (HTTP 410) since {ago(feed.gone_at, now)}: remove it or give it a new url"
    elif feed.failures:
        state = f"FAILING x{feed.failures}: {scrub(feed.last_error or '')}"
    elif not feed.last_success_at:
        state = "not polled yet"
    else:
        state = "ok"
    moved = f"; moved to {shown(feed.moved_to)} (update feeds.yaml)" if feed.moved_to else ""
    nxt = f"; next poll {ago(feed.next_poll_at, now)} ({feed.next_reason})" if feed.next_poll_at else ""
    nxt = nxt if scheduled else "; polled when the service runs (or by `followup-bot poll`)"
    return (
        f"{feed.name}: {state}; last success {ago(feed.last_success_at, now)};"
        f" {feed.entries_seen} entries seen, {feed.relevant} relevant{nxt}{moved}"
    )


HEALTH_FLOOR = timedelta(minutes=15)


def default_max_age(report: StatusReport) -> timedelta:
    """How recent the last poll must be: three of the service's shortest feed intervals, at
    least 15 minutes; read from the database, so feeds.yaml is not needed."""
    interval = report.service.interval_seconds if report.service else None
    return max(HEALTH_FLOOR, 3 * timedelta(seconds=interval or 0))


def liveness(report: StatusReport, now: datetime, max_age: timedelta) -> tuple[bool, str]:
    """Whether a service completed a poll within `max_age`, and a one-line reason."""
    service = report.service
    if not service:
        return False, "unhealthy: the service has never run on this database"
    if service.stopped_at:
        return False, f"unhealthy: the service stopped {ago(service.stopped_at, now)}"
    last = service.last_poll_at
    if not last:
        if now - service.started_at <= max_age:
            return True, f"ok: started {ago(service.started_at, now)}, first polls under way"
        return False, f"unhealthy: started {ago(service.started_at, now)} and no poll has completed"
    if now - last > max_age:
        return False, f"unhealthy: last completed poll {ago(last, now)} (limit {max_age})"
    halted = " (but delivery is halted: see `followup-bot status`)" if report.halted else ""
    return True, f"ok: last completed poll {ago(last, now)}{halted}"


def opml(title: str, feeds: Sequence[FeedConfig]) -> str:
    """The feed list as OPML 2.0, for any feed reader to import (`feeds --opml`)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{escape(title)}</title></head>",
        "  <body>",
    ]
    for feed in feeds:
        language = f" language={quoteattr(feed.language)}" if feed.language else ""
        lines.append(
            f'    <outline type="rss" text={quoteattr(feed.name)} title={quoteattr(feed.name)}'
            f" xmlUrl={quoteattr(feed.url)}{language}/>"
        )
    return "\n".join([*lines, "  </body>", "</opml>"])
