"""What storage hands out: frozen records, never rows. Their field names are the public
contract of `status --json` and `stories --json` (see `to_json`), not the SQL columns."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.models import DevelopmentView, FeedCache


class OutboxState(StrEnum):
    """pending → sending → sent, or dead (after the last error), or skipped (nothing to do)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    SKIPPED = "skipped"


class OutboxAction(StrEnum):
    POST = "post"  # a development's one post
    EDIT = "edit"  # an edit of that post
    NOTICE = "notice"  # a message about the bot itself
    PING = "ping"  # one follow-up message pinging the role when a development's coverage surges
    TIMELINE = "timeline"  # the story so far, posted once and edited as developments arrive
    DIGEST = "digest"  # one period's developments in one message (`notice`: the period's end)
    COVERAGE = "coverage"  # a later story of a development, sent into its post's thread


@dataclass(frozen=True)
class FeedState:
    """A feed as a poll starts: where to fetch it, its validators, whether it is retired, the
    hash of the last body parsed, its run of failures and whether the channel was warned."""

    url: str
    cache: FeedCache
    gone: bool
    body_hash: str | None
    failures: int = 0
    warned: bool = False
    next_poll_at: datetime | None = None


@dataclass(frozen=True)
class PostState:
    """Where a development's post stands, and its Discord message once sent."""

    state: OutboxState
    message_id: str | None
    pinged: bool = False  # it mentioned the `discord.ping` role
    thread_id: str | None = None  # its thread, once there is one (`discord.threads`)


@dataclass(frozen=True)
class Halt:
    """Delivery stopped because Discord rejected these credentials (by fingerprint)."""

    reason: str
    fingerprint: str
    since: datetime


@dataclass(frozen=True)
class OutboxRow:
    """One pending delivery: a development's post, or an edit of the message that posted it."""

    id: int
    action: OutboxAction
    attempts: int
    development: DevelopmentView | None  # None for a notice
    message_id: str | None  # for an edit: the post's message, if it was sent
    notice: str = ""  # for a notice: the text, about the bot itself (a feed failing...)
    may_ping: bool = False  # for a post: it is news, not history, so it may ping
    story_id: int = 0  # for coverage: the story to send into the post's thread


@dataclass(frozen=True)
class ServiceRecord:
    """The running (or last) service's heartbeat."""

    pid: int
    started_at: datetime
    last_poll_at: datetime | None
    stopped_at: datetime | None
    interval_seconds: float | None  # its shortest feed interval, for `health`


@dataclass(frozen=True)
class FeedStatus:
    """One feed's health, as `status` shows it."""

    name: str
    url: str
    moved_to: str | None
    gone_at: datetime | None
    last_success_at: datetime | None
    last_fetch_at: datetime | None
    last_status: int | None
    last_error: str | None
    failures: int
    baseline_at: datetime | None
    next_poll_at: datetime | None
    next_reason: str | None
    entries_seen: int
    relevant: int


@dataclass(frozen=True)
class DeadRow:
    """A delivery that gave up; `retry` re-queues it."""

    id: int
    development_id: int | None
    action: str
    notice: str | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class Counts:
    entries: int
    relevant: int
    stories: int
    developments: int


@dataclass(frozen=True)
class HaltStatus:
    """A halt as reported: why and since when (never the credentials' fingerprint)."""

    reason: str
    since: datetime


@dataclass(frozen=True)
class LinkCounts:
    """Google News links: resolved to their publishers, and not (yet); the oldest failure."""

    resolved: int
    failing: int
    failing_since: str  # ISO time, '' when none fails


@dataclass(frozen=True)
class StatusReport:
    """Everything `status` and `health` say, read in one go."""

    database_bytes: int
    service: ServiceRecord | None
    counts: Counts
    outbox: dict[str, int]  # rows by state
    last_post_at: datetime | None
    halted: HaltStatus | None
    feeds: tuple[FeedStatus, ...]
    dead: tuple[DeadRow, ...]
    google_links: LinkCounts = LinkCounts(0, 0, "")


@dataclass(frozen=True)
class DevelopmentSummary:
    """A development as `stories` lists it: its lead, its post, its coverage."""

    id: int
    kind: str
    first_published: datetime
    title: str
    url: str
    outlet: str
    state: str | None
    message_id: str | None
    coverage: int
    entries: int
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class Spread:
    """How far a development's coverage reached: its stories, and the distinct outlets and
    language tags of its press stories (docket entries are no outlet), sorted."""

    stories: int
    outlets: tuple[str, ...]
    languages: tuple[str, ...]


@functools.lru_cache(maxsize=4096)  # the same few times come back for every statement of a story
def iso(when: datetime) -> str:
    """UTC ISO-8601 text, sortable as a string: the year always has four digits (strftime's
    %Y writes 999, which sorts after 2024). How times are stored, and shown in JSON."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_iso(text: str) -> datetime:
    """The inverse of `iso` (fromisoformat is C, strptime pure Python: this runs per story)."""
    return datetime.fromisoformat(text)


def maybe_time(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


def to_json(record: Any) -> Any:
    """A record as JSON-ready data: field names as keys, times as UTC ISO-8601 text."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_json(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, datetime):
        return iso(record)
    if isinstance(record, list | tuple):
        return [to_json(item) for item in record]
    if isinstance(record, dict):
        return {str(k): to_json(v) for k, v in record.items()}
    return record


@dataclass(frozen=True)
class Near:
    """Where to look for a story's development: around `at`, from `start` to `end`; the
    `kinds` of development it may join and the `names` its lede carries."""

    at: datetime
    start: datetime
    end: datetime
    kinds: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    nearest: int = 12  # per side and per kind: wire copies and same-hour coverage are this close


@dataclass(frozen=True)
class Candidate:
    """A development a story could join, and its latest story's id: what tells a reader
    whether its copy of the development is still current (a story is created and placed in
    one transaction, so a development's stories only ever grow by a higher id)."""

    id: int
    latest_story: int
