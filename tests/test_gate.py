"""The drain's decisions before a send, as a table: no database, no Discord."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.delivery.drain import HANDLERS
from bot.delivery.gate import Facts, Gate, Go, gate, in_thread
from bot.delivery.transports import BotDeliverer, Capabilities, ConsoleDeliverer, WebhookDeliverer
from bot.models import DevelopmentView, Story
from bot.store import OutboxAction, OutboxRow, OutboxState, PostState

WHEN = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)
STORY = Story(1, "Jury finds for OpenAI", "https://a.example/1", "", "A", WHEN, "https://a.example/1")
DEV = DevelopmentView(7, "verdict", WHEN, STORY)
MUTED = DevelopmentView(7, "verdict", WHEN, STORY, muted=True)
SENT = PostState(OutboxState.SENT, "1100000000000000001")
PINGED = PostState(OutboxState.SENT, "1100000000000000001", pinged=True)
WAITING = PostState(OutboxState.PENDING, None)
DEAD = PostState(OutboxState.DEAD, None)
THREADED = PostState(OutboxState.SENT, "1100000000000000001", thread_id="1100000000000000001")
BOT, WEBHOOK, CONSOLE = (
    BotDeliverer.capabilities,
    WebhookDeliverer.capabilities,
    ConsoleDeliverer.capabilities,
)
A = OutboxAction
M1 = "1100000000000000001"
MUTE = Gate(Go.SKIP, "its development is muted (/mute)")
NO_POST = Gate(Go.SKIP, "its development was never posted")


def row(
    action: OutboxAction, development: DevelopmentView | None = DEV, message_id: str | None = None
) -> OutboxRow:
    return OutboxRow(1, action, 0, development, message_id, notice="2026-05-18T18:00:00")


@pytest.mark.parametrize(
    ("outbox", "facts", "capabilities", "expected"),
    [
        (row(A.POST), Facts(), BOT, Gate(Go.SEND)),
        (row(A.NOTICE, None), Facts(), BOT, Gate(Go.SEND)),
        (row(A.EDIT, message_id=M1), Facts(SENT), BOT, Gate(Go.SEND)),
        (
            row(A.EDIT, MUTED, "1100000000000000001"),
            Facts(SENT),
            BOT,
            Gate(Go.SKIP, "its development is muted (/mute)"),
        ),
        (row(A.EDIT), Facts(WAITING), BOT, Gate(Go.SKIP, "its post was never sent")),
        (
            row(A.EDIT, message_id="console:fub-3"),
            Facts(SENT),
            BOT,
            Gate(Go.SKIP, "its post went to the console"),
        ),
        (row(A.EDIT, message_id="console:3"), Facts(SENT), CONSOLE, Gate(Go.SEND)),
        (row(A.PING), Facts(SENT), BOT, Gate(Go.SEND)),
        (row(A.PING, MUTED), Facts(SENT), BOT, MUTE),
        (row(A.PING), Facts(PINGED), BOT, Gate(Go.SKIP, "its post pinged already")),
        (row(A.PING), Facts(WAITING), BOT, Gate(Go.WAIT)),
        (row(A.PING), Facts(DEAD), BOT, NO_POST),
        (row(A.PING), Facts(None), BOT, NO_POST),
        (row(A.COVERAGE), Facts(SENT), BOT, Gate(Go.SEND)),
        (row(A.COVERAGE), Facts(PINGED), BOT, Gate(Go.SEND)),  # a pinged post takes its thread's stories
        (row(A.COVERAGE), Facts(WAITING), WEBHOOK, Gate(Go.WAIT)),
        (row(A.DIGEST, None), Facts(), BOT, Gate(Go.SEND)),
        (row(A.DIGEST, None), Facts(digests_on=False), BOT, Gate(Go.SKIP, "discord.digest is no longer set")),
        (
            row(A.DIGEST, None),
            Facts(period_has_news=False),
            BOT,
            Gate(Go.SKIP, "no developments in the period"),
        ),
        (row(A.TIMELINE, None), Facts(), BOT, Gate(Go.SEND)),
    ],
)
def test_the_gate(outbox: OutboxRow, facts: Facts, capabilities: Capabilities, expected: Gate) -> None:
    assert gate(outbox, facts, capabilities) == expected


@pytest.mark.parametrize(
    ("outbox", "post", "capabilities", "expected"),
    [
        (row(A.COVERAGE), SENT, BOT, True),
        (row(A.EDIT, message_id="1"), THREADED, WEBHOOK, True),  # a forum post is edited in its thread
        (row(A.EDIT, message_id="1"), THREADED, BOT, False),  # a bot edits the post in the channel
        (row(A.EDIT, message_id="1"), SENT, WEBHOOK, False),
        (row(A.POST), None, WEBHOOK, False),
        (row(A.PING), THREADED, BOT, False),
    ],
)
def test_what_goes_into_a_thread(
    outbox: OutboxRow, post: PostState | None, capabilities: object, expected: bool
) -> None:
    assert in_thread(outbox, post, capabilities) is expected  # type: ignore[arg-type]


def test_every_action_has_a_handler() -> None:
    assert set(HANDLERS) == set(OutboxAction)
