"""A hostile feed server on 127.0.0.1: every way a feed URL can go wrong, one path each."""

from __future__ import annotations

import threading
import zlib
from pathlib import Path

from tests.support.http import QuietHandler, QuietServer

GOOD = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Good</title>'
    b"<item><title>A fine item</title><link>https://news.example/fine</link></item></channel></rss>"
)


def billion_laughs() -> bytes:
    entities = "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "lol") * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><rss version="2.0"><channel><title>t</title>'
        "<item><title>&lol9;</title><link>https://news.example/lol</link></item></channel></rss>"
    ).encode()


def external_entity(secret: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel>'
        "<title>t &x;</title><item><title>Leak &x; here</title><link>https://news.example/xxe</link>"
        "<description>&x;</description></item></channel></rss>"
    ).encode()


def gzip_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """A small gzip body that inflates to `size` bytes of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    parts = [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*parts, packer.flush()])


def ten_thousand_items() -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.example/{i}</link><guid>g{i}</guid></item>"
        for i in range(10_000)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    )


class HostileServer:
    """`with HostileServer(secret_file) as s: s.url("/laughs")`."""

    PATHS = (
        "/laughs",
        "/xxe",
        "/gzip-bomb",
        "/huge",
        "/drip",
        "/loop",
        "/scheme",
        "/404",
        "/410",
        "/500",
        "/html",
        "/empty",
        "/bad-utf8",
        "/ten-thousand",
        "/good",
    )

    def __init__(self, secret: Path) -> None:
        self.stop = threading.Event()
        bodies = {
            "/laughs": billion_laughs(),
            "/xxe": external_entity(secret),
            "/gzip-bomb": gzip_bomb(),
            "/html": b"<html><body><h1>Welcome</h1><p>Not a feed.</p></body></html>",
            "/bad-utf8": b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            b"<title>\xff\xfe\xc3</title><item><title>Bad \xc3\x28 bytes \xa0\xa1</title><link>https://news.example/b</link>"
            b"</item></channel></rss>",
            "/ten-thousand": ten_thousand_items(),
            "/good": GOOD,
        }
        outer = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                path = self.path
                if path == "/huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", str(200 * 1024 * 1024))
                    self.end_headers()
                    block = b"<x>" + b"a" * 65533
                    for _ in range(200 * 16):
                        if outer.stop.is_set():
                            return
                        self.wfile.write(block)
                    return
                if path == "/drip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(1000):  # one byte a second, the way a hostile server would
                        if outer.stop.wait(1.0):
                            return
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    return
                if path == "/loop":
                    return self.answer(302, b"", {"Location": "/loop"})
                if path == "/scheme":
                    return self.answer(302, b"", {"Location": "file:///etc/passwd"})
                if path in ("/404", "/410", "/500"):
                    return self.answer(int(path[1:]), b"no", {"Retry-After": "0"})
                if path == "/empty":
                    return self.answer(200, b"", {"Content-Type": "application/rss+xml"})
                headers = {"Content-Type": "text/html" if path == "/html" else "application/rss+xml"}
                if path == "/gzip-bomb":
                    headers["Content-Encoding"] = "gzip"
                self.answer(200, bodies[path], headers)

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
