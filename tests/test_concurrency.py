"""Processes and tasks that share one database: concurrent backfills, and polls that go on
while delivery is stuck."""

from __future__ import annotations

import asyncio
import io
import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import FeedConfig, load_config
from bot.delivery import ConsoleDeliverer
from bot.intake.fetch import Fetcher
from bot.models import Message
from bot.scheduler import Service
from bot.scheduler.polls import Polls
from bot.store import Store
from bot.update import FeedReport, Pipeline
from tests.support.builders import NOW, queue_developments
from tests.support.cli import command, environment
from tests.support.fake_discord import WEBHOOK_URL, FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route

FILINGS = 30


def test_two_concurrent_backfills_post_each_development_once(tmp_path: Path, feed_server: FeedServer) -> None:
    items = [
        Item(
            f"Musk sues OpenAI, filing number {i}",
            f"https://news.example/{i}",
            NOW - timedelta(days=5 * (FILINGS - i)),
            description="Elon Musk's lawsuit against OpenAI.",
        )
        for i in range(FILINGS)
    ]
    feed_server.routes["/f.xml"] = Route(rss(items))
    write_config(
        tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, extra="discord:\n  max_per_minute: 100000"
    )
    with FakeDiscord() as api:
        env = environment(webhook_url=WEBHOOK_URL, api_base=api.api_base)
        baseline = subprocess.run(
            command(tmp_path, "poll"), env=env, capture_output=True, text=True, timeout=120
        )
        assert baseline.returncode == 0, baseline.stderr
        args = command(tmp_path, "backfill", "--since", "2000-01-01")
        runs = [
            subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        results = [run.communicate(timeout=300) for run in runs]
        posted = Counter(e["title"] for e in api.embeds())
    assert [run.returncode for run in runs] == [0, 0], results
    assert posted == Counter({item.title: 1 for item in items})


class StuckDeliverer(ConsoleDeliverer):
    """Discord that takes a post and never answers."""

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.posts = 0

    async def post(self, message: Message, nonce: str) -> str:
        self.posts += 1
        await asyncio.Event().wait()
        return "never"


def test_polls_go_on_while_a_send_hangs_and_a_stop_does_not_resend_it(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A delivery backlog used to hold the delivery lock while every poll waited for it, and a
    stop cancelled the send under way and sent the row again at once."""
    feed_server.routes["/f.xml"] = Route(rss([]))
    path = write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  min_interval: 1s\n  interval: 1s\n  max_interval: 2s",
    )
    store = Store(tmp_path / "bot.db")
    queue_developments(store, 5)
    deliverer = StuckDeliverer()

    async def go() -> None:
        fetcher = Fetcher(allow_private=True)
        pipeline = Pipeline(App(load_config(path), store, fetcher, deliverer))
        service = Service(pipeline.app, pipeline)
        running = asyncio.create_task(service.run())
        try:
            hits = await asyncio.to_thread(feed_server.wait_for_hits, "/f.xml", 4, 30.0)
            assert len(hits) >= 4  # polled again and again while the first send hangs
        finally:
            service.stop()
            await asyncio.wait_for(running, 15)
            await pipeline.app.aclose()
            await fetcher.aclose()

    asyncio.run(go())
    states = Counter(row["state"] for row in store.table("outbox").rows)
    store.close()
    assert deliverer.posts == 1  # the stuck send was neither cut off and repeated nor followed
    assert states == Counter({"sending": 1, "pending": 4})


def test_a_poll_cut_off_by_the_stop_ends_in_one_line_not_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """APScheduler logs a traceback for any exception a job raises, a cancellation too: a
    poll still in flight at the shutdown deadline showed one in the service's log."""
    path = write_config(tmp_path / "feeds.yaml", {"f": "http://127.0.0.1:9/f.xml"})
    store = Store(tmp_path / "bot.db")

    entered = asyncio.Event()

    class Hanging(Pipeline):
        async def poll_feed(self, feed: FeedConfig) -> FeedReport:
            entered.set()
            await asyncio.Event().wait()
            raise AssertionError("never")

    async def go() -> None:
        fetcher = Fetcher(allow_private=True)
        pipeline = Hanging(App(load_config(path), store, fetcher, ConsoleDeliverer(io.StringIO())))
        stop = asyncio.Event()
        polls = Polls(pipeline.app, pipeline, stop, lambda: None)
        job = asyncio.create_task(polls._job(pipeline.app.config.feeds[0]))
        await entered.wait()  # the job is polling its feed
        stop.set()
        job.cancel()
        await asyncio.wait([job])
        assert not job.cancelled() and job.exception() is None  # ended, not raised
        await pipeline.app.aclose()
        await fetcher.aclose()

    asyncio.run(go())
    store.close()
    assert "poll cut off by the stop" in caplog.text
