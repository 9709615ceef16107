"""The text posted under a headline: an extractive summary, offline, with no model.

Pure. `summarize` cleans the text (HTML, entities, boilerplate such as "Read more",
newsletter prompts, photo credits, bylines and datelines), splits it into sentences and
keeps the two or three that best report the development: lead sentences first, weighted
by how central a sentence is to the rest of the text and by the topic's terms. They are
returned in their original order, as complete sentences, within `max_chars`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.text import cut, ends_with_abbreviation, fold, squash, strip_html

MAX_SENTENCES = 3
MIN_SENTENCE = 25  # characters; shorter fragments are captions, labels or debris
# What is read of a text: the development is in its first paragraphs, and centrality is
# quadratic in sentences, so a book-length page must not be read whole.
MAX_INPUT = 20_000  # characters
MAX_CANDIDATES = 60  # sentences

# Whole paragraphs or sentences that are page furniture, in the six languages.
_BOILERPLATE = re.compile(
    r"(?i)\b(read more|read also|related:|see also|sign up|subscribe|newsletter|cookies?|"
    r"advertisement|all rights reserved|click here|follow us|share this|"
    r"lire aussi|lire la suite|abonnez|inscrivez|publicit[eé]|tous droits|"
    r"lesen sie (auch|mehr)|mehr zum thema|abonnieren|anzeige|alle rechte|"
    r"lee tambi[eé]n|leer m[aá]s|suscr[ií]bete|publicidad|todos los derechos|"
    r"leggi anche|iscriviti|pubblicit[aà]|tutti i diritti|"
    r"leia tamb[eé]m|leia mais|assine|publicidade|todos os direitos)\b"
)
_CREDIT = re.compile(
    r"(?i)^(photo|foto|image|bild|imagen|immagine|crédit|credit)s?\b\s*[:(]|"
    r"\((photo|foto|image)[^()]*\)|\b(getty images|afp photo|ap photo|reuters/|dpa/|© )"
)
_BYLINE = re.compile(
    r"^(by|par|von|por|di|de)\s+[A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,3}\s*[,|·—–-]?\s*", re.IGNORECASE
)
# "SAN FRANCISCO (Reuters) - ", "OAKLAND, Calif. - " or "Oakland (dpa) - " opening a story.
# Words must be separated by a comma or white space: with optional separators a run of
# capitals splits into words in exponentially many ways, and a failed match tries them all.
_WORD = r"[A-ZÀ-Ý][\w.'’]*"
_SEP = r"(?:,\s*|\s+)"
_PLACE = r"\([^)]{1,30}\)"
_DATELINE = re.compile(
    rf"^(?:[A-ZÀ-Ý]{{3}}[\w.'’]*(?:{_SEP}{_WORD}){{0,3}},?(?:\s*{_PLACE})?"
    rf"|(?:{_WORD}{_SEP}){{1,4}}{_PLACE})\s*[-—–]{{1,2}}\s+"
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"'“‘«(\[]?[A-ZÀ-Ý0-9¿¡])")
# `[^<>]`, not `[^>]`: an opener that never closes must not make every later `<` rescan the text.
_TAG = re.compile(r"<[a-zA-Z/!][^<>]*>")
_BREAK = re.compile(r"</?(p|br|div|li|h\d)[^<>]*>", re.IGNORECASE)
_COMPLETE = re.compile(r"[.!?…][\"'”’»)]*$")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    words: frozenset[str]


def clean(text: str) -> list[str]:
    """Paragraphs of plain text without HTML, entities or page furniture."""
    for _ in range(3):  # feeds double-escape: "&amp;amp;"
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    if _TAG.search(text):
        text = _BREAK.sub("\n", text)
        text = "\n".join(strip_html(part) for part in text.split("\n"))
    paragraphs = []
    for raw in re.split(r"\n\s*\n|\n", text):
        paragraph = squash(raw)
        paragraph = _DATELINE.sub(
            "", _BYLINE.sub("", paragraph) if _looks_like_byline(paragraph) else paragraph
        )
        if paragraph and not _CREDIT.search(paragraph) and not _is_boilerplate(paragraph):
            paragraphs.append(paragraph)
    return paragraphs


def _looks_like_byline(paragraph: str) -> bool:
    return bool(_BYLINE.match(paragraph)) and len(paragraph) < 80


def _is_boilerplate(text: str) -> bool:
    """Short text carrying a furniture phrase; long paragraphs may quote one in passing."""
    return len(text) < 200 and bool(_BOILERPLATE.search(text))


def sentences(paragraphs: list[str]) -> list[Sentence]:
    """Sentences in order, abbreviations kept whole, furniture and fragments dropped."""
    found: list[Sentence] = []
    for paragraph in paragraphs:
        pieces = _SENTENCE_END.split(paragraph)
        merged: list[str] = []
        for piece in pieces:
            if merged and ends_with_abbreviation(merged[-1]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        for text in merged:
            text = text.strip()
            complete = bool(_COMPLETE.search(text))  # headings and captions end without a stop
            if (
                complete
                and len(text) >= MIN_SENTENCE
                and not _is_boilerplate(text)
                and not _CREDIT.search(text)
            ):
                words = frozenset(w for w in _WORDS.findall(fold(text)) if len(w) > 3)
                found.append(Sentence(len(found), text, words))
    return found


def _centrality(sentence: Sentence, others: list[Sentence]) -> float:
    """Mean word overlap with the other sentences: how much of the story this one carries."""
    scores = [
        len(sentence.words & o.words) / (len(sentence.words | o.words) or 1)
        for o in others
        if o is not sentence
    ]
    return sum(scores) / len(scores) if scores else 0.0


def summarize(
    title: str,
    text: str,
    max_chars: int = 500,
    relevance: Callable[[str], float] | None = None,
) -> str:
    """Two or three complete sentences of `text` within `max_chars`; '' when the text is only
    the headline again (aggregators echo it) or holds no sentence."""
    found = [s for s in sentences(clean(text[:MAX_INPUT])) if not _echoes(title, s.text)][:MAX_CANDIDATES]
    if not found:
        return ""
    head = frozenset(w for w in _WORDS.findall(fold(title)) if len(w) > 3)

    def score(s: Sentence) -> float:
        lead = 1.0 / (1 + s.index)
        topical = min(1.0, relevance(s.text) / 4) if relevance else 0.0
        about_title = len(s.words & head) / (len(head) or 1)
        return 2.0 * lead + _centrality(s, found) * 3 + topical + about_title

    chosen: list[Sentence] = []
    for candidate in sorted(found, key=score, reverse=True):
        if len(chosen) == MAX_SENTENCES:
            break
        trial = sorted([*chosen, candidate], key=lambda s: s.index)
        if len(" ".join(s.text for s in trial)) <= max_chars:
            chosen = trial
    if not chosen:  # even the best sentence is too long: the only case that is cut
        return cut(max(found, key=score).text, max_chars)
    return " ".join(s.text for s in chosen)


MIN_LEDE = 40  # characters of text beyond the headline that are worth posting as they are


def summary_or_lede(
    title: str, text: str, max_chars: int = 500, relevance: Callable[[str], float] | None = None
) -> str:
    """`summarize`, or when it finds no complete sentence (a lede without a full stop, a
    teaser cut mid-sentence), the text itself cut at a word: a post must not go out without
    a summary when its item has text. '' only when the text merely repeats the headline."""
    if summary := summarize(title, text, max_chars, relevance):
        return summary
    plain = beyond(title, text)
    return cut(plain, max_chars) if len(plain) >= MIN_LEDE else ""


def beyond(title: str, text: str) -> str:
    """The plain text with the headline it opens with cut off: what it says beyond the
    headline ('' for an untitled item's one sentence, which became its headline)."""
    plain = " ".join(clean(text[:MAX_INPUT]))
    head = squash(title)
    if head and fold(plain).startswith(fold(head)):
        plain = plain[len(head) :].lstrip(" -–—:|·")
    return plain


def _echoes(title: str, text: str) -> bool:
    """True when `text` merely repeats the headline."""
    head = fold(squash(title)).strip()
    return bool(head) and fold(text).startswith(head)
