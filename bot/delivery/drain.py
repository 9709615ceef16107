"""Draining the outbox: for each due row, `gate` decides (send, wait, skip), the action's
handler renders and sends it, and `failures.judge` decides what a failure means; this
module writes those decisions. It imports neither discord.py nor aiohttp: transports map
their failures to `DeliveryFailure` and say what they can do. The caller holds the
delivery lock."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot import logs
from bot.config import Config, Digest
from bot.delivery import timeline
from bot.delivery.failures import HALT_PROBE, SEND_TIMEOUT, judge
from bot.delivery.gate import Facts, Go, gate, in_thread
from bot.delivery.pacing import Pacer
from bot.delivery.render import clip, render_development, render_notice, render_ping, render_story
from bot.delivery.transports import Deliverer
from bot.errors import DeliveryFailure
from bot.judge import escalate, periods
from bot.models import Message
from bot.store import OutboxAction, OutboxRow, PostState, Store, from_iso

log = logging.getLogger(__name__)

THREAD_NAME = 100  # characters of a thread's name (Discord's limit)
THREAD_SUMMARY = 300  # characters of a story's summary in its development's thread


@dataclass(frozen=True)
class DrainReport:
    sent: int = 0
    failed: int = 0
    stopped: str = ""  # why draining stopped early, if it did


@dataclass(frozen=True)
class Context:
    """What one drain works with."""

    store: Store
    deliverer: Deliverer
    config: Config
    clock: Callable[[], datetime]
    pacer: Pacer | None


@dataclass(frozen=True)
class Handler:
    """How one action is delivered: what the log says once it is sent, how its row becomes
    messages (pure but for reads), and how they are sent (the message id of the first)."""

    done: str
    render: Callable[[Context, OutboxRow], list[Message]]
    send: Callable[[Context, OutboxRow, list[Message]], Awaitable[str]]


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
    """Deliver due rows, notices first then oldest development first, paced under Discord's
    limits.

    A failure Discord will not change its mind about (400, a deleted message) kills that
    row only, and so does a row that cannot be rendered. Any other failure reschedules the
    row with backoff and stops this drain: Discord is down or refusing us, and hammering it
    gets the IP banned. Rejected credentials halt delivery until they change, `retry` is
    run, or an hourly probe passes. `should_stop` is asked between rows, never mid-send.
    """
    if (halted := _still_halted(store, deliverer, clock())) is not None:
        return DrainReport(stopped=halted)
    context = Context(store, deliverer, config, clock, pacer)
    probing = store.halted() is not None
    rows = store.pending(clock())
    sent = failed = 0
    for done, row in enumerate(rows):
        if should_stop is not None and should_stop():
            return DrainReport(sent=sent, failed=failed, stopped="stopping")
        if progress is not None:
            progress(done, len(rows))
        post = _post(store, row)
        decision = gate(row, _facts(context, row, post), deliverer.capabilities)
        if decision.go is Go.SKIP:
            store.mark_skipped(row.id, decision.why, clock())
        if decision.go is not Go.SEND:
            continue
        handler = HANDLERS[row.action]
        try:
            messages = handler.render(context, row)
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
            message_id = await asyncio.wait_for(
                handler.send(context, row, messages), SEND_TIMEOUT * len(messages)
            )
        except (DeliveryFailure, TimeoutError) as exc:
            failed += 1
            failure = (
                exc
                if isinstance(exc, DeliveryFailure)
                else DeliveryFailure(f"no answer within {SEND_TIMEOUT:g}s")
            )
            thread = in_thread(row, post, deliverer.capabilities)
            if stop := _failed(store, deliverer, row, failure, clock(), jitter(), thread):
                return DrainReport(sent=sent, failed=failed, stopped=stop)
            continue
        store.mark_sent(row.id, message_id, clock(), pinged=bool(messages[0].mention))
        if probing:
            log.info("Discord accepts us again: delivery resumes")
            store.resume()
            probing = False
        sent += 1
        log.info("%s %s", handler.done, _label(row))
    if progress is not None:
        progress(len(rows), len(rows))
    return DrainReport(sent=sent, failed=failed)


def _post(store: Store, row: OutboxRow) -> PostState | None:
    """The row's development's post, where the gate or the send needs it."""
    wanted = row.action in (OutboxAction.EDIT, OutboxAction.PING, OutboxAction.COVERAGE)
    return store.post_message(row.development.id) if wanted and row.development is not None else None


def _facts(context: Context, row: OutboxRow, post: PostState | None) -> Facts:
    digest = context.config.discord.digest
    if row.action is not OutboxAction.DIGEST or digest is None:
        return Facts(post=post, digests_on=digest is not None)
    start, end = _period(row, digest)
    return Facts(post=post, period_has_news=bool(context.store.recent_developments(1, start, end)))


def _period(row: OutboxRow, digest: Digest) -> tuple[datetime, datetime]:
    end = from_iso(row.notice)
    return periods.start_of(end, digest), end


# Rendering, one function per kind of message ------------------------------------------


def _development(context: Context, row: OutboxRow) -> Message:
    assert row.development is not None
    config = context.config
    return render_development(
        row.development,
        max_chars=config.summaries.max_chars,
        language=config.discord.language,
        thumbnails=config.discord.thumbnails,
    )


def _render_post(context: Context, row: OutboxRow) -> list[Message]:
    """A development's post: in a forum, it opens the thread; news of a kind `discord.ping`
    lists names the role."""
    assert row.development is not None
    message, ping = _development(context, row), context.config.discord.ping
    if context.config.discord.threads and context.deliverer.capabilities.forum_posts:
        message = replace(message, thread_name=_thread_name(message.title.replace("\\", "")))
    if row.may_ping and ping is not None and escalate.pings(ping, row.development.kind):
        message = replace(message, content=f"<@&{ping.role}>", mention=ping.role)
    return [message]


def _render_ping(context: Context, row: OutboxRow) -> list[Message]:
    ping, language = context.config.discord.ping, context.config.discord.language
    assert row.development is not None and ping is not None and ping.surge is not None  # queued only then
    surge = ping.surge
    return [render_ping(row.development, ping.role, surge.outlets, escalate.span(surge.within), language)]


def _render_coverage(context: Context, row: OutboxRow) -> list[Message]:
    assert row.development is not None
    development = row.development
    story = next(s for s in (development.lead, *development.coverage) if s.id == row.story_id)
    return [render_story(story, max_chars=THREAD_SUMMARY)]


def _render_timeline(context: Context, row: OutboxRow) -> list[Message]:
    return timeline.render(context.store.recent_developments(timeline.LISTED), context.clock())


def _render_digest(context: Context, row: OutboxRow) -> list[Message]:
    digest = context.config.discord.digest
    assert digest is not None  # the gate said so
    start, end = _period(row, digest)
    rows = context.store.recent_developments(timeline.LISTED, start, end)
    return [timeline.render_digest(rows, start, end, digest.timezone)]


def _thread_name(headline: str) -> str:
    """A development's thread is named after its headline, within Discord's limit."""
    return clip(headline, THREAD_NAME) or "News"


# Sending, one function per way a message goes -------------------------------------------


async def _send_new(context: Context, row: OutboxRow, messages: list[Message]) -> str:
    """A new message in the channel; a forum post is its own thread."""
    [message] = messages
    message_id = await context.deliverer.post(message, _nonce(row))
    if message.thread_name and row.development is not None:
        context.store.set_thread(row.development.id, message_id)
    return message_id


async def _send_edit(context: Context, row: OutboxRow, messages: list[Message]) -> str:
    """The post's message edited; a forum post through its thread."""
    [message] = messages
    assert row.message_id is not None and row.development is not None  # the gate said so
    post = context.store.post_message(row.development.id)
    if context.deliverer.capabilities.thread_edits and post is not None and post.thread_id:
        message = replace(message, thread=post.thread_id)
    await context.deliverer.edit(row.message_id, message)
    return row.message_id


