"""Relevance: does an entry report on the configured topic, and why?

Pure: `judge(text, rules)` takes text and compiled rules and returns a `Verdict` with the
matched terms per rule. Matching is case- and accent-insensitive and respects word
boundaries; a term ending in `*` matches any word that starts with it (`verklag*`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.config import Topic
from bot.models import Entry, Verdict
from bot.text import fold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TermSet:
    """A named list of terms compiled into one alternation."""

    name: str
    terms: tuple[str, ...]
    pattern: re.Pattern[str] | None

    @classmethod
    def build(cls, name: str, terms: tuple[str, ...]) -> TermSet:
        return cls(name, terms, _compile(terms) if terms else None)

    def find(self, folded: str) -> tuple[str, ...]:
        """The distinct terms found, in order of first appearance."""
        if self.pattern is None:
            return ()
        found = dict.fromkeys(" ".join(m.group(0).split()) for m in self.pattern.finditer(folded))
        return tuple(found)


@dataclass(frozen=True)
class Rules:
    """A `Topic` compiled for matching."""

    name: str
    require: tuple[TermSet, ...]
    context: TermSet
    min_context: int
    exclude: TermSet

    @classmethod
    def from_topic(cls, topic: Topic) -> Rules:
        return cls(
            name=topic.name,
            require=tuple(TermSet.build(name, terms) for name, terms in topic.require.items()),
            context=TermSet.build("context", topic.context),
            min_context=topic.min_context,
            exclude=TermSet.build("exclude", topic.exclude),
        )


def _compile(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for term in sorted({fold(t) for t in terms}, key=len, reverse=True):
        stem = term.rstrip("*")
        body = r"\s+".join(re.escape(word) for word in stem.split())
        parts.append(body + (r"\w*" if term.endswith("*") else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def judge(text: str, rules: Rules) -> Verdict:
    """Decide relevance of `text`; every verdict lists what matched and what was missing."""
    folded = fold(text)
    matched: dict[str, tuple[str, ...]] = {}
    reasons: list[str] = []
    missing = []
    for group in rules.require:
        found = group.find(folded)
        matched[group.name] = found
        if found:
            reasons.append(f"{group.name}: {', '.join(found)}")
        else:
            missing.append(group.name)
    context = rules.context.find(folded)
    matched["context"] = context
    excluded = rules.exclude.find(folded)
    matched["exclude"] = excluded
    score = float(sum(1 for g in rules.require if matched[g.name]) + len(context))
    if missing:
        reasons.append(f"missing {', '.join(missing)}")
    if len(context) < rules.min_context:
        reasons.append(f"context terms {len(context)} < {rules.min_context}")
    elif context:
        reasons.append(f"context: {', '.join(context)}")
    if excluded:
        reasons.append(f"excluded: {', '.join(excluded)}")
    relevant = not missing and len(context) >= rules.min_context and not excluded
    log.debug("relevance %s score=%.1f %s", relevant, score, "; ".join(reasons))
    return Verdict(relevant=relevant, score=score, reasons=tuple(reasons), matched=matched)


def judge_entry(entry: Entry, rules: Rules) -> Verdict:
    """`judge` over an entry's title, summary and content."""
    return judge(entry.text, rules)
