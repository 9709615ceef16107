"""deliver: discord.py against the fake Discord API, and the outbox drain."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import discord
import discord.http
import pytest

from bot.config import Config, DiscordConfig, Mode, Topic
from bot.delivery import BotDeliverer, ConsoleDeliverer, Deliverer, WebhookDeliverer, drain, set_api_base
from bot.delivery.transports import Install
from bot.models import Entry, Message
from bot.store import Store, iso
from tests.support.builders import NOW, queue_developments
from tests.support.fake_discord import CHANNEL_ID, WEBHOOK_URL, Failure, FakeDiscord

CONFIG = Config(topic=Topic("t", {"a": ("b",)}), feeds=())


@pytest.fixture(autouse=True)
def restore_route_base() -> Iterator[None]:
    base = discord.http.Route.BASE
    yield
    discord.http.Route.BASE = base


def queue(store: Store, n: int) -> None:
    queue_developments(store, n, title="Story {i}", spacing=timedelta(hours=1), newest_first=True)


def run_drain(store: Store, deliverer: Deliverer, now: datetime = NOW) -> tuple[int, str]:
    async def go() -> tuple[int, str]:
        try:
            report = await drain(store, deliverer, CONFIG, lambda: now, jitter=lambda: 0.5)
        finally:
            await deliverer.close()
        return report.sent, report.stopped

    return asyncio.run(go())


def test_webhook_posts_oldest_first_and_stores_message_ids(tmp_path: Path, discord_api: FakeDiscord) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 3)
    assert run_drain(store, _lazy_webhook(discord_api)) == (3, "")
    assert [e["title"] for e in discord_api.embeds()] == ["Story 2", "Story 1", "Story 0"]
    assert discord_api.messages[0].payload["username"] == "Tracker"
    ids = [r["message_id"] for r in store.table("outbox").rows]
    assert sorted(ids) == sorted(m.id for m in discord_api.messages)


def test_unreachable_discord_keeps_the_row_pending(tmp_path: Path, discord_api: FakeDiscord) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 2)
    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    unreachable = _lazy_webhook(discord_api)
    set_api_base(f"http://127.0.0.1:{port}/api/v10")
    sent, stopped = run_drain(store, unreachable)
    assert sent == 0 and "Discord delivery failed" in stopped
    [row] = [r for r in store.table("outbox").rows if r["last_error"]]
    assert row["state"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] == iso(NOW + timedelta(seconds=30))  # first backoff step
    assert run_drain(store, _lazy_webhook(discord_api), NOW + timedelta(seconds=10)) == (1, "")
    assert run_drain(store, _lazy_webhook(discord_api), NOW + timedelta(seconds=30)) == (1, "")
    assert len(discord_api.messages) == 2


def test_one_server_error_is_retried_by_discord_py(tmp_path: Path, discord_api: FakeDiscord) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 1)
    discord_api.fail_next(Failure(502))
    assert run_drain(store, _lazy_webhook(discord_api)) == (1, "")
    assert len(discord_api.requests) == 2 and len(discord_api.messages) == 1


def test_payload_rejected_by_discord_is_dead_not_retried(tmp_path: Path, discord_api: FakeDiscord) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 2)
    discord_api.fail_next(Failure(400, code=50035))
    assert run_drain(store, _lazy_webhook(discord_api)) == (1, "")
    states = sorted(r["state"] for r in store.table("outbox").rows)
    assert states == ["dead", "sent"]


def test_bot_mode_posts_with_a_stable_nonce(tmp_path: Path, discord_api: FakeDiscord) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 1)
    set_api_base(discord_api.api_base)

    async def go() -> int:
        deliverer = BotDeliverer("token-value", int(CHANNEL_ID))
        try:
            return (await drain(store, deliverer, CONFIG, lambda: NOW)).sent
        finally:
            await deliverer.close()

    assert asyncio.run(go()) == 1
    payload = discord_api.messages[0].payload
    assert payload["nonce"] == "fub-1" and payload["enforce_nonce"] is True
    assert payload["allowed_mentions"] == {"parse": []}
    add_coverage(store, 1, "second")
    assert asyncio.run(go()) == 1
    [edit] = discord_api.messages[0].edits
    assert edit["embeds"][0]["fields"][0]["value"] == "[second](https://second.example/x)"


def test_console_prints_the_message() -> None:
    out = io.StringIO()
    message = Message("Headline", "https://x.example/a", "Lede.", "Outlet", NOW)
    assert asyncio.run(ConsoleDeliverer(out).post(message, "n")) == "console:n"
    assert "Headline" in out.getvalue() and "https://x.example/a" in out.getvalue()
    asyncio.run(ConsoleDeliverer(out).edit("console:n", message))
    assert "== (update) Headline" in out.getvalue()


def add_coverage(store: Store, development: int, outlet: str) -> None:
    e = Entry(
        "f", outlet, f"https://{outlet}.example/x", f"Copy by {outlet}", "Lede.", "", NOW, True, outlet=outlet
    )
    store.join_development(store.create_story(e, e.url, "filing", NOW), development)
    store.enqueue_edit(development, NOW)


def test_later_coverage_edits_the_posted_message(tmp_path: Path, discord_api: FakeDiscord) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 1)
    assert run_drain(store, _lazy_webhook(discord_api)) == (1, "")
    add_coverage(store, 1, "second")
    add_coverage(store, 1, "third")  # one waiting edit carries both
    assert run_drain(store, _lazy_webhook(discord_api)) == (1, "")
    [posted] = discord_api.messages
    [edit] = posted.edits
    field = edit["embeds"][0]["fields"][0]
    assert field["name"] == "Also covered by"
    assert field["value"] == "[second](https://second.example/x)\n[third](https://third.example/x)"
    assert edit["allowed_mentions"] == {"parse": []}
    assert len(discord_api.messages) == 1  # never a second top-level post


def test_edit_of_a_deleted_message_is_dead_and_delivery_goes_on(
    tmp_path: Path, discord_api: FakeDiscord
) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 2)
    assert run_drain(store, _lazy_webhook(discord_api)) == (2, "")
    add_coverage(store, 1, "late")
    add_coverage(store, 2, "later")
    discord_api.fail_next(Failure(404, code=10008))  # development 2 is older: its edit goes first
    assert run_drain(store, _lazy_webhook(discord_api)) == (1, "")
    states = {r["development_id"]: r["state"] for r in store.table("outbox").rows_where("action = 'edit'")}
    assert states == {2: "dead", 1: "sent"}


def test_an_edit_whose_post_never_went_out_is_skipped(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 1)
    store.enqueue_edit(1, NOW)
    store.mark_failed(1, "400", retry_at=None, now=NOW)
    out = io.StringIO()
    assert run_drain(store, ConsoleDeliverer(out)) == (0, "")
    assert [r["state"] for r in store.table("outbox").rows_where("action = 'edit'")] == ["skipped"]
    assert out.getvalue() == ""


class _lazy_webhook:
    """Creates the aiohttp session inside the drain's event loop, as the CLI does."""

    mode: Mode = "webhook"
    capabilities = WebhookDeliverer.capabilities
    fingerprint = "test-webhook"
    gateway = False

    def __init__(self, api: FakeDiscord) -> None:
        set_api_base(api.api_base)
        self._inner: WebhookDeliverer | None = None

    def _webhook(self) -> WebhookDeliverer:
        if self._inner is None:
            self._inner = WebhookDeliverer(WEBHOOK_URL, username="Tracker")
        return self._inner

    async def post(self, message: Message, nonce: str) -> str:
        return await self._webhook().post(message, nonce)

    def configure(self, discord: DiscordConfig) -> None:
        self._webhook().configure(discord)

    async def edit(self, message_id: str, message: Message) -> None:
        await self._webhook().edit(message_id, message)

    async def pin(self, message_id: str) -> None:
        return None

    async def start_thread(self, message_id: str, name: str) -> str:
        return message_id

    async def serve(self, install: Install) -> None:
        return None

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()


