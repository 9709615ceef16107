"""Send rendered messages to Discord through discord.py (webhook or bot), or print them
(console mode), and drain the outbox: mark sending, send, mark sent with the message id.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TextIO

import aiohttp
import discord
import discord.http

from bot.config import Config, Env
from bot.errors import DeliveryError, WebhookInvalid
from bot.models import Message
from bot.render import render_console, render_development
from bot.store import OutboxRow, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then the row is 'dead' and waits for `retry`
SEND_TIMEOUT = 120.0  # discord.py retries 429s and 5xx itself; this bounds all of it
UNKNOWN_MESSAGE = 10008  # Discord's error code for a message that no longer exists


class Deliverer(Protocol):
    """Where messages go."""

    mode: str

    async def post(self, message: Message, nonce: str) -> str:
        """Post a message; return its id (Discord's, or a stand-in in console mode)."""
        ...

    async def edit(self, message_id: str, message: Message) -> None:
        """Replace a posted message's content with `message`."""
        ...

    async def close(self) -> None: ...


def set_api_base(base: str) -> None:
    """Send every Discord REST call to `base` (DISCORD_API_BASE), before any request."""
    if base:
        discord.http.Route.BASE = base.rstrip("/")


def to_embed(message: Message) -> discord.Embed:
    embed = discord.Embed(
        title=message.title,
        url=message.url or None,
        description=message.description or None,
        timestamp=message.timestamp,
    )
    if message.author:
        embed.set_author(name=message.author)
    if message.footer:
        embed.set_footer(text=message.footer)
    for field in message.fields:
        embed.add_field(name=field.name, value=field.value, inline=False)
    return embed


class ConsoleDeliverer:
    """No credentials: print each message as it would be posted."""

    mode = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout

    async def post(self, message: Message, nonce: str) -> str:
        print(render_console(message), file=self._stream, flush=True)
        print(file=self._stream, flush=True)
        return f"console:{nonce}"

    async def edit(self, message_id: str, message: Message) -> None:
        print(render_console(message, edit_of=message_id), file=self._stream, flush=True)
        print(file=self._stream, flush=True)

    async def close(self) -> None:
        return None


class WebhookDeliverer:
    """DISCORD_WEBHOOK_URL: `Webhook.from_url` over our own aiohttp session, `wait=True`."""

    mode = "webhook"

    def __init__(self, url: str, username: str = "", avatar_url: str = "") -> None:
        self._session = aiohttp.ClientSession()
        self._webhook = discord.Webhook.from_url(url, session=self._session)
        self._username = username
        self._avatar_url = avatar_url

    async def post(self, message: Message, nonce: str) -> str:
        sent = await self._webhook.send(
            embed=to_embed(message),
            wait=True,
            allowed_mentions=discord.AllowedMentions.none(),
            username=self._username or discord.utils.MISSING,
            avatar_url=self._avatar_url or discord.utils.MISSING,
        )
        return str(sent.id)

    async def edit(self, message_id: str, message: Message) -> None:
        await self._webhook.edit_message(
            int(message_id), embed=to_embed(message), allowed_mentions=discord.AllowedMentions.none()
        )

    async def close(self) -> None:
        await self._session.close()


class BotDeliverer:
    """DISCORD_TOKEN + DISCORD_CHANNEL_ID: REST-only bot login; a stable nonce per outbox row
    makes a retried create idempotent."""

    mode = "bot"

    def __init__(self, token: str, channel_id: int) -> None:
        self._token = token
        self._client = discord.Client(intents=discord.Intents.none())
        self._channel = self._client.get_partial_messageable(channel_id)
        self._logged_in = False

    async def _login(self) -> None:
        if not self._logged_in:
            await self._client.login(self._token)
            self._logged_in = True

    async def post(self, message: Message, nonce: str) -> str:
        await self._login()
        sent = await self._channel.send(
            embed=to_embed(message), nonce=nonce, allowed_mentions=discord.AllowedMentions.none()
        )
        return str(sent.id)

    async def edit(self, message_id: str, message: Message) -> None:
        await self._login()
        await self._channel.get_partial_message(int(message_id)).edit(
            embed=to_embed(message), allowed_mentions=discord.AllowedMentions.none()
        )

    async def close(self) -> None:
        await self._client.close()


def make_deliverer(env: Env, config: Config) -> Deliverer:
    """The deliverer the environment asks for; call inside a running event loop."""
    set_api_base(env.api_base)
    if env.mode == "webhook":
        return WebhookDeliverer(env.webhook_url, config.discord.username, config.discord.avatar_url)
    if env.mode == "bot":
        return BotDeliverer(env.token, env.channel_id)
    return ConsoleDeliverer()


@dataclass(frozen=True)
class DrainReport:
    sent: int = 0
    failed: int = 0
    stopped: str = ""  # why draining stopped early, if it did


def classify(exc: BaseException) -> DeliveryError:
    """Map discord.py/aiohttp failures to our errors; WebhookInvalid stops all delivery."""
    rejected = (
        isinstance(exc, discord.HTTPException)
        and exc.status in (401, 403, 404)
        and exc.code != UNKNOWN_MESSAGE
    )
    if rejected or isinstance(exc, discord.LoginFailure):
        return WebhookInvalid(
            f"Discord rejected the credentials or channel ({_describe(exc)}): check"
            " DISCORD_WEBHOOK_URL or DISCORD_TOKEN/DISCORD_CHANNEL_ID"
        )
    return DeliveryError(f"Discord delivery failed: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return (
            f"HTTP {exc.status}"
            + (f" code {exc.code}" if exc.code else "")
            + (f": {exc.text}" if exc.text else "")
        )
    if isinstance(exc, TimeoutError):
        return f"no answer within {SEND_TIMEOUT:g}s"
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


async def drain(
    store: Store, deliverer: Deliverer, config: Config, clock: Callable[[], datetime]
) -> DrainReport:
    """Deliver pending posts and edits, oldest development first; stop at the first failure
    that says Discord is unreachable or refuses us."""
    sent = failed = 0
    for row in store.pending():
        if row.action == "edit" and not row.message_id:
            store.mark_skipped(row.id, "its post was never sent", clock())
            continue
        message = render_development(row.development, max_chars=config.summaries.max_chars)
        store.mark_sending(row.id, clock())
        try:
            if row.action == "post":
                message_id = await asyncio.wait_for(deliverer.post(message, _nonce(row)), SEND_TIMEOUT)
            else:
                assert row.message_id is not None
                await asyncio.wait_for(deliverer.edit(row.message_id, message), SEND_TIMEOUT)
                message_id = row.message_id
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = classify(exc)
            permanent = _permanent(exc)
            dead = permanent or row.attempts + 1 >= MAX_ATTEMPTS
            store.mark_failed(row.id, str(error), dead, clock())
            log.error(
                "development %d %s: %s%s", row.development.id, row.action, error, " (dead)" if dead else ""
            )
            failed += 1
            if not permanent:
                return DrainReport(sent=sent, failed=failed, stopped=str(error))
            continue
        store.mark_sent(row.id, message_id, clock())
        sent += 1
        log.info(
            "%s development %d %r",
            "posted" if row.action == "post" else "updated",
            row.development.id,
            row.development.lead.title[:80],
        )
    return DrainReport(sent=sent, failed=failed)


def _permanent(exc: BaseException) -> bool:
    """Failures that retrying cannot fix, for this row only: a payload Discord refuses (400),
    or an edit of a message someone deleted (10008)."""
    if not isinstance(exc, discord.HTTPException):
        return False
    return exc.status == 400 or exc.code == UNKNOWN_MESSAGE


def _nonce(row: OutboxRow) -> str:
    """Stable per outbox row, at most 25 characters as Discord requires."""
    return f"fub-{row.id}"[:25]
