"""Load and validate feeds.yaml and the environment into typed, frozen settings.

Every problem becomes a `ConfigError` naming the file, the key path (``feeds[3].url``) and
what is wrong, so `followup-bot check` can print one line and exit 2. Nothing here touches
the network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.errors import ConfigError

MIN_INTERVAL = timedelta(seconds=10)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "kb": 1000, "mb": 1000**2}
_SIZE_UNITS["gb"] = 1000**3
# The shape discord.py's Webhook.from_url accepts: 17-20 digit id, 60+ character token.
WEBHOOK_URL = re.compile(
    r"^https?://[^/]*discord(?:app)?\.com/api/(?:v\d+/)?webhooks/[0-9]{17,20}/[A-Za-z0-9.\-_]{60,}/?$"
)


@dataclass(frozen=True)
class CueGroup:
    """Weighted terms: each distinct match adds `weight` (doubled in the title), up to `cap`."""

    name: str
    weight: float
    terms: tuple[str, ...]
    cap: float = 0.0  # 0: no cap


@dataclass(frozen=True)
class EventKind:
    """A kind of development (a filing, a verdict...) and how long its coverage keeps coming."""

    name: str
    terms: tuple[str, ...]
    window: timedelta
    absorbs: tuple[str, ...] = ()  # kinds whose stories may join a development of this kind


@dataclass(frozen=True)
class Developments:
    """How stories group into developments: event kinds in priority order, and time windows."""

    window: timedelta = timedelta(days=3)
    events: tuple[EventKind, ...] = ()


@dataclass(frozen=True)
class Topic:
    """Relevance rules: every `require` group must match, no `exclude` term may, and the
    weighted `cues` must add up to at least `threshold`."""

    name: str
    require: dict[str, tuple[str, ...]]
    cues: tuple[CueGroup, ...] = ()
    threshold: float = 1.0
    title_weight: float = 2.0
    title_bonus: float = 0.0
    exclude: tuple[str, ...] = ()
    developments: Developments = field(default_factory=Developments)


@dataclass(frozen=True)
class Polling:
    """Defaults for every feed, and the first-poll and age policy."""

    interval: timedelta = timedelta(minutes=10)
    min_interval: timedelta = MIN_INTERVAL  # no feed is polled more often than this
    max_interval: timedelta = timedelta(hours=6)  # quiet feeds are still polled this often
    max_backoff: timedelta = timedelta(hours=6)
    warn_after: int = 10  # consecutive failures before the channel is told
    concurrency: int = 8
    per_host: int = 2
    timeout: timedelta = timedelta(seconds=30)
    max_bytes: int = 10 * 1024 * 1024
    allow_private: bool = False
    post_recent: timedelta | None = None
    max_age: timedelta = timedelta(days=7)
    max_posts_per_poll: int = 10  # new developments one feed may post per poll; more wait


@dataclass(frozen=True)
class FeedConfig:
    """One feed; unset per-feed values fall back to `Polling`."""

    name: str
    url: str
    interval: timedelta
    timeout: timedelta
    max_bytes: int
    language: str = ""


@dataclass(frozen=True)
class DiscordConfig:
    """How posts look, and how fast they may go (Discord's webhook limits by default)."""

    username: str = ""
    avatar_url: str = ""
    max_per_minute: int = 30
    burst: int = 5  # requests per 2 seconds


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat-completions endpoint; the key comes from `api_key_env`."""

    base_url: str
    model: str
    api_key_env: str = ""
    language: str = "English"
    timeout: timedelta = timedelta(seconds=30)
    max_requests_per_day: int = 200


@dataclass(frozen=True)
class Summaries:
    """What is posted under a headline, and where its text comes from."""

    max_chars: int = 500
    min_text: int = 400  # feed text shorter than this sends the bot to the article page
    fetch_articles: bool = True
    article_timeout: timedelta = timedelta(seconds=10)
    llm: LLMConfig | None = None


@dataclass(frozen=True)
class Storage:
    """What the database keeps: entries judged irrelevant are forgotten after `keep`."""

    keep: timedelta = timedelta(days=90)


@dataclass(frozen=True)
class Config:
    """The whole of feeds.yaml, validated."""

    topic: Topic
    feeds: tuple[FeedConfig, ...]
    polling: Polling = field(default_factory=Polling)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    summaries: Summaries = field(default_factory=Summaries)
    storage: Storage = field(default_factory=Storage)
    path: str = "feeds.yaml"

    def feed(self, name: str) -> FeedConfig:
        for feed in self.feeds:
            if feed.name == name:
                return feed
        raise ConfigError(self.path, "feeds", f"no feed named {name!r}")


@dataclass(frozen=True)
class Env:
    """Secrets and endpoints, from the environment only."""

    webhook_url: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    channel_id: int = 0
    api_base: str = ""
    gateway_url: str = ""

    @property
    def mode(self) -> str:
        """'webhook', 'bot' or 'console' (no credentials: print instead of posting)."""
        if self.webhook_url:
            return "webhook"
        if self.token:
            return "bot"
        return "console"


MAX_DURATION = timedelta(days=3650)


def parse_duration(value: object, source: str, key: str) -> timedelta:
    """'90s', '10m', '6h', '7d', '2w' (a bare number is seconds), from 0 to ten years."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    shown = repr(value)[:60]
    if seconds is None:
        raise ConfigError(source, key, f"expected a duration like '90s', '10m' or '6h', got {shown}")
    # NaN fails every comparison: written so that it fails this test too.
    if not 0 <= seconds <= MAX_DURATION.total_seconds():
        raise ConfigError(source, key, f"expected a duration from 0s to 3650d, got {shown}")
    return timedelta(seconds=seconds)


def parse_size(value: object, source: str, key: str) -> int:
    """A byte count: 1048576, '512KiB', '10MiB'."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and (m := _SIZE.match(value)):
        size = int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()]
        if size > 0:
            return size
    raise ConfigError(source, key, f"expected a positive size like '10MiB', got {value!r}")


class _Reader:
    """Typed accessors over one YAML mapping that name the key path in every error."""

    def __init__(self, source: str, data: object, path: str, allowed: set[str]) -> None:
        self.source = source
        self.path = path
        if not isinstance(data, Mapping):
            raise ConfigError(source, path or "(top level)", "expected a mapping")
        self.data: Mapping[Any, Any] = data
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise ConfigError(source, self.key(str(key)), f"unknown key (allowed: {hint})")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def raw(self, name: str) -> object:
        return self.data.get(name)

    def string(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name)
        if value is None:
            if default is None:
                raise ConfigError(self.source, self.key(name), "is required")
            return default
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.source, self.key(name), f"expected a non-empty string, got {value!r}")
        return value.strip()

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(
                self.source,
                self.key(name),
                f"expected a whole number from {low} to {high}, got {value!r}",
            )
        return value

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ConfigError(
                self.source, self.key(name), f"expected a number from {low:g} to {high:g}, got {value!r}"
            )
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(self.source, self.key(name), f"expected true or false, got {value!r}")
        return value

    def duration(self, name: str, default: timedelta) -> timedelta:
        return parse_duration(self.data[name], self.source, self.key(name)) if self.has(name) else default

    def terms(self, name: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            if required:
                raise ConfigError(self.source, self.key(name), "is required")
            return ()
        if not isinstance(value, list) or (required and not value):
            raise ConfigError(self.source, self.key(name), "expected a non-empty list of terms")
        for i, term in enumerate(value):
            if not isinstance(term, str) or not term.strip():
                raise ConfigError(self.source, f"{self.key(name)}[{i}]", f"expected a term, got {term!r}")
        return tuple(term.strip() for term in value)


def check_http_url(value: str, source: str, key: str) -> str:
    """Only absolute http(s) URLs with a host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(source, key, f"expected an http(s) URL, got {value!r}")
    return value


def _topic(source: str, data: object) -> Topic:
    r = _Reader(
        source,
        data,
        "topic",
        {"name", "require", "cues", "threshold", "title_weight", "title_bonus", "exclude", "developments"},
    )
    groups = _Reader(source, r.raw("require"), "topic.require", set(_group_names(r.raw("require"))))
    require = {str(name): groups.terms(str(name), required=True) for name in groups.data}
    if not require:
        raise ConfigError(source, "topic.require", "needs at least one group of terms")
    cue_map = _Reader(source, r.raw("cues") or {}, "topic.cues", set(_group_names(r.raw("cues"))))
    cues = tuple(_cue_group(source, str(name), cue_map.raw(str(name))) for name in cue_map.data)
    return Topic(
        name=r.string("name"),
        require=require,
        cues=cues,
        threshold=r.number("threshold", 1.0, -1000, 1000),
        title_weight=r.number("title_weight", 2.0, 0, 10),
        title_bonus=r.number("title_bonus", 0.0, -100, 100),
        exclude=r.terms("exclude"),
        developments=_developments(source, r.raw("developments")),
    )


def _developments(source: str, data: object) -> Developments:
    r = _Reader(source, data or {}, "topic.developments", {"window", "events"})
    window = r.duration("window", Developments.window)
    raw_events = r.raw("events") or {}
    events = _Reader(source, raw_events, "topic.developments.events", set(_group_names(raw_events)))
    return Developments(
        window=window,
        events=tuple(_event_kind(source, events, str(name), window) for name in events.data),
    )


def _event_kind(source: str, events: _Reader, name: str, window: timedelta) -> EventKind:
    """`kind: [terms]`, or `kind: {terms: [...], window: 1d, absorbs: [other kinds]}`."""
    if isinstance(events.raw(name), Mapping):
        r = _Reader(source, events.raw(name), events.key(name), {"window", "terms", "absorbs"})
        absorbs = r.terms("absorbs")
        for i, other in enumerate(absorbs):
            if other not in events.data:
                raise ConfigError(source, f"{r.key('absorbs')}[{i}]", f"no event kind named {other!r}")
        return EventKind(name, r.terms("terms", required=True), r.duration("window", window), absorbs)
    return EventKind(name, events.terms(name, required=True), window)


def _cue_group(source: str, name: str, data: object) -> CueGroup:
    r = _Reader(source, data, f"topic.cues.{name}", {"weight", "cap", "terms"})
    if not r.has("weight"):
        raise ConfigError(source, r.key("weight"), "is required (negative for cues against the topic)")
    weight = r.number("weight", 0.0, -100, 100)
    if weight == 0:
        raise ConfigError(source, r.key("weight"), "must not be 0")
    return CueGroup(name, weight, r.terms("terms", required=True), r.number("cap", 0.0, 0, 1000))


def _group_names(value: object) -> list[str]:
    return [str(k) for k in value] if isinstance(value, Mapping) else []


def _polling(source: str, data: object) -> Polling:
    r = _Reader(
        source,
        data or {},
        "polling",
        {
            "interval",
            "min_interval",
            "max_interval",
            "max_backoff",
            "warn_after",
            "concurrency",
            "per_host",
            "timeout",
            "max_bytes",
            "allow_private",
            "post_recent",
            "max_age",
            "max_posts_per_poll",
        },
    )
    d = Polling()
    floor = r.duration("min_interval", d.min_interval)
    if floor < timedelta(seconds=1):
        raise ConfigError(source, "polling.min_interval", "must be at least 1s")
    interval = r.duration("interval", d.interval)
    _check_interval(interval, floor, source, "polling.interval")
    return Polling(
        interval=interval,
        min_interval=floor,
        max_interval=r.duration("max_interval", d.max_interval),
        max_backoff=r.duration("max_backoff", d.max_backoff),
        warn_after=r.integer("warn_after", d.warn_after, 1, 10_000),
        concurrency=r.integer("concurrency", d.concurrency, 1, 256),
        per_host=r.integer("per_host", d.per_host, 1, 64),
        timeout=r.duration("timeout", d.timeout),
        max_bytes=parse_size(r.raw("max_bytes"), source, "polling.max_bytes")
        if r.has("max_bytes")
        else d.max_bytes,
        allow_private=r.boolean("allow_private", d.allow_private),
        post_recent=r.duration("post_recent", timedelta(0)) if r.has("post_recent") else None,
        max_age=r.duration("max_age", d.max_age),
        max_posts_per_poll=r.integer("max_posts_per_poll", d.max_posts_per_poll, 1, 10_000),
    )


def _check_interval(value: timedelta, floor: timedelta, source: str, key: str) -> None:
    if value < floor:
        raise ConfigError(source, key, f"must be at least {floor.total_seconds():g}s (polling.min_interval)")


def _feeds(source: str, data: object, polling: Polling) -> tuple[FeedConfig, ...]:
    if not isinstance(data, list) or not data:
        raise ConfigError(source, "feeds", "expected a non-empty list of {name, url}")
    feeds: list[FeedConfig] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(data):
        path = f"feeds[{i}]"
        r = _Reader(source, item, path, {"name", "url", "interval", "language", "timeout", "max_bytes"})
        name = r.string("name")
        if name in seen:
            raise ConfigError(
                source, r.key("name"), f"duplicate feed name {name!r} (also feeds[{seen[name]}])"
            )
        seen[name] = i
        interval = r.duration("interval", polling.interval)
        _check_interval(interval, polling.min_interval, source, r.key("interval"))
        feeds.append(
            FeedConfig(
                name=name,
                url=check_http_url(r.string("url"), source, r.key("url")),
                interval=interval,
                timeout=r.duration("timeout", polling.timeout),
                max_bytes=parse_size(r.raw("max_bytes"), source, r.key("max_bytes"))
                if r.has("max_bytes")
                else polling.max_bytes,
                language=r.string("language", ""),
            )
        )
    return tuple(feeds)


def _summaries(source: str, data: object) -> Summaries:
    llm_keys = {"provider", "base_url", "model", "api_key_env", "language", "timeout", "max_requests_per_day"}
    r = _Reader(
        source,
        data or {},
        "summaries",
        {"max_chars", "min_text", "fetch_articles", "article_timeout"} | llm_keys,
    )
    d = Summaries()
    llm = None
    if any(r.has(key) for key in llm_keys):
        provider = r.string("provider")
        if provider != "openai-compatible":
            raise ConfigError(source, "summaries.provider", f"expected 'openai-compatible', got {provider!r}")
        llm = LLMConfig(
            base_url=check_http_url(r.string("base_url"), source, "summaries.base_url"),
            model=r.string("model"),
            api_key_env=r.string("api_key_env", ""),
            language=r.string("language", "English"),
            timeout=r.duration("timeout", timedelta(seconds=30)),
            max_requests_per_day=r.integer("max_requests_per_day", 200, 0, 1_000_000),
        )
    return Summaries(
        max_chars=r.integer("max_chars", d.max_chars, 80, 4096),
        min_text=r.integer("min_text", d.min_text, 0, 100_000),
        fetch_articles=r.boolean("fetch_articles", d.fetch_articles),
        article_timeout=r.duration("article_timeout", d.article_timeout),
        llm=llm,
    )


def parse_config(data: object, source: str = "feeds.yaml") -> Config:
    """Validate an already-loaded YAML document."""
    r = _Reader(source, data, "", {"topic", "feeds", "discord", "summaries", "polling", "storage"})
    if not r.has("topic"):
        raise ConfigError(source, "topic", "is required: the relevance rules for the story")
    polling = _polling(source, r.raw("polling"))
    dr = _Reader(
        source, r.raw("discord") or {}, "discord", {"username", "avatar_url", "max_per_minute", "burst"}
    )
    avatar = dr.string("avatar_url", "")
    if avatar:
        check_http_url(avatar, source, "discord.avatar_url")
    summaries = _summaries(source, r.raw("summaries"))
    storage = _Reader(source, r.raw("storage") or {}, "storage", {"keep"})
    keep = storage.duration("keep", Storage().keep)
    if keep < timedelta(days=1):
        raise ConfigError(source, "storage.keep", "must be at least 1d")
    return Config(
        topic=_topic(source, r.raw("topic")),
        feeds=_feeds(source, r.raw("feeds"), polling),
        polling=polling,
        discord=DiscordConfig(
            username=dr.string("username", "")[:80],
            avatar_url=avatar,
            max_per_minute=dr.integer("max_per_minute", 30, 1, 100_000),
            burst=dr.integer("burst", 5, 1, 10_000),
        ),
        summaries=summaries,
        storage=Storage(keep=keep),
        path=source,
    )


def load_config(path: str | Path) -> Config:
    """Read and validate feeds.yaml; a missing or unreadable file is a ConfigError too."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, "", f"cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(document)"
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(source, where, f"invalid YAML: {problem}") from None
    return parse_config(data, source)


def load_env_secrets(environ: Mapping[str, str]) -> list[str]:
    """Every secret value the environment holds for the bot, for redaction."""
    webhook = environ.get("DISCORD_WEBHOOK_URL", "").strip()
    secrets = [
        webhook,
        webhook.rstrip("/").rsplit("/", 1)[-1] if webhook else "",
        environ.get("DISCORD_TOKEN", ""),
    ]
    secrets += [value for key, value in environ.items() if key.endswith(("_API_KEY", "_TOKEN", "_SECRET"))]
    return [s.strip() for s in secrets if s.strip()]


def load_env(environ: Mapping[str, str] | None = None) -> Env:
    """Read DISCORD_* variables; errors never echo a secret's value."""
    env = os.environ if environ is None else environ
    webhook = env.get("DISCORD_WEBHOOK_URL", "").strip()
    token = env.get("DISCORD_TOKEN", "").strip()
    channel = env.get("DISCORD_CHANNEL_ID", "").strip()
    api_base = env.get("DISCORD_API_BASE", "").strip().rstrip("/")
    gateway = env.get("DISCORD_GATEWAY_URL", "").strip()
    if gateway and not (urlsplit(gateway).scheme in ("ws", "wss") and urlsplit(gateway).hostname):
        raise ConfigError("environment", "DISCORD_GATEWAY_URL", "expected a ws(s) URL")
    if webhook and token:
        raise ConfigError("environment", "DISCORD_WEBHOOK_URL", "set either it or DISCORD_TOKEN, not both")
    if webhook and not WEBHOOK_URL.match(webhook):
        raise ConfigError(
            "environment",
            "DISCORD_WEBHOOK_URL",
            "not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>)",
        )
    if token and not channel:
        raise ConfigError("environment", "DISCORD_CHANNEL_ID", "is required when DISCORD_TOKEN is set")
    if channel and not token:
        raise ConfigError("environment", "DISCORD_TOKEN", "is required when DISCORD_CHANNEL_ID is set")
    if channel and not (channel.isdigit() and 17 <= len(channel) <= 20):
        raise ConfigError("environment", "DISCORD_CHANNEL_ID", "expected a 17-20 digit channel id")
    if api_base and not (urlsplit(api_base).scheme in ("http", "https") and urlsplit(api_base).hostname):
        raise ConfigError("environment", "DISCORD_API_BASE", "expected an http(s) URL")
    # discord.py's Webhook.from_url wants the unversioned form Discord's UI hands out.
    webhook = re.sub(r"/api/v\d+/webhooks/", "/api/webhooks/", webhook)
    return Env(
        webhook_url=webhook, token=token, channel_id=int(channel or 0), api_base=api_base, gateway_url=gateway
    )
