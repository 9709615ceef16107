"""What to do with a parsed, judged entry: the pure "seen / updated / new story" decision.

Like reader's `Decider`: plain data in, an intent out, no I/O. Identity is feed + guid for
entries and the canonical URL for stories, never a date (publishers re-date items).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.models import Entry, Verdict

log = logging.getLogger(__name__)


class Action(StrEnum):
    """Outcome for one entry; the value is what is stored as the entry's decision."""

    UNCHANGED = "unchanged"  # same feed + guid, same text
    UPDATED = "updated"  # same feed + guid, the publisher edited it: never a new post
    IRRELEVANT = "irrelevant"
    DUPLICATE = "duplicate"  # its canonical URL is already a story
    BASELINE = "baseline"  # first fetch of the feed: stored as history, not posted
    OLD = "old"  # older than polling.max_age: stored, backfill can post it
    NEW = "new"  # a new story, posted now
    COVERAGE = "coverage"  # a new story of a known development (decided by cluster, not here)
    ROUNDUP = "roundup"  # a look back over the case, in no development: kept, never posted


@dataclass(frozen=True)
class Known:
    """What the store already holds for this entry's feed + guid."""

    title: str
    summary: str
    relevant: bool


@dataclass(frozen=True)
class Freshness:
    """The first-poll and age rules from `polling`."""

    max_age: timedelta
    post_recent: timedelta | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    creates_story: bool = False
    posts: bool = False


def decide(
    entry: Entry,
    verdict: Verdict,
    *,
    known: Known | None,
    story_exists: bool,
    baseline: bool,
    freshness: Freshness,
    now: datetime,
) -> Decision:
    """Decide one entry. `story_exists`: its canonical URL already has a story."""
    if known is not None:
        changed = (known.title, known.summary) != (entry.title, entry.summary)
        # An edit that makes an off-topic item on-topic is news; any other edit is not.
        if not (changed and verdict.relevant and not known.relevant):
            return Decision(Action.UPDATED if changed else Action.UNCHANGED)
    if not verdict.relevant:
        return Decision(Action.IRRELEVANT)
    if story_exists:
        return Decision(Action.DUPLICATE)
    age = now - entry.published
    if baseline:
        recent = freshness.post_recent is not None and entry.has_date and age <= freshness.post_recent
        return Decision(Action.NEW if recent else Action.BASELINE, creates_story=True, posts=recent)
    if entry.has_date and age > freshness.max_age:
        return Decision(Action.OLD, creates_story=True)
    return Decision(Action.NEW, creates_story=True, posts=True)
