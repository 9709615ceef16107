"""What moderators do to a channel sooner or later: delete or lock a development's thread,
delete the pinned story so far. Each costs that thread or message only; delivery never
halts for it, and the thread and the story so far come back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery.failures import judge
from bot.delivery.timeline import TITLE
from bot.errors import DeliveryFailure, ThreadGone, WebhookInvalid
from tests.support.cli import bot_poll, status
from tests.support.fake_discord import FakeDiscord
from tests.support.feeds import Item, press, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW, assert_clean

VERDICT = "A jury in Oakland decided Elon Musk's lawsuit against OpenAI and Sam Altman."
APPEAL = "Elon Musk asked the Ninth Circuit to revive his suit against OpenAI."
WHEN = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)


def refusal(status: int, code: int) -> DeliveryFailure:
    """What a transport raises for Discord's answer `status` with error `code`."""
    return DeliveryFailure(f"HTTP {status} code {code}: refused", status=status, code=code)


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, 10003), (403, 50001), (403, 50013), (403, 50083), (400, 160005)],
)
def test_a_thread_that_is_gone_or_closed_forgets_the_thread_and_halts_nothing(status: int, code: int) -> None:
    failure = judge(refusal(status, code), 1, WHEN, 0.5, in_thread=True)
    assert isinstance(failure.error, ThreadGone)
    assert failure.forget_thread and not failure.halt and not failure.stop
    assert failure.retry_at == WHEN  # the next drain opens a new thread


def test_a_thread_that_stays_refused_costs_that_row_only() -> None:
    failure = judge(refusal(404, 10003), 8, WHEN, 0.5, in_thread=True)
    assert failure.retry_at is None and not failure.halt and not failure.stop


@pytest.mark.parametrize(
    ("status", "code"), [(401, 0), (404, 10015), (404, 10003), (403, 50001), (403, 50013)]
)
def test_only_the_channel_or_webhook_itself_refused_halts_delivery(status: int, code: int) -> None:
    failure = judge(refusal(status, code), 1, WHEN, 0.5, in_thread=False)
    assert isinstance(failure.error, WebhookInvalid) and failure.halt


def test_an_unknown_webhook_halts_even_for_a_thread() -> None:
    assert judge(refusal(404, 10015), 1, WHEN, 0.5, in_thread=True).halt


def story(title: str, n: int, hours_ago: float, lede: str = VERDICT) -> Item:
    return press(title, n, NOW - timedelta(hours=hours_ago), lede)


def titles(discord_api: FakeDiscord, thread: str = "") -> list[str]:
    return [m.payload["embeds"][0]["title"] for m in discord_api.messages if m.thread == thread]


def test_a_deleted_thread_and_a_deleted_pinned_story_so_far_come_back_and_nothing_halts(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    verdict = [
        story("Jury finds OpenAI not liable in Elon Musk's lawsuit", 1, 30),
        story("Jury sides with OpenAI against Musk", 2, 29),
        story("Jury finds for OpenAI in Musk case", 3, 28),
        story("Musk loses jury verdict in OpenAI lawsuit", 4, 27),
    ]
    appeal = story("Musk asks appeals court to revive OpenAI lawsuit", 5, 2, APPEAL)
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  post_recent: 3d",
        discord="threads: true\ntimeline: true",
    )

    def poll(*items: Item) -> None:
        feed_server.routes["/f.xml"] = Route(rss(list(items)))
        assert_clean(bot_poll(tmp_path, discord_api.api_base))

    poll(verdict[0])
    poll(*verdict[:2])  # the thread is started for the second story
    post = discord_api.messages[0]
    [pinned] = discord_api.pins
    assert discord_api.threads == [post.id] and titles(discord_api, post.id) == [verdict[1].title]

    discord_api.delete_thread(post.id)  # a moderator deletes the thread...
    discord_api.delete_message(pinned)  # ...and the pinned story so far
    poll(*verdict[:3], appeal)  # the thread refuses the third story; the appeal is a new development
    poll(*verdict, appeal)

    assert titles(discord_api) == [verdict[0].title, appeal.title, TITLE]  # every development posted
    assert titles(discord_api, post.id) == [verdict[2].title, verdict[3].title]  # in a new thread
    assert discord_api.threads == [post.id]
    new_pin = next(m.id for m in discord_api.messages if m.payload["embeds"][0]["title"] == TITLE)
    assert discord_api.pins == [new_pin] and new_pin != pinned  # the story so far is back, pinned
    assert status(tmp_path)["halted"] is None
