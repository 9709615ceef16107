"""The page never costs the service it runs in: connections are capped, a request's head
must come within a deadline, a development of thousands of stories is read a page at a
time off the event loop, and `run` polls on time while slow clients and heavy pages load
the page."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import resource
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bot.store import Store
from bot.web import server
from bot.web.server import Site, serve
from tests.support.builders import NOW, fill_coverage
from tests.support.cli import command, environment
from tests.support.feeds import rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_web import _read_until_err, get


def test_connections_over_the_cap_are_refused_and_a_slow_head_is_cut_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(tmp_path / "bot.db").close()
    monkeypatch.setattr(server, "HEAD_TIMEOUT", 0.5)
    monkeypatch.setattr(server, "connection_cap", lambda: 3)

    async def go() -> tuple[list[bytes], bytes]:
        stop, address = asyncio.Event(), asyncio.Queue[str]()
        site = Site(str(tmp_path / "bot.db"), "Musk v. OpenAI", "")
        serving = asyncio.create_task(serve(site, "127.0.0.1", 0, stop, address.put_nowait))
        port = int((await address.get()).rsplit(":", 1)[1].strip("/"))
        slow = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        for _, writer in slow:
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the end of the head
        await asyncio.gather(*(writer.drain() for _, writer in slow))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        refused = await asyncio.wait_for(reader.read(), 10)  # over the cap: 503, closed
        writer.close()
        cut = [await asyncio.wait_for(r.read(), 10) for r, _ in slow]  # closed at the head deadline
        for _, w in slow:
            w.close()
        stop.set()
        await serving
        return cut, refused

    cut, refused = asyncio.run(go())
    assert refused.startswith(b"HTTP/1.1 503 ")
    assert all(b" 200 " not in answer for answer in cut)


def test_a_development_of_thousands_of_stories_is_read_a_page_at_a_time(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    fill_coverage(store, developments=1, stories=250, now=NOW)
    store.close()

    async def go() -> list[str]:
        stop, address = asyncio.Event(), asyncio.Queue[str]()
        site = Site(str(tmp_path / "bot.db"), "Musk v. OpenAI", "")
        serving = asyncio.create_task(serve(site, "127.0.0.1", 0, stop, address.put_nowait))
        base = await address.get()
        pages = ["developments/1", "developments/1?page=3", "developments/1?page=4", ""]
        answers = [(await asyncio.to_thread(get, base + path))[2] for path in pages]
        stop.set()
        await serving
        return answers

    first, last, beyond, timeline = asyncio.run(go())
    assert first.count("<tr><td>") == server.STORIES_PAGE and "250 stories" in first
    assert "?page=2" in first and last.count("<tr><td>") == 50 and "?page=2" in last
    assert beyond.count("<tr><td>") == 0
    assert "250 outlets: " in timeline and " and 220 more" in timeline  # the first 30 are named


def slow_clients(port: int, count: int, until: float) -> None:
    """`count` connections that send half a request head and wait, reconnecting whenever the
    server closes one, until `until` (a monotonic time)."""

    async def one() -> None:
        while time.monotonic() < until:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)  # refused: the next try, as any client would
                continue
            writer.write(b"GET /developments/1 HTTP/1.1\r\nHost: x\r\n")
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(reader.read(), max(0.1, until - time.monotonic()))
            writer.close()

    async def all_of_them() -> None:
        await asyncio.gather(*(one() for _ in range(count)))

    asyncio.run(all_of_them())


def heavy_clients(base: str, until: float, answers: list[int]) -> None:
    """Fetch the heaviest pages in a loop until `until`, noting each answer's status."""
    for path in itertools.cycle(["developments/1", "", "feed.atom", "developments/1?page=20"]):
        if time.monotonic() >= until:
            return
        try:
            with urllib.request.urlopen(base + path, timeout=30) as answer:  # loopback: the page
                answer.read()
                answers.append(answer.status)
        except (OSError, urllib.error.HTTPError) as exc:
            answers.append(getattr(exc, "code", 0))


def few_files() -> None:
    """The service as under `ulimit -n 128`: slow clients must not take its sockets."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))


@pytest.mark.slow
def test_run_polls_on_time_while_slow_clients_and_heavy_pages_load_the_page(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    store = Store(tmp_path / "bot.db")
    fill_coverage(store, developments=2, stories=10_000, now=NOW)
    store.close()
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  min_interval: 1s\n  interval: 1s\n  max_interval: 2s",
    )
    with (tmp_path / "feeds.yaml").open("a", encoding="utf-8") as config:
        config.write('web:\n  listen: "127.0.0.1:0"\n')
    proc = subprocess.Popen(
        command(tmp_path, "run"),
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=few_files,
    )
    answers: list[int] = []
    try:
        _, err = _read_until_err(proc, "serving the timeline on", 60)
        base = err.split("serving the timeline on ")[1].split()[0]
        feed_server.wait_for_hits("/f.xml", 1, timeout=60)
        start = time.monotonic()
        until = start + 15
        port = int(base.rsplit(":", 1)[1].strip("/"))
        load = [threading.Thread(target=slow_clients, args=(port, 200, until))]
        load += [threading.Thread(target=heavy_clients, args=(base, until, answers)) for _ in range(8)]
        for thread in load:
            thread.start()
        for thread in load:
            thread.join(timeout=60)
        hits = [h.at for h in feed_server.hits("/f.xml")]
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=60)
    during = [at for at in hits if at >= start - 2]
    gaps = [b - a for a, b in itertools.pairwise([*during, time.monotonic()])]
    # The poll interval (at most 2 s) plus 10 s.
    assert len(during) >= 5 and max(gaps) <= 2 + 10, (gaps, rest[-3000:])
    # Heavy pages are served meanwhile; past the cap a client is told 503, never left hanging.
    assert 200 in answers and set(answers) <= {200, 503}, answers[:20]
    assert proc.returncode == 0 and "Traceback" not in rest
    assert len(rest) < 200_000  # no log flood from refused or failing connections
