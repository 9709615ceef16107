"""Relevance: does an entry report on the configured topic, and why?

Pure: `judge(title, body, rules)` returns a `Verdict` that lists, per rule, the terms that
matched and what they contributed. Three kinds of rule, all from feeds.yaml:

- `require` groups gate: each needs one match anywhere (Musk *and* OpenAI's side).
- weighted `cues` score: each distinct term adds its group's weight, counted
  `title_weight` times when it is in the headline (headlines say what a story is about;
  passing mentions live in bodies), the group's total capped at `cap`. Negative groups
  describe what the topic is not (other cases, product news).
- `title_bonus` is added when the headline itself names every `require` group.
- `exclude` vetoes.

Matching is case- and accent-insensitive and respects word boundaries; a term ending in
`*` matches any word that starts with it (`verklag*`), a phrase matches across any white
space, and a hyphen matches a hyphen, a space or nothing (`counter-su*`: countersues).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import CueGroup, Topic
from bot.models import Entry, Verdict
from bot.text import fold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TermSet:
    """A list of terms compiled into one alternation."""

    terms: tuple[str, ...]
    pattern: re.Pattern[str] | None

    @classmethod
    def build(cls, terms: tuple[str, ...]) -> TermSet:
        return cls(terms, _compile(terms) if terms else None)

    def find(self, folded: str, starts: Sequence[int] | None = None) -> tuple[str, ...]:
        """The distinct matched words, in order of first appearance. With `starts` (every
        place where a term of any set may begin, from `Rules.starts`), only those places are
        tried: the same matches as a scan of the whole text, at a fraction of the cost."""
        if self.pattern is None:
            return ()
        if starts is None:
            found = self.pattern.findall(folded)
        else:
            found, end = [], 0
            for start in starts:
                if start >= end and (m := self.pattern.match(folded, start)):
                    found.append(m.group())
                    end = m.end()
        distinct = dict.fromkeys(found)  # in order of first appearance
        return tuple(dict.fromkeys(" ".join(term.split()) for term in distinct))


@dataclass(frozen=True)
class Cue:
    group: CueGroup
    terms: TermSet


@dataclass(frozen=True)
class Rules:
    """A `Topic` compiled for matching."""

    name: str
    require: tuple[tuple[str, TermSet], ...]
    cues: tuple[Cue, ...]
    threshold: float
    title_weight: float
    title_bonus: float
    exclude: TermSet
    anywhere: re.Pattern[str] | None = None  # where a term of any set begins (zero-width)

    @classmethod
    def from_topic(cls, topic: Topic) -> Rules:
        every = (
            *(t for terms in topic.require.values() for t in terms),
            *(t for group in topic.cues for t in group.terms),
            *topic.exclude,
        )
        return cls(
            name=topic.name,
            require=tuple((name, TermSet.build(terms)) for name, terms in topic.require.items()),
            cues=tuple(Cue(group, TermSet.build(group.terms)) for group in topic.cues),
            threshold=topic.threshold,
            title_weight=topic.title_weight,
            title_bonus=topic.title_bonus,
            exclude=TermSet.build(topic.exclude),
            anywhere=re.compile(r"(?<!\w)(?=" + _trie(every) + r"(?!\w))") if every else None,
        )

    def starts(self, folded: str) -> list[int] | None:
        """Every place in `folded` where some term may begin: one pass instead of one per set."""
        return [m.start() for m in self.anywhere.finditer(folded)] if self.anywhere else None


# How a term's characters match: white space between words as any white space, and a hyphen
# as a hyphen, white space or nothing (counter-suit, counter suit, countersuit).
_SPELLING = {" ": r"\s+", "-": r"[-\s]?"}


def _spell(char: str) -> str:
    return _SPELLING.get(char) or re.escape(char)


def _compile(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for term in sorted(
        {fold(t) for t in terms}, key=lambda t: (-len(t), t)
    ):  # longest first, then a fixed order
        body = "".join(_spell(char) for char in " ".join(term.rstrip("*").split()))
        parts.append(body + (r"\w*" if term.endswith("*") else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _trie(terms: Iterable[str]) -> str:
    """All `terms` as one alternation shaped like a trie (one branch per next character), so
    that a place where no term begins is given up after a character or two; spelt as
    `_compile` spells them."""
    root: dict[str, Any] = {}
    for term in {fold(t) for t in terms if t.strip()}:
        node = root
        for char in " ".join(term.rstrip("*").split()):
            node = node.setdefault(char, {})
        node[""] = "*" if term.endswith("*") or node.get("") == "*" else "="

    def branch(node: dict[str, Any]) -> str:
        if node.get("") == "*":
            return r"\w*"  # a prefix term takes the rest of the word
        alternatives = [_spell(c) + branch(node[c]) for c in sorted(node) if c]
        alternatives += [""] if "" in node else []
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return branch(root)


def _points(cue: Cue, in_title: tuple[str, ...], in_body: tuple[str, ...], title_weight: float) -> float:
    raw = cue.group.weight * (title_weight * len(in_title) + len(in_body))
    cap = cue.group.cap
    return max(-cap, min(cap, raw)) if cap else raw


def judge(title: str, body: str, rules: Rules, full: bool = True) -> Verdict:
    """Decide relevance; every verdict says what matched, what it weighed and what was missing.
    With `full` false, an entry missing a required group is not scored any further (polls
    judge thousands of entries; `explain` wants every detail)."""
    head, text = fold(title), fold(body)
    head_starts, text_starts = rules.starts(head), rules.starts(text)
    matched: dict[str, tuple[str, ...]] = {}
    reasons: list[str] = []
    missing = []
    for name, terms in rules.require:
        found = tuple(dict.fromkeys(terms.find(head, head_starts) + terms.find(text, text_starts)))
        matched[name] = found
        if found:
            reasons.append(f"{name}: {', '.join(found)}")
        else:
            missing.append(name)
    if missing and not full:
        reasons.append(f"missing {', '.join(missing)}")
        return Verdict(relevant=False, score=0.0, reasons=tuple(reasons), matched=matched)
    score = 0.0
    if rules.title_bonus and head and all(terms.find(head, head_starts) for _, terms in rules.require):
        score += rules.title_bonus
        reasons.append(f"headline names every required group {rules.title_bonus:+g}")
    for cue in rules.cues:
        in_title = cue.terms.find(head, head_starts)
        in_body = tuple(t for t in cue.terms.find(text, text_starts) if t not in in_title)
        if not (in_title or in_body):
            continue
        points = _points(cue, in_title, in_body, rules.title_weight)
        score += points
        matched[cue.group.name] = in_title + in_body
        shown = [f"{t} (title)" for t in in_title] + list(in_body)
        reasons.append(f"{cue.group.name} {points:+g}: {', '.join(shown)}")
    excluded = tuple(
        dict.fromkeys(rules.exclude.find(head, head_starts) + rules.exclude.find(text, text_starts))
    )
    if excluded:
        matched["exclude"] = excluded
        reasons.append(f"excluded: {', '.join(excluded)}")
    if missing:
        reasons.append(f"missing {', '.join(missing)}")
    enough = score >= rules.threshold
    reasons.append(f"score {score:g} {'>=' if enough else '<'} threshold {rules.threshold:g}")
    relevant = not missing and not excluded and enough
    log.debug("relevance %s: %s", relevant, "; ".join(reasons))
    return Verdict(relevant=relevant, score=round(score, 3), reasons=tuple(reasons), matched=matched)


BODY_CHARS = 8000  # what a story is about is said early; the rest of a long article only costs time


def judge_entry(entry: Entry, rules: Rules) -> Verdict:
    """`judge` over an entry's headline and the start of its summary and content."""
    return judge(entry.title, f"{entry.summary}\n{entry.content}"[:BODY_CHARS], rules, full=False)
