"""Plain-text helpers shared by parse, match and summarize: HTML stripping, folding, cutting."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
_SKIP_TAGS = {"script", "style", "noscript", "template"}
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*(?=\s)")


class _TextExtractor(HTMLParser):
    """Collects text nodes; block tags become spaces so words don't run together."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def strip_html(value: str) -> str:
    """HTML (or plain text with entities) to one line of plain text."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return squash(value)
    parser = _TextExtractor()
    try:
        parser.feed(value)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient
        return squash(html.unescape(re.sub(r"<[^>]*>", " ", value)))
    # Escaped HTML inside HTML (Google News descriptions) needs a second pass.
    text = "".join(parser.parts)
    if "<" in text and ">" in text and text is not value:
        return strip_html(text) if re.search(r"<[a-zA-Z/][^>]*>", text) else squash(text)
    return squash(text)


def squash(value: str) -> str:
    """Collapse runs of white space and drop control characters."""
    cleaned = "".join(ch for ch in value if ch in "\t\n" or unicodedata.category(ch) != "Cc")
    return _SPACE.sub(" ", cleaned).strip()


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching: 'Procès' -> 'proces'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def first_sentence(value: str, limit: int = 200) -> str:
    """The first sentence of a text, cut to `limit` characters."""
    text = squash(value)
    m = _SENTENCE_END.search(text + " ")
    sentence = text[: m.end()] if m else text
    return cut(sentence, limit)


def cut(value: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to at most `limit` characters, at a sentence end if one is near, else a word."""
    text = squash(value)
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    if room <= 0:
        return text[:limit]
    head = text[: room + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    # A sentence boundary wins when it keeps at least half of the room.
    if ends and ends[-1] >= room // 2 and ends[-1] <= limit:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ")
    if space >= room // 2:
        return head[:space].rstrip(" ,;:-–—") + ellipsis
    return text[:room] + ellipsis
