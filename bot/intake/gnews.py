"""Google News links, read purely: the article id in a `news.google.com/rss/articles/<id>`
link, the publisher URL an old id holds (offline), the signature on an article page, and
Google's decoder (`batchexecute`): the request that asks for many ids at once and the
answer, read as hostile input (size-capped, http(s) URLs only, matched by request id).
The protocol is undocumented (see shared/google-news.md): anything unexpected is '' or
nothing, never an exception."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

HOST = "news.google.com"
DECODER_PATH = "/_/DotsSplashUi/data/batchexecute"
MAX_ANSWER = 1024 * 1024  # bytes of a decoder answer read
MAX_ID = 2048  # characters of an article id
_PREFIXES = ("/rss/articles/", "/articles/", "/read/")
_NEW_TOKEN = b"AU_yqL"
# The attributes of the element that carries the signature: bounded, one pass.
_SIGNATURE = re.compile(r'data-n-a-sg="([A-Za-z0-9_\-=+/]{1,512})"')
_TIMESTAMP = re.compile(r'data-n-a-ts="([0-9]{1,12})"')
CONTEXT = [
    ["X", "X", ["X", "X"], None, None, 1, 1, "US:en", None, 1, None, None, None, None, None, 0, 1],
    "X",
    "X",
    1,
    [1, 1, 1],
    1,
    1,
    None,
    0,
    0,
    None,
    0,
]


def article_id(url: str, hosts: Sequence[str] = (HOST,)) -> str:
    """The article id of a Google News link on one of `hosts` (host, or host:port); ''."""
    try:
        parts = urlsplit(url)
        where = parts.netloc.lower()
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or where not in hosts:
        return ""
    for prefix in _PREFIXES:
        if parts.path.startswith(prefix):
            found = parts.path[len(prefix) :].strip("/")
            return found if 0 < len(found) <= MAX_ID and "/" not in found else ""
    return ""


def _payload(article: str) -> bytes:
    """The id's bytes after the 08 13 22 header; b'' when it has another shape."""
    try:
        raw = base64.urlsafe_b64decode(article + "=" * (-len(article) % 4))
    except (binascii.Error, ValueError):
        return b""
    return raw[3:] if raw.startswith(b"\x08\x13\x22") else b""


def _varint(data: bytes) -> tuple[int, int]:
    """A protobuf varint at the start of `data`: its value and its length (0, 0 if none)."""
    value = 0
    for index, byte in enumerate(data[:5]):
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, index + 1
    return 0, 0


def offline_url(article: str) -> str:
    """The publisher URL an old id holds; '' for a new id (Google's decoder must answer) or
    anything else."""
    payload = _payload(article)
    length, size = _varint(payload)
    if not size or payload[size:].startswith(_NEW_TOKEN):
        return ""
    return _http(payload[size : size + length].decode("utf-8", errors="replace"))


def needs_decoder(article: str) -> bool:
    """Whether only Google's decoder can tell this id's URL."""
    payload = _payload(article)
    _, size = _varint(payload)
    return bool(size) and payload[size:].startswith(_NEW_TOKEN)


@dataclass(frozen=True)
class Signed:
    """What an article page gives for the decoder: its signature and timestamp."""

    signature: str
    timestamp: int


def signature(page: bytes) -> Signed | None:
    """The signature on a Google News article page (`data-n-a-sg`, `data-n-a-ts`); None when
    the page has none (a consent or 'sorry' page, a changed format)."""
    text = page[:MAX_ANSWER].decode("utf-8", errors="replace")
    sg, ts = _SIGNATURE.search(text), _TIMESTAMP.search(text)
    if sg is None or ts is None:
        return None
    return Signed(sg.group(1), int(ts.group(1)))


def decoder_form(asked: Sequence[tuple[str, Signed]]) -> str:
    """The body of one decoder request for every (id, signature) in `asked`; each envelope's
    request id is its position from 1, which the answer's rows carry back."""
    envelopes = [
        [
            "Fbv4je",
            json.dumps(["garturlreq", CONTEXT, article, signed.timestamp, signed.signature]),
            None,
            str(n),
        ]
        for n, (article, signed) in enumerate(asked, start=1)
    ]
    return urlencode({"f.req": json.dumps([envelopes])})


def decoded(answer: bytes, asked: Sequence[str]) -> dict[str, str]:
    """The publisher URLs in a decoder answer, by id (ids in the order asked); rows that do
    not parse, ask for no id, or hold no http(s) URL are passed over."""
    text = answer[:MAX_ANSWER].decode("utf-8", errors="replace")
    if text.startswith(")]}'"):
        text = text[4:]
    found: dict[str, str] = {}
    for row in _rows(text):
        if len(row) < 7 or row[0] != "wrb.fr" or not isinstance(row[2], str):
            continue
        request = str(row[6])
        if not request.isdigit() or not 1 <= int(request) <= len(asked):
            continue
        try:
            payload = json.loads(row[2])
        except (ValueError, RecursionError):
            continue
        ok = isinstance(payload, list) and len(payload) > 1 and payload[0] == "garturlres"
        if ok and isinstance(payload[1], str) and (url := _http(payload[1])):
            found[asked[int(request) - 1]] = url
    return found


def _rows(text: str) -> list[list[object]]:
    """The answer's rows: one JSON array after the guard line (or several, one a line)."""
    chunks = [text.strip(), *text.splitlines()]
    for chunk in chunks:
        try:
            data = json.loads(chunk)
        except (ValueError, RecursionError):  # '[' * 100000: nesting is no answer
            continue
        if isinstance(data, list) and data and all(isinstance(row, list) for row in data):
            return data
    return []


def _http(url: str) -> str:
    """`url` if it is an absolute http(s) URL with a host, else ''."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.hostname and len(url) <= MAX_ID else ""


def without_outlet(title: str, outlet: str) -> str:
    """A Google News title without its ' - Outlet' suffix (the outlet is named apart)."""
    if outlet:
        for dash in (" - ", " – ", " — "):
            suffix = dash + outlet
            if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
                return title[: -len(suffix)].rstrip()
    return title
