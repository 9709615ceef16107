"""Frozen dataclasses that flow between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    """One feed item, cleaned: plain-text title and summary, UTC dates."""

    feed: str
    guid: str
    url: str
    title: str
    summary: str
    content: str
    published: datetime
    has_date: bool
    author: str = ""
    outlet: str = ""
    language: str = ""
    canonical: str = ""  # the link's canonical form (`urls.canonical_url`), when parsing made it
    image: str = ""  # the item's picture (media:thumbnail, media:content, an image enclosure): http(s)
    document: str = ""  # a PDF enclosure (a docket entry's filing): linked, never downloaded

    @property
    def text(self) -> str:
        """Everything the relevance engine reads."""
        return "\n".join(part for part in (self.title, self.summary, self.content) if part)


@dataclass(frozen=True)
class FeedCache:
    """HTTP caching validators stored between fetches."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """What fetch returns: the body (None when 304 Not Modified) and new validators."""

    feed: str
    url: str
    status: int
    body: bytes | None
    cache: FeedCache
    content_type: str = ""
    elapsed: float = 0.0
    moved_to: str = ""  # where a permanent redirect (301/308) says the feed now lives
    hint: float | None = None  # seconds the server says its answer stays fresh (max-age, Expires)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title and entries, plus feedparser's complaint if it had one."""

    title: str
    entries: tuple[Entry, ...]
    warning: str = ""
    ttl: int | None = None  # RSS <ttl>: minutes the publisher asks readers to wait


@dataclass(frozen=True)
class Verdict:
    """A relevance decision with its reasons, kept with the entry."""

    relevant: bool
    score: float
    reasons: tuple[str, ...] = ()
    matched: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    """A relevant piece of coverage, one per canonical URL; developments group them."""

    id: int
    title: str
    url: str
    summary: str
    outlet: str
    published: datetime
    canonical_url: str
    language: str = ""
    kind: str = ""
    content: str = ""  # the feed's full text, when it has one
    digest: str = ""  # the summary prepared for posting (article, LLM or extractive)
    image: str = ""  # its picture, an http(s) URL: the post's thumbnail
    document: str = ""  # a docket entry's filing (PDF), linked as the primary source


@dataclass(frozen=True)
class DevelopmentView:
    """A development as posted: its lead story and the other stories that covered it."""

    id: int
    kind: str
    first_published: datetime
    lead: Story
    coverage: tuple[Story, ...] = ()
    muted: bool = False  # `/mute`: no more edits or pings for it


@dataclass(frozen=True)
class EmbedField:
    name: str
    value: str


@dataclass(frozen=True)
class Message:
    """A Discord message to post, already within Discord's limits."""

    title: str
    url: str
    description: str
    author: str
    timestamp: datetime
    footer: str = ""
    fields: tuple[EmbedField, ...] = ()
    thumbnail: str = ""  # an http(s) picture URL, shown beside the embed
    content: str = ""  # text above the embed (a role mention); without a title, all there is
    mention: int = 0  # the one role the message may ping (its content names it); 0: none
    thread_name: str = ""  # webhook to a forum: the post opens a forum thread of this name
    thread: str = ""  # the thread the message goes to, or is edited in