def test_a_console_mode_database_moved_to_discord_skips_its_console_edits(
    tmp_path: Path, discord_api: FakeDiscord
) -> None:
    """An edit of a message printed in console mode crashed the drain on int('console:…')."""
    store = Store(tmp_path / "bot.db")
    queue(store, 2)
    assert run_drain(store, ConsoleDeliverer(io.StringIO())) == (2, "")
    add_coverage(store, 1, "later")
    queue(store, 0)
    assert run_drain(store, _lazy_webhook(discord_api)) == (0, "")
    [edit] = store.table("outbox").rows_where("action = 'edit'")
    assert (edit["state"], edit["last_error"]) == ("skipped", "its post went to the console")
    assert discord_api.requests == []


def test_a_successful_probe_lifts_the_halt(tmp_path: Path, discord_api: FakeDiscord) -> None:
    """After an hour of halt, one probe is sent; when Discord accepts it, delivery resumes
    for good (before, every later drain was a probe an hour apart)."""
    store = Store(tmp_path / "bot.db")
    queue(store, 2)
    deliverer = _lazy_webhook(discord_api)
    store.halt("HTTP 401", deliverer.fingerprint, NOW - timedelta(hours=2))
    assert run_drain(store, deliverer) == (2, "")
    assert store.halted() is None


@pytest.mark.parametrize("mode", ["webhook", "bot"])
def test_an_oversized_answer_is_a_failed_send_not_a_memory_hog(
    tmp_path: Path, discord_api: FakeDiscord, mode: str
) -> None:
    store = Store(tmp_path / "bot.db")
    queue(store, 1)
    discord_api.padding = 8 * 1024 * 1024
    set_api_base(discord_api.api_base)

    async def go() -> tuple[int, str]:
        deliverer: Deliverer = (
            WebhookDeliverer(WEBHOOK_URL) if mode == "webhook" else BotDeliverer("token", int(CHANNEL_ID))
        )
        try:
            report = await drain(store, deliverer, CONFIG, lambda: NOW, jitter=lambda: 0.5)
        finally:
            await deliverer.close()
        return report.sent, report.stopped

    sent, stopped = asyncio.run(go())
    assert sent == 0 and "over 1048576 bytes" in stopped
    [row] = store.table("outbox").rows
    assert row["state"] == "pending"  # retried later, like any failed send
