"""Where messages go: the console, a Discord webhook or a bot, through discord.py. Each
transport decides nothing; it maps every failure discord.py and aiohttp raise to the
project's `DeliveryFailure` (status, Discord's code) at its edge, and says what it can do
(`Capabilities`, `gateway`) so that nothing needs to ask which transport it is.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TextIO, TypeVar

import aiohttp
import discord
import discord.http
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.config import Config, DiscordConfig, Env, Mode
from bot.delivery.render import render_console
from bot.errors import DeliveryFailure
from bot.models import Message

MAX_ANSWER = 1024 * 1024  # bytes; Discord's answers are a few KB, and discord.py reads them whole

Install = Callable[[app_commands.CommandTree[discord.Client], int], None]


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


P = ParamSpec("P")
R = TypeVar("R")


def mapped(send: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """A transport's call whose failures leave it as `DeliveryFailure`, never as discord.py's
    or aiohttp's own exceptions."""

    @functools.wraps(send)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await send(*args, **kwargs)
        except discord.LoginFailure as exc:
            raise DeliveryFailure(f"login refused: {exc}", status=401) from None
        except discord.HTTPException as exc:
            raise DeliveryFailure(describe(exc), status=exc.status, code=exc.code) from None
        except (discord.DiscordException, aiohttp.ClientError, OSError, ValueError) as exc:
            raise DeliveryFailure(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None

    return wrapper


def describe(exc: discord.HTTPException) -> str:
    """Discord's answer in one line: status, code and its text."""
    return (
        f"HTTP {exc.status}"
        + (f" code {exc.code}" if exc.code else "")
        + (f": {exc.text}" if exc.text else "")
    )


@dataclass(frozen=True)
class Capabilities:
    """What a transport can do, which is all the drain needs to know of it."""

    forum_posts: bool = False  # a post may open its forum thread (`thread_name`): webhooks
    thread_edits: bool = False  # a forum post is edited through its thread: webhooks
    discord_ids: bool = True  # its messages have Discord's ids (the console's are stand-ins)


class Deliverer(Protocol):
    """Where messages go."""

    mode: Mode  # how `status` names it: console, webhook or bot
    capabilities: Capabilities
    fingerprint: str  # identifies the credentials (never reveals them): a change lifts a halt

    async def post(self, message: Message, nonce: str) -> str:
        """Post a message; return its id (Discord's, or a stand-in in console mode)."""
        ...

    async def edit(self, message_id: str, message: Message) -> None:
        """Replace a posted message's content with `message`."""
        ...

    async def pin(self, message_id: str) -> None:
        """Pin a posted message in the channel (bot mode; nothing elsewhere)."""
        ...

    async def start_thread(self, message_id: str, name: str) -> str:
        """The thread of a posted message, started now if it has none (bot mode; a forum
        post is its own thread already); its id."""
        ...

    gateway: bool  # whether `serve` connects to the gateway and answers slash commands

    async def serve(self, install: Install) -> None:
        """Answer slash commands until `close` (only where `gateway` is true)."""
        ...

    def configure(self, discord: DiscordConfig) -> None:
        """Adopt feeds.yaml's `discord` section again (SIGHUP): a webhook's name and avatar."""
        ...

    async def close(self) -> None: ...


def set_api_base(base: str, gateway: str = "") -> None:
    """Send every Discord REST call to `base` (DISCORD_API_BASE) and the gateway connection
    to `gateway` (DISCORD_GATEWAY_URL), before any request."""
    if base:
        discord.http.Route.BASE = base.rstrip("/")
    if gateway:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


class RoleMention(discord.AllowedMentions):
    """Allowed mentions naming roles by snowflake strings, as Discord's published schema
    has them (discord.py writes the ids as numbers)."""

    def to_dict(self) -> discord.types.message.AllowedMentions:
        data = super().to_dict()
        if "roles" in data:
            data["roles"] = [str(role) for role in data["roles"]]
        return data


def allowed(message: Message) -> discord.AllowedMentions:
    """Nothing pings but the one role a message names (`discord.ping`): never @everyone,
    users or roles that feed text carries."""
    if not message.mention:
        return discord.AllowedMentions.none()
    roles = [discord.Object(id=message.mention)]
    return RoleMention(everyone=False, users=False, roles=roles, replied_user=False)


def embeds(message: Message) -> list[discord.Embed]:
    """The message's embed; none for a message of text alone (a ping)."""
    return [to_embed(message)] if message.title else []


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
    if message.thumbnail:
        embed.set_thumbnail(url=message.thumbnail)
    return embed


class ConsoleDeliverer:
    """No credentials: print each message as it would be posted."""

    mode: Mode = "console"
    capabilities = Capabilities(discord_ids=False)
    fingerprint = "console"
    gateway = False

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout

    async def post(self, message: Message, nonce: str) -> str:
        print(render_console(message), file=self._stream, flush=True)
        print(file=self._stream, flush=True)
        return f"console:{nonce}"

    async def edit(self, message_id: str, message: Message) -> None:
        print(render_console(message, edit_of=message_id), file=self._stream, flush=True)
        print(file=self._stream, flush=True)

    async def pin(self, message_id: str) -> None:
        return None

    async def start_thread(self, message_id: str, name: str) -> str:
        return message_id

    async def serve(self, install: Install) -> None:
        return None

    def configure(self, discord: DiscordConfig) -> None:
        return None

    async def close(self) -> None:
        return None


class WebhookDeliverer:
    """DISCORD_WEBHOOK_URL: `Webhook.from_url` over our own aiohttp session, `wait=True`."""

    mode: Mode = "webhook"
    capabilities = Capabilities(forum_posts=True, thread_edits=True)
    gateway = False

    def __init__(self, url: str, username: str = "", avatar_url: str = "") -> None:
        self.fingerprint = fingerprint("webhook", url)
        self._session = aiohttp.ClientSession(response_class=CappedResponse)
        self._webhook = discord.Webhook.from_url(url, session=self._session)
        self._username = username
        self._avatar_url = avatar_url

    @mapped
    async def post(self, message: Message, nonce: str) -> str:
        sent = await self._webhook.send(
            content=message.content or discord.utils.MISSING,
            embeds=embeds(message),
            wait=True,
            allowed_mentions=allowed(message),
            username=self._username or discord.utils.MISSING,
            avatar_url=self._avatar_url or discord.utils.MISSING,
            thread=_thread(message),
            thread_name=message.thread_name or discord.utils.MISSING,
        )
        return str(sent.id)

    @mapped
    async def edit(self, message_id: str, message: Message) -> None:
        await self._webhook.edit_message(
            int(message_id),
            embed=to_embed(message),
            allowed_mentions=discord.AllowedMentions.none(),
            thread=_thread(message),
        )

    @mapped
    async def pin(self, message_id: str) -> None:
        return None  # a webhook cannot pin

    @mapped
    async def start_thread(self, message_id: str, name: str) -> str:
        return message_id  # a forum post (`thread_name`) is its own thread, of the same id

    async def serve(self, install: Install) -> None:
        return None  # a webhook has no gateway

    def configure(self, discord: DiscordConfig) -> None:
        self._username, self._avatar_url = discord.username, discord.avatar_url

    async def close(self) -> None:
        await self._session.close()


class BotDeliverer:
    """DISCORD_TOKEN + DISCORD_CHANNEL_ID: a discord.py Client with no privileged intents.

    Posting needs only REST (a stable nonce per outbox row makes a retried create
    idempotent); `serve` also connects to the gateway so slash commands can be answered.
    """

    mode: Mode = "bot"
    capabilities = Capabilities()
    gateway = True

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

    async def serve(self, install: Install) -> None:
        """Register and sync the slash commands, then stay on the gateway until `close`.
        `install` is told the server that owns the channel: commands are global on Discord,
        so only that server's members may be answered."""
        await self._login()
        channel = await self._client.http.get_channel(self._channel.id)
        install(self.tree, int(str(channel.get("guild_id") or 0)))
        await self.tree.sync()
        await self._client.connect(reconnect=True)

    @mapped
    async def post(self, message: Message, nonce: str) -> str:
        await self._login()
        channel = (
            self._client.get_partial_messageable(int(message.thread)) if message.thread else self._channel
        )
        sent = await channel.send(
            content=message.content or None,
            embeds=embeds(message),
            nonce=nonce,
            allowed_mentions=allowed(message),
        )
        return str(sent.id)

    @mapped
    async def edit(self, message_id: str, message: Message) -> None:
        await self._login()
        await self._channel.get_partial_message(int(message_id)).edit(
            embed=to_embed(message), allowed_mentions=discord.AllowedMentions.none()
        )

    @mapped
    async def pin(self, message_id: str) -> None:
        await self._login()
        await self._channel.get_partial_message(int(message_id)).pin()

    @mapped
    async def start_thread(self, message_id: str, name: str) -> str:
        await self._login()
        try:
            thread = await self._client.http.start_thread_with_message(
                self._channel.id, int(message_id), name=name, auto_archive_duration=10080
            )
        except discord.HTTPException as exc:
            if exc.code == THREAD_EXISTS:  # created before a crash: a message's thread has its id
                return message_id
            raise
        return str(thread["id"])

    def configure(self, discord: DiscordConfig) -> None:
        return None  # a bot's name and avatar are its account's

    async def close(self) -> None:
        await self._client.close()


THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"


def _thread(message: Message) -> discord.abc.Snowflake:
    """The thread a webhook message goes to, or discord.py's 'none'."""
    return discord.Object(int(message.thread)) if message.thread else discord.utils.MISSING


def editable(message_id: str | None, capabilities: Capabilities) -> bool:
    """Whether that message can be edited: console stand-ins ('console:…') exist only on a
    terminal, so a database moved from console mode to Discord cannot edit them."""
    if not message_id:
        return False
    return not capabilities.discord_ids or message_id.isdigit()


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
