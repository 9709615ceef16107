"""Benchmark: followup-bot's poll against lemon24/reader's update_feeds on the same feeds.

Serves N generated feeds of M items (RSS 2.0 with content:encoded, ETag and Last-Modified)
on 127.0.0.1, then runs each tool in its own process through three passes:
  1. first: every entry is new;
  2. unchanged: the server answers 304 to conditional requests;
  3. ignored: the server ignores conditional requests and sends the same body again.
Each child reports its pass times and its peak RSS. Nothing leaves the machine.

    python bench/poll_bench.py --feeds 500 --items 50          # the full benchmark
    python bench/poll_bench.py --feeds 5 --items 5 --tools bot  # a smoke run

reader is installed by the `bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
WORDS = (  # ordinary news vocabulary, with a few of the topic's words as real feeds have
    "the a of to and in for on with as by at from that this it was were is are be has have said "
    "government minister election vote city council weather storm season team match player coach "
    "company market shares quarter revenue growth prices inflation bank rates investors report "
    "school students health hospital doctors study research science climate energy power water "
    "police court judge officials statement spokesperson week month year today yesterday people "
    "technology software phone launch product users data privacy security apple google"
).split()

LEDE = "Elon Musk's lawsuit against OpenAI and Sam Altman was before the federal court in Oakland."
TOPICAL = (
    "jury hears testimony",
    "judge rules on the motion to dismiss",
    "Musk files an amended lawsuit",
    "jury returns its verdict",
    "OpenAI countersues",
)


def generate(index: int, items: int, seed: int = 1, relevant: float = 0.1) -> bytes:
    """One RSS 2.0 feed of `items` entries, about 2.6 KB of content:encoded each; the share
    `relevant` of them is about the case."""
    rng = random.Random(seed * 100_003 + index)
    now = 1_780_000_000
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
        f"<title>Bench feed {index}</title><link>https://bench.example/{index}/</link>",
    ]
    for i in range(items):
        words = " ".join(rng.choice(WORDS) for _ in range(280))
        paragraphs = "".join(f"<p>{escape(words[k : k + 600])}</p>" for k in range(0, len(words), 600))
        when = format_datetime(
            __import__("datetime").datetime.fromtimestamp(
                now - i * 3600 - index, tz=__import__("datetime").UTC
            )
        )
        # One item in ten is about the case, as in an outlet's general feed (or all of them,
        # with --relevant 1: a verdict day, a year's backfill), in several kinds of event.
        title = f"Story {index}-{i}: {' '.join(rng.choice(WORDS) for _ in range(8))}"
        if rng.random() < relevant:
            title = f"Musk v. OpenAI: {TOPICAL[i % len(TOPICAL)]} (report {index}-{i})"
            words = f"{LEDE} {words}"
        parts.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://bench.example/{index}/story-{i}</link>"
            f'<guid isPermaLink="false">bench-{index}-{i}</guid><pubDate>{when}</pubDate>'
            f"<description>{escape(words[:300])}</description>"
            f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


class Server:
    """Serves /feed/<i>.xml; `conditional` decides whether If-None-Match gets a 304."""

    def __init__(self, feeds: list[bytes]) -> None:
        self.feeds = feeds
        self.tags = [f'"{hashlib.sha256(body).hexdigest()[:16]}"' for body in feeds]
        self.conditional = True
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                if self.path.startswith("/control"):
                    outer.conditional = "mode=ignore" not in self.path
                    self._send(200, b"ok", {})
                    return
                index = int(self.path.rsplit("/", 1)[-1].split(".")[0])
                tag = outer.tags[index]
                headers = {
                    "ETag": tag,
                    "Last-Modified": "Mon, 18 May 2026 09:00:00 GMT",
                    "Content-Type": "application/rss+xml; charset=utf-8",
                }
                if outer.conditional and self.headers.get("If-None-Match") == tag:
                    self._send(304, b"", {"ETag": tag})
                else:
                    self._send(200, outer.feeds[index], headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Listener(ThreadingHTTPServer):
            request_queue_size = 128  # the default 5 drops connects of 8 workers: 1 s SYN retries

        self.httpd = Listener(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


def control(base: str, mode: str) -> None:
    import urllib.request

    urllib.request.urlopen(f"{base}/control?mode={mode}", timeout=10).read()


def run_bot(base: str, feeds: int, workers: int, workdir: Path) -> list[float]:
    """The bot's poll, three passes, in this process."""
    sys.path.insert(0, str(ROOT))
    from bot.app import App
    from bot.config import load_config
    from bot.delivery import ConsoleDeliverer
    from bot.intake.fetch import Fetcher
    from bot.store import Store
    from bot.update import Pipeline

    lines = [
        (ROOT / "feeds.yaml").read_text(encoding="utf-8").split("\n# --- Polling defaults")[0],
        f"polling:\n  allow_private: true\n  concurrency: {workers}\n  per_host: {workers}",
        "summaries:\n  fetch_articles: false",
        "feeds:",
    ]
    lines += [f"  - name: f{i}\n    url: {base}/feed/{i}.xml" for i in range(feeds)]
    (workdir / "feeds.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_config(workdir / "feeds.yaml")

    async def passes() -> list[float]:
        store = Store(workdir / "bot.db")
        fetcher = Fetcher(allow_private=True, concurrency=workers, per_host=workers)
        pipeline = Pipeline(App(config, store, fetcher, ConsoleDeliverer(io.StringIO())))
        times = []
        try:
            for mode in ("conditional", "conditional", "ignore"):
                control(base, mode)
                start = time.perf_counter()
                cycle = await pipeline.poll()
                times.append(time.perf_counter() - start)
                failed = [f.error for f in cycle.feeds if not f.ok]
                assert not failed, failed[:3]
        finally:
            await pipeline.app.aclose()
            await fetcher.aclose()
            store.close()
        return times

    return asyncio.run(passes())


def run_reader(base: str, feeds: int, workers: int, workdir: Path) -> list[float]:
    """reader's update_feeds, three passes, in this process."""
    from reader import make_reader

    reader = make_reader(str(workdir / "reader.sqlite"))
    for i in range(feeds):
        reader.add_feed(f"{base}/feed/{i}.xml")
    times = []
    for mode in ("conditional", "conditional", "ignore"):
        control(base, mode)
        start = time.perf_counter()
        reader.update_feeds(workers=workers, scheduled=False)  # every feed, every pass, as the bot
        times.append(time.perf_counter() - start)
    reader.close()
    return times


def child(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{args.tool}-"))
    runner = run_bot if args.tool == "bot" else run_reader
    times = runner(args.base, args.feeds, args.workers, workdir)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tool": args.tool, "times": times, "peak_mb": peak_kb / 1024}))


def measure(tool: str, base: str, feeds: int, workers: int) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        tool,
        "--base",
        base,
        "--feeds",
        str(feeds),
        "--workers",
        str(workers),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"{tool} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8, help="concurrent fetches, for both tools")
    parser.add_argument("--tools", default="bot,reader")
    parser.add_argument("--relevant", type=float, default=0.1, help="share of items about the case")
    parser.add_argument("--child", dest="tool", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tool:
        child(args)
        return
    feeds = [generate(i, args.items, relevant=args.relevant) for i in range(args.feeds)]
    server = Server(feeds)
    size = sum(map(len, feeds)) / len(feeds) / 1024
    print(
        f"{args.feeds} feeds × {args.items} items ({size:.0f} KB per feed, {args.relevant:.0%} relevant),"
        f" {args.workers} workers; "
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores"
    )
    results = {tool: measure(tool, server.base, args.feeds, args.workers) for tool in args.tools.split(",")}
    entries = args.feeds * args.items
    print(f"{'tool':8} {'first':>8} {'unchanged':>10} {'ignored':>9} {'items/s':>9} {'peak MB':>8}")
    for tool, r in results.items():
        first, unchanged, ignored = r["times"]
        rate = entries / first
        print(f"{tool:8} {first:8.2f} {unchanged:10.2f} {ignored:9.2f} {rate:9.0f} {r['peak_mb']:8.0f}")
    if {"bot", "reader"} <= set(results):
        bot, reader = results["bot"]["times"], results["reader"]["times"]
        ratios = [b / r for b, r in zip(bot, reader, strict=True)]
        print(f"{'bot/reader':8} {ratios[0]:8.2f} {ratios[1]:10.2f} {ratios[2]:9.2f}")


if __name__ == "__main__":
    main()
