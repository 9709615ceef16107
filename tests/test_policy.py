"""policy: when each feed is polled next."""

from __future__ import annotations

from datetime import timedelta

from bot.judge.policy import Bounds, Outcome, next_poll, rate
from tests.support.builders import NOW

BOUNDS = Bounds(timedelta(minutes=10), timedelta(minutes=5), timedelta(hours=6), timedelta(hours=6))


def delay(outcome: Outcome, per_hour: float = 0.0) -> timedelta:
    return next_poll(NOW, BOUNDS, outcome, per_hour).at - NOW


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    assert [delay(Outcome(ok=False, failures=n)) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=m) for m in (10, 20, 40, 80)
    ]
    assert delay(Outcome(ok=False, failures=20)) == timedelta(hours=6)


def test_retry_after_is_honoured_when_longer_than_the_backoff() -> None:
    assert delay(Outcome(ok=False, failures=1, retry_after=timedelta(hours=1))) == timedelta(hours=1)
    assert delay(Outcome(ok=False, failures=1, retry_after=timedelta(seconds=5))) == timedelta(minutes=10)
    assert delay(Outcome(ok=False, failures=1, retry_after=timedelta(days=3))) == timedelta(hours=6)


def test_a_success_goes_back_to_the_feed_s_pace() -> None:
    assert delay(Outcome(ok=True, new_entries=2)) == timedelta(minutes=10)


def test_busy_feeds_are_polled_more_often_quiet_ones_less_within_bounds() -> None:
    assert delay(Outcome(ok=True, new_entries=5), per_hour=10) == timedelta(minutes=6)
    assert delay(Outcome(ok=True, new_entries=50), per_hour=100) == timedelta(minutes=5)  # floor
    assert delay(Outcome(ok=True, new_entries=0), per_hour=0.1) == timedelta(hours=6)  # ceiling
    assert delay(Outcome(ok=True, new_entries=0)) == timedelta(minutes=20)  # quiet


def test_server_and_feed_hints_are_floors_but_never_past_the_ceiling() -> None:
    assert delay(Outcome(ok=True, new_entries=1, hint=timedelta(minutes=30))) == timedelta(minutes=30)
    assert delay(Outcome(ok=True, new_entries=1, hint=timedelta(minutes=1))) == timedelta(minutes=10)
    assert delay(Outcome(ok=True, new_entries=1, hint=timedelta(days=2))) == timedelta(hours=6)


def test_rate_counts_new_entries_per_hour_over_recent_polls() -> None:
    history = [(NOW - timedelta(hours=h), 3) for h in (4, 3, 2, 1, 0)]
    assert rate(history, NOW) == 15 / 4
    assert rate([(NOW, 5)], NOW) == 0.0
    assert rate([(NOW - timedelta(days=5), 9), (NOW - timedelta(days=4), 9)], NOW) == 0.0


def test_months_of_failures_never_overflow() -> None:
    """interval × 2^(failures-1) overflowed timedelta at 39 failures, on every poll after."""
    for failures in (39, 40, 1000, 10**9):
        assert delay(Outcome(ok=False, failures=failures)) == timedelta(hours=6)
