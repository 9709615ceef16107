"""`make eval`, served as production serves it: the labelled set through the whole bot from
Google News search feeds (opaque new article ids, a headline " - Outlet", no text) beside
publishers' own feeds, with every publisher's page behind its link (page chrome around the
article, an og:image) and a fake Google on loopback (article pages with the decoder's
signature, the batchexecute decoder). Which item arrives how is fixed by its id, not tuned:
a third only through its publisher's feed, a third only through Google, a third both.

It counts what the channel gets: posts linking to the publisher, posts whose summary was
taken from the article page, posts with a picture, the labelled developments found, and
the requests made to Google per poll."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import threading
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from bot.config import Config, FeedConfig
from bot.delivery.render import render_development
from bot.store import Store
from evaluation.evaluate_e2e import _PACE, _Feeds, _rss, _run, posted_views

GOOGLE_DECODER = "/_/DotsSplashUi/data/batchexecute"


@dataclass(frozen=True)
class Served:
    posts: int
    developments: int  # labelled developments that reached the channel
    labelled: int  # labelled developments in the set
    publisher_links: int
    article_summaries: int
    pictures: int
    google_requests: int
    polls: int

    def share(self, n: int) -> str:
        return f"{100 * n / (self.posts or 1):.0f} %"

    def lines(self) -> list[str]:
        share = self.share
        return [
            "served through Google News (opaque links beside publishers' feeds, pages behind them)",
            f"{self.posts} posts, {self.developments} of {self.labelled} labelled developments found;"
            f" links to the publisher {share(self.publisher_links)}, summary from the article"
            f" {share(self.article_summaries)}, picture {share(self.pictures)};"
            f" {self.google_requests} requests to Google in {self.polls} polls",
        ]


def route(item: dict[str, Any]) -> str:
    """How an item arrives: 'publisher', 'google' or 'both', from its id alone."""
    return ("publisher", "google", "both")[int(hashlib.sha256(item["id"].encode()).hexdigest(), 16) % 3]


def new_id(item: dict[str, Any]) -> str:
    """A new-style Google article id (only the decoder tells its URL) for an item."""
    token = b"AU_yqL" + hashlib.sha256(item["id"].encode()).hexdigest().encode()
    raw = b"\x08\x13\x22" + bytes([len(token)]) + token
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def page(item: dict[str, Any], n: int) -> bytes:
    """A publisher's article page: a cookie banner, navigation, the article, related links
    and a newsletter box around it, an og:image in its head."""
    title, text = escape(item.get("title", "")), escape(item.get("description", ""))
    lang = escape(item.get("lang", "en"))
    return (
        f'<!doctype html><html lang="{lang}"><head><title>{title}</title>'
        f'<meta property="og:image" content="https://images.example/{n}.jpg"></head><body>'
        '<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>'
        '<nav><a href="/">Home</a> <a href="/tech">Tech</a> <a href="/business">Business</a></nav>'
        f"<article><h1>{title}</h1><p>{text}</p></article>"
        '<aside class="related"><h2>Related</h2><ul><li><a href="/x">Ten gadgets we love</a></li>'
        '<li><a href="/y">Markets close higher</a></li></ul></aside>'
        '<div class="newsletter">Sign up for our newsletter: the day\'s news in your inbox.</div>'
        "</body></html>"
    ).encode()


def measure_served(items: list[dict[str, Any]], config: Config, db: str) -> Served:
    """Run the set through the bot as production is served; `db` is a fresh database path."""
    scored = [i for i in items if i["label"] in ("on", "off") and i.get("url")]
    days = sorted({i["date"] for i in scored})
    languages = sorted({i.get("lang", "en") for i in scored})
    server = _Feeds()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    base = f"http://127.0.0.1:{port}"
    publisher = {item["id"]: f"{base}/pub/{n}" for n, item in enumerate(scored)}
    by_google = {new_id(item): publisher[item["id"]] for item in scored}
    for n, item in enumerate(scored):
        server.bodies[f"/pub/{n}"] = page(item, n)
        server.bodies[f"/rss/articles/{new_id(item)}"] = google_page()
    server.post = lambda path, form: google_answer(by_google, form) if path == GOOGLE_DECODER else b""

    def serve(shown: list[dict[str, Any]]) -> None:
        for lang in languages:
            mine = [i for i in shown if i.get("lang", "en") == lang]
            own = [{**i, "served_url": publisher[i["id"]]} for i in mine if route(i) != "google"]
            google = [
                {
                    **i,
                    "id": f"gn-{i['id']}",
                    "served_url": f"{base}/rss/articles/{new_id(i)}?oc=5",
                    "served_title": f"{i.get('title', '')} - {i.get('source', '')}".strip(" -"),
                    "served_text": f"{i.get('title', '')} {i.get('source', '')}".strip(),
                }
                for i in mine
                if route(i) != "publisher"
            ]
            server.bodies[f"/{lang}.xml"] = _rss(own)
            server.bodies[f"/gn-{lang}.xml"] = _rss(google)

    feeds = tuple(
        FeedConfig(f"{kind}-{lang}", f"{base}/{prefix}{lang}.xml", *_PACE, language=lang)
        for lang in languages
        for kind, prefix in (("pub", ""), ("gn", "gn-"))
    )
    run_config = replace(
        config,
        feeds=feeds,
        polling=replace(config.polling, allow_private=True),
        summaries=replace(config.summaries, fetch_articles=True, llm=None),
        discord=replace(config.discord, max_per_minute=1_000_000, burst=1_000_000, thumbnails=True),
        google_news=replace(
            config.google_news, hosts=(f"127.0.0.1:{port}",), pace=timedelta(0), per_hour=100_000
        ),
    )
    history = set(days[: len(days) // 2])
    try:
        asyncio.run(_run(server, scored, history, days, run_config, db, io.StringIO(), serve))
    finally:
        server.shutdown()
        server.server_close()
    google = [p for p in server.seen if p.startswith("/rss/articles/") or p == GOOGLE_DECODER]
    polls = sum(p == f"/gn-{languages[0]}.xml" for p in server.seen)
    return replace(_count(scored, run_config, db, f"{base}/pub/"), google_requests=len(google), polls=polls)


def google_page(signature: str = "sig", timestamp: int = 1_747_575_840) -> bytes:
    """The fake Google's article page: the element that carries the decoder's signature."""
    return (
        '<html><body><c-wiz><div jscontroller="x" data-n-a-sg="'
        f'{signature}" data-n-a-ts="{timestamp}"></div></c-wiz></body></html>'
    ).encode()


def google_answer(urls: dict[str, str], form: bytes) -> bytes:
    """The fake decoder's answer to the request `form`: each asked id found in `urls`
    decoded, the others as error rows, matched by request id."""
    try:
        envelopes = json.loads(parse_qs(form.decode())["f.req"][0])[0]
    except (KeyError, ValueError, IndexError):
        return b""
    rows: list[list[object]] = []
    for envelope in envelopes:
        article, request = json.loads(envelope[1])[2], envelope[3]
        if article in urls:
            payload = json.dumps(["garturlres", urls[article], 1])
            rows.append(["wrb.fr", "Fbv4je", payload, None, None, None, request])
        else:
            rows.append(["er", None, None, None, None, 400, request])
    rows += [["di", 12], ["af.httprm", 12, "-1", 3]]
    return b")]}'\n\n" + json.dumps(rows).encode()


def _count(items: list[dict[str, Any]], config: Config, db: str, prefix: str) -> Served:
    events_of = {item["id"]: item.get("events") or [] for item in items if item["label"] == "on"}
    labelled = {event for events in events_of.values() for event in events}
    store = Store(db)
    try:
        views = posted_views(store)
        sources = dict(store.db.execute("SELECT id, digest_source FROM stories").fetchall())
        guids = dict(
            store.db.execute("SELECT story_id, guid FROM entries WHERE story_id IS NOT NULL").fetchall()
        )
    finally:
        store.close()
    found: set[str] = set()
    links = summaries = pictures = 0
    for view in views:
        for story in (view.lead, *view.coverage):
            # feedparser reads a bare <guid> as a link: the item's id is its last segment.
            item = str(guids.get(story.id, "")).rsplit("/", 1)[-1].removeprefix("gn-")
            found.update(events_of.get(item, []))
        message = render_development(
            view, max_chars=config.summaries.max_chars, language=config.discord.language
        )
        lead = next((s for s in (view.lead, *view.coverage) if s.url == message.url), view.lead)
        links += message.url.startswith(prefix)
        summaries += bool(message.description) and sources.get(lead.id) == "article"
        pictures += bool(message.thumbnail)
    return Served(len(views), len(found & labelled), len(labelled), links, summaries, pictures, 0, 0)