async def _send_coverage(context: Context, row: OutboxRow, messages: list[Message]) -> str:
    [message] = messages
    return await context.deliverer.post(replace(message, thread=await _thread(context, row)), _nonce(row))


async def _send_timeline(context: Context, row: OutboxRow, messages: list[Message]) -> str:
    return await timeline.deliver(context.store, context.deliverer, messages, _nonce(row), context.pacer)


HANDLERS: dict[OutboxAction, Handler] = {
    OutboxAction.POST: Handler("posted", _render_post, _send_new),
    OutboxAction.EDIT: Handler("updated", lambda context, row: [_development(context, row)], _send_edit),
    OutboxAction.NOTICE: Handler(
        "sent", lambda context, row: [render_notice(row.notice, context.clock())], _send_new
    ),
    OutboxAction.PING: Handler("pinged for", _render_ping, _send_new),
    OutboxAction.TIMELINE: Handler("updated", _render_timeline, _send_timeline),
    OutboxAction.DIGEST: Handler("posted", _render_digest, _send_new),
    OutboxAction.COVERAGE: Handler("added to the thread of", _render_coverage, _send_coverage),
}


async def _thread(context: Context, row: OutboxRow) -> str:
    """The thread of the row's development's post: known, or started now (bot mode)."""
    assert row.development is not None
    post = context.store.post_message(row.development.id)
    assert post is not None and post.message_id is not None  # the gate said it was sent
    if post.thread_id:
        return post.thread_id
    thread = await context.deliverer.start_thread(post.message_id, _thread_name(row.development.lead.title))
    context.store.set_thread(row.development.id, thread)
    return thread


def _label(row: OutboxRow) -> str:
    """How a row is named in logs."""
    if row.action is OutboxAction.TIMELINE:
        return "the story so far"
    if row.action is OutboxAction.DIGEST:
        return f"digest of the period ending {row.notice}"
    if row.development is None:
        return f"notice {row.notice[:80]!r}"
    return f"{row.action} of development {row.development.id} {row.development.lead.title[:80]!r}"


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


def _failed(
    store: Store,
    deliverer: Deliverer,
    row: OutboxRow,
    failure: DeliveryFailure,
    now: datetime,
    jitter: float,
    in_thread: bool = False,
) -> str:
    """Record a failed send as `judge` decides; return why draining must stop, or ''."""
    decided = judge(failure, row.attempts + 1, now, jitter, in_thread)
    error, label = str(decided.error), _label(row)
    if decided.forget_thread and row.development is not None:
        store.set_thread(row.development.id, "")
    if decided.forget_thread and decided.retry_at is not None:
        log.warning("%s: %s; the thread is forgotten and a new one opened at the next try", label, error)
    elif decided.halt:
        store.halt(error, deliverer.fingerprint, now)
        log.error("%s: %s; delivery halted, stories kept", label, error)
    elif decided.retry_at is None:
        log.error("%s: %s (dead: `%s retry` re-queues it)", label, error, logs.command())
    else:
        log.warning("%s: %s; retry after %s UTC", label, error, f"{decided.retry_at:%H:%M:%S}")
    store.mark_failed(row.id, error, decided.retry_at, now)
    return error if decided.stop else ""
