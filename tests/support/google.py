"""Google News as the tests need it: article ids as Google writes them (old ones hold the
publisher URL, new ones a token only Google's decoder reads), the article page that carries
the decoder's signature, and the decoder's answer."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def article_id(payload: bytes, after: bytes = b"") -> str:
    """An id as Google writes it: base64url without padding of 08 13 22, a length, `payload`,
    and what may follow it (an AMP URL's field)."""
    raw = b"\x08\x13\x22" + varint(len(payload)) + payload + after
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def old_id(url: str) -> str:
    return article_id(url.encode())


def new_id(n: int) -> str:
    return article_id(b"AU_yqL" + f"token-{n:04d}".encode() * 4)


def article_page(signature: str = "sig-ABC_123", timestamp: int = 1_747_575_840) -> bytes:
    """Google's article page: the element that carries the decoder's signature."""
    return (
        '<html><body><c-wiz><div jscontroller="x" data-n-a-sg="'
        f'{signature}" data-n-a-ts="{timestamp}"></div></c-wiz></body></html>'
    ).encode()


def answer(urls: dict[str, str], form: bytes) -> bytes:
    """The decoder's answer to the request `form`: each asked id found in `urls` decoded,
    the others as error rows."""
    envelopes = json.loads(parse_qs(form.decode())["f.req"][0])[0]
    rows: list[list[object]] = []
    for envelope in envelopes:
        article, request = json.loads(envelope[1])[2], envelope[3]
        if article in urls:
            payload = json.dumps(["garturlres", urls[article], 1])
            rows.append(["wrb.fr", "Fbv4je", payload, None, None, None, request])
        else:
            rows.append(["er", None, None, None, None, 400, request])
    rows += [["di", 12], ["af.httprm", 12, "-1", 3]]
    return b")]}'\n\n" + json.dumps(rows).encode()
