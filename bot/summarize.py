"""The text posted under a story's headline: extractive and offline.

For now this is the feed's own description, minus aggregator echoes of the headline, cut
at a sentence or word boundary.
"""

from __future__ import annotations

from bot.text import cut, fold, squash


def summarize(title: str, summary: str, content: str, max_chars: int = 500) -> str:
    """At most `max_chars` characters of lede; empty when the feed offers only the headline."""
    for text in (squash(summary), squash(content)):
        if text and not _echoes(title, text):
            return cut(text, max_chars)
    return ""


def _echoes(title: str, text: str) -> bool:
    """True when `text` merely repeats the headline (Google News's description does)."""
    head = fold(title).strip()
    return bool(head) and fold(text).startswith(head)
