"""Draining the outbox: render each due row, claim it, send it, mark it. Writes only what
`failures.judge` decided; the caller holds the delivery lock."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import aiohttp
import discord

from bot import escalate, logs, periods
from bot.config import Config, Digest
from bot.delivery import timeline
from bot.delivery.failures import HALT_PROBE, SEND_TIMEOUT, judge
from bot.delivery.pacing import Pacer
from bot.delivery.render import clip, render_development, render_notice, render_ping, render_story
from bot.delivery.transports import Deliverer, editable
from bot.models import Message
from bot.store import OutboxRow, OutboxState, Store, from_iso

log = logging.getLogger(__name__)

THREAD_NAME = 100  # characters of a thread's name (Discord's limit)
THREAD_SUMMARY = 300  # characters of a story's summary in its development's thread

# What the log says of a row sent, by its action.
DONE = {
    "post": "posted",
    "edit": "updated",
    "notice": "sent",
    "ping": "pinged for",
    "timeline": "updated",
    "digest": "posted",
    "coverage": "added to the thread of",
}


@dataclass(frozen=True)
class DrainReport:
    sent: int = 0
    failed: int = 0
    stopped: str = ""  # why draining stopped early, if it did


async def drain(
    store: Store,
    deliverer: Deliverer,
    config: Config,
    clock: Callable[[], datetime],
    *,
    pacer: Pacer | None = None,
    jitter: Callable[[], float] = random.random,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DrainReport:
    """Deliver due posts and edits, oldest development first, paced under Discord's limits.

    A failure Discord will not change its mind about (400, a deleted message) kills that
    row only, and so does a row that cannot be rendered. Any other failure reschedules the
    row with backoff and stops this drain: Discord is down or refusing us, and hammering it
    gets the IP banned. Rejected credentials halt delivery until they change, `retry` is
    run, or an hourly probe passes. `should_stop` is asked between rows, never mid-send.
    The caller holds the delivery lock: no other process drains meanwhile.
    """
    if (halted := _still_halted(store, deliverer, clock())) is not None:
        return DrainReport(stopped=halted)
    probing = store.halted() is not None
    rows = store.pending(clock())
    sent = failed = 0
    for done, row in enumerate(rows):
        if should_stop is not None and should_stop():
            return DrainReport(sent=sent, failed=failed, stopped="stopping")
        if progress is not None:
            progress(done, len(rows))
        if row.action in ("edit", "ping") and row.development is not None and row.development.muted:
            store.mark_skipped(row.id, "its development is muted (/mute)", clock())
            continue
        if row.action == "edit" and not editable(row.message_id, deliverer):
            why = "its post was never sent" if not row.message_id else "its post went to the console"
            store.mark_skipped(row.id, why, clock())
            continue
        if row.action == "digest" and (empty := _digest_skips(store, row, config)):
            store.mark_skipped(row.id, empty, clock())
            continue
        if row.action in ("ping", "coverage") and (wait := _after_post(store, row)) is not None:
            if not wait:
                continue  # its post goes first
            store.mark_skipped(row.id, wait, clock())
            continue
        try:
            messages = _render(row, config, store, clock())
        except Exception as exc:  # one story that cannot be rendered must not stop the others
            log.error("%s: cannot be rendered (%s: %s); dead", _label(row), type(exc).__name__, exc)
            log.debug("render failure", exc_info=True)
            store.mark_failed(row.id, f"cannot be rendered: {type(exc).__name__}: {exc}"[:500], None, clock())
            failed += 1
            continue
        if pacer is not None:
            await pacer.wait()
        if not store.claim(row.id, clock()):
            continue  # sent or changed by another process since the list was read
        try:
            sending = _send(deliverer, row, messages, store, pacer)
            message_id = await asyncio.wait_for(sending, SEND_TIMEOUT * len(messages))
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            failed += 1
            stop = _failed(store, deliverer, row, exc, clock(), jitter(), _in_thread(store, deliverer, row))
            if stop:
                return DrainReport(sent=sent, failed=failed, stopped=stop)
            continue
        store.mark_sent(row.id, message_id, clock(), pinged=bool(messages[0].mention))
        if probing:
            log.info("Discord accepts us again: delivery resumes")
            store.resume()
            probing = False
        sent += 1
        log.info("%s %s", DONE[row.action], _label(row))
    if progress is not None:
        progress(len(rows), len(rows))
    return DrainReport(sent=sent, failed=failed)


def _render(row: OutboxRow, config: Config, store: Store, now: datetime) -> list[Message]:
    """The row's message (the story so far: its parts); a post of news of a kind
    `discord.ping` lists names the role."""
    if row.action == "timeline":
        return timeline.render(store.recent_developments(timeline.LISTED), now)
    if row.action == "digest":
        assert config.discord.digest is not None  # `_digest_skips` said so
        start, end = _period(row, config.discord.digest)
        rows = store.recent_developments(timeline.LISTED, start, end)
        return [timeline.render_digest(rows, start, end, config.discord.digest.timezone)]
    return [_one(row, config, now)]


def _period(row: OutboxRow, digest: Digest) -> tuple[datetime, datetime]:
    end = from_iso(row.notice)
    return periods.start_of(end, digest), end


def _digest_skips(store: Store, row: OutboxRow, config: Config) -> str:
    """Why a period's digest is not posted ('' when it is): digests turned off since it
    was queued, or nothing happened in the period (an empty digest is noise)."""
    if config.discord.digest is None:
        return "discord.digest is no longer set"
    start, end = _period(row, config.discord.digest)
    return "" if store.recent_developments(1, start, end) else "no developments in the period"


def _one(row: OutboxRow, config: Config, now: datetime) -> Message:
    development, ping = row.development, config.discord.ping
    if development is None:
        return render_notice(row.notice, now)
    if row.action == "coverage":
        story = next(s for s in (development.lead, *development.coverage) if s.id == row.story_id)
        return render_story(story, max_chars=THREAD_SUMMARY)
    if row.action == "ping":
        assert ping is not None and ping.surge is not None  # queued only then
        surge, language = ping.surge, config.discord.language
        return render_ping(development, ping.role, surge.outlets, escalate.span(surge.within), language)
    message = render_development(
        development,
        max_chars=config.summaries.max_chars,
        language=config.discord.language,
        thumbnails=config.discord.thumbnails,
    )
    if row.action == "post" and config.discord.threads:  # a forum webhook opens the thread with it
        message = replace(message, thread_name=_thread_name(message.title.replace("\\", "")))
    if row.action == "post" and row.may_ping and ping is not None and escalate.pings(ping, development.kind):
        return replace(message, content=f"<@&{ping.role}>", mention=ping.role)
    return message


def _thread_name(headline: str) -> str:
    """A development's thread is named after its headline, within Discord's limit."""
    return clip(headline, THREAD_NAME) or "News"


async def _thread(store: Store, deliverer: Deliverer, row: OutboxRow) -> str:
    """The thread of the row's development's post: known, or started now (bot mode)."""
    assert row.development is not None
    post = store.post_message(row.development.id)
    assert post is not None and post.message_id is not None  # `_after_post` said it was sent
    if post.thread_id:
        return post.thread_id
    thread = await deliverer.start_thread(post.message_id, _thread_name(row.development.lead.title))
    store.set_thread(row.development.id, thread)
    return thread


def _after_post(store: Store, row: OutboxRow) -> str | None:
    """Why a surge's ping or a story for the post's thread is not sent: '' while the post
    waits to go first, the reason when it never will be (no post; a ping whose post pinged
    already); None: send it."""
    assert row.development is not None
    post = store.post_message(row.development.id)
    if post is not None and post.state in (OutboxState.PENDING, OutboxState.SENDING):
        return ""
    if post is None or post.state is not OutboxState.SENT:
        return "its development was never posted"
    return "its post pinged already" if row.action == "ping" and post.pinged else None


def _label(row: OutboxRow) -> str:
    """How a row is named in logs."""
    if row.action == "timeline":
        return "the story so far"
    if row.action == "digest":
        return f"digest of the period ending {row.notice}"
    if row.development is None:
        return f"notice {row.notice[:80]!r}"
    return f"{row.action} of development {row.development.id} {row.development.lead.title[:80]!r}"


async def _send(
    deliverer: Deliverer, row: OutboxRow, messages: list[Message], store: Store, pacer: Pacer | None
) -> str:
    """Post (a development, a notice, a ping), or edit the post's message, or bring the story
    so far up to date; the message id (the first part's)."""
    message = messages[0]
    if row.action == "timeline":
        return await timeline.deliver(store, deliverer, messages, _nonce(row), pacer)
    if row.action == "coverage":
        return await deliverer.post(
            replace(message, thread=await _thread(store, deliverer, row)), _nonce(row)
        )
    if row.action == "post" and deliverer.mode != "webhook":
        message = replace(message, thread_name="")  # only a forum webhook opens a thread with its post
    if row.action != "edit":
        message_id = await deliverer.post(message, _nonce(row))
        if message.thread_name:
            assert row.development is not None
            store.set_thread(row.development.id, message_id)  # a forum post is its own thread
        return message_id
    assert row.message_id is not None and row.development is not None
    post = store.post_message(row.development.id)
    if deliverer.mode == "webhook" and post is not None and post.thread_id:
        message = replace(message, thread=post.thread_id)  # a forum post is edited in its thread
    await deliverer.edit(row.message_id, message)
    return row.message_id


def _still_halted(store: Store, deliverer: Deliverer, now: datetime) -> str | None:
    """Why delivery stays halted, or None when it may go on (new credentials, probe due)."""
    halt = store.halted()
    if halt is None:
        return None
    if halt.fingerprint != deliverer.fingerprint:
        log.info("Discord credentials changed since delivery halted: resuming")
        store.resume()
        return None
    if now - halt.since < HALT_PROBE:
        return f"delivery halted since {halt.since:%Y-%m-%d %H:%M} UTC: {halt.reason}"
    log.info("delivery halted for an hour: one probe to see whether Discord accepts us again")
    return None


def _nonce(row: OutboxRow) -> str:
    """Stable per outbox row, at most 25 characters as Discord requires."""
    return f"fub-{row.id}"[:25]


def _in_thread(store: Store, deliverer: Deliverer, row: OutboxRow) -> bool:
    """Whether the row went into its development's thread (or opened it), not the channel."""
    if row.action == "coverage":
        return True
    if row.action != "edit" or row.development is None or deliverer.mode != "webhook":
        return False
    post = store.post_message(row.development.id)  # a forum post is edited in its thread
    return post is not None and bool(post.thread_id)


def _failed(
    store: Store,
    deliverer: Deliverer,
    row: OutboxRow,
    exc: BaseException,
    now: datetime,
    jitter: float,
    in_thread: bool = False,
) -> str:
    """Record a failed send as `judge` decides; return why draining must stop, or ''."""
    failure = judge(exc, row.attempts + 1, now, jitter, in_thread)
    error, label = str(failure.error), _label(row)
    if failure.forget_thread and row.development is not None:
        store.set_thread(row.development.id, "")
    if failure.forget_thread and failure.retry_at is not None:
        log.warning("%s: %s; the thread is forgotten and a new one opened at the next try", label, error)
    elif failure.halt:
        store.halt(error, deliverer.fingerprint, now)
        log.error("%s: %s; delivery halted, stories kept", label, error)
    elif failure.retry_at is None:
        log.error("%s: %s (dead: `%s retry` re-queues it)", label, error, logs.command())
    else:
        log.warning("%s: %s; retry after %s UTC", label, error, f"{failure.retry_at:%H:%M:%S}")
    store.mark_failed(row.id, error, failure.retry_at, now)
    return error if failure.stop else ""
