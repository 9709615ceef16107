"""Send rendered messages to Discord through discord.py (webhook or bot), or print them
(console mode), and drain the outbox: mark sending, send, mark sent with the message id.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TextIO

import aiohttp
import discord
import discord.http
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.config import Config, Env
from bot.errors import DeliveryError, WebhookInvalid
from bot.models import Message
from bot.pacing import Pacer, retry_at
from bot.render import render_console, render_development, render_notice
from bot.store import OutboxRow, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then the row is 'dead' and waits for `retry`
HALT_PROBE = timedelta(hours=1)  # how long rejected credentials keep delivery halted
SEND_TIMEOUT = 120.0  # discord.py retries 429s and 5xx itself; this bounds all of it
UNKNOWN_MESSAGE = 10008  # Discord's error code for a message that no longer exists
MAX_ANSWER = 1024 * 1024  # bytes; Discord's answers are a few KB, and discord.py reads them whole


class CappedResponse(aiohttp.ClientResponse):
    """An aiohttp response whose body is read only up to MAX_ANSWER bytes: discord.py reads
    every answer whole, so a hostile endpoint (DISCORD_API_BASE) could exhaust memory."""

    async def read(self) -> bytes:
        if self._body is None:
            body = bytearray()
            try:
                async for chunk in self.content.iter_chunked(64 * 1024):
                    body.extend(chunk)
                    if len(body) > MAX_ANSWER:
                        raise aiohttp.ClientPayloadError(f"Discord's answer is over {MAX_ANSWER} bytes")
            except BaseException:
                self.close()
                raise
            self._body = bytes(body)  # aiohttp's read() then returns it as its own
        return await super().read()


def cap_answers(session: aiohttp.ClientSession) -> None:
    """Make a session that discord.py built itself read answers through CappedResponse."""
    # aiohttp takes response_class only at construction; discord.py constructs its own.
    session._response_class = CappedResponse


class Deliverer(Protocol):
    """Where messages go."""

    mode: str
    fingerprint: str  # identifies the credentials (never reveals them): a change lifts a halt

    async def post(self, message: Message, nonce: str) -> str:
        """Post a message; return its id (Discord's, or a stand-in in console mode)."""
        ...

    async def edit(self, message_id: str, message: Message) -> None:
        """Replace a posted message's content with `message`."""
        ...

    async def close(self) -> None: ...


def set_api_base(base: str, gateway: str = "") -> None:
    """Send every Discord REST call to `base` (DISCORD_API_BASE) and the gateway connection
    to `gateway` (DISCORD_GATEWAY_URL), before any request."""
    if base:
        discord.http.Route.BASE = base.rstrip("/")
    if gateway:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


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
    fingerprint = "console"

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
        self.fingerprint = fingerprint("webhook", url)
        self._session = aiohttp.ClientSession(response_class=CappedResponse)
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
    """DISCORD_TOKEN + DISCORD_CHANNEL_ID: a discord.py Client with no privileged intents.

    Posting needs only REST (a stable nonce per outbox row makes a retried create
    idempotent); `serve` also connects to the gateway so slash commands can be answered.
    """

    mode = "bot"

    def __init__(self, token: str, channel_id: int) -> None:
        self.fingerprint = fingerprint("bot", token, str(channel_id))
        self._token = token
        self._client = discord.Client(intents=discord.Intents.none())
        self.tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(self._client)
        self._channel = self._client.get_partial_messageable(channel_id)
        self._logged_in = False

    async def _login(self) -> None:
        if not self._logged_in:
            await self._client.login(self._token)
            cap_answers(self._client.http._HTTPClient__session)  # type: ignore[attr-defined]
            self._logged_in = True

    async def serve(self, install: Callable[[app_commands.CommandTree[discord.Client], int], None]) -> None:
        """Register and sync the slash commands, then stay on the gateway until `close`.
        `install` is told the server that owns the channel: commands are global on Discord,
        so only that server's members may be answered."""
        await self._login()
        channel = await self._client.http.get_channel(self._channel.id)
        install(self.tree, int(str(channel.get("guild_id") or 0)))
        await self.tree.sync()
        await self._client.connect(reconnect=True)

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


def fingerprint(*parts: str) -> str:
    """A short one-way digest of credentials: tells whether they changed, reveals nothing."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def make_deliverer(env: Env, config: Config) -> Deliverer:
    """The deliverer the environment asks for; call inside a running event loop."""
    set_api_base(env.api_base, env.gateway_url)
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
        if row.action == "edit" and not _editable(row.message_id, deliverer):
            why = "its post was never sent" if not row.message_id else "its post went to the console"
            store.mark_skipped(row.id, why, clock())
            continue
        try:
            message = _render(row, config, clock())
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
            message_id = await asyncio.wait_for(_send(deliverer, row, message), SEND_TIMEOUT)
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            failed += 1
            stop = _failed(store, deliverer, row, exc, clock(), jitter())
            if stop:
                return DrainReport(sent=sent, failed=failed, stopped=stop)
            continue
        store.mark_sent(row.id, message_id, clock())
        if probing:
            log.info("Discord accepts us again: delivery resumes")
            store.resume()
            probing = False
        sent += 1
        log.info("%s %s", {"post": "posted", "edit": "updated", "notice": "sent"}[row.action], _label(row))
    if progress is not None:
        progress(len(rows), len(rows))
    return DrainReport(sent=sent, failed=failed)


def _render(row: OutboxRow, config: Config, now: datetime) -> Message:
    if row.development is not None:
        return render_development(row.development, max_chars=config.summaries.max_chars)
    return render_notice(row.notice, now)


def _editable(message_id: str | None, deliverer: Deliverer) -> bool:
    """Whether `deliverer` can edit that message: console stand-ins ('console:…') exist only
    on a terminal, so a database moved from console mode to Discord cannot edit them."""
    if not message_id:
        return False
    return deliverer.mode == "console" or message_id.isdigit()


def _label(row: OutboxRow) -> str:
    """How a row is named in logs."""
    if row.development is None:
        return f"notice {row.notice[:80]!r}"
    return f"{row.action} of development {row.development.id} {row.development.lead.title[:80]!r}"


async def _send(deliverer: Deliverer, row: OutboxRow, message: Message) -> str:
    """Post, or edit the post's message; the message id either way."""
    if row.action in ("post", "notice"):
        return await deliverer.post(message, _nonce(row))
    assert row.message_id is not None
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


def _failed(
    store: Store, deliverer: Deliverer, row: OutboxRow, exc: BaseException, now: datetime, jitter: float
) -> str:
    """Record a failed send; return why draining must stop, or '' to go on with the next row."""
    error = classify(exc)
    label = _label(row)
    if isinstance(error, WebhookInvalid):
        store.halt(str(error), deliverer.fingerprint, now)
        store.mark_failed(row.id, str(error), now, now)
        log.error("%s: %s; delivery halted, stories kept", label, error)
        return str(error)
    if _permanent(exc):
        store.mark_failed(row.id, str(error), None, now)
        log.error("%s: %s (dead: `followup-bot retry` re-queues it)", label, error)
        return ""
    attempts = row.attempts + 1
    again = retry_at(attempts, now, jitter) if attempts < MAX_ATTEMPTS else None
    store.mark_failed(row.id, str(error), again, now)
    when = f"retry after {again:%H:%M:%S} UTC" if again else f"dead after {attempts} attempts"
    log.warning("%s: %s; %s", label, error, when)
    return str(error)


def _permanent(exc: BaseException) -> bool:
    """Failures that retrying cannot fix, for this row only: a payload Discord refuses (400),
    or an edit of a message someone deleted (10008)."""
    if not isinstance(exc, discord.HTTPException):
        return False
    return exc.status == 400 or exc.code == UNKNOWN_MESSAGE


def _nonce(row: OutboxRow) -> str:
    """Stable per outbox row, at most 25 characters as Discord requires."""
    return f"fub-{row.id}"[:25]
