"""A fake Discord REST API on 127.0.0.1 that discord.py talks to through DISCORD_API_BASE.

It speaks the webhook execute/edit endpoints and the bot create-message endpoint, answers
like Discord (JSON only with `application/json`, 429s with `Via` and `retry_after`), and
records every message. Tests queue failures with `fail_next`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

WEBHOOK_ID = "123456789012345678"
WEBHOOK_TOKEN = "T" * 68
WEBHOOK_URL = f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
CHANNEL_ID = "223456789012345678"
USER = {"id": WEBHOOK_ID, "username": "followup", "discriminator": "0000", "avatar": None, "bot": True}


def _json(data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly `application/json`, no charset: discord.py parses JSON only then."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


@dataclass(frozen=True)
class Failure:
    status: int
    retry_after: float = 0.0
    via: bool = True
    code: int = 0


@dataclass
class Posted:
    id: str
    payload: dict[str, Any]
    edits: list[dict[str, Any]] = field(default_factory=list)


class FakeDiscord:
    """Run with `with FakeDiscord() as discord_api: ...`; `api_base` goes in DISCORD_API_BASE."""

    def __init__(self) -> None:
        self.messages: list[Posted] = []
        self.requests: list[tuple[str, str]] = []
        self._failures: list[Failure] = []
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    def fail_next(self, *failures: Failure) -> None:
        with self._lock:
            self._failures.extend(failures)

    def embeds(self) -> list[dict[str, Any]]:
        with self._lock:
            return [m.payload["embeds"][0] for m in self.messages]

    # server ---------------------------------------------------------------------------
    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v10/webhooks/{wid}/{token}", self._execute)
        app.router.add_patch("/api/v10/webhooks/{wid}/{token}/messages/{mid}", self._edit)
        app.router.add_post("/api/v10/channels/{cid}/messages", self._create)
        app.router.add_patch("/api/v10/channels/{cid}/messages/{mid}", self._edit)
        app.router.add_get("/api/v10/users/@me", self._me)
        app.router.add_get("/api/v10/oauth2/applications/@me", self._application)
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
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _failure(self) -> web.Response | None:
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is None:
            return None
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
        body = {"message": "error", "code": failure.code}
        return _json(body, status=failure.status)

    def _record(self, payload: dict[str, Any]) -> str:
        """Keep a newly created message; return its id."""
        mid = str(next(self._ids))
        with self._lock:
            self.messages.append(Posted(mid, payload))
        return mid

    def _message(self, mid: str, payload: dict[str, Any], webhook: bool) -> dict[str, Any]:
        """The message object Discord answers with."""
        return {
            "id": mid,
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
            **({"webhook_id": WEBHOOK_ID} if webhook else {}),
        }

    async def _payload(self, request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        with self._lock:
            self.requests.append((request.method, request.path))
        return dict(json.loads(raw)) if raw else {}

    async def _execute(self, request: web.Request) -> web.Response:
        payload = await self._payload(request)
        if request.match_info["token"] != WEBHOOK_TOKEN or request.match_info["wid"] != WEBHOOK_ID:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        if (failure := self._failure()) is not None:
            return failure
        if request.query.get("wait") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _json(self._message(self._record(payload), payload, webhook=True))

    async def _edit(self, request: web.Request) -> web.Response:
        payload = await self._payload(request)
        if (failure := self._failure()) is not None:
            return failure
        with self._lock:
            found = [m for m in self.messages if m.id == request.match_info["mid"]]
            if found:
                found[0].edits.append(payload)
        if not found:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(self._message(found[0].id, {**found[0].payload, **payload}, webhook=True))

    async def _create(self, request: web.Request) -> web.Response:
        payload = await self._payload(request)
        if (failure := self._failure()) is not None:
            return failure
        return _json(self._message(self._record(payload), payload, webhook=False))

    async def _me(self, request: web.Request) -> web.Response:
        return _json(USER)

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": WEBHOOK_ID,
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
