"""Every fault of the crash review at once, end to end: one `poll` over all of them posts
the good items and finishes; a `run` through them keeps polling and stops cleanly.

Each fault here once stopped the whole service (a regex that backtracked for minutes,
errors that escaped every handler, timedelta overflows repeated on every poll) or came
back after every restart."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from tests.support.cli import command, environment
from tests.support.fake_discord import WEBHOOK_URL, FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW

LEDE = "Elon Musk's lawsuit against OpenAI went before the court again on Monday."


def item(title: str, days_ago: int, description: str = LEDE, link: str = "") -> Item:
    slug = title.lower().replace(" ", "-").replace(",", "")
    return Item(
        title, link or f"https://news.example/{slug}", NOW - timedelta(days=days_ago), description=description
    )


GOOD = [
    item("Musk sues OpenAI, good filing", 1),
    item("Musk sues OpenAI, capital filing", 6, "A" * 5000 + " " + LEDE),  # the dateline regex: n^5
    item("Musk sues OpenAI, comment filing", 11, "&lt;!--" * 16000 + LEDE),  # quadratic comment strip
    item("Musk sues OpenAI, script filing", 16, "&lt;script&gt;" * 8000 + LEDE),
    item(
        "Musk sues OpenAI, entity filing",
        21,
        "The judge ruled. &amp;amp;#64;everyone must read the order now.",
    ),
    item("Musk sues OpenAI, fresh-for-ever filing", 26),
]
FLOOD = [item(f"Musk sues OpenAI, flood filing {i}", 31 + 5 * i) for i in range(25)]


def old_dates() -> bytes:
    body = rss([item("Musk sues OpenAI, ancient filing", 1)]).decode()
    return body.replace(
        body[body.index("<pubDate>") : body.index("</pubDate>")], "<pubDate>Mon, 01 Jan 0001 00:00:00 GMT"
    ).encode()


def serve_faults(server: FeedServer) -> dict[str, str]:
    routes = {
        "good": Route(rss(GOOD[:1])),
        "capitals": Route(rss(GOOD[1:2])),
        "comments": Route(rss(GOOD[2:3])),
        "scripts": Route(rss(GOOD[3:4])),
        "entities": Route(rss(GOOD[4:5])),
        "max-age": Route(rss(GOOD[5:6]), headers={"Cache-Control": "max-age=99999999999999999"}),
        "flood": Route(rss(FLOOD)),
        "year-one": Route(old_dates()),
        "bad-port": Route(status=302, headers={"Location": "http://127.0.0.1:99999/feed"}),
        "bad-location": Route(status=302, headers={"Location": "http://[bad/feed"}),
        "idna-2003": Route(status=302, headers={"Location": "http://xn--n3h.example/feed"}),
        "retry-after": Route(status=429, headers={"Retry-After": "99999999999999999"}),
        "expires": Route(status=503, headers={"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}),
    }
    for name, route in routes.items():
        server.routes[f"/{name}"] = route
    return {name: server.url(f"/{name}") for name in routes}


SETTINGS = "  post_recent: 400d\n  max_age: 400d\n  max_posts_per_poll: 10"


def test_one_poll_over_every_fault_posts_the_good_items(tmp_path: Path, feed_server: FeedServer) -> None:
    write_config(tmp_path / "feeds.yaml", serve_faults(feed_server), extra=SETTINGS)
    with FakeDiscord() as api:
        env = environment(webhook_url=WEBHOOK_URL, api_base=api.api_base)
        # The hang guard: the issue asks for under a minute; this only stops a hung poll.
        result = subprocess.run(
            command(tmp_path, "poll"), env=env, capture_output=True, text=True, timeout=60
        )
        posted = [e["title"] for e in api.embeds()]
        descriptions = [e.get("description", "") for e in api.embeds()]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert {g.title for g in GOOD} <= set(posted)
    assert sum("flood filing" in t for t in posted) == 10  # the rest wait in the outbox
    assert "Musk sues OpenAI, ancient filing" not in posted  # year 1 reads as old: stored only
    assert all("@everyone" not in d for d in descriptions)
    assert any(LEDE in d for d in descriptions)
    for name in ("bad-port", "bad-location", "idna-2003"):
        assert f"feed {name!r}: error: unusable URL" in result.stderr


def test_a_service_through_every_fault_keeps_running_and_stops_on_sigterm(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    fast = "\n  min_interval: 1s\n  interval: 1s\n  max_backoff: 2s\n  max_interval: 2s"
    write_config(tmp_path / "feeds.yaml", serve_faults(feed_server), extra=SETTINGS + fast)
    log = tmp_path / "service.log"
    with FakeDiscord() as api, log.open("w") as out:
        env = environment(webhook_url=WEBHOOK_URL, api_base=api.api_base)
        proc = subprocess.Popen(command(tmp_path, "run"), env=env, stdout=out, stderr=out)
        try:
            assert api.wait_for("messages", 10, timeout=60)
            # Polling goes on after every fault has been met at least twice.
            for name in ("good", "retry-after", "bad-location", "capitals"):
                assert len(feed_server.wait_for_hits(f"/{name}", 3, timeout=60)) >= 3, name
        finally:
            stopping = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            stopped_in = time.monotonic() - stopping
    output = log.read_text(encoding="utf-8")
    assert proc.returncode == 0, output[-3000:]
    assert stopped_in < 10, stopped_in
    assert "Traceback" not in output and "service stopped" in output
