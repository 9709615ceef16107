"""feeds.yaml into a `Config`: each section read against its dataclass (keys and
defaults come from there), every problem a `ConfigError` naming the file and key path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config.reader import Reader, check_http_url, keys_of, parse_duration, parse_size
from bot.config.settings import (
    FEED_KINDS,
    Config,
    CueGroup,
    Developments,
    Digest,
    DiscordConfig,
    EventKind,
    FeedConfig,
    GoogleNews,
    LLMConfig,
    Ping,
    Polling,
    Storage,
    Summaries,
    Surge,
    Topic,
    Web,
)
from bot.errors import ConfigError


def _topic(source: str, data: object) -> Topic:
    r = Reader(source, data, "topic", keys_of(Topic))
    d = Topic("", {})
    groups = Reader(source, r.raw("require"), "topic.require", set(_group_names(r.raw("require"))))
    require = {str(name): groups.terms(str(name), required=True) for name in groups.data}
    if not require:
        raise ConfigError(source, "topic.require", "needs at least one group of terms")
    cue_map = Reader(source, r.raw("cues") or {}, "topic.cues", set(_group_names(r.raw("cues"))))
    cues = tuple(_cue_group(source, str(name), cue_map.raw(str(name))) for name in cue_map.data)
    return Topic(
        name=r.string("name"),
        require=require,
        cues=cues,
        threshold=r.number("threshold", d.threshold, -1000, 1000),
        title_weight=r.number("title_weight", d.title_weight, 0, 10),
        title_bonus=r.number("title_bonus", d.title_bonus, -100, 100),
        exclude=r.terms("exclude"),
        developments=_developments(source, r.raw("developments")),
    )


def _developments(source: str, data: object) -> Developments:
    r = Reader(source, data or {}, "topic.developments", keys_of(Developments))
    window = r.duration("window", Developments.window)
    raw_events = r.raw("events") or {}
    events = Reader(source, raw_events, "topic.developments.events", set(_group_names(raw_events)))
    settle = r.duration("settle", Developments.settle)
    if settle > timedelta(hours=6):
        raise ConfigError(source, "topic.developments.settle", "must be at most 6h (it delays every post)")
    return Developments(
        window=window,
        events=tuple(_event_kind(source, events, str(name), window) for name in events.data),
        settle=settle,
    )


def _event_kind(source: str, events: Reader, name: str, window: timedelta) -> EventKind:
    """`kind: [terms]`, or `kind: {terms: [...], window: 1d, absorbs: [other kinds], weak: true,
    per_person: true, roundup: true}`."""
    if isinstance(events.raw(name), Mapping):
        r = Reader(source, events.raw(name), events.key(name), keys_of(EventKind) - {"name"})
        absorbs = r.terms("absorbs")
        for i, other in enumerate(absorbs):
            if other not in events.data:
                raise ConfigError(source, f"{r.key('absorbs')}[{i}]", f"no event kind named {other!r}")
        kind = EventKind(
            name,
            r.terms("terms", required=True),
            r.duration("window", window),
            absorbs,
            r.boolean("weak", False),
            r.boolean("per_person", False),
            r.boolean("roundup", False),
        )
        if kind.roundup and (kind.weak or kind.per_person or kind.absorbs):
            raise ConfigError(
                source, r.key("roundup"), "a roundup reports no event: no weak, per_person or absorbs"
            )
        return kind
    return EventKind(name, events.terms(name, required=True), window)


def _cue_group(source: str, name: str, data: object) -> CueGroup:
    r = Reader(source, data, f"topic.cues.{name}", keys_of(CueGroup) - {"name"})
    if not r.has("weight"):
        raise ConfigError(source, r.key("weight"), "is required (negative for cues against the topic)")
    weight = r.number("weight", 0.0, -100, 100)
    if weight == 0:
        raise ConfigError(source, r.key("weight"), "must not be 0")
    return CueGroup(name, weight, r.terms("terms", required=True), r.number("cap", 0.0, 0, 1000))


def _discord(source: str, data: object, kinds: tuple[str, ...]) -> DiscordConfig:
    """How posts look and pace, and the newsroom features (each off by default but thumbnails);
    `kinds` are the topic's event kinds, which `ping.kinds` must name."""
    dr, dd = Reader(source, data or {}, "discord", keys_of(DiscordConfig)), DiscordConfig()
    avatar = dr.string("avatar_url", dd.avatar_url)
    if avatar:
        check_http_url(avatar, source, "discord.avatar_url")
    return DiscordConfig(
        username=dr.string("username", dd.username)[:80],
        avatar_url=avatar,
        max_per_minute=dr.integer("max_per_minute", dd.max_per_minute, 1, 100_000),
        burst=dr.integer("burst", dd.burst, 1, 10_000),
        language=dr.string("language", dd.language)[:16].lower(),
        thumbnails=dr.boolean("thumbnails", dd.thumbnails),
        ping=_ping(source, dr.raw("ping"), kinds) if dr.has("ping") else None,
        timeline=dr.boolean("timeline", dd.timeline),
        digest=_digest(source, dr.raw("digest")) if dr.has("digest") else None,
        per_development=dr.boolean("per_development", dd.per_development),
        threads=dr.boolean("threads", dd.threads),
    )


