"""Reading an HTTP response body under a byte cap, for every request the bot makes.

httpx would inflate a whole compressed read at once (a 64 KB gzip bomb becomes hundreds of
MB before any cap is checked), so bodies are read raw and inflated here, step by step,
never past the cap. Callers ask only for the encodings inflated here.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

ACCEPT_ENCODING = "gzip, deflate"


class BodyError(Exception):
    """The body is over the cap, or in an encoding that cannot be read."""


async def read_capped(resp: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body of a streamed response; BodyError past `max_bytes` decoded bytes."""
    encoding = resp.headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    elif encoding in ("", "identity"):
        inflater = None
    else:
        raise BodyError(f"unsupported Content-Encoding {encoding[:40]!r}")
    body = bytearray()
    too_large = BodyError(f"body larger than the {max_bytes}-byte cap")
    # A response built in memory (a transport seam in tests) has no stream left to read.
    chunks = _already_read(resp.content) if resp.is_stream_consumed else resp.aiter_raw()
    try:
        async for raw in chunks:
            data = raw
            while data and len(body) <= max_bytes:
                if inflater is None:
                    body.extend(data)
                    break
                body.extend(inflater.decompress(data, max_bytes + 1 - len(body)))
                data = inflater.unconsumed_tail
            if len(body) > max_bytes:
                raise too_large
        if inflater is not None:
            body.extend(inflater.flush())
    except zlib.error as exc:
        raise BodyError(f"corrupt compressed body: {exc}") from None
    if len(body) > max_bytes:
        raise too_large
    return bytes(body)


async def _already_read(content: bytes) -> AsyncIterator[bytes]:
    yield content
