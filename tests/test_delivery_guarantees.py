"""Delivery never loses a post and never repeats one, whatever Discord or the process do."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path

import discord.http

from bot.config import Config, Topic
from bot.delivery import WebhookDeliverer, drain, set_api_base
from bot.store import Store
from tests.support.builders import NOW, queue_developments
from tests.support.cli import command, environment
from tests.support.fake_discord import CHANNEL_ID, WEBHOOK_URL, FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route

CONFIG = Config(topic=Topic("t", {"a": ("b",)}), feeds=())


def test_200_developments_with_30_percent_of_requests_failing_are_each_posted_once(tmp_path: Path) -> None:
    base = discord.http.Route.BASE
    store = Store(tmp_path / "bot.db")
    queue_developments(store, 200)
    with FakeDiscord(failure_rate=0.3, seed=11) as api:
        set_api_base(api.api_base)

        async def deliver_until_done() -> int:
            deliverer = WebhookDeliverer(WEBHOOK_URL)
            jitter = random.Random(3).random
            clock, drains = [NOW], 0
            try:
                while store.waiting() and drains < 2000:
                    await drain(store, deliverer, CONFIG, lambda: clock[0], jitter=jitter)
                    clock[0] += timedelta(hours=2)  # past any backoff: the clock is ours
                    drains += 1
            finally:
                await deliverer.close()
            return drains

        try:
            drains = asyncio.run(deliver_until_done())
        finally:
            discord.http.Route.BASE = base
        posted = Counter(e["title"] for e in api.embeds())
        failed_requests = len(api.requests) - len(api.messages)
    assert posted == Counter({f"Development {i}": 1 for i in range(200)})
    assert failed_requests > 40, "the failures really happened"
    assert drains > 1
    states = Counter(r["state"] for r in store.table("outbox").rows)
    assert states == Counter({"sent": 200})


def backfill_with_kills(
    tmp_path: Path, server: FeedServer, env_extra: dict[str, str], api: FakeDiscord, kill_at: list[int]
) -> int:
    """Run `backfill` of 100 developments, SIGKILL it once `kill_at[i]` messages exist,
    restart, and finally let it finish. Returns how many runs it took."""
    items = [
        Item(
            f"Musk sues OpenAI, filing number {i}",
            f"https://news.example/{i}",
            NOW - timedelta(days=4 * (100 - i)),
            description="Elon Musk's lawsuit against OpenAI.",
        )
        for i in range(100)
    ]
    server.routes["/f.xml"] = Route(rss(items))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": server.url("/f.xml")},
        extra="discord:\n  max_per_minute: 100000\n  burst: 10000",
    )
    env = environment(**env_extra)
    args = command(tmp_path, "-q", "backfill", "--since", "2000-01-01")
    runs = 0
    for target in [*kill_at, None]:
        runs += 1
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if target is None:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            break
        reached = api.wait_for("messages", target, timeout=120)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert reached, f"run {runs} never reached {target} messages"
    return runs


KILLS = sorted(random.Random(5).sample(range(5, 90), 6))


def test_webhook_backfill_killed_six_times_loses_nothing(tmp_path: Path, feed_server: FeedServer) -> None:
    with FakeDiscord() as api:
        env = {"webhook_url": WEBHOOK_URL, "api_base": api.api_base}
        runs = backfill_with_kills(tmp_path, feed_server, env, api, KILLS)
        posted = Counter(e["title"] for e in api.embeds())
    assert runs == len(KILLS) + 1
    assert set(posted) == {f"Musk sues OpenAI, filing number {i}" for i in range(100)}  # none lost
    duplicates = sum(n - 1 for n in posted.values())
    assert duplicates <= len(KILLS)  # at most the one in flight at each kill


def test_bot_backfill_killed_six_times_duplicates_nothing(tmp_path: Path, feed_server: FeedServer) -> None:
    with FakeDiscord() as api:
        env = {"token": "bot-token", "channel_id": CHANNEL_ID, "api_base": api.api_base}
        backfill_with_kills(tmp_path, feed_server, env, api, KILLS)
        posted = Counter(e["title"] for e in api.embeds())
    assert posted == Counter({f"Musk sues OpenAI, filing number {i}": 1 for i in range(100)})
