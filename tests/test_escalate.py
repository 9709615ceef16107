"""escalate: which posts ping, and when a development's coverage surges (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from bot.config import Ping, Surge, parse_config
from bot.errors import ConfigError
from bot.judge.escalate import pings, span, surged
from tests.support.feeds import TOPIC_YAML

T0 = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)
SURGE = Surge(3, timedelta(hours=3))


def story(hours: float, outlet: str, url: str = "") -> tuple[datetime, str, str]:
    return T0 + timedelta(hours=hours), outlet, url or f"https://{outlet.lower()}.example/a"


def test_a_post_pings_only_for_a_listed_kind() -> None:
    ping = Ping(123, ("verdict", "ruling"))
    assert pings(ping, "verdict") and not pings(ping, "filing") and not pings(None, "verdict")


def test_a_surge_is_that_many_outlets_within_the_span_in_any_order() -> None:
    assert surged([story(2, "C"), story(0, "A"), story(1, "B")], SURGE)
    assert not surged([story(0, "A"), story(1, "B"), story(4, "C")], SURGE)  # never three in 3h
    assert surged([story(0, "A"), story(4, "B"), story(5, "C"), story(6.5, "D")], SURGE)  # a later span
    assert not surged([story(0, "A"), story(0.5, "a"), story(1, "B")], SURGE)  # one outlet, any case
    untitled = [story(0, "", "https://x.example/1"), story(1, "", "https://www.x.example/2"), story(2, "B")]
    assert not surged(untitled, SURGE)  # no name: the host says which outlet
    assert not surged([], SURGE)


def test_span_is_written_as_feeds_yaml_writes_it() -> None:
    assert [span(timedelta(hours=3)), span(timedelta(minutes=90)), span(timedelta(days=2))] == [
        "3h",
        "90m",
        "2d",
    ]


def config(ping: object) -> dict[str, object]:
    data = yaml.safe_load(TOPIC_YAML)
    return {**data, "feeds": [{"name": "f", "url": "https://example.org/f.xml"}], "discord": {"ping": ping}}


def test_ping_config_reads_role_kinds_and_surge() -> None:
    ping = parse_config(
        config({"role": "112233445566778899", "kinds": ["verdict"], "surge": "8 outlets in 3h"})
    )
    assert ping.discord.ping == Ping(112233445566778899, ("verdict",), Surge(8, timedelta(hours=3)))
    assert parse_config(config({"role": 5, "surge": "2 outlets in 90m"})).discord.ping == Ping(
        5, (), Surge(2, timedelta(minutes=90))
    )
    assert parse_config(config(None)).discord.ping is None  # off by default


@pytest.mark.parametrize(
    ("ping", "key", "problem"),
    [
        ({"role": "everyone", "kinds": ["verdict"]}, "discord.ping.role", "role id"),
        ({"role": True, "kinds": ["verdict"]}, "discord.ping.role", "role id"),
        ({"kinds": ["verdict"]}, "discord.ping.role", "role id"),
        ({"role": 1, "kinds": ["verdikt"]}, "discord.ping.kinds[0]", "no event kind named 'verdikt'"),
        ({"role": 1, "surge": "lots"}, "discord.ping.surge", "like '8 outlets in 3h'"),
        ({"role": 1, "surge": "1 outlet in 3h"}, "discord.ping.surge", "like '8 outlets in 3h'"),
        ({"role": 1, "surge": "8 outlets in soon"}, "discord.ping.surge", "duration"),
        ({"role": 1}, "discord.ping.kinds", "name the kinds that ping"),
        ({"role": 1, "kinds": ["verdict"], "who": "all"}, "discord.ping.who", "unknown key"),
    ],
)
def test_a_bad_ping_names_its_key(ping: object, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(config(ping))
    assert info.value.key == key and problem in info.value.problem
