"""Google News search feeds as production gets them: opaque links, a title ' - Outlet', no
text. The links are resolved to their publishers (old ids offline, new ones through a fake
Google on loopback: article pages, then one decoder call per poll), never asked twice, and
the story is the publisher's: its link, its summary and picture from its page, and the same
story as the publisher's own feed's copy."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from tests.support import google
from tests.support.cli import command, environment
from tests.support.fake_discord import FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW, assert_clean, cli

DECODER = "/_/DotsSplashUi/data/batchexecute"
LEDE = "A federal jury in Oakland rejected Elon Musk's lawsuit against OpenAI and Sam Altman on Monday."


def google_feed(items: list[tuple[str, str, str, str]]) -> bytes:
    """A Google News search feed: (id, headline, outlet, link host) per item."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Google News</title>']
    for n, (article, headline, outlet, host) in enumerate(items):
        link = f"{host}/rss/articles/{article}?oc=5"
        parts.append(
            f"<item><title>{escape(headline)} - {escape(outlet)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(article)}</guid>'
            f"<pubDate>{format_datetime(NOW - timedelta(hours=3 - n * 0.1))}</pubDate>"
            f"<description>{escape(f'<a href={link!r}>{headline}</a>&nbsp;<font>{outlet}</font>')}"
            "</description>"
            f'<source url="https://{outlet.lower()}.example">{escape(outlet)}</source></item>'
        )
    return ("".join(parts) + "</channel></rss>").encode()


def page(headline: str) -> bytes:
    """A publisher's article page: its picture, its text."""
    paragraphs = "".join(
        f"<p>{LEDE} Paragraph {n} of the article tells the rest of the story.</p>" for n in range(6)
    )
    return (
        f'<html lang="en"><head><title>{headline}</title>'
        '<meta property="og:image" content="https://img.example/verdict.jpg"></head>'
        f"<body><article><h1>{headline}</h1>{paragraphs}</article></body></html>"
    ).encode()


def test_google_links_are_resolved_once_and_the_story_is_the_publisher_s(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    base = feed_server.base
    headline = "Jury rejects Musk's lawsuit against OpenAI"
    publisher = {n: f"{base}/news/{n}" for n in range(3)}
    old = google.old_id(publisher[0])  # decodes offline
    new = [google.new_id(1), google.new_id(2)]  # need the decoder
    decoded = {new[0]: publisher[1], new[1]: publisher[2]}
    for n in range(3):
        feed_server.routes[f"/news/{n}"] = Route(page(headline), content_type="text/html; charset=utf-8")
    for article in new:
        feed_server.routes[f"/rss/articles/{article}"] = Route(
            google.article_page(), content_type="text/html"
        )
    feed_server.routes[DECODER] = Route(
        reply=lambda form: google.answer(decoded, form), content_type="application/json"
    )
    items = [
        (old, headline, "Reuters", base),
        (new[0], headline, "AP", base),
        (new[1], headline, "Le Monde", base),
    ]
    feed_server.routes["/gn.xml"] = Route(google_feed(items[:1]))
    feed_server.routes["/own.xml"] = Route(
        rss([Item(headline, publisher[2], NOW - timedelta(hours=2), LEDE, "Le Monde")])
    )
    host = base.removeprefix("http://")
    write_config(
        tmp_path / "feeds.yaml",
        {"gn": f"{base}/gn.xml", "own": f"{base}/own.xml"},
        extra="  post_recent: 1d",
        fetch_articles=True,
    )
    with (tmp_path / "feeds.yaml").open("a", encoding="utf-8") as config:
        config.write(f'google_news:\n  hosts: ["{host}"]\n  pace: 0s\n')

    def asked(since: int) -> tuple[list[str], list[str]]:
        requests = feed_server.requests[since:]
        pages = [r.path.split("?")[0] for r in requests if r.path.startswith("/rss/articles/")]
        return pages, [r.path for r in requests if r.method == "POST"]

    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    before = len(feed_server.requests)
    feed_server.routes["/gn.xml"] = Route(google_feed(items))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    pages, posts = asked(before)
    assert sorted(pages) == sorted(f"/rss/articles/{a}" for a in new) and posts == [DECODER]  # one call
    again = len(feed_server.requests)
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # a new process: nothing asked again
    assert asked(again) == ([], [])

    [post] = discord_api.embeds()
    assert post["title"] == headline and post["url"].startswith(f"{base}/news/")  # the publisher's
    assert "Paragraph" in post.get("description", "") or LEDE[:40] in post.get("description", "")
    stories = subprocess.run(
        command(tmp_path, "stories", "--json"), env=environment(), capture_output=True, text=True, timeout=60
    )
    assert '"coverage": 3' in stories.stdout  # Le Monde through Google and its own feed: one story
    status = cli(tmp_path, "status").stdout
    assert "google news links: 3 of 3 resolved to their publishers" in status


def test_when_google_does_not_answer_the_story_still_counts_and_status_says_so(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    base = feed_server.base
    article = google.new_id(7)
    feed_server.routes[f"/rss/articles/{article}"] = Route(google.article_page(), content_type="text/html")
    feed_server.routes[DECODER] = Route(status=400, reply=lambda form: b'{"error": "changed"}')
    feed_server.routes["/gn.xml"] = Route(google_feed([]))
    write_config(tmp_path / "feeds.yaml", {"gn": f"{base}/gn.xml"}, extra="  post_recent: 1d")
    with (tmp_path / "feeds.yaml").open("a", encoding="utf-8") as config:
        config.write(f'google_news:\n  hosts: ["{base.removeprefix("http://")}"]\n  pace: 0s\n')
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    feed_server.routes["/gn.xml"] = Route(google_feed([(article, "Musk sues OpenAI again", "Reuters", base)]))
    polled = cli(tmp_path, "poll", discord_api=discord_api)
    assert_clean(polled)
    assert polled.stderr.count("google news: the decoder failed") == 1
    [post] = discord_api.embeds()
    assert post["title"] == "Musk sues OpenAI again"  # posted with what the feed gave
    assert (
        "google news links: 0 of 1 resolved to their publishers; 1 not yet" in cli(tmp_path, "status").stdout
    )
