"""pipeline: a whole poll cycle in-process, over loopback HTTP, with an injected clock."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.config import Config, load_config
from bot.delivery import ConsoleDeliverer
from bot.intake.fetch import Fetcher, RetryPolicy
from bot.store import Store
from bot.update import CycleReport, Pipeline
from tests.conftest import data_path
from tests.support.builders import NOW
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route


async def no_sleep(delay: float) -> None:
    return None


def poll(config: Config, db: Path, now: datetime = NOW) -> tuple[CycleReport, str]:
    out = io.StringIO()

    async def go() -> CycleReport:
        fetcher = Fetcher(allow_private=True, retry=RetryPolicy(attempts=1), sleep=no_sleep)
        store = Store(db)
        try:
            return await Pipeline(
                App(config, store, fetcher, ConsoleDeliverer(out), clock=lambda: now)
            ).poll()
        finally:
            await fetcher.aclose()
            store.close()

    return asyncio.run(go()), out.getvalue()


def test_every_real_feed_goes_through_a_poll(tmp_path: Path, feed_server: FeedServer) -> None:
    corpus = data_path("corpora", "real-feeds")
    files = sorted(corpus.glob("*.xml"))
    for path in files:
        feed_server.routes[f"/{path.name}"] = Route(path.read_bytes(), content_type="application/xml")
    write_config(tmp_path / "feeds.yaml", {p.stem: feed_server.url(f"/{p.name}") for p in files})
    config = load_config(tmp_path / "feeds.yaml")
    first, printed = poll(config, tmp_path / "bot.db")
    assert [f.feed for f in first.feeds if not f.ok] == []
    assert all(f.baseline for f in first.feeds) and printed == ""  # a baseline posts nothing
    assert sum(f.entries for f in first.feeds) > 2000
    second, printed = poll(config, tmp_path / "bot.db")
    assert all(f.not_modified for f in second.feeds)  # ETags honoured
    assert printed == ""


def test_same_guid_edited_or_redated_is_never_posted_twice(tmp_path: Path, feed_server: FeedServer) -> None:
    base = Item("Musk sues OpenAI", "https://x.example/a", NOW - timedelta(hours=1), guid="g-1")
    feed_server.routes["/f.xml"] = Route(rss([]))
    config = load_config(write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}))
    poll(config, tmp_path / "bot.db")
    feed_server.routes["/f.xml"] = Route(rss([base]))
    _, printed = poll(config, tmp_path / "bot.db")
    assert printed.count("== Musk sues OpenAI") == 1
    edited = Item("Musk sues OpenAI (updated)", base.link, NOW, guid="g-1", description="New lede.")
    feed_server.routes["/f.xml"] = Route(rss([edited]))
    _, printed = poll(config, tmp_path / "bot.db", NOW + timedelta(hours=1))
    # The publisher's correction edits the post (issue 15); it is never a second post.
    assert printed.splitlines()[0] == "== (update) Musk sues OpenAI (updated)"
    assert "== Musk" not in printed


def test_permanent_redirects_are_followed_and_remembered(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/old.xml"] = Route(status=301, headers={"Location": "/new.xml"}, etag=False)
    feed_server.routes["/new.xml"] = Route(rss([]))
    config = load_config(write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/old.xml")}))
    first, _ = poll(config, tmp_path / "bot.db")
    assert first.feeds[0].ok
    poll(config, tmp_path / "bot.db")
    assert len(feed_server.hits("/old.xml")) == 1 and len(feed_server.hits("/new.xml")) == 2
    store = Store(tmp_path / "bot.db")
    [feed] = store.status().feeds
    store.close()
    assert feed.moved_to == feed_server.url("/new.xml")


def test_a_gone_feed_is_retired(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/f.xml"] = Route(b"", status=410)
    config = load_config(write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}))
    first, _ = poll(config, tmp_path / "bot.db")
    second, _ = poll(config, tmp_path / "bot.db")
    assert "HTTP 410" in first.feeds[0].error and second.feeds[0].error.startswith("gone (HTTP 410)")
    assert len(feed_server.hits("/f.xml")) == 1


def test_a_web_page_is_reported_with_the_feed_it_advertises(tmp_path: Path, feed_server: FeedServer) -> None:
    page = b'<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head></html>'
    feed_server.routes["/page"] = Route(page, content_type="text/html; charset=utf-8")
    config = load_config(write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/page")}))
    cycle, _ = poll(config, tmp_path / "bot.db")
    assert cycle.feeds[0].error.endswith(f"the page names its feed at {feed_server.url('/atom.xml')}")


def test_server_hints_and_ttl_set_the_next_poll(tmp_path: Path, feed_server: FeedServer) -> None:
    body = rss([]).replace(b"<title>Test feed</title>", b"<title>Test feed</title><ttl>90</ttl>")
    feed_server.routes["/f.xml"] = Route(body, headers={"Cache-Control": "max-age=1200"})
    config = load_config(write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}))
    cycle, _ = poll(config, tmp_path / "bot.db")
    report = cycle.feeds[0]
    assert report.next_poll == NOW + timedelta(minutes=90)  # the ttl beats max-age and the interval
    assert report.next_reason == "server or feed asks for a longer pause"


def test_a_feed_flooding_relevant_items_posts_a_batch_per_poll(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A hostile or broken feed with 25 new developments: 10 go now, the rest wait their turn."""
    feed_server.routes["/f.xml"] = Route(rss([]))
    extra = "  max_age: 400d\n  max_posts_per_poll: 10"
    config = load_config(write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, extra=extra))
    poll(config, tmp_path / "bot.db")  # the baseline
    items = [
        Item(f"Musk sues OpenAI, filing {i}", f"https://x.example/{i}", NOW - timedelta(days=5 * i))
        for i in range(25)
    ]
    feed_server.routes["/f.xml"] = Route(rss(items))
    cycle, printed = poll(config, tmp_path / "bot.db")
    assert cycle.feeds[0].queued == 25 and cycle.delivery.sent == 10
    assert printed.count("== Musk sues OpenAI") == 10
    later, printed = poll(config, tmp_path / "bot.db", now=NOW + timedelta(minutes=10))
    assert later.delivery.sent == 10  # the next batch, one interval later; none dropped


