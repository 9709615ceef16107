"""A real HTTP server on 127.0.0.1 serving feeds the tests define, with ETag support.

Routes are plain data the test mutates between polls; every request is recorded.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.support.http import QuietHandler, QuietServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True
    hang: threading.Event | None = None  # the handler waits for this before answering
    reply: Callable[[bytes], bytes] | None = None  # a POST's answer, made from its body


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() when the request arrived
    method: str = "GET"
    body: bytes = b""


class FeedServer:
    """`with FeedServer() as server: server.routes['/a.xml'] = Route(body)`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._seen = threading.Condition(self._lock)
        outer = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1 << 20))
                with outer._seen:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    outer.requests.append(Seen(self.path, headers, time.monotonic(), "POST", body))
                    outer._seen.notify_all()
                    route = outer.routes.get(self.path.split("?")[0])
                if route is None or route.reply is None:
                    self.answer(404, b"not found", {"Content-Type": "text/plain"})
                    return
                self.answer(route.status, route.reply(body), {"Content-Type": route.content_type})

            def do_GET(self) -> None:
                with outer._seen:
                    outer.requests.append(
                        Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                    )
                    outer._seen.notify_all()
                    route = outer.routes.get(self.path) or outer.routes.get(self.path.split("?")[0])
                if route is None:
                    self.answer(404, b"not found", {"Content-Type": "text/plain"})
                    return
                if route.hang is not None:
                    route.hang.wait(timeout=30)
                    return
                headers = {"Content-Type": route.content_type, **route.headers}
                if route.etag and route.status == 200:
                    tag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                    headers["ETag"] = tag
                    if self.headers.get("If-None-Match") == tag:
                        self.answer(304, b"", {"ETag": tag})
                        return
                self.answer(route.status, route.body, headers)

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def wait_for_hits_total(self, count: int, timeout: float = 60.0) -> bool:
        """Block until the server has answered `count` requests in all (or the timeout passes)."""
        with self._seen:
            return self._seen.wait_for(lambda: len(self.requests) >= count, timeout=timeout)

    def wait_for_hits(self, path: str, count: int, timeout: float = 60.0) -> list[Seen]:
        """Block until `path` has been requested `count` times (or the timeout passes)."""
        with self._seen:
            self._seen.wait_for(lambda: sum(r.path == path for r in self.requests) >= count, timeout=timeout)
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for route in self.routes.values():
            if route.hang is not None:
                route.hang.set()
        self._server.shutdown()
        self._server.server_close()