_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _google_news(source: str, data: object) -> GoogleNews:
    """`{hosts: [news.google.com], per_hour: 120, pace: 1s}`, each optional."""
    r, default = Reader(source, data or {}, "google_news", keys_of(GoogleNews)), GoogleNews()
    hosts = tuple(h.lower() for h in r.terms("hosts")) or default.hosts
    pace = r.duration("pace", default.pace)
    if pace > timedelta(minutes=1):
        raise ConfigError(source, "google_news.pace", "must be at most 1m")
    return GoogleNews(hosts, r.integer("per_hour", default.per_hour, 0, 10_000), pace)


def listening(value: str, source: str, key: str) -> tuple[str, int]:
    """'127.0.0.1:8080' (or '[::1]:8080') as host and port; port 0 is any free one."""
    host, _, port = value.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ConfigError(source, key, f"expected host:port like 127.0.0.1:8080, got {value!r}")
    return host, int(port)


def _digest(source: str, data: object) -> Digest:
    """`{every: 1d, at: "18:00", timezone: Europe/Paris}`, each optional."""
    r, default = Reader(source, data, "discord.digest", keys_of(Digest)), Digest()
    every = r.duration("every", default.every)
    if every < timedelta(days=1) or every % timedelta(days=1):
        raise ConfigError(source, r.key("every"), f"expected whole days (1d, 7d), got {r.raw('every')!r}")
    at = default.at
    if r.has("at"):
        text = r.string("at")
        if not (m := _CLOCK.fullmatch(text)):
            raise ConfigError(source, r.key("at"), f"expected a time like '18:00', got {text!r}")
        at = time(int(m.group(1)), int(m.group(2)))
    zone = r.string("timezone", default.timezone)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "../x", "Europe" (a folder)
        raise ConfigError(
            source, r.key("timezone"), f"no time zone named {zone!r} (like Europe/Paris)"
        ) from None
    return Digest(every, at, zone)


_SURGE = re.compile(r"(\d{1,6}) +outlets? +in +(\S{1,20})")


def _ping(source: str, data: object, kinds: tuple[str, ...]) -> Ping:
    """`{role: <id>, kinds: [verdict, ...], surge: "8 outlets in 3h"}`."""
    r = Reader(source, data, "discord.ping", keys_of(Ping))
    role = r.raw("role")
    if isinstance(role, str) and role.strip().isdigit():
        role = int(role)
    if isinstance(role, bool) or not isinstance(role, int) or not 0 < role < 2**64:
        raise ConfigError(source, r.key("role"), f"expected a role id (a number), got {role!r}")
    listed = r.terms("kinds")
    for i, kind in enumerate(listed):
        if kind not in kinds:
            raise ConfigError(source, f"{r.key('kinds')}[{i}]", f"no event kind named {kind!r}")
    surge = None
    if r.has("surge"):
        text = r.string("surge")
        if not (m := _SURGE.fullmatch(text)) or int(m.group(1)) < 2:
            raise ConfigError(source, r.key("surge"), f"expected like '8 outlets in 3h', got {text!r}")
        surge = Surge(int(m.group(1)), parse_duration(m.group(2), source, r.key("surge")))
    if not (listed or surge):
        raise ConfigError(source, r.key("kinds"), "name the kinds that ping, or a surge, or both")
    return Ping(role, listed, surge)


