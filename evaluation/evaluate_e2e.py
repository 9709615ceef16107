"""`make eval` end to end: the labelled set served as real feeds on loopback and run through
the whole bot (fetch, parse, judge, cluster, store, outbox, render), counting the posts a
channel would get for each labelled development.

One feed per language, newest items first, at most 100 items each, as news feeds are.
History (the first half of the days) is taken in by a baseline poll and posted by a
backfill; the rest arrives day by day in bursts of a few items per poll, in publication
order, one poll interval (10 minutes) apart from noon of their day, so that a settle time
holds a new development over the next burst or two. Posts go to a console deliverer.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from xml.sax.saxutils import escape

from bot.app import App
from bot.config import Config, FeedConfig
from bot.delivery import ConsoleDeliverer
from bot.delivery.render import render_development
from bot.intake.fetch import Fetcher
from bot.intake.urls import canonical_url
from bot.models import DevelopmentView
from bot.prose.summarize import beyond
from bot.store import Store
from bot.update import Pipeline
from bot.update.history import Backfill, backfill

BURST = 4  # items that appear between two polls
_PACE = (timedelta(minutes=10), timedelta(seconds=10), 10 * 1024 * 1024)  # interval, timeout, cap
FEED_SIZE = 100


@dataclass(frozen=True)
class Result:
    developments: int  # labelled developments that reached the channel
    posts: int  # top-level posts
    per_development: float  # posts holding a labelled development's items, averaged
    without_summary: int  # posts with text to summarise that went out without a summary
    edits: int  # edits of posted messages (later coverage, a better lead)

    def lines(self) -> list[str]:
        return [
            "end to end (feeds on loopback, backfill then bursts of polls)",
            f"{self.posts} posts for {self.developments} developments: {self.per_development:.2f} posts per"
            f" development; {self.without_summary} posts without a summary; {self.edits} edits",
        ]


class _Feeds(ThreadingHTTPServer):
    """Serves `bodies[path]` on 127.0.0.1; the measurement swaps the bodies between polls."""

    daemon_threads = True

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.post: Callable[[str, bytes], bytes] | None = None  # a POST's answer (a fake Google)
        self.seen: list[str] = []  # every path asked, in order
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.seen.append(self.path)
                self._send(outer.bodies.get(self.path.split("?")[0], b""))

            def do_POST(self) -> None:
                outer.seen.append(self.path)
                form = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1 << 20))
                self._send(outer.post(self.path, form) if outer.post else b"")

            def _send(self, body: bytes) -> None:
                self.send_response(200 if body else 404)
                kind = (
                    "text/html"
                    if body.lstrip().lower().startswith((b"<html", b"<!doctype"))
                    else "application/rss+xml"
                )
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)


def _rss(items: list[dict[str, Any]]) -> bytes:
    """A news feed of `items` (newest first): each item's own headline, link and lede (an
    item may carry `served_title`, `served_url` and `served_text`: how a feed shows it)."""
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>eval</title>']
    for item in sorted(items, key=lambda i: (i["date"], i["id"]), reverse=True)[:FEED_SIZE]:
        when = format_datetime(_when(item))
        title = item.get("served_title", item.get("title", ""))
        text = item.get("served_text", item.get("description", ""))
        parts.append(
            f"<item><guid>{escape(item['id'])}</guid><title>{escape(title)}</title>"
            f"<link>{escape(item.get('served_url', item['url']))}</link><pubDate>{when}</pubDate>"
            f"<description>{escape(text)}</description>"
            f"<source>{escape(item.get('source', ''))}</source></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def _when(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["date"]).replace(hour=12, tzinfo=UTC)


def measure(items: list[dict[str, Any]], config: Config, db: str, channel: TextIO | None = None) -> Result:
    """Run the set through the bot; `db` is a fresh database path; what the channel would
    get is printed to `channel` (nowhere by default), as console mode prints it."""
    scored = [i for i in items if i["label"] in ("on", "off") and i.get("url")]
    days = sorted({i["date"] for i in scored})
    history_days = set(days[: len(days) // 2])
    languages = sorted({i.get("lang", "en") for i in scored})
    server = _Feeds()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        feeds = tuple(
            FeedConfig(f"eval-{lang}", f"http://127.0.0.1:{port}/{lang}.xml", *_PACE, language=lang)
            for lang in languages
        )
        run_config = replace(
            config,
            feeds=feeds,
            # Loopback feeds; no article pages or LLM: the measurement stays on this machine.
            polling=replace(config.polling, allow_private=True),
            summaries=replace(config.summaries, fetch_articles=False, llm=None),
            discord=replace(config.discord, max_per_minute=1_000_000, burst=1_000_000),  # no real Discord
        )
        asyncio.run(_run(server, scored, history_days, days, run_config, db, channel or io.StringIO()))
    finally:
        server.shutdown()
        server.server_close()
    return _count(scored, run_config, db)


Publish = Callable[[list[dict[str, Any]]], None]  # serves the items shown so far as feeds


async def _run(
    server: _Feeds,
    items: list[dict[str, Any]],
    history: set[str],
    days: list[str],
    config: Config,
    db: str,
    channel: TextIO,
    serve: Publish | None = None,
) -> None:
    shown: list[dict[str, Any]] = []
    clock = [datetime.fromisoformat(min(days)).replace(tzinfo=UTC)]

    def publish() -> None:
        if serve is not None:
            serve(shown)
            return
        for lang in {f.language for f in config.feeds}:
            server.bodies[f"/{lang}.xml"] = _rss([i for i in shown if i.get("lang", "en") == lang])

    store = Store(db)
    fetcher = Fetcher.from_polling(config.polling)
    app = App(config, store, fetcher, ConsoleDeliverer(channel), clock=lambda: clock[0])
    pipeline = Pipeline(app)
    try:
        shown += [i for i in items if i["date"] in history]
        publish()
        clock[0] = _when(max(shown, key=_when)) + timedelta(hours=11) if shown else clock[0]
        await pipeline.poll()  # the baseline: nothing posted
        await backfill(app, pipeline, Backfill(datetime(1970, 1, 1, tzinfo=UTC)))
        for day in [d for d in days if d not in history]:
            todays = sorted((i for i in items if i["date"] == day), key=lambda i: i["id"])
            for burst, start in enumerate(range(0, len(todays), BURST), start=1):
                shown += todays[start : start + BURST]
                publish()
                clock[0] = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC) + burst * _PACE[0]
                await pipeline.poll()
        clock[0] += timedelta(days=1)  # posts still settling go out
        await app.deliver()
    finally:
        await app.aclose()
        await fetcher.aclose()
        store.close()


def posted_views(store: Store) -> list[DevelopmentView]:
    """The developments whose post went out, as the channel last saw them."""
    sql = "SELECT development_id FROM outbox WHERE action = 'post' AND state = 'sent'"
    return [store.development(row[0]) for row in store.db.execute(sql).fetchall()]


def _count(items: list[dict[str, Any]], config: Config, db: str) -> Result:
    """Posts per labelled development, and posts whose message has no summary although the
    story it shows has text beyond its headline (rendered as the channel last saw them)."""
    events_of = {canonical_url(i["url"]): i.get("events") or [] for i in items if i["label"] == "on"}
    store = Store(db)
    try:
        views = posted_views(store)
        edits = store.db.execute("SELECT count(*) FROM outbox WHERE action = 'edit' AND state = 'sent'")
        edited = int(edits.fetchone()[0])
    finally:
        store.close()
    holders: dict[str, set[int]] = defaultdict(set)
    bare = 0
    for view in views:
        for story in (view.lead, *view.coverage):
            for event in events_of.get(story.canonical_url, []):
                holders[event].add(view.id)
        message = render_development(
            view, max_chars=config.summaries.max_chars, language=config.discord.language
        )
        shown = next((s for s in (view.lead, *view.coverage) if s.url == message.url), view.lead)
        bare += not message.description and bool(beyond(shown.title, shown.summary or shown.content))
    per = sum(len(h) for h in holders.values()) / (len(holders) or 1)
    return Result(len(holders), len(views), per, bare, edited)
