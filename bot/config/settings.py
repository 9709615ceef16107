"""The settings feeds.yaml and the environment hold, as frozen dataclasses. Their fields
are the configuration's keys and their defaults its defaults: `load.py` derives both from
here, so a key is documented and defaulted in one place."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Literal

from bot.errors import ConfigError

MIN_INTERVAL = timedelta(seconds=10)


FeedKind = Literal["feed", "docket", "pacer"]  # what a feed is: news, or a court's docket
FEED_KINDS: tuple[FeedKind, ...] = typing.get_args(FeedKind)
Mode = Literal["console", "webhook", "bot"]  # where messages go (from the environment)


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
    weak: bool = False  # its terms say the story is about the suit, not what happened
    per_person: bool = False  # recurs with other people: stories naming no one in common stay apart
    roundup: bool = False  # a look back over the case, told by its headline: never a development


@dataclass(frozen=True)
class Developments:
    """How stories group into developments: event kinds in priority order, and time windows."""

    window: timedelta = timedelta(days=3)
    events: tuple[EventKind, ...] = ()
    settle: timedelta = timedelta(0)  # a new development waits this long before its post


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
    kind: FeedKind = "feed"  # 'feed' (news), 'docket' (a CourtListener docket), 'pacer' (a court's PACER RSS)
    case: str = ""  # the case followed ("4:24-cv-04722"): required for 'pacer', optional for 'docket'


@dataclass(frozen=True)
class Surge:
    """A development's coverage crossing `outlets` distinct outlets within `within`."""

    outlets: int
    within: timedelta


@dataclass(frozen=True)
class Ping:
    """Whom to ping, and for what (`discord.ping`): a post of a listed kind, or a surge."""

    role: int  # the role mentioned, and the only mention a message allows
    kinds: tuple[str, ...] = ()
    surge: Surge | None = None


@dataclass(frozen=True)
class Digest:
    """One message listing each period's developments (`discord.digest`): periods end at
    `at` local time in `timezone`, every `every` (whole days)."""

    every: timedelta = timedelta(days=1)
    at: time = time(18, 0)
    timezone: str = "UTC"


@dataclass(frozen=True)
class DiscordConfig:
    """How posts look, and how fast they may go (Discord's webhook limits by default)."""

    username: str = ""
    avatar_url: str = ""
    max_per_minute: int = 30
    burst: int = 5  # requests per 2 seconds
    language: str = "en"  # the channel's: a development is led by a story in it when there is one
    thumbnails: bool = True  # the lead story's picture beside its post (http(s) only)
    ping: Ping | None = None  # off by default: nothing pings
    timeline: bool = False  # one message kept up to date: every development, newest first
    digest: Digest | None = None  # off by default
    per_development: bool = True  # false: developments go out in digests only
    threads: bool = False  # a thread per post, where later coverage is listed as it arrives


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
class Web:
    """The read-only web page (`serve`; inside `run` when `listen` is set)."""

    listen: str = ""  # "127.0.0.1:8080"; '' keeps `run` from serving
    base_url: str = ""  # the page's public URL, for the feeds' links and ids ('': the listen address)


@dataclass(frozen=True)
class GoogleNews:
    """Google News links resolved to their publishers: which hosts serve them (their
    decoder is asked there), how many requests to it an hour at most, and the pause between
    two article pages."""

    hosts: tuple[str, ...] = ("news.google.com",)
    per_hour: int = 120
    pace: timedelta = timedelta(seconds=1)


@dataclass(frozen=True)
class Config:
    """The whole of feeds.yaml, validated."""

    topic: Topic
    feeds: tuple[FeedConfig, ...]
    polling: Polling = field(default_factory=Polling)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    summaries: Summaries = field(default_factory=Summaries)
    storage: Storage = field(default_factory=Storage)
    web: Web = field(default_factory=Web)
    google_news: GoogleNews = field(default_factory=GoogleNews)
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
    courtlistener_token: str = field(default="", repr=False)  # optional: a docket's older entries

    @property
    def mode(self) -> Mode:
        """'webhook', 'bot' or 'console' (no credentials: print instead of posting)."""
        if self.webhook_url:
            return "webhook"
        if self.token:
            return "bot"
        return "console"
