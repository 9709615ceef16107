"""Google News as the tests need it: article ids as Google writes them (old ones hold the
publisher URL, new ones a token only Google's decoder reads), the article page that carries
the decoder's signature, and the decoder's answer."""

from __future__ import annotations

import base64

from evaluation.served import google_answer, google_page


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


article_page = google_page  # the fake Google `make eval` serves: one for both
answer = google_answer
