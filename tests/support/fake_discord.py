"""A fake Discord on 127.0.0.1: the REST API through DISCORD_API_BASE, the gateway through
DISCORD_GATEWAY_URL.

It answers the way discord.py expects Discord to: JSON only as exactly `application/json`,
429s with `Via` and `retry_after`, 400/50035 for an embed over a documented limit, an
existing message for a repeated `nonce` with `enforce_nonce`. Failures come one by one
(`fail_next`) or at a rate (`failure_rate`, seeded): 429s, 5xx and dropped connections,
always before the request has any effect. The gateway says HELLO, answers IDENTIFY with
READY and heartbeats with ACKs, and lets a test dispatch events such as INTERACTION_CREATE.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.discord_schema import violations

WEBHOOK_ID = "123456789012345678"
WEBHOOK_TOKEN = "T" * 68
WEBHOOK_URL = f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
CHANNEL_ID = "223456789012345678"
GUILD_ID = "323456789012345678"
APPLICATION_ID = "423456789012345678"
USER = {"id": APPLICATION_ID, "username": "followup", "discriminator": "0000", "avatar": None, "bot": True}
MANAGE_GUILD = 1 << 5
WEBHOOK_PATH = "/webhooks/{webhook_id}/{webhook_token}"  # as Discord's spec names the route
CHANNEL = {
    "id": CHANNEL_ID,
    "type": 0,
    "guild_id": GUILD_ID,
    "name": "news",
    "position": 0,
    "permission_overwrites": [],
    "nsfw": False,
    "parent_id": None,
}

# Discord's documented embed limits (https://discord.com/developers/docs/resources/message#embed-object).
LIMITS = {
    "title": 256,
    "description": 4096,
    "footer": 2048,
    "author": 256,
    "fields": 25,
    "field_name": 256,
    "field_value": 1024,
    "total": 6000,
    "content": 2000,
}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly `application/json`, no charset: discord.py parses JSON only then."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


@dataclass(frozen=True)
class Failure:
    """One injected failure: an HTTP status (429 with `retry_after`), or status 0 to drop
    the connection without an answer."""

    status: int
    retry_after: float = 0.0
    via: bool = True
    code: int = 0


DROP = Failure(0)


@dataclass
class Posted:
    id: str
    payload: dict[str, Any]
    edits: list[dict[str, Any]] = field(default_factory=list)
    thread: str = ""  # the thread it was posted in ("": the channel itself)


def limit_errors(payload: dict[str, Any]) -> list[str]:
    """What in a message payload is over Discord's limits."""
    errors = []
    if len(payload.get("content") or "") > LIMITS["content"]:
        errors.append("content")
    total = 0
    for embed in payload.get("embeds") or []:
        parts = {
            "title": embed.get("title") or "",
            "description": embed.get("description") or "",
            "footer": (embed.get("footer") or {}).get("text") or "",
            "author": (embed.get("author") or {}).get("name") or "",
        }
        errors += [name for name, text in parts.items() if len(text) > LIMITS[name]]
        fields = embed.get("fields") or []
        if len(fields) > LIMITS["fields"]:
            errors.append("fields")
        for f in fields:
            errors += ["field_name"] * (len(f["name"]) > LIMITS["field_name"])
            errors += ["field_value"] * (len(f["value"]) > LIMITS["field_value"])
            total += len(f["name"]) + len(f["value"])
        total += sum(len(text) for text in parts.values())
    if total > LIMITS["total"]:
        errors.append("total")
    return errors


