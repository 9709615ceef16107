"""Developments listed: the story so far (`discord.timeline`), every development newest
first with its date, kind, headline link and how many outlets covered it, in as many
messages as Discord's limits need, posted once and edited after, pinned in bot mode; and a
period's digest (`discord.digest`) in one message.

`render` and `render_digest` are pure; `deliver` posts or edits each part of the story so
far and records the new ones' message ids.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.delivery.failures import UNKNOWN_MESSAGE
from bot.delivery.pacing import Pacer
from bot.delivery.render import DESCRIPTION_MAX, clip, defuse, fit
from bot.delivery.transports import Deliverer, editable
from bot.errors import DeliveryFailure
from bot.intake.urls import safe_url
from bot.models import Message
from bot.store import DevelopmentSummary, Store
from bot.text import squash

log = logging.getLogger(__name__)

TITLE = "The story so far"
MAX_PARTS = 5  # messages at most; older developments are counted, not listed
LISTED = 400  # developments read for it: more than MAX_PARTS messages can hold


def line(row: DevelopmentSummary) -> str:
    """One development: `2026-05-18` verdict · [headline](<link>) · 12 outlets."""
    headline = fit(defuse(squash(row.title)), 150, clip) or "(untitled)"
    url = safe_url(row.url).replace("(", "%28").replace(")", "%29")
    link = f"[{headline}](<{url}>)" if url else headline
    outlets = len(row.outlets) or 1
    count = f"{outlets} outlet{'s' * (outlets > 1)}"
    return f"`{row.first_published:%Y-%m-%d}` {row.kind or 'news'} · {link} · {count}"


def render(rows: Sequence[DevelopmentSummary], now: datetime) -> list[Message]:
    """The timeline's messages: `rows` newest first, each message's text within Discord's
    description limit, at most MAX_PARTS of them; a last line counts what did not fit."""
    return _listing(rows, TITLE, now, MAX_PARTS)


def render_digest(rows: Sequence[DevelopmentSummary], start: datetime, end: datetime, zone: str) -> Message:
    """A period's digest: its developments, newest first, in one message."""
    local = ZoneInfo(zone)
    span = f"{start.astimezone(local):%Y-%m-%d %H:%M} to {end.astimezone(local):%Y-%m-%d %H:%M} {zone}"
    [message] = _listing(rows, f"Developments from {span}", end, 1)
    return message


def _listing(rows: Sequence[DevelopmentSummary], title: str, now: datetime, most: int) -> list[Message]:
    parts: list[list[str]] = [[]]
    for n, row in enumerate(rows):
        text = line(row)
        if len("\n".join([*parts[-1], text])) > DESCRIPTION_MAX - 80:  # room for the count line
            if len(parts) == most:
                parts[-1].append(f"+{len(rows) - n} earlier developments")
                break
            parts.append([])
        parts[-1].append(text)
    if not rows:
        parts = [["No developments yet."]]
    total = len(parts)
    return [
        Message(
            title=title if total == 1 else f"{title} ({k}/{total})",
            url="",
            description="\n".join(part),
            author="",
            timestamp=now,
        )
        for k, part in enumerate(parts, start=1)
    ]


async def deliver(
    store: Store, deliverer: Deliverer, messages: Sequence[Message], nonce: str, pacer: Pacer | None
) -> str:
    """Edit each part's message, or post it (and pin it) the first time; the first part's
    message id. A part posted is recorded at once, so a retry edits it instead."""
    known = store.timeline_messages()
    first = ""
    for part, message in enumerate(messages):
        if pacer is not None and part:
            await pacer.wait()
        message_id = known.get(part, "")
        if not await _edited(deliverer, message_id, message, part):
            # A new part, or one a moderator deleted: post it (a fresh nonce) and pin it.
            message_id = await deliverer.post(message, f"{nonce}-{part}{'r' * bool(message_id)}")
            store.set_timeline_message(part, message_id)
            await _pin(deliverer, message_id)
        first = first or message_id
    return first


async def _edited(deliverer: Deliverer, message_id: str, message: Message, part: int) -> bool:
    """Edit the part's message; False when there is none to edit (never posted, or deleted)."""
    if not editable(message_id, deliverer.capabilities):
        return False
    try:
        await deliverer.edit(message_id, message)
    except DeliveryFailure as exc:
        if exc.code != UNKNOWN_MESSAGE:
            raise
        log.warning("the story so far (part %d) was deleted in Discord: posted and pinned again", part + 1)
        return False
    return True


async def _pin(deliverer: Deliverer, message_id: str) -> None:
    """Pin a new part where the channel allows it; a refusal costs the pin, not the timeline."""
    try:
        await deliverer.pin(message_id)
    except DeliveryFailure as exc:
        log.warning("the story so far could not be pinned (%s); give the bot Manage Messages", exc)
