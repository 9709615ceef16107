"""What many tests build: a fixed clock, and developments queued in a store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Entry
from bot.store import Store

# A fixed "now" for tests that inject the clock. End-to-end tests that run the CLI use
# the real clock instead (tests/test_e2e.py), since a subprocess cannot be given one.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def queue_developments(
    store: Store,
    count: int,
    *,
    title: str = "Development {i}",
    spacing: timedelta = timedelta(days=1),
    newest_first: bool = False,
    now: datetime = NOW,
) -> None:
    """`count` one-story developments of feed 'f', `spacing` apart, each with its post
    queued; the i-th is titled `title.format(i=i)`."""
    store.ensure_feed("f", "https://x.example/feed")
    with store.transaction():
        for i in range(count):
            published = now - spacing * (i if newest_first else count - i)
            e = Entry(
                "f",
                f"g{i}",
                f"https://x.example/{i}",
                title.format(i=i),
                "Lede.",
                "",
                published,
                True,
                outlet="Outlet",
            )
            story = store.create_story(e, e.url, "filing", now)
            store.enqueue_post(store.create_development(story, "filing", e.published, now), now)


KINDS = ("testimony", "ruling", "filing", "verdict", "appeal")


def fill_coverage(store: Store, developments: int, stories: int, now: datetime = NOW) -> None:
    """`developments` over the year before `now`, `stories` each, from as many outlets: a
    story as big as the web bench and the page's load test need."""
    step = timedelta(days=365) / developments
    with store.transaction():
        for d in range(developments):
            when = now - step * d
            for s in range(stories):
                url = f"https://outlet{s}.example/{d}/{s}"
                title = f"Musk v. OpenAI: {KINDS[d % 5]} number {d}, as outlet {s} tells it"
                lede = (
                    "The court in Oakland heard the parties again on Monday, and ruled on the motions. " * 2
                )
                entry = Entry(
                    "f",
                    f"{d}-{s}",
                    url,
                    title,
                    lede,
                    "",
                    when + timedelta(minutes=s),
                    True,
                    outlet=f"Outlet {s}",
                )
                story = store.create_story(entry, url, KINDS[d % 5], now)
                if s == 0:
                    development = store.create_development(story, KINDS[d % 5], when, now, "new development")
                else:
                    store.join_development(story, development, "in its first hours of coverage")
