"""update.candidates: clustering's copy of the open developments stays true to the store."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Developments, EventKind, load_config
from bot.delivery import ConsoleDeliverer
from bot.intake.fetch import Fetcher
from bot.judge import cluster, evidence
from bot.judge.kinds import KindFinder
from bot.judge.match import judge_entry
from bot.models import Entry, ParsedFeed, Story
from bot.store import Store, iso
from bot.update import Pipeline
from bot.update.candidates import MEMBERS, OpenDevelopments
from tests.support.builders import NOW
from tests.support.feeds import write_config

KINDS = KindFinder(
    Developments(
        window=timedelta(days=3),
        events=(
            EventKind("testimony", ("testif*",), timedelta(days=3)),
            EventKind("filing", ("sues",), timedelta(days=3), weak=True),
        ),
    )
)


def stored(
    store: Store, n: int, title: str, hours: float, development: int | None = None
) -> cluster.Features:
    """Store a story (placed in `development` when given) and return its features."""
    when = NOW + timedelta(hours=hours)
    entry = Entry("f", f"g{n}", f"https://x.example/{n}", title, "", "", when, True)
    kind = KINDS.kind(title, "")
    story_id = store.create_story(entry, entry.url, kind, NOW, development)
    return cluster.features(Story(story_id, title, entry.url, "", "", when, entry.url, "en", kind))


def test_a_story_another_process_added_is_seen_and_ours_need_no_reading(tmp_path: Path) -> None:
    ours, theirs = Store(tmp_path / "bot.db"), Store(tmp_path / "bot.db")  # two processes
    store_feed = "INSERT INTO feeds (name, url) VALUES ('f', 'https://x.example/f')"
    ours.db.execute(store_feed)
    first = stored(ours, 1, "Altman testifies in Musk trial", 0)
    development = ours.create_development(first.story_id, first.kind, first.published, NOW)
    candidates = OpenDevelopments(ours, KINDS)
    candidates.placed(first, development, first.published, first.kind)
    later = stored(ours, 2, "What Altman said on the stand", 1, development)
    candidates.placed(later, development, later.published, later.kind)
    [seen] = candidates.around(replace(later, story_id=0))
    assert [m.story_id for m in seen.members] == [first.story_id, later.story_id]
    with theirs.transaction():
        elsewhere = stored(theirs, 3, "Altman testifies: the cross", 2, development)
    [seen] = candidates.around(replace(later, story_id=0))
    assert [m.story_id for m in seen.members][-1] == elsewhere.story_id  # read again
    ours.close()
    theirs.close()


def test_a_development_keeps_its_first_story_and_its_latest(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    store.db.execute("INSERT INTO feeds (name, url) VALUES ('f', 'https://x.example/f')")
    first = stored(store, 0, "Musk sues OpenAI", 0)
    development = store.create_development(first.story_id, first.kind, first.published, NOW)
    for n in range(1, MEMBERS + 5):
        stored(store, n, f"Musk sues OpenAI, report {n}", n / 10, development)
    [view] = store.candidate_views([development], MEMBERS)
    kept = [s.id for s in (view.lead, *view.coverage)]
    assert kept[0] == first.story_id and len(kept) == MEMBERS + 1
    assert kept[-1] == first.story_id + MEMBERS + 4  # the latest
    grown = OpenDevelopments(store, KINDS)
    [known] = grown.around(first)
    assert known.kind == "filing" and len(known.members) == MEMBERS + 1
    testimony = stored(store, 99, "Altman testifies in Musk trial", 3, development)
    grown.placed(testimony, development, first.published, first.kind)
    assert store.development(development).kind == "testimony"  # the first that tells
    store.close()


def test_a_rolled_back_poll_leaves_no_development_behind_in_memory(tmp_path: Path) -> None:
    """Ids come back after a rollback: a kept copy of a development that was never stored
    would pass for the next one with the same id."""
    url = "http://127.0.0.1:9/f.xml"
    config = load_config(write_config(tmp_path / "feeds.yaml", {"f": url}))
    store = Store(tmp_path / "bot.db")
    store.db.execute("INSERT INTO feeds (name, url, baseline_at) VALUES ('f', ?, ?)", [url, iso(NOW)])
    fetcher = Fetcher()
    pipeline = Pipeline(App(config, store, fetcher, ConsoleDeliverer(io.StringIO()), clock=lambda: NOW))

    def accept(title: str, n: int) -> None:
        entry = Entry("f", f"g{n}", f"https://x.example/{n}", title, "", "", NOW + timedelta(minutes=n), True)
        parsed = ParsedFeed("t", (entry,))
        pipeline.accept(config.feeds[0], parsed, (judge_entry(entry, pipeline.app.rules),), NOW)

    with pytest.raises(RuntimeError), pipeline.writing():
        accept("Musk sues OpenAI over its mission", 1)
        raise RuntimeError("the disk is full")
    with pipeline.writing():
        accept("Jury finds for OpenAI in Musk lawsuit", 2)  # story 1 of development 1 again
    third = cluster.features(Story(0, "Jury sides with OpenAI", "", "", "", NOW, "", "", "verdict"))
    assert pipeline._placer._open is not None
    [kept] = pipeline._placer._open.around(third)
    assert kept.id == 1 and kept.members[0].title_words == evidence.words(
        "Jury finds for OpenAI in Musk lawsuit"
    )
    asyncio.run(fetcher.aclose())
    store.close()
