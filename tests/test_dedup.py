"""dedup: the pure new / updated / duplicate / baseline / old decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.judge.dedup import Action, Freshness, Known, decide
from bot.models import Entry, Verdict
from tests.support.builders import NOW

ENTRY = Entry("f", "g1", "https://x.example/a", "Title", "Summary", "", NOW - timedelta(hours=1), True)
ON = Verdict(True, 3.0)
OFF = Verdict(False, 1.0)
FRESHNESS = Freshness(max_age=timedelta(days=7))


def run(
    entry: Entry = ENTRY,
    verdict: Verdict = ON,
    known: Known | None = None,
    story_exists: bool = False,
    baseline: bool = False,
    freshness: Freshness = FRESHNESS,
) -> tuple[Action, bool, bool]:
    d = decide(
        entry,
        verdict,
        known=known,
        story_exists=story_exists,
        baseline=baseline,
        freshness=freshness,
        now=NOW,
    )
    return d.action, d.creates_story, d.posts


def test_new_relevant_entry_is_posted() -> None:
    assert run() == (Action.NEW, True, True)


def test_same_guid_is_never_a_new_post_even_when_edited_or_redated() -> None:
    assert run(known=Known("Title", "Summary", True)) == (Action.UNCHANGED, False, False)
    assert run(known=Known("Old title", "Summary", True)) == (Action.UPDATED, False, False)
    redated = replace(ENTRY, published=NOW)
    assert run(redated, known=Known("Title", "Summary", True)) == (Action.UNCHANGED, False, False)


def test_edit_that_makes_an_item_relevant_is_news() -> None:
    assert run(known=Known("Old title", "Summary", False)) == (Action.NEW, True, True)
    assert run(known=Known("Title", "Summary", False)) == (Action.UNCHANGED, False, False)


def test_irrelevant_and_duplicate_are_not_posted() -> None:
    assert run(verdict=OFF) == (Action.IRRELEVANT, False, False)
    assert run(story_exists=True) == (Action.DUPLICATE, False, False)


def test_baseline_stores_history_unless_post_recent_covers_it() -> None:
    assert run(baseline=True) == (Action.BASELINE, True, False)
    recent = Freshness(max_age=timedelta(days=7), post_recent=timedelta(hours=2))
    assert run(baseline=True, freshness=recent) == (Action.NEW, True, True)
    older = replace(ENTRY, published=NOW - timedelta(hours=3))
    assert run(older, baseline=True, freshness=recent) == (Action.BASELINE, True, False)
    undated = replace(ENTRY, published=NOW, has_date=False)
    assert run(undated, baseline=True, freshness=recent) == (Action.BASELINE, True, False)


@pytest.mark.parametrize(
    ("age", "action"), [(timedelta(days=6), Action.NEW), (timedelta(days=8), Action.OLD)]
)
def test_max_age(age: timedelta, action: Action) -> None:
    assert run(replace(ENTRY, published=NOW - age))[0] is action


def test_undated_entries_count_as_published_when_first_seen() -> None:
    undated = replace(ENTRY, published=NOW - timedelta(days=30), has_date=False)
    assert run(undated) == (Action.NEW, True, True)
