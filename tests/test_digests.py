"""Digests (`discord.digest`): periods in local time, one message per period, exactly once
across a SIGKILL and a restart; with `per_development: false`, nothing else is posted."""

from __future__ import annotations

import signal
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml

from bot.config import Digest, parse_config
from bot.errors import ConfigError
from bot.judge.periods import CATCH_UP, due, latest_end, start_of
from tests.support.cli import bot_env, bot_poll, command
from tests.support.fake_discord import FakeDiscord
from tests.support.feeds import TOPIC_YAML, Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW

PARIS = Digest(timedelta(days=1), time(18, 0), "Europe/Paris")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_daily_period_ends_at_the_local_hour_across_daylight_saving() -> None:
    assert latest_end(PARIS, utc("2026-03-27 18:00")) == utc("2026-03-27 17:00")  # CET: UTC+1
    assert latest_end(PARIS, utc("2026-03-27 16:59")) == utc("2026-03-26 17:00")
    after = utc("2026-03-29 16:00")  # CEST from that morning: UTC+2
    assert latest_end(PARIS, after) == after
    assert start_of(after, PARIS) == utc("2026-03-28 17:00")  # a day of 23 hours


def test_a_weekly_period_ends_on_one_weekday() -> None:
    weekly = Digest(timedelta(days=7), time(9, 30), "UTC")
    ends = {latest_end(weekly, utc("2026-05-01 00:00") + timedelta(days=d)).weekday() for d in range(21)}
    assert len(ends) == 1
    end = latest_end(weekly, utc("2026-05-20 12:00"))
    assert start_of(end, weekly) == end - timedelta(days=7) and end.time() == time(9, 30)


def test_due_starts_with_the_period_just_ended_then_catches_up_without_gaps() -> None:
    now = utc("2026-05-20 20:00")
    assert due(PARIS, None, now) == [utc("2026-05-20 16:00")]
    assert due(PARIS, utc("2026-05-20 16:00"), now) == []
    assert due(PARIS, utc("2026-05-18 16:00"), now) == [utc("2026-05-19 16:00"), utc("2026-05-20 16:00")]
    assert len(due(PARIS, utc("2025-01-01 16:00"), now)) == CATCH_UP  # a long outage: the last week


def config(digest: object) -> dict[str, object]:
    data = yaml.safe_load(TOPIC_YAML)
    return {
        **data,
        "feeds": [{"name": "f", "url": "https://example.org/f.xml"}],
        "discord": {"digest": digest},
    }


def test_digest_config_reads_every_at_and_timezone() -> None:
    parsed = parse_config(config({"every": "7d", "at": "07:05", "timezone": "Europe/Paris"})).discord
    assert parsed.digest == Digest(timedelta(days=7), time(7, 5), "Europe/Paris") and parsed.per_development
    assert parse_config(config({})).discord.digest == Digest()


@pytest.mark.parametrize(
    ("digest", "key", "problem"),
    [
        ({"every": "12h"}, "discord.digest.every", "whole days"),
        ({"every": "36h"}, "discord.digest.every", "whole days"),
        ({"at": "6pm"}, "discord.digest.at", "like '18:00'"),
        ({"at": "24:00"}, "discord.digest.at", "like '18:00'"),
        ({"timezone": "Mars/Olympus"}, "discord.digest.timezone", "no time zone"),
        ({"timezone": "../../etc/passwd"}, "discord.digest.timezone", "no time zone"),
        ({"timezone": "Europe"}, "discord.digest.timezone", "no time zone"),
        ({"when": "daily"}, "discord.digest.when", "unknown key"),
    ],
)
def test_a_bad_digest_names_its_key(digest: object, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(config(digest))
    assert info.value.key == key and problem in info.value.problem


def test_a_day_s_digest_is_posted_once_across_a_sigkill_and_restarts(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    end = NOW - timedelta(hours=2)
    lede = "Elon Musk's lawsuit against OpenAI went on."
    stories = [
        Item(
            "Elon Musk sues OpenAI and Sam Altman again",
            "https://a.example/1",
            end - timedelta(hours=20),
            description=lede,
        ),
        Item(
            "Jury finds OpenAI not liable in Musk lawsuit",
            "https://b.example/2",
            end - timedelta(hours=1),
            description=lede,
        ),
        Item(
            "Musk v. OpenAI: judge sets a trial date",
            "https://c.example/3",
            end + timedelta(hours=1),
            description=lede,
        ),
    ]
    feed_server.routes["/f.xml"] = Route(rss(stories))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  post_recent: 3d",
        discord=f'per_development: false\ndigest: {{at: "{end:%H:%M}", timezone: UTC}}',
    )
    env = bot_env(discord_api.api_base)

    proc = subprocess.Popen(command(tmp_path, "-q", "poll"), env=env, stderr=subprocess.PIPE, text=True)
    reached = discord_api.wait_for("messages", 1, timeout=120)
    proc.send_signal(signal.SIGKILL)  # wherever it is: the digest sent, or being sent
    proc.communicate(timeout=60)
    assert reached
    for _ in range(2):  # restarts: the digest is not repeated, and nothing else is posted
        again = bot_poll(tmp_path, discord_api.api_base)
        assert again.returncode == 0, again.stderr

    [digest] = discord_api.messages
    embed = digest.payload["embeds"][0]
    start = end - timedelta(days=1)
    assert embed["title"] == f"Developments from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
    lines = embed["description"].splitlines()
    assert [stories[1].title in lines[0], stories[0].title in lines[1], len(lines)] == [True, True, 2]
