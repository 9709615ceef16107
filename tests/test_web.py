"""The story at a glance (issue 17): the timeline page, a development's page, the feeds of
developments and /healthz, served by `followup-bot serve` over loopback from a database
the bot filled, and the pure renderers behind them."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import select
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator

from bot.models import DevelopmentView, Story
from bot.store import Spread
from bot.web import chart, pages, syndication
from bot.web.server import Site
from tests.support.cli import command, environment, serving
from tests.support.feeds import Item, press, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.support.jsonfeed import SCHEMA
from tests.test_e2e import NOW, assert_clean, cli

WHEN = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> {{ 7*7 }} @everyone'


def story(sid: int, title: str, url: str = "https://news.example/a", outlet: str = "Outlet") -> Story:
    return Story(
        sid, title, url, "A federal jury in Oakland decided the case.", outlet, WHEN, url, "en", "verdict"
    )


def test_hostile_titles_and_links_render_inert() -> None:
    development = DevelopmentView(1, "verdict", WHEN, story(1, HOSTILE, "javascript:alert(1)", HOSTILE))
    row = pages.row(development, Spread(1, (HOSTILE,), ("en",)))
    html = pages.timeline("Musk v. OpenAI", [row], "", 1, False, WHEN)
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html and "{{ 7*7 }}" in html  # shown as text, not run as a template
    detail = pages.development("t", row, [pages.covered(development.lead, HOSTILE)], 1, False, WHEN)
    assert "<script" not in detail and "onerror=alert" not in detail.replace("onerror=alert(1)&gt;", "")


def test_the_chart_is_drawn_from_numbers_and_marks_the_days_that_opened_developments() -> None:
    days = [chart.Day(WHEN.date() + timedelta(days=n), n * 3, n % 2) for n in range(5)]
    drawn = chart.svg(days)
    assert drawn.startswith("<svg") and drawn.count("<rect") == 5 and drawn.count("<circle") == 2
    assert '<title id="chart-title">Stories per day</title>' in drawn and chart.svg([]) == ""
    gap = chart.every_day([days[0], days[3]])
    assert [d.stories for d in gap] == [0, 0, 0, 9] and chart.every_day([]) == []


def test_the_feeds_parse_and_say_when_a_development_grew() -> None:
    grown = WHEN + timedelta(hours=5)
    items = [
        syndication.Syndicated(
            DevelopmentView(2, "appeal", WHEN, story(2, "Musk appeals & vows <more>")), grown, ("Outlet",)
        ),
        syndication.Syndicated(DevelopmentView(1, "verdict", WHEN, story(1, HOSTILE)), WHEN, (HOSTILE,)),
    ]
    parsed = feedparser.parse(syndication.atom(items, "Musk v. OpenAI", "http://127.0.0.1:8080", WHEN))
    assert not parsed.bozo and len(parsed.entries) == 2
    assert parsed.entries[0].title == "Musk appeals & vows <more>"
    assert parsed.entries[0].updated_parsed[:5] == grown.timetuple()[:5]
    document = json.loads(syndication.json_feed(items, "Musk v. OpenAI", "http://127.0.0.1:8080"))
    errors = list(
        Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(document)
    )
    assert errors == [] and [i["id"] for i in document["items"]] == [
        "http://127.0.0.1:8080/developments/2",
        "http://127.0.0.1:8080/developments/1",
    ]


LEDE = "A federal jury in Oakland decided Elon Musk's lawsuit against OpenAI and Sam Altman."


def story_of(title: str, n: int, hours_ago: float) -> Item:
    return press(title, n, NOW - timedelta(hours=hours_ago), LEDE)


@pytest.fixture
def served(tmp_path: Path, feed_server: FeedServer) -> Iterator[tuple[str, Path, FeedServer]]:
    """A database with two developments (one with a hostile headline), served on loopback."""
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    assert_clean(cli(tmp_path, "poll"))
    feed_server.routes["/f.xml"] = Route(
        rss(
            [
                story_of("Jury finds OpenAI not liable in Musk lawsuit", 1, 3),
                story_of(f"Elon Musk sues OpenAI {HOSTILE}", 2, 24 * 5),
            ]
        )
    )
    assert_clean(cli(tmp_path, "poll"))
    with serving(tmp_path) as base:
        yield base, tmp_path, feed_server


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # loopback only: the served page
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_the_pages_and_feeds_are_served_read_only_with_a_strict_policy(
    served: tuple[str, Path, FeedServer],
) -> None:
    base, tmp_path, feed_server = served
    status, headers, html = get(base)
    assert status == 200 and headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "Jury finds OpenAI not liable in Musk lawsuit" in html and "<svg" in html
    assert "<script" not in html and "Elon Musk sues OpenAI {{ 7*7 }}" in html  # text, not a template
    assert html.index("Jury finds OpenAI") < html.index("Elon Musk sues OpenAI")  # newest first
    status, _, detail = get(base + "developments/1")
    assert status == 200 and "Why it is here" in detail and "new development" in detail
    assert get(base + "developments/999")[0] == 404 and get(base + "developments/x")[0] == 404
    assert get(base + "feeds")[0] == 200 and "f: ok" in get(base + "feeds")[2]
    status, _, health = get(base + "healthz")
    assert status == 503 and health.startswith("unhealthy")  # polled, but no service ever ran
    assert get(base + "style.css")[1]["Content-Type"].startswith("text/css")

    atom = feedparser.parse(get(base + "feed.atom")[2])
    assert not atom.bozo and len(atom.entries) == 2
    first = {e.id: e.updated for e in atom.entries}
    feed_server.routes["/f.xml"] = Route(
        rss(
            [
                story_of("Jury finds OpenAI not liable in Musk lawsuit", 1, 3),
                story_of("Jury sides with OpenAI in Musk lawsuit", 3, 2),
            ]
        )
    )
    assert_clean(cli(tmp_path, "poll"))
    again = feedparser.parse(get(base + "feed.atom")[2])
    grown = [e for e in again.entries if e.updated != first[e.id]]
    assert len(again.entries) == 2 and len(grown) == 1 and "not liable" in grown[0].title  # it grew
    document = json.loads(get(base + "feed.json")[2])
    assert (
        list(
            Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(
                document
            )
        )
        == []
    )


def test_run_serves_the_page_beside_polling_when_web_listen_is_set(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.routes["/f.xml"] = Route(
        rss([story_of("Jury finds OpenAI not liable in Musk lawsuit", 1, 3)])
    )
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    with (tmp_path / "feeds.yaml").open("a", encoding="utf-8") as config:
        config.write('web:\n  listen: "127.0.0.1:0"\n')
    proc = subprocess.Popen(
        command(tmp_path, "run"), env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _, err = _read_until_err(proc, "serving the timeline on", 60)
        base = err.split("serving the timeline on ")[1].split()[0]
        assert get(base)[0] == 200
        feed_server.wait_for_hits_total(1, timeout=60)  # the first poll is under way
        # "ok" comes at once ("first polls under way"): wait for the first completed poll.
        health = _until(lambda: get(base + "healthz"), lambda answer: "last completed poll" in answer[2])
        assert health[2].startswith("ok"), health
        assert "Jury finds OpenAI not liable" in get(base)[2]
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in rest


def _until(
    ask: Callable[[], tuple[int, dict[str, str], str]],
    done: Callable[[tuple[int, dict[str, str], str]], bool],
) -> tuple[int, dict[str, str], str]:
    """Ask again until `done` (the service writes its heartbeat when its first poll ends: there
    is nothing to wait on from outside), for at most a minute."""
    end = time.monotonic() + 60
    answer = ask()
    while not done(answer) and time.monotonic() < end:
        time.sleep(0.2)
        answer = ask()
    return answer


def _read_until_err(proc: subprocess.Popen[str], needle: str, deadline: float) -> tuple[str, str]:
    """Read the child's stderr until `needle` shows there (or the deadline). Reads the file
    descriptor itself: a buffered readline could swallow lines that select() then never sees."""
    assert proc.stderr is not None
    fd, chunks = proc.stderr.fileno(), list[str]()
    end = time.monotonic() + deadline
    while needle not in "".join(chunks) and time.monotonic() < end and proc.poll() is None:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if ready and (chunk := os.read(fd, 65536)):
            chunks.append(chunk.decode("utf-8", errors="replace"))
    return "", "".join(chunks)


def raw_get(base: str, path: str, host: str = "") -> tuple[int, dict[str, str], str]:
    """GET `path` from the served page with the Host header a client chose."""
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host or address.netloc)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, dict(answer.headers), answer.read().decode()
    finally:
        connection.close()


def test_the_feeds_ids_and_links_are_the_same_whatever_the_host_header(
    served: tuple[str, Path, FeedServer],
) -> None:
    """A Host header used to write every id and link of the feeds (cache poisoning)."""
    base = served[0]
    plain = raw_get(base, "/feed.atom")[2]
    for host in ("evil.example", "x:99999", "[::1]:1"):
        status, _, body = raw_get(base, "/feed.atom", host)
        assert status == 200 and body == plain, host
    assert "evil.example" not in raw_get(base, "/feed.json", "evil.example")[2]


def test_odd_numbers_and_failures_answer_with_the_security_headers_and_no_traceback(
    served: tuple[str, Path, FeedServer],
) -> None:
    base = served[0]
    for path, expected in (("/?page=%C2%B2", 200), ("/developments/%C2%B2", 404), ("/?page=-1", 200)):
        status, headers, _ = raw_get(base, path)
        assert status == expected and headers["Content-Security-Policy"].startswith("default-src"), path


def test_a_failing_read_is_a_500_with_the_security_headers_and_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "bot.db").write_bytes(b"not a database " * 100)
    site = Site(str(tmp_path / "bot.db"), "Musk v. OpenAI", "https://news.example/musk")

    async def go() -> tuple[int, str, str]:
        server = TestServer(site.app())
        async with TestClient(server) as client:
            answer = await client.get("/")
            return answer.status, answer.headers["Content-Security-Policy"], await answer.text()

    status, policy, text = asyncio.run(go())
    site.readers.close()
    assert status == 500 and policy.startswith("default-src 'none'") and "Traceback" not in text
    assert "web: GET / failed: StorageError" in caplog.text and "Traceback" not in caplog.text


def test_an_empty_atom_feed_was_updated_now() -> None:
    parsed = feedparser.parse(syndication.atom([], "Musk v. OpenAI", "https://news.example", WHEN))
    assert not parsed.bozo and parsed.feed.updated_parsed[:5] == WHEN.timetuple()[:5]


def test_characters_xml_forbids_never_reach_the_atom_feed() -> None:
    """One title holding U+FFFE made the Atom feed unreadable for every subscriber."""
    title = "Musk \ufffe appeals \uffff the \ud800 verdict \x0b"
    item = syndication.Syndicated(DevelopmentView(1, "appeal", WHEN, story(1, title)), WHEN, ("Outlet",))
    parsed = feedparser.parse(syndication.atom([item], "Musk v. OpenAI", "https://news.example", WHEN))
    assert not parsed.bozo and parsed.entries[0].title == "Musk appeals the verdict"
