"""config: feeds.yaml and the environment into typed settings, or one-line errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_config, load_env, parse_config, parse_duration, parse_size
from bot.errors import ConfigError
from tests.conftest import ROOT
from tests.support.fake_discord import WEBHOOK_URL

BASE: dict[str, Any] = {
    "topic": {"name": "t", "require": {"a": ["x"]}},
    "feeds": [{"name": "one", "url": "https://example.org/feed"}],
}


def with_(path: str, value: object) -> dict[str, Any]:
    """BASE with one value set at a dotted path (list indexes as numbers)."""
    data: Any = yaml.safe_load(yaml.safe_dump(BASE))
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return dict(data)


def test_shipped_feeds_yaml_is_valid_and_covers_six_languages() -> None:
    config = load_config(ROOT / "feeds.yaml")
    languages = {feed.language for feed in config.feeds}
    assert {"en", "fr", "de", "es", "it", "pt"} <= languages
    assert all(feed.url.startswith("https://") for feed in config.feeds)
    assert config.polling.allow_private is False


def test_shipped_developments_config() -> None:
    developments = load_config(ROOT / "feeds.yaml").topic.developments
    kinds = {kind.name: kind for kind in developments.events}
    assert developments.window == timedelta(days=3)
    assert {"filing", "withdrawal", "bid", "countersuit", "verdict", "testimony"} <= set(kinds)
    assert kinds["countersuit"].absorbs == ("filing",)
    assert kinds["testimony"].per_person and not kinds["withdrawal"].per_person
    assert [name for name, kind in kinds.items() if kind.roundup] == ["roundup"]


def test_defaults_and_per_feed_overrides() -> None:
    config = parse_config(with_("feeds.0.interval", "90s"))
    feed = config.feeds[0]
    assert feed.interval == timedelta(seconds=90)
    assert feed.timeout == timedelta(seconds=30) and feed.max_bytes == 10 * 1024 * 1024
    assert config.polling.concurrency == 8 and config.polling.max_age == timedelta(days=7)
    assert config.polling.post_recent is None and config.summaries.max_chars == 500


@pytest.mark.parametrize(
    ("path", "value", "key", "problem"),
    [
        ("colour", "red", "colour", "unknown key"),
        ("feeds.0.colour", "red", "feeds[0].colour", "unknown key"),
        ("feeds.0.url", "ftp://example.org/f", "feeds[0].url", "http(s) URL"),
        ("feeds.0.url", "not a url", "feeds[0].url", "http(s) URL"),
        ("feeds.0.url", 42, "feeds[0].url", "non-empty string"),
        ("feeds.0.name", None, "feeds[0].name", "is required"),
        ("feeds.0.interval", "5s", "feeds[0].interval", "at least 10s"),
        ("feeds.0.interval", "often", "feeds[0].interval", "duration"),
        ("feeds", [], "feeds", "non-empty list"),
        ("feeds", "x", "feeds", "non-empty list"),
        ("polling.concurrency", 0, "polling.concurrency", "whole number"),
        ("polling.allow_private", "yes", "polling.allow_private", "true or false"),
        ("polling.max_bytes", "lots", "polling.max_bytes", "size"),
        ("polling.speed", 1, "polling.speed", "unknown key"),
        ("topic.require", {}, "topic.require", "at least one group"),
        ("topic.require", {"a": []}, "topic.require.a", "non-empty list"),
        ("topic.require", {"a": ["ok", 3]}, "topic.require.a[1]", "expected a term"),
        ("topic.name", None, "topic.name", "is required"),
        ("topic.weights", 1, "topic.weights", "unknown key"),
        ("topic.threshold", "high", "topic.threshold", "expected a number"),
        ("topic.cues", {"legal": {"terms": ["sue"]}}, "topic.cues.legal.weight", "is required"),
        (
            "topic.cues",
            {"legal": {"weight": 0, "terms": ["sue"]}},
            "topic.cues.legal.weight",
            "must not be 0",
        ),
        ("topic.cues", {"legal": {"weight": 1, "terms": []}}, "topic.cues.legal.terms", "non-empty list"),
        (
            "topic.cues",
            {"legal": {"weight": 1, "terms": ["sue"], "max": 3}},
            "topic.cues.legal.max",
            "unknown",
        ),
        ("topic.cues", {"legal": ["sue"]}, "topic.cues.legal", "expected a mapping"),
        ("topic.developments", {"window": "soon"}, "topic.developments.window", "duration"),
        ("topic.developments", {"events": {"bid": []}}, "topic.developments.events.bid", "non-empty list"),
        ("topic.developments", {"settle": "1d"}, "topic.developments.settle", "at most 6h"),
        (
            "topic.developments",
            {"events": {"bid": {"terms": ["bid"], "absorbs": ["filing"]}}},
            "topic.developments.events.bid.absorbs[0]",
            "no event kind named 'filing'",
        ),
        (
            "topic.developments",
            {"events": {"bid": {"terms": ["bid"], "pace": 1}}},
            "topic.developments.events.bid.pace",
            "unknown key",
        ),
        (
            "topic.developments",
            {"events": {"bid": {"terms": ["bid"], "per_person": "often"}}},
            "topic.developments.events.bid.per_person",
            "true or false",
        ),
        (
            "topic.developments",
            {"events": {"recap": {"terms": ["recap"], "roundup": True, "weak": True}}},
            "topic.developments.events.recap.roundup",
            "a roundup reports no event",
        ),
        ("summaries.max_chars", 10, "summaries.max_chars", "whole number"),
        ("discord.avatar_url", "file:///x", "discord.avatar_url", "http(s) URL"),
        # NaN, infinities, negative and huge durations: a traceback on SIGHUP before.
        ("polling.max_age", float("nan"), "polling.max_age", "from 0s to 3650d"),
        ("polling.max_age", float("inf"), "polling.max_age", "from 0s to 3650d"),
        ("polling.max_age", -5, "polling.max_age", "from 0s to 3650d"),
        ("polling.max_age", "99999999999999w", "polling.max_age", "from 0s to 3650d"),
        ("polling.max_backoff", 1e300, "polling.max_backoff", "from 0s to 3650d"),
        ("storage.keep", "2h", "storage.keep", "at least 1d"),
        ("storage.forever", True, "storage.forever", "unknown key"),
        ("polling.max_posts_per_poll", 0, "polling.max_posts_per_poll", "whole number"),
        ("feeds.0.kind", "court", "feeds[0].kind", "expected one of feed, docket, pacer"),
        ("feeds.0.kind", "pacer", "feeds[0].case", "required for a PACER feed"),
        ("feeds.0.case", "Musk v. Altman", "feeds[0].case", "like '4:24-cv-04722'"),
        ("web", {"base_url": "news.example.org"}, "web.base_url", "http(s) URL"),
        ("web", {"base_url": "https://news.example.org/?x=1"}, "web.base_url", "without query"),
    ],
)
def test_invalid_values_name_the_key(path: str, value: object, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(with_(path, value))
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(info.value).startswith(f"feeds.yaml: {key}: ")


def test_missing_topic_and_duplicate_names() -> None:
    with pytest.raises(ConfigError, match="topic: is required"):
        parse_config({"feeds": BASE["feeds"]})
    twice = {**BASE, "feeds": [BASE["feeds"][0], BASE["feeds"][0]]}
    with pytest.raises(ConfigError, match=r"feeds\[1\]\.name: duplicate feed name 'one' \(also feeds\[0\]\)"):
        parse_config(twice)


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("topic: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml: line \d+: invalid YAML"):
        load_config(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(empty)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("10m", 600), ("6h", 21600), ("7d", 604800), ("1.5h", 5400), (30, 30)]
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text, "f", "k") == timedelta(seconds=seconds)


def test_sizes() -> None:
    assert parse_size("10MiB", "f", "k") == 10 * 1024 * 1024
    assert parse_size(2048, "f", "k") == 2048
    with pytest.raises(ConfigError):
        parse_size(0, "f", "k")


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"DISCORD_WEBHOOK_URL": "https://example.org/hook"}, "DISCORD_WEBHOOK_URL"),
        ({"DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/1/short"}, "DISCORD_WEBHOOK_URL"),
        ({"DISCORD_TOKEN": "abc"}, "DISCORD_CHANNEL_ID"),
        ({"DISCORD_CHANNEL_ID": "223456789012345678"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "abc", "DISCORD_CHANNEL_ID": "12"}, "DISCORD_CHANNEL_ID"),
        ({"DISCORD_WEBHOOK_URL": WEBHOOK_URL, "DISCORD_TOKEN": "abc"}, "DISCORD_WEBHOOK_URL"),
        ({"DISCORD_API_BASE": "ftp://127.0.0.1/api"}, "DISCORD_API_BASE"),
    ],
)
def test_environment_errors_name_the_variable_not_its_value(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_env(env)
    assert info.value.key == key
    for value in env.values():
        if len(value) > 3:
            assert value not in str(info.value)


def test_environment_modes() -> None:
    assert load_env({}).mode == "console"
    assert load_env({"DISCORD_WEBHOOK_URL": WEBHOOK_URL}).mode == "webhook"
    versioned = WEBHOOK_URL.replace("/api/webhooks/", "/api/v10/webhooks/")
    assert load_env({"DISCORD_WEBHOOK_URL": versioned}).webhook_url == WEBHOOK_URL
    bot = load_env({"DISCORD_TOKEN": "abc", "DISCORD_CHANNEL_ID": "223456789012345678"})
    assert bot.mode == "bot" and bot.channel_id == 223456789012345678
    assert "abc" not in repr(bot) and WEBHOOK_URL not in repr(load_env({"DISCORD_WEBHOOK_URL": WEBHOOK_URL}))
