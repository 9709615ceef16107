"""The project's one exception tree; every error a user can cause is a `BotError`.

BotError                 one-line, user-facing message; never carries a secret
├── ConfigError          feeds.yaml or the environment is wrong (exit status 2)
├── FeedError            one feed could not be fetched or parsed; other feeds go on
│   ├── FetchError       HTTP, network, timeout, size cap, redirect, refused address
│   └── ParseError       the body is not a feed feedparser can read
├── DeliveryError        Discord refused or failed a post
│   ├── DeliveryFailure  what a transport raises: Discord's status, code and retry-after
│   ├── WebhookInvalid   the channel or webhook itself is refused: delivery stops until fixed
│   └── ThreadGone       a development's thread was deleted, locked or is off limits
└── StorageError         the database cannot be opened, read or written (locked, disk full)
    ├── NoDatabase       a read-only command found no database (exit status 2)
    └── DevelopmentNotFound  no development has that id
"""

from __future__ import annotations


class BotError(Exception):
    """Base class; `str(error)` is a complete one-line explanation."""


class ConfigError(BotError):
    """Configuration or environment problem, named by file and key path."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}")


class FeedError(BotError):
    """A feed failed; the message starts with the feed's name."""

    def __init__(self, feed: str, problem: str) -> None:
        self.feed = feed
        self.problem = problem
        super().__init__(f"feed {feed!r}: {problem}")

    def __reduce__(self) -> tuple[type[FeedError], tuple[str, str]]:
        # Parsing runs in worker processes; its errors must cross back intact.
        return type(self), (self.feed, self.problem)


class FetchError(FeedError):
    """The feed's server could not be reached, or answered something unusable."""

    def __init__(
        self,
        feed: str,
        problem: str,
        *,
        transient: bool = True,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        self.transient = transient
        self.status = status  # HTTP status, 0 when there was none
        self.retry_after = retry_after  # seconds the server asked for (429/503)
        super().__init__(feed, problem)

    @property
    def gone(self) -> bool:
        """410 Gone: the publisher retired the feed."""
        return self.status == 410


class ParseError(FeedError):
    """The feed's body could not be read as RSS/Atom."""


class DeliveryError(BotError):
    """Discord did not accept a post or an edit."""


class DeliveryFailure(DeliveryError):
    """A send Discord refused or never answered, as a transport saw it: the HTTP `status`
    (0: no answer), Discord's error `code` (0: none), the seconds it asked us to wait."""

    def __init__(self, problem: str, *, status: int = 0, code: int = 0, retry_after: float | None = None):
        self.problem, self.status, self.code, self.retry_after = problem, status, code, retry_after
        super().__init__(problem)


class WebhookInvalid(DeliveryError):
    """The webhook or bot credentials are rejected; retrying would only get us banned."""


class ThreadGone(DeliveryError):
    """A development's thread is deleted, locked or not ours to post in: that thread is
    forgotten (a new one is opened), and the rest of delivery goes on."""


class StorageError(BotError):
    """The database failed; the message names it and what to do."""


class NoDatabase(StorageError):
    """A command that only reads found no database: nothing was created."""


class DevelopmentNotFound(StorageError):
    """No development has the id asked for."""