class FakeDiscord:
    """Run with `with FakeDiscord() as discord_api: ...`."""

    def __init__(self, failure_rate: float = 0.0, seed: int = 7) -> None:
        self.messages: list[Posted] = []
        self.requests: list[tuple[str, str]] = []
        self.interaction_responses: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.pins: list[str] = []  # ids of the messages pinned in the channel
        self.threads: list[str] = []  # ids of the threads created (a thread's id is its message's)
        self.closed: dict[str, int] = {}  # threads a moderator deleted or locked -> Discord's code
        self.identify: dict[str, Any] | None = None
        self.failure_rate = failure_rate
        self.padding = 0  # bytes of junk added to every message answer (a hostile endpoint)
        self.violations: list[str] = []  # request bodies Discord's published schema refuses
        self._random = random.Random(seed)
        self._failures: list[Failure] = []
        self._nonces: dict[str, Posted] = {}
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def fail_next(self, *failures: Failure) -> None:
        with self._lock:
            self._failures.extend(failures)

    def delete_thread(self, thread: str) -> None:
        """A moderator deletes a thread and its messages: posting in it is 404 Unknown Channel
        (10003); its starter message may start a new one."""
        with self._lock:
            self.closed[thread] = 10003
            self.messages = [m for m in self.messages if m.thread != thread]

    def lock_thread(self, thread: str) -> None:
        """A moderator locks a thread: posting in it is 403 (50083, an archived or locked thread)."""
        with self._lock:
            self.closed[thread] = 50083

    def delete_message(self, message_id: str) -> None:
        """A moderator deletes a message: editing or pinning it is 404 Unknown Message (10008)."""
        with self._lock:
            self.messages = [m for m in self.messages if m.id != message_id]
            self.pins = [p for p in self.pins if p != message_id]

    def _closed(self, thread: str) -> web.Response | None:
        """Discord's answer to a message sent into a thread that was deleted or locked."""
        with self._lock:
            code = self.closed.get(thread)
        if code is None:
            return None
        if code == 10003:
            return _json({"message": "Unknown Channel", "code": code}, status=404)
        return _json({"message": "Thread is locked", "code": code}, status=403)

    def embeds(self) -> list[dict[str, Any]]:
        with self._lock:
            return [m.payload["embeds"][0] for m in self.messages if m.payload.get("embeds")]

    def wait_for(self, what: str, count: int, timeout: float = 60.0) -> bool:
        """Block until `count` messages / interaction responses / commands exist (or timeout)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(getattr(self, what)) >= count, timeout=timeout)

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH to every connected client."""

        async def send() -> None:
            frame = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
            for ws in list(self._sockets):
                await ws.send_str(json.dumps(frame))

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(timeout=10)

    def wait_ready(self, timeout: float = 60.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.identify is not None, timeout=timeout)

    # server ---------------------------------------------------------------------------
    def _app(self) -> web.Application:
        app = web.Application()
        api = "/api/v10"
        app.router.add_post(api + "/webhooks/{wid}/{token}", self._execute)
        app.router.add_patch(api + "/webhooks/{wid}/{token}/messages/{mid}", self._edit)
        app.router.add_post(api + "/channels/{cid}/messages", self._create)
        app.router.add_patch(api + "/channels/{cid}/messages/{mid}", self._edit)
        app.router.add_get(api + "/channels/{cid}", self._channel)
        app.router.add_put(api + "/channels/{cid}/messages/pins/{mid}", self._pin)
        app.router.add_post(api + "/channels/{cid}/messages/{mid}/threads", self._start_thread)
        app.router.add_get(api + "/users/@me", self._me)
        app.router.add_get(api + "/oauth2/applications/@me", self._application)
        app.router.add_get(api + "/gateway/bot", self._gateway_bot)
        app.router.add_get(api + "/gateway", self._gateway_bot)
        app.router.add_put(api + "/applications/{app}/commands", self._sync_commands)
        app.router.add_post(api + "/interactions/{iid}/{token}/callback", self._interaction_callback)
        app.router.add_get("/gateway", self._websocket)
        return app

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._runner = web.AppRunner(self._app())
            await self._runner.setup()
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
            await web.SockSite(self._runner, sock).start()
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def __enter__(self) -> FakeDiscord:
        self._thread.start()
        self._ready.wait(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()
        # Checked last, so that a test's own failure is reported first.
        if exc[0] is None:
            assert not self.violations, "requests Discord's schema refuses:\n" + "\n".join(
                self.violations[:10]
            )

    def _stop(self) -> None:
        async def stop() -> None:
            for ws in list(self._sockets):
                await ws.close()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _channel(self, request: web.Request) -> web.Response:
        if request.match_info["cid"] != CHANNEL_ID:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        return _json(CHANNEL)

    async def _pin(self, request: web.Request) -> web.StreamResponse:
        await self._payload(request, "/channels/{channel_id}/messages/pins/{message_id}")
        if (failure := await self._failure(request)) is not None:
            return failure
        with self._changed:
            known = any(m.id == request.match_info["mid"] for m in self.messages)
            if known:
                self.pins.append(request.match_info["mid"])
                self._changed.notify_all()
        if not known:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return web.Response(status=204)

    async def _start_thread(self, request: web.Request) -> web.StreamResponse:
        payload = await self._payload(request, "/channels/{channel_id}/messages/{message_id}/threads")
        if (failure := await self._failure(request)) is not None:
            return failure
        mid = request.match_info["mid"]
        with self._changed:
            known = any(m.id == mid for m in self.messages)
            if self.closed.get(mid) == 10003:  # deleted: the message may start a thread again
                del self.closed[mid]
                self.threads.remove(mid)
            exists = mid in self.threads
            if known and not exists:
                self.threads.append(mid)
                self._changed.notify_all()
        if not known:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        if exists:
            message = "A thread has already been created for this message"
            return _json({"message": message, "code": 160004}, status=400)
        thread = {
            "id": mid,
            "type": 11,
            "guild_id": GUILD_ID,
            "parent_id": request.match_info["cid"],
            "owner_id": USER["id"],
            "name": payload.get("name", ""),
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": payload.get("auto_archive_duration", 1440),
                "archive_timestamp": datetime.now(UTC).isoformat(),
                "locked": False,
            },
        }
        return _json(thread, status=201)

    async def _me(self, request: web.Request) -> web.Response:
        return _json(USER)

    async def _failure(self, request: web.Request) -> web.StreamResponse | None:
        """An injected failure for this request, or None to serve it."""
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
            if failure is None and self.failure_rate and self._random.random() < self.failure_rate:
                # A 5xx costs a second of discord.py's own retry sleep: keep them the rarest.
                failure = self._random.choice(
                    [*[Failure(429, retry_after=0.01)] * 4, *[DROP] * 4, Failure(502)]
                )
        if failure is None:
            return None
        if failure.status == 0:
            assert request.transport is not None
            request.transport.close()  # no answer at all, as when a connection drops
            return web.Response(status=499)
        if failure.status == 429:
            headers = {"Retry-After": str(failure.retry_after), "X-RateLimit-Scope": "user"}
            if failure.via:
                headers["Via"] = "1.1 google"
            body = {
                "message": "You are being rate limited.",
                "retry_after": failure.retry_after,
                "global": False,
            }
            return _json(body, status=429, headers=headers)
        return _json({"message": "error", "code": failure.code}, status=failure.status)

    async def _payload(self, request: web.Request, spec_path: str) -> Any:
        """The request's JSON body, checked against Discord's schema for `spec_path`."""
        raw = await request.read()
        body = json.loads(raw) if raw else {}
        with self._lock:
            self.requests.append((request.method, request.path))
            self.violations += violations(request.method, spec_path, body)
        return body

    def _record(self, payload: dict[str, Any], thread: str = "") -> Posted:
        """Keep a newly created message (in `thread`, or the channel)."""
        with self._changed:
            posted = Posted(str(next(self._ids)), payload, thread=thread)
            self.messages.append(posted)
            self._changed.notify_all()
        return posted

    def _message(self, posted: Posted, payload: dict[str, Any], webhook: bool) -> dict[str, Any]:
        """The message object Discord answers with."""
        return {
            "id": posted.id,
            "type": 0,
            "channel_id": CHANNEL_ID,
            "content": payload.get("content", ""),
            "embeds": payload.get("embeds", []),
            "author": USER,
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "flags": 0,
            "components": [],
            "nonce": payload.get("nonce"),
            **({"webhook_id": WEBHOOK_ID} if webhook else {}),
            **({"padding": "x" * self.padding} if self.padding else {}),
        }

    async def _checked(
        self, request: web.Request, spec_path: str
    ) -> tuple[dict[str, Any], web.StreamResponse | None]:
        """The payload, or the error Discord would answer instead."""
        payload = dict(await self._payload(request, spec_path))
        if (failure := await self._failure(request)) is not None:
            return payload, failure
        if errors := limit_errors(payload):
            body = {"message": "Invalid Form Body", "code": 50035, "errors": {e: {} for e in errors}}
            return payload, _json(body, status=400)
        return payload, None

    async def _execute(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != WEBHOOK_TOKEN or request.match_info["wid"] != WEBHOOK_ID:
            await self._payload(request, WEBHOOK_PATH)
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        payload, error = await self._checked(request, WEBHOOK_PATH)
        if error is None:
            error = self._closed(request.query.get("thread_id", ""))
        if error is not None:
            return error
        posted = self._record(payload, request.query.get("thread_id", ""))
        if payload.get("thread_name"):  # a forum post: a new thread whose id is its first message's
            posted.thread = posted.id
            with self._changed:
                self.threads.append(posted.id)
                self._changed.notify_all()
        if request.query.get("wait") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _json(self._message(posted, payload, webhook=True))

    async def _create(self, request: web.Request) -> web.StreamResponse:
        payload, error = await self._checked(request, "/channels/{channel_id}/messages")
        if error is None:
            error = self._closed(request.match_info["cid"])
        if error is not None:
            return error
        nonce = payload.get("nonce")
        with self._lock:
            earlier = self._nonces.get(nonce) if nonce and payload.get("enforce_nonce") else None
        if earlier is not None:  # Discord returns the message already created with this nonce
            return _json(self._message(earlier, earlier.payload, webhook=False))
        channel = request.match_info["cid"]
        posted = self._record(payload, "" if channel == CHANNEL_ID else channel)
        if nonce:
            with self._lock:
                self._nonces[nonce] = posted
        return _json(self._message(posted, payload, webhook=False))

    async def _edit(self, request: web.Request) -> web.StreamResponse:
        webhook = "wid" in request.match_info
        spec_path = (
            f"{WEBHOOK_PATH}/messages/{{message_id}}"
            if webhook
            else "/channels/{channel_id}/messages/{message_id}"
        )
        payload, error = await self._checked(request, spec_path)
        if error is None and webhook:
            error = self._closed(request.query.get("thread_id", ""))
        if error is not None:
            return error
        with self._changed:
            found = [m for m in self.messages if m.id == request.match_info["mid"]]
            if found:
                found[0].edits.append(payload)
                self._changed.notify_all()
        if not found:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(self._message(found[0], {**found[0].payload, **payload}, webhook=True))

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": APPLICATION_ID,
                "name": "followup",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": USER,
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _sync_commands(self, request: web.Request) -> web.Response:
        payload = await self._payload(request, "/applications/{application_id}/commands")
        with self._changed:
            self.commands = [
                {**c, "id": str(next(self._ids)), "application_id": APPLICATION_ID, "version": "1"}
                for c in payload
            ]
            self._changed.notify_all()
            return _json(self.commands)

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        payload = await self._payload(request, "/interactions/{interaction_id}/{interaction_token}/callback")
        with self._changed:
            self.interaction_responses.append(payload)
            self._changed.notify_all()
        interaction = {
            "id": request.match_info["iid"],
            "type": 2,
            "response_message_loading": False,
            "response_message_ephemeral": bool((payload.get("data") or {}).get("flags", 0) & 64),
        }
        return _json({"interaction": interaction})

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:
                ready = {
                    "v": 10,
                    "user": USER,
                    "guilds": [],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": APPLICATION_ID, "flags": 0},
                }
                await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._sequence), "d": ready}))
                with self._changed:
                    self.identify = frame["d"]
                    self._changed.notify_all()
        self._sockets.remove(ws)
        return ws


def slash_command(
    name: str, options: dict[str, Any] | None = None, manage_guild: bool = True, guild: str = GUILD_ID
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload for `/name` from a member of `guild`."""
    member = {
        "user": {"id": "523456789012345678", "username": "member", "discriminator": "0000", "avatar": None},
        "roles": [],
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "permissions": str(MANAGE_GUILD if manage_guild else 0),
        "flags": 0,
    }
    return {
        "id": "623456789012345678",
        "application_id": APPLICATION_ID,
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "guild_id": guild,
        "channel_id": CHANNEL_ID,
        "channel": {**CHANNEL, "guild_id": guild},
        "member": member,
        "app_permissions": "0",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8388608,
        "authorizing_integration_owners": {"0": guild},
        "context": 0,
        "data": {
            "id": "723456789012345678",
            "name": name,
            "type": 1,
            "options": [
                {"name": k, "type": 3 if isinstance(v, str) else 4, "value": v}
                for k, v in (options or {}).items()
            ],
        },
    }
