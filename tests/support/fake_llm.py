"""A fake OpenAI-compatible chat-completions endpoint on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import threading
import zlib
from typing import Any

from tests.support.http import QuietHandler, QuietServer


class FakeLLM:
    """Answers POST /v1/chat/completions with `reply`, or with `status` when it is not 200;
    `hanging` makes it never answer (until the server closes). `hostile` picks a worse
    answer: "bomb" (gzip that inflates to 1 GB), "drip" (a byte every 50 ms, forever),
    "nested" (100,000 open brackets), "huge" (8 MB of JSON). Requests are recorded."""

    def __init__(self) -> None:
        self.reply = "The jury found for OpenAI. Musk's lawyers said they would appeal."
        self.status = 200
        self.hang = threading.Event()
        self.hanging = False
        self.hostile = ""
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if outer.hanging:
                    outer.hang.wait(timeout=30)
                    return
                if outer.hostile:
                    self.hostile(outer.hostile)
                    return
                if outer.status != 200:
                    payload = b'{"error": {"message": "overloaded"}}'
                else:
                    answer = {
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": outer.reply}}]
                    }
                    payload = json.dumps(answer).encode()
                self.answer(outer.status, payload, {"Content-Type": "application/json"})

            def hostile(self, kind: str) -> None:
                if kind == "drip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    while not outer.hang.wait(0.05):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    return
                headers = {"Content-Type": "application/json"}
                if kind == "bomb":
                    headers["Content-Encoding"] = "gzip"
                    payload = bomb()
                elif kind == "nested":
                    payload = b"[" * 100_000
                else:
                    payload = b'{"choices": [' + b'{"x": 1}, ' * 800_000 + b"{}]}"
                self.answer(200, payload, headers)

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hang.set()
        self._server.shutdown()
        self._server.server_close()


@functools.cache
def bomb() -> bytes:
    """gzip that inflates to 1 GB, about 1 MB on the wire, built without holding 1 GB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(1024)) + packer.flush()
