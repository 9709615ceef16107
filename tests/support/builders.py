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
