"""A network backend for httpcore that opens no socket: it records where a connection was
asked to go and answers with canned HTTP/1.1 responses. For tests of the address guard,
which must prove what would have been connected to without connecting anywhere."""

from __future__ import annotations

from collections.abc import Iterable

import httpcore


class CannedStream(httpcore.AsyncNetworkStream):
    """Answers whatever is written with one canned response, then end of stream."""

    def __init__(self, response: bytes) -> None:
        self._response = response
        self.written = b""

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        chunk, self._response = self._response[:max_bytes], self._response[max_bytes:]
        return chunk

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.written += buffer

    async def aclose(self) -> None:
        return None


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records (address, port) of every connection; answers from `responses` by address,
    or refuses the connection when the address has no canned response."""

    def __init__(self, responses: dict[str, bytes] | None = None) -> None:
        self.responses = responses or {}
        self.connections: list[tuple[str, int]] = []
        self.streams: list[CannedStream] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connections.append((host, port))
        if host not in self.responses:
            raise httpcore.ConnectError(f"no canned answer for {host}")
        stream = CannedStream(self.responses[host])
        self.streams.append(stream)
        return stream

    async def sleep(self, seconds: float) -> None:
        return None


def http_response(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """The bytes of an HTTP/1.1 response that closes its connection."""
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
