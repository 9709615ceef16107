"""What placing a story queues, as a table: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import DiscordConfig, Ping, Surge
from bot.judge.cluster import Assignment
from bot.judge.placement import Placement, Queue, plan, revision

NOW = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)
HOLD = NOW + timedelta(minutes=5)
PLAIN = DiscordConfig()
ALL = replace(
    PLAIN,
    timeline=True,
    threads=True,
    ping=Ping(role=123456789012345678, surge=Surge(outlets=3, within=timedelta(hours=3))),
)
DIGESTS_ONLY = replace(PLAIN, per_development=False)
NEW = Assignment(None, "new development")
JOINS = Assignment(7, "names altman like a development of the last 36 hours")
ASIDE = Assignment(None, "a roundup joins no development", aside=True)


@pytest.mark.parametrize(
    ("assignment", "sent", "fresh", "discord", "settle", "expected"),
    [
        # A new development: posted when it is news, held until the settle time.
        (NEW, False, True, PLAIN, timedelta(0), Placement(None, False, NEW.reason, Queue(post=True))),
        (
            NEW,
            False,
            True,
            PLAIN,
            timedelta(minutes=20),
            Placement(None, False, NEW.reason, Queue(post=True, hold=NOW + timedelta(minutes=20))),
        ),
        (
            NEW,
            False,
            False,
            PLAIN,
            timedelta(minutes=20),
            Placement(None, False, NEW.reason, Queue()),
        ),  # history: backfill posts it
        (NEW, False, True, DIGESTS_ONLY, timedelta(0), Placement(None, False, NEW.reason, Queue())),
        (
            NEW,
            False,
            True,
            ALL,
            timedelta(0),
            Placement(None, False, NEW.reason, Queue(timeline=True, post=True)),
        ),
        # Coverage of a known development: its sent post is edited; threads and surges when news.
        (JOINS, True, True, PLAIN, timedelta(0), Placement(7, False, JOINS.reason, Queue(edit=True))),
        (
            JOINS,
            False,
            True,
            PLAIN,
            timedelta(0),
            Placement(7, False, JOINS.reason, Queue()),
        ),  # its post renders it
        (JOINS, True, False, PLAIN, timedelta(0), Placement(7, False, JOINS.reason, Queue())),
        (
            JOINS,
            True,
            True,
            ALL,
            timedelta(0),
            Placement(7, False, JOINS.reason, Queue(timeline=True, edit=True, coverage=True, surge=True)),
        ),
        (JOINS, True, False, ALL, timedelta(0), Placement(7, False, JOINS.reason, Queue(timeline=True))),
        # A roundup in no development: never posted.
        (ASIDE, False, True, ALL, timedelta(0), Placement(None, True, ASIDE.reason, Queue(timeline=True))),
        (ASIDE, False, True, PLAIN, timedelta(0), Placement(None, True, ASIDE.reason, Queue())),
    ],
)
def test_what_a_story_queues(
    assignment: Assignment,
    sent: bool,
    fresh: bool,
    discord: DiscordConfig,
    settle: timedelta,
    expected: Placement,
) -> None:
    assert plan(assignment, sent, fresh, discord, settle, NOW) == expected


def test_the_poll_s_own_hold_is_kept_when_it_is_later_than_the_settle_time() -> None:
    assert plan(NEW, False, True, PLAIN, timedelta(minutes=2), NOW, HOLD).queue.hold == HOLD
    assert plan(NEW, False, True, PLAIN, timedelta(0), NOW, HOLD).queue.hold == HOLD


@pytest.mark.parametrize(
    ("sent", "discord", "expected"),
    [(True, PLAIN, Queue(edit=True)), (False, PLAIN, Queue()), (True, ALL, Queue(timeline=True, edit=True))],
)
def test_a_revised_story_edits_a_sent_post_and_never_posts(
    sent: bool, discord: DiscordConfig, expected: Queue
) -> None:
    assert revision(sent, discord) == expected
