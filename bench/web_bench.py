"""Benchmark: how long the web page takes to answer over a big story.

Fills a database with N developments of M stories each (default 1,000 × 50 = 50,000
stories, a year of dense coverage), then times, through the real aiohttp server on
loopback, the timeline's first page, a deep page, one development and the Atom feed.

    python bench/web_bench.py                       # 1,000 developments × 50 stories
    python bench/web_bench.py --developments 100 --stories 10   # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.store import Store  # noqa: E402
from bot.web.server import Site, serve  # noqa: E402
from tests.support.builders import fill_coverage  # noqa: E402

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def timed(url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as answer:  # loopback: the server below
            answer.read()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def measure(db: str, runs: int, developments: int) -> dict[str, list[float]]:
    stop = asyncio.Event()
    address: list[str] = []
    site = Site(db, "Musk v. OpenAI", "")
    server = asyncio.create_task(serve(site, "127.0.0.1", 0, stop, address.append))
    while not address:
        await asyncio.sleep(0.01)
    base = address[0]
    results = {}
    deep = max(1, developments // 40)  # half way down the timeline, 20 a page
    pages = (
        ("timeline, page 1", ""),
        (f"timeline, page {deep}", f"?page={deep}"),
        ("a development", f"developments/{developments // 2}"),
        ("Atom feed", "feed.atom"),
    )
    for name, path in pages:
        results[name] = await asyncio.to_thread(timed, base + path, runs)
    stop.set()
    await server
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--developments", type=int, default=1000)
    parser.add_argument("--stories", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = str(Path(scratch) / "web.db")
        store = Store(db)
        start = time.perf_counter()
        fill_coverage(store, args.developments, args.stories, NOW)
        store.close()
        took = time.perf_counter() - start
        print(f"{args.developments} developments × {args.stories} stories filled in {took:.1f} s")
        results = asyncio.run(measure(db, args.runs, args.developments))
    print(f"{'page':20} {'median ms':>10} {'max ms':>8}")
    for name, times in results.items():
        print(f"{name:20} {statistics.median(times):10.1f} {max(times):8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