def test_a_reload_that_changes_the_http_settings_builds_a_new_client(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """allow_private, concurrency and per_host were silently ignored until a restart."""
    feed_server.routes["/f.xml"] = Route(rss([]))
    path = write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    allowed = load_config(path)
    path.write_text(path.read_text().replace("allow_private: true", "allow_private: false"))
    refused = load_config(path)

    async def go() -> tuple[str, str]:
        fetcher = Fetcher.from_polling(allowed.polling)
        store = Store(tmp_path / "bot.db")
        pipeline = Pipeline(App(allowed, store, fetcher, ConsoleDeliverer(io.StringIO()), clock=lambda: NOW))
        try:
            first = await pipeline.poll_feed(allowed.feeds[0])
            pipeline.app.reconfigure(refused)
            second = await pipeline.poll_feed(refused.feeds[0])
            return first.error, second.error
        finally:
            await pipeline.app.aclose()
            await fetcher.aclose()
            store.close()

    first, second = asyncio.run(go())
    assert first == "" and "polling.allow_private is false" in second


def poll_these(
    tmp_path: Path, feed_server: FeedServer, items: list[Item], edit: Callable[[str], str] = str
) -> Store:
    """One poll of a feed holding `items` (posted when recent) under the test topic, as
    `edit` changes its feeds.yaml; the store, open, to read what it decided."""
    path = write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, extra="  post_recent: 1d")
    path.write_text(edit(path.read_text()))
    feed_server.routes["/f.xml"] = Route(rss(items))
    poll(load_config(path), tmp_path / "bot.db")
    return Store(tmp_path / "bot.db")


def test_each_story_keeps_why_it_joined_or_started_its_development_and_the_runner_up(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    first = Item("Musk sues OpenAI", "https://x.example/a", NOW - timedelta(hours=3))
    second = Item("Elon Musk files lawsuit against OpenAI", "https://y.example/b", NOW - timedelta(hours=2))
    verdict = Item("Jury finds for OpenAI in Musk lawsuit", "https://z.example/c", NOW - timedelta(hours=1))
    with closing(poll_these(tmp_path, feed_server, [first, second, verdict])) as store:
        placed = [store.placement(i) for i in (1, 2, 3)]
    assert placed[0] == (1, "new development, kind 'filing'")
    assert placed[1] is not None and placed[1][0] == 1 and "'filing' story within" in placed[1][1]
    assert placed[2] == (
        2,
        "new development, kind 'verdict'; runner-up: development 1 (2h away):"
        " kind 'verdict' does not join kind 'filing'",
    )


def test_a_settle_time_holds_a_new_development_until_its_first_coverage_has_joined(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """With `settle: 10m` the German story that opened the development is not posted at once;
    the English coverage five minutes later joins it, and the one post leads with it."""
    feed_server.routes["/de.xml"] = Route(rss([]))
    feed_server.routes["/en.xml"] = Route(rss([]))
    path = write_config(
        tmp_path / "feeds.yaml",
        {"de": feed_server.url("/de.xml"), "en": feed_server.url("/en.xml")},
        languages={"de": "de", "en": "en"},
    )
    path.write_text(path.read_text().replace("    window: 3d\n", "    window: 3d\n    settle: 10m\n"))
    config = load_config(path)
    assert config.topic.developments.settle == timedelta(minutes=10)
    db = tmp_path / "bot.db"
    poll(config, db)  # the baselines
    german = Item("Musk reicht erneut Klage gegen OpenAI ein", "https://de.example/a", NOW)
    feed_server.routes["/de.xml"] = Route(rss([german]))
    first, _ = poll(config, db, now=NOW + timedelta(minutes=1))
    english = Item("Musk sues OpenAI again", "https://en.example/b", NOW + timedelta(minutes=4))
    feed_server.routes["/en.xml"] = Route(rss([english]))
    second, _ = poll(config, db, now=NOW + timedelta(minutes=6))
    third, printed = poll(config, db, now=NOW + timedelta(minutes=12))
    assert (first.delivery.sent, second.delivery.sent, third.delivery.sent) == (0, 0, 1)
    assert printed.startswith("== Musk sues OpenAI again\nhttps://en.example/b")
    store = Store(db)
    view = store.development(1)
    store.close()
    assert [s.url for s in (view.lead, *view.coverage)] == ["https://de.example/a", "https://en.example/b"]


def test_a_development_opened_by_a_vague_story_is_named_by_the_first_that_tells(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    def weak(text: str) -> str:
        weak = "      filing: {weak: true, terms: [lawsuit*, sue, sues, sued, klage*]}\n"
        return text.replace("      filing: [lawsuit*, sue, sues, sued, klage*]\n", weak)

    vague = Item(
        "Musk's lawsuit against OpenAI: a day in court", "https://x.example/a", NOW - timedelta(hours=3)
    )
    told = Item("Jury finds for OpenAI in Musk lawsuit", "https://y.example/b", NOW - timedelta(hours=2))
    with closing(poll_these(tmp_path, feed_server, [vague, told], weak)) as store:
        view = store.development(1)
    assert view.kind == "verdict" and len(view.coverage) == 1
