"""Benchmark: cost per entry of the dedup and development decisions as history grows.

Fills a database with synthetic history (entries, stories, developments), then times the
pipeline's per-entry decisions (identity lookups, dedup, clustering, the writes) for a
batch of new entries, relevant and not, at each size.

    python bench/decision_bench.py                          # 10k, 100k and 1M stored entries
    python bench/decision_bench.py --sizes 1000,5000 --batch 200   # a smoke run
    python bench/decision_bench.py --open 50,5000           # open developments in the window
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import App  # noqa: E402
from bot.config import FeedConfig, load_config  # noqa: E402
from bot.delivery import ConsoleDeliverer  # noqa: E402
from bot.intake.fetch import Fetcher  # noqa: E402
from bot.judge.match import judge_entry  # noqa: E402
from bot.models import Entry, ParsedFeed  # noqa: E402
from bot.store import Store, iso  # noqa: E402
from bot.update import Pipeline  # noqa: E402

NOW = datetime(2026, 5, 18, 12, 0, tzinfo=UTC)
FEED = FeedConfig("f", "https://x.example/f", timedelta(minutes=10), timedelta(seconds=30), 1 << 20)


ENTRIES_PER_DAY = 1_500  # about what 500 feeds bring in: history grows longer, not denser
STORIES_PER_DEVELOPMENT = 20


def fill(store: Store, size: int) -> None:
    """`size` stored entries at ENTRIES_PER_DAY up to now; one in ten relevant, each its own
    story, twenty stories to a development."""
    db = store.db
    db.execute(
        "INSERT INTO feeds (name, url, baseline_at) VALUES ('f', 'https://x.example/f', ?)", [iso(NOW)]
    )
    step = timedelta(days=1) / ENTRIES_PER_DAY
    start = NOW - step * size
    with store.transaction():
        stories, developments, entries = [], [], []
        for i in range(size):
            when = iso(start + step * i)
            url = f"https://outlet{i % 50}.example/2025/{i}"
            story = i // 10 + 1 if i % 10 == 0 else None
            if story is not None:
                development = (story - 1) // STORIES_PER_DEVELOPMENT + 1
                if (story - 1) % STORIES_PER_DEVELOPMENT == 0:
                    developments.append((development, "filing", when, story, when))
                stories.append(
                    (
                        story,
                        url,
                        url,
                        f"Story {i}",
                        "",
                        "Outlet",
                        when,
                        "f",
                        "en",
                        "filing",
                        "",
                        development,
                        when,
                    )
                )
            entries.append(
                (
                    f"g{i}",
                    url,
                    url,
                    f"Entry {i}",
                    "",
                    "",
                    when,
                    1,
                    "",
                    "Outlet",
                    "en",
                    when,
                    when,
                    int(story is not None),
                    1.0,
                    "{}",
                    "baseline",
                    story,
                )
            )
        db.conn.executemany(
            "INSERT INTO developments (id, kind, first_published, lead_story_id, created_at)"
            " VALUES (?,?,?,?,?)",
            developments,
        )
        db.conn.executemany(
            "INSERT INTO stories (id, canonical_url, url, title, summary, outlet, published, feed,"
            " language, kind, content, development_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            stories,
        )
        db.conn.executemany(
            "INSERT INTO entries (feed, guid, url, canonical_url, title, summary, content, published,"
            " has_date, author, outlet, language, first_seen_at, updated_at, relevant, score, reasons,"
            " decision, story_id)"
            " VALUES ('f',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            entries,
        )


KINDS = ("testimony", "ruling", "filing", "verdict", "appeal")
WITNESSES = ("Zilis", "Brockman", "Sutskever", "Murati", "Nadella", "Russell", "Birchall", "Wazzan")


def fill_open(store: Store, developments: int) -> None:
    """`developments` open developments over the last two days, three stories each, of
    several kinds, their ledes naming a witness: a story has that many candidates in reach."""
    step = timedelta(days=2) / developments
    store.db.execute(
        "INSERT INTO feeds (name, url, baseline_at) VALUES ('f', 'https://x.example/f', ?)", [iso(NOW)]
    )
    with store.transaction():
        for d in range(developments):
            when = NOW - step * d
            for s in range(3):
                url = f"https://outlet{s}.example/open/{d}"
                story = store.create_story(
                    Entry(
                        "f", f"open-{d}-{s}", url, f"Musk v. OpenAI {KINDS[d % 5]} {d}", "", "", when, True
                    ),
                    url,
                    KINDS[d % 5],
                    NOW,
                )
                if s == 0:
                    development = store.create_development(story, KINDS[d % 5], when, NOW)
                else:
                    store.join_development(story, development)
                store.name_story(story, when, [WITNESSES[d % len(WITNESSES)].lower()])


def topical(count: int) -> list[Entry]:
    """New coverage arriving now, all of it about the case, in several kinds and names."""
    return [
        Entry(
            "f",
            f"topical-{i}",
            f"https://outlet{i % 50}.example/2026/topical-{i}",
            f"Musk v. OpenAI: {KINDS[i % 5]} in the lawsuit, day {i}",
            f"In court on Monday the jury heard from {WITNESSES[i % len(WITNESSES)]} about the lawsuit.",
            "",
            NOW - timedelta(minutes=i % 600),
            True,
            outlet="Outlet",
        )
        for i in range(count)
    ]


def batch(count: int, offset: int) -> list[Entry]:
    """New entries arriving now: one in five about the case, some repeating a stored one."""
    entries = []
    for i in range(count):
        topical = i % 5 == 0
        title = f"Musk sues OpenAI, filing {offset + i}" if topical else f"Weather and markets {offset + i}"
        url = f"https://outlet{i % 50}.example/2026/{offset + i}"
        entries.append(
            Entry(
                "f",
                f"new-{offset}-{i}",
                url,
                title,
                "Elon Musk's lawsuit against OpenAI." if topical else "Nothing about the case.",
                "",
                NOW - timedelta(minutes=i),
                True,
                outlet="Outlet",
            )
        )
    return entries


def measure(size: int, count: int, open_developments: bool = False) -> float:
    """Microseconds per entry to decide and store `count` new entries over `size` stored ones
    (or, with `open_developments`, `count` relevant ones among `size` open developments)."""
    workdir = Path(tempfile.mkdtemp(prefix="decision-bench-"))
    config = load_config(ROOT / "feeds.yaml")
    store = Store(workdir / "bot.db")
    if open_developments:
        fill_open(store, size)
    else:
        fill(store, size)

    async def run() -> float:
        fetcher = Fetcher()
        pipeline = Pipeline(App(config, store, fetcher, ConsoleDeliverer(io.StringIO()), clock=lambda: NOW))
        entries = topical(count) if open_developments else batch(count, size)
        verdicts = tuple(judge_entry(e, pipeline.app.rules) for e in entries)  # judging is not the subject
        parsed = ParsedFeed("f", tuple(entries))
        start = time.perf_counter()
        with store.transaction():
            pipeline.accept(FEED, parsed, verdicts, NOW)
        elapsed = time.perf_counter() - start
        await pipeline.app.aclose()
        await fetcher.aclose()
        return elapsed / count * 1e6

    try:
        return asyncio.run(run())
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--open", help="open developments in the window instead, e.g. 50,5000")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.open or args.sizes).split(",")]
    results = {size: measure(size, args.batch, open_developments=bool(args.open)) for size in sizes}
    base = results[sizes[0]]
    label = "open developments" if args.open else "stored entries"
    print(f"{label:>15} {'µs per entry':>13} {'vs smallest':>12}")
    for size, cost in results.items():
        print(f"{size:>15,} {cost:>13.0f} {cost / base:>12.2f}")


if __name__ == "__main__":
    main()
