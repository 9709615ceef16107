"""Canonical URLs: the identity of a piece of coverage regardless of tracking and mirrors.

Pure and stable: the same input always gives the same string, so canonical URLs stored by
one version still match the next. Only the forms that never change the article are folded.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.text import fold

TRACKING_PREFIXES = ("utm_", "mtm_", "mc_", "pk_")
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "ocid",
        "cmpid",
        "ncid",
        "_ga",
        "ref_src",
        "smid",
        "smtyp",
        "sr_share",
        "mbid",
        "taid",
        "guccounter",
        "amp",
    }
)
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def canonical_url(url: str) -> str:
    """https, lower-case host without www./m./amp., no fragment, no tracking, sorted query."""
    raw = url.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return raw
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return raw
    host = parts.hostname.rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if path.endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    if path.endswith("/amp") or path.endswith("/amp/"):
        path = path[: path.rstrip("/").rfind("/")] or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit(("https", host, path, urlencode(query), ""))


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def outlet_key(outlet: str, url: str) -> str:
    """Which outlet a story is from, for counting outlets: its name folded, else its host."""
    return fold(outlet).strip() or host_of(url)


def host_of(url: str) -> str:
    """The host without www., for naming an outlet when the feed does not."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


# Aggregators that wrap the article's address in their own click-tracking link, and the
# query parameter that carries it. Unwrapping lets the same article from two feeds meet.
_REDIRECTORS = {
    ("bing.com", "/news/apiclick.aspx"): "url",
    ("google.com", "/url"): "url",
}


def unwrap_redirect(url: str) -> str:
    """The target of a known aggregator click-through link, else the link itself."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    host = (parts.hostname or "").removeprefix("www.")
    param = _REDIRECTORS.get((host, parts.path.lower()))
    if param:
        for key, value in parse_qsl(parts.query):
            if key == param and value.lower().startswith(("http://", "https://")):
                return value
    return url.strip()


# A URL inside a message: a scheme of at most 20 characters, then anything up to white space
# or a quote (bounded look-behind, one pass: linear on any text).
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s'\"<>]+")


def shown(url: str) -> str:
    """A URL as people may see it (status, the page, Discord, logs): scheme, host, port and
    path only. Feed URLs keep API keys in their query or user part: never show those."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port out of range, a broken IPv6 literal
        return "(an unreadable URL)"
    host = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def scrub(text: str) -> str:
    """`text` with every URL in it `shown`: error messages quote the URLs they failed on."""
    return _URL_IN_TEXT.sub(lambda m: shown(m.group()), text) if "://" in text else text


URL_MAX = 2048  # characters of a link Discord and browsers take
# Characters a URL may not hold as they are (RFC 3986) and that end or break a markdown
# link `[text](<url>)`: percent-encoded, which any browser reads the same.
_URL_UNSAFE = {ch: f"%{ord(ch):02X}" for ch in '<>"`{}|\\^'}


def safe_url(url: str) -> str:
    """Only http(s) URLs of sane length go into an embed or a link; anything else is
    dropped, and characters that could close a masked link are percent-encoded."""
    url = url.strip()
    clean = not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url)
    if clean and url.lower().startswith(("http://", "https://")):
        url = "".join(_URL_UNSAFE.get(ch, ch) for ch in url)
        if len(url) <= URL_MAX:
            return url
    return ""
