"""`storage.keep` under the long-lived service: the retention job fired as the service's
scheduler fires it forgets old irrelevant entries (it once ran in a worker thread, where
SQLite refused the connection, and the database grew without limit)."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import load_config
from bot.delivery import ConsoleDeliverer
from bot.intake.fetch import Fetcher
from bot.models import Entry, Verdict
from bot.scheduler import Service, polls
from bot.store import Store
from bot.update import Pipeline
from tests.support.builders import NOW
from tests.support.feeds import rss, write_config
from tests.support.feedserver import FeedServer, Route


def test_the_service_forgets_old_irrelevant_entries(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    path = write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    store = Store(tmp_path / "bot.db")
    store.ensure_feed("f", feed_server.url("/f.xml"))
    old = Entry("f", "old-off", "https://x.example/old", "T", "S", "", NOW - timedelta(days=200), True)
    store.save_entry(old, old.url, Verdict(False, 0.0), "new", None, NOW - timedelta(days=200), known=False)
    monkeypatch.setattr(polls, "RETENTION_FIRST", timedelta(0))
    caplog.set_level(logging.INFO)

    async def go() -> None:
        loop, forgot = asyncio.get_running_loop(), asyncio.Event()

        class Watched(App):
            def forget_old(self) -> int:
                try:
                    return super().forget_old()
                finally:  # whichever thread the scheduler ran it in
                    loop.call_soon_threadsafe(forgot.set)

        fetcher = Fetcher(allow_private=True)
        app = Watched(load_config(path), store, fetcher, ConsoleDeliverer(io.StringIO()))
        service = Service(app, Pipeline(app))
        running = asyncio.create_task(service.run())
        try:
            await asyncio.wait_for(forgot.wait(), 30)
        finally:
            service.stop()
            await asyncio.wait_for(running, 15)
            await app.aclose()
            await fetcher.aclose()

    asyncio.run(go())
    remaining = store.table("entries").count
    store.close()
    assert remaining == 0
    assert "storage.keep" in caplog.text and "forgot 1 irrelevant entries" in caplog.text
    assert "thread" not in caplog.text
