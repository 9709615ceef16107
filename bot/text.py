"""Plain-text helpers shared by parse, match and summarize: HTML stripping, folding, cutting."""

from __future__ import annotations

import html
import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Unicode category Cc less tab and newline, lone surrogates, and U+FFFE/U+FFFF: what XML 1.0
# forbids (one such character in a title makes the Atom feed unreadable) or a terminal acts on.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*(?=\s)")
# Words whose full stop ends no sentence ("Musk v. Altman", "Mr. Musk", "U.S. District").
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st inc corp co ltd vs no jan feb mar apr jun jul aug sep sept oct nov dec "
    "u.s u.k e.g i.e calif mme mlle m dott sig sra srta z.b bzw nr".split()
)


# Tags start with a letter, "/", "!" or "?": "5 < 6" is text, not a tag. Every pattern
# here stops at the next "<", so an opener that never closes costs one scan, not one per "<".
_HIDDEN_START = re.compile(r"<!--|<(script|style|noscript|template)\b", re.IGNORECASE)
_HIDDEN_END = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style", "noscript", "template")
}
_BLOCK = re.compile(r"</?(?:p|br|div|li|tr|h[1-6]|blockquote)\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<![A-Za-z][^<>]*>|<\?[^<>]*\?>")


def drop_hidden(text: str) -> str:
    """Remove comments and script/style/noscript/template elements, in one linear pass.
    An opener that is never closed hides the rest of the text, as it does in a browser."""
    kept: list[str] = []
    position = 0
    while (opener := _HIDDEN_START.search(text, position)) is not None:
        kept.append(text[position : opener.start()])
        if opener.group(1) is None:
            end = text.find("-->", opener.end())
            position = -1 if end < 0 else end + 3
        else:
            closer = _HIDDEN_END[opener.group(1).lower()].search(text, opener.end())
            position = -1 if closer is None else closer.end()
        if position < 0:
            return "".join(kept)
    kept.append(text[position:])
    return "".join(kept)


def strip_html(value: str) -> str:
    """HTML (or plain text with entities) to one line of plain text. Regex-based: feeds hold
    fragments, not documents, and a parser costs ten times as much on every entry."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return squash(value)
    text = value
    for _ in range(2):  # escaped HTML inside HTML (Google News descriptions) needs a second pass
        text = drop_hidden(text)
        text = _TAG.sub("", _BLOCK.sub(" ", text))
        unescaped = html.unescape(text)
        if unescaped == text or not _TAG.search(unescaped):
            text = unescaped
            break
        text = unescaped
    return squash(text)


# What a terminal acts on rather than shows: control characters (ESC starts colour,
# cursor and title sequences; CR overwrites a line) and the bidirectional overrides.
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(value: str) -> str:
    """Text from feeds and servers made safe to print on a terminal: every character a
    terminal would act on is shown escaped (`\\x1b`) instead."""
    return _TERMINAL.sub(lambda m: ascii(m.group())[1:-1], value)


def squash(value: str) -> str:
    """Collapse runs of white space and drop control characters and what XML 1.0 forbids."""
    return _SPACE.sub(" ", _CONTROL.sub("", value)).strip()


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching: 'Procès' -> 'proces'."""
    if value.isascii():  # most feed text: nothing to decompose
        return value.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", value.casefold()))


def primary_language(tag: str) -> str:
    """A language tag's language, lower-case: 'en-US' -> 'en', '' -> ''."""
    return tag.split("-")[0].lower()


def first_sentence(value: str, limit: int = 200) -> str:
    """The first sentence of a text (not cut after "v." or "Mr."), cut to `limit` characters."""
    text = squash(value)
    end = next(
        (
            m.end()
            for m in _SENTENCE_END.finditer(text + " ")
            if not ends_with_abbreviation(text[max(0, m.end() - 16) : m.end()])
        ),
        len(text),
    )
    return cut(text[:end], limit)


def ends_with_abbreviation(text: str) -> bool:
    """Whether `text` ends in an abbreviation's full stop, or an initial's ("J.")."""
    last = text.rsplit(" ", 1)[-1].rstrip(".").lower()
    return text.endswith(".") and (last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()))


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
