"""Whether an outbox row goes now, waits for its post, or is skipped, and whether it goes
into a thread: pure decisions over the row, its development's post and what the transport
can do (the drain gathers those facts and writes what is decided)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.delivery.transports import Capabilities, editable
from bot.store import OutboxAction, OutboxRow, OutboxState, PostState

Act = OutboxAction


class Go(StrEnum):
    SEND = "send"
    WAIT = "wait"  # its post goes first: left pending, not marked
    SKIP = "skip"  # done without sending, with the reason


@dataclass(frozen=True)
class Gate:
    go: Go
    why: str = ""


SEND = Gate(Go.SEND)


@dataclass(frozen=True)
class Facts:
    """What the gate needs beyond the row: its development's post, whether digests are still
    on, and whether the digest's period holds any development."""

    post: PostState | None = None
    digests_on: bool = True
    period_has_news: bool = True


def gate(row: OutboxRow, facts: Facts, capabilities: Capabilities) -> Gate:
    """The decision for one row before it is rendered."""
    development, post = row.development, facts.post
    if row.action in (Act.EDIT, Act.PING) and development is not None and development.muted:
        return Gate(Go.SKIP, "its development is muted (/mute)")
    if row.action is Act.EDIT and not editable(row.message_id, capabilities):
        return Gate(
            Go.SKIP, "its post was never sent" if not row.message_id else "its post went to the console"
        )
    if row.action is Act.DIGEST and not facts.digests_on:
        return Gate(Go.SKIP, "discord.digest is no longer set")
    if row.action is Act.DIGEST and not facts.period_has_news:
        return Gate(Go.SKIP, "no developments in the period")
    if row.action in (Act.PING, Act.COVERAGE):
        if post is not None and post.state in (OutboxState.PENDING, OutboxState.SENDING):
            return Gate(Go.WAIT)
        if post is None or post.state is not OutboxState.SENT:
            return Gate(Go.SKIP, "its development was never posted")
        if row.action is Act.PING and post.pinged:
            return Gate(Go.SKIP, "its post pinged already")
    return SEND


def in_thread(row: OutboxRow, post: PostState | None, capabilities: Capabilities) -> bool:
    """Whether the row goes into its development's thread (or opens it), not the channel: a
    story for the thread, or an edit of a forum post (edited through its thread)."""
    if row.action is Act.COVERAGE:
        return True
    return row.action is Act.EDIT and capabilities.thread_edits and post is not None and bool(post.thread_id)