def _group_names(value: object) -> list[str]:
    return [str(k) for k in value] if isinstance(value, Mapping) else []


def _polling(source: str, data: object) -> Polling:
    r = Reader(source, data or {}, "polling", keys_of(Polling))
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
        r = Reader(source, item, path, keys_of(FeedConfig))
        name = r.string("name")
        if name in seen:
            raise ConfigError(
                source, r.key("name"), f"duplicate feed name {name!r} (also feeds[{seen[name]}])"
            )
        seen[name] = i
        interval = r.duration("interval", polling.interval)
        _check_interval(interval, polling.min_interval, source, r.key("interval"))
        got = r.string("kind", "feed")
        kind = next((k for k in FEED_KINDS if k == got), None)
        if kind is None:
            raise ConfigError(source, r.key("kind"), f"expected one of {', '.join(FEED_KINDS)}, got {got!r}")
        case = r.string("case", "")
        if kind == "pacer" and not case:
            raise ConfigError(
                source, r.key("case"), "is required for a PACER feed (it holds every case of a court)"
            )
        if case and not _CASE.match(case):
            raise ConfigError(
                source, r.key("case"), f"expected a case number like '4:24-cv-04722', got {case!r}"
            )
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
                kind=kind,
                case=case,
            )
        )
    return tuple(feeds)


_CASE = re.compile(r"\d{1,2}:\d{2}-[a-z]{2,4}-\d{3,6}", re.IGNORECASE)


def _summaries(source: str, data: object) -> Summaries:
    # The LLM's keys sit in `summaries` itself, beside `provider`.
    llm_keys = keys_of(LLMConfig, "provider")
    r = Reader(source, data or {}, "summaries", keys_of(Summaries) - {"llm"} | llm_keys)
    d = Summaries()
    llm = None
    if any(r.has(key) for key in llm_keys):
        provider = r.string("provider")
        if provider != "openai-compatible":
            raise ConfigError(source, "summaries.provider", f"expected 'openai-compatible', got {provider!r}")
        base_url = check_http_url(r.string("base_url"), source, "summaries.base_url")
        e = LLMConfig(base_url, r.string("model"))
        llm = LLMConfig(
            base_url=base_url,
            model=e.model,
            api_key_env=r.string("api_key_env", e.api_key_env),
            language=r.string("language", e.language),
            timeout=r.duration("timeout", e.timeout),
            max_requests_per_day=r.integer("max_requests_per_day", e.max_requests_per_day, 0, 1_000_000),
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
    r = Reader(source, data, "", keys_of(Config) - {"path"})
    if not r.has("topic"):
        raise ConfigError(source, "topic", "is required: the relevance rules for the story")
    polling = _polling(source, r.raw("polling"))
    summaries = _summaries(source, r.raw("summaries"))
    storage = Reader(source, r.raw("storage") or {}, "storage", keys_of(Storage))
    keep = storage.duration("keep", Storage().keep)
    if keep < timedelta(days=1):
        raise ConfigError(source, "storage.keep", "must be at least 1d")
    topic = _topic(source, r.raw("topic"))
    web = Reader(source, r.raw("web") or {}, "web", keys_of(Web))
    listen = web.string("listen", "")
    if listen:
        listening(listen, source, "web.listen")
    base_url = web.string("base_url", "")
    if base_url:
        check_http_url(base_url, source, "web.base_url")
        if "?" in base_url or "#" in base_url:
            raise ConfigError(
                source, "web.base_url", f"expected a URL without query or fragment, got {base_url!r}"
            )
    return Config(
        topic=topic,
        feeds=_feeds(source, r.raw("feeds"), polling),
        polling=polling,
        discord=_discord(source, r.raw("discord"), tuple(kind.name for kind in topic.developments.events)),
        summaries=summaries,
        storage=Storage(keep=keep),
        web=Web(listen, base_url.rstrip("/")),
        google_news=_google_news(source, r.raw("google_news")),
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
