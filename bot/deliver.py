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
from bot.render import render_console, render_story
from bot.store import OutboxRow, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then the row is 'dead' and waits for `retry`
SEND_TIMEOUT = 120.0  # discord.py retries 429s and 5xx itself; this bounds all of it


class Deliverer(Protocol):
    """Where messages go."""

    mode: str

    async def post(self, message: Message, nonce: str) -> str | None:
        """Post a message; return Discord's message id (None in console mode)."""
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

    async def post(self, message: Message, nonce: str) -> str | None:
        print(render_console(message), file=self._stream, flush=True)
        print(file=self._stream, flush=True)
        return None

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

    async def post(self, message: Message, nonce: str) -> str | None:
        sent = await self._webhook.send(
            embed=to_embed(message),
            wait=True,
            allowed_mentions=discord.AllowedMentions.none(),
            username=self._username or discord.utils.MISSING,
            avatar_url=self._avatar_url or discord.utils.MISSING,
        )
        return str(sent.id)

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

    async def post(self, message: Message, nonce: str) -> str | None:
        if not self._logged_in:
            await self._client.login(self._token)
            self._logged_in = True
        sent = await self._channel.send(
            embed=to_embed(message), nonce=nonce, allowed_mentions=discord.AllowedMentions.none()
        )
        return str(sent.id)

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
    rejected = isinstance(exc, discord.HTTPException) and exc.status in (401, 403, 404)
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
    store: Store,
    deliverer: Deliverer,
    config: Config,
    clock: Callable[[], datetime],
) -> DrainReport:
    """Deliver pending outbox rows oldest story first; stop at the first failure."""
    sent = 0
    for row in store.pending():
        message = render_story(row.story, max_chars=config.summaries.max_chars)
        store.mark_sending(row.id, clock())
        try:
            message_id = await asyncio.wait_for(deliverer.post(message, _nonce(row)), SEND_TIMEOUT)
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = classify(exc)
            permanent = isinstance(exc, discord.HTTPException) and exc.status == 400
            dead = permanent or row.attempts + 1 >= MAX_ATTEMPTS
            store.mark_failed(row.id, str(error), dead, clock())
            log.error("story %d: %s%s", row.story.id, error, " (dead)" if dead else "")
            if isinstance(error, WebhookInvalid) or not permanent:
                return DrainReport(sent=sent, failed=1, stopped=str(error))
            continue
        store.mark_sent(row.id, message_id, clock())
        sent += 1
        log.info("posted story %d %r", row.story.id, row.story.title[:80])
    return DrainReport(sent=sent)


def _nonce(row: OutboxRow) -> str:
    """Stable per outbox row, at most 25 characters as Discord requires."""
    return f"fub-{row.id}"[:25]
