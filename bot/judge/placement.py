"""What placing a story queues for the channel, decided before anything is written: the
development it joins or starts (from `cluster.assign`), the post of a new one (held until
the topic's settle time), the edit of a sent post, the story for its thread, a surge's
check, the story so far. Pure: `Store.place` writes a `Placement`, the table tests read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import DiscordConfig
from bot.judge import policy
from bot.judge.cluster import Assignment


@dataclass(frozen=True)
class Queue:
    """What goes into the outbox with a story."""

    timeline: bool = False  # the story so far is brought up to date
    post: bool = False  # the new development's post (it may ping: it is news)
    hold: datetime | None = None  # ...not before then
    edit: bool = False  # the joined development's sent post is edited
    coverage: bool = False  # the story goes into that post's thread
    surge: bool = False  # whether the joined development's coverage now surges is checked


@dataclass(frozen=True)
class Placement:
    """Where a new story goes and what that queues."""

    joins: int | None  # the known development it joins (None: it starts one, or is aside)
    aside: bool  # a roundup that joins none: kept and explained in no development, never posted
    reason: str
    queue: Queue

    @property
    def starts(self) -> bool:
        return self.joins is None and not self.aside


def edits_post(post_sent: bool, fresh: bool) -> bool:
    """Whether new coverage of a development edits its post: only once the post is sent (a
    post still waiting renders the new coverage when it goes), and only for fresh news."""
    return fresh and post_sent


def plan(
    assignment: Assignment,
    post_sent: bool,
    fresh: bool,
    discord: DiscordConfig,
    settle: timedelta,
    now: datetime,
    hold: datetime | None = None,
) -> Placement:
    """The placement of a story `cluster.assign` placed; `post_sent` whether the development
    it joins has its post sent; `fresh` whether it is news (not history), which alone posts,
    edits, threads and pings; `hold` the poll's own limit on posts."""
    timeline = discord.timeline
    if assignment.aside:
        return Placement(None, True, assignment.reason, Queue(timeline=timeline))
    if assignment.development is None:
        post = fresh and discord.per_development  # else: digests only
        queue = Queue(timeline=timeline, post=post, hold=policy.settled(now, hold, settle) if post else None)
        return Placement(None, False, assignment.reason, queue)
    queue = Queue(
        timeline=timeline,
        edit=edits_post(post_sent, fresh),
        coverage=fresh and discord.threads,
        surge=fresh and discord.ping is not None and discord.ping.surge is not None,
    )
    return Placement(assignment.development, False, assignment.reason, queue)


def revision(post_sent: bool, discord: DiscordConfig) -> Queue:
    """What a publisher's edit of a story queues: the story so far, and the edit of its
    development's sent post (never a new post)."""
    return Queue(timeline=discord.timeline, edit=edits_post(post_sent, True))
