"""The web server: aiohttp over the database, read-only. Every page has a strict
Content-Security-Policy (no script at all, styles from this server only), and links only
to http(s); nothing here writes to the database or knows a secret.

The page must never cost the service it runs in: every read goes through its own
read-only connections in worker threads (never the poller's connection, never on the
event loop), a development's stories are read a page at a time, connections are capped
and a request's head must arrive within HEAD_TIMEOUT. Links and ids in the feeds come from
the configured base URL, never from the request's Host header.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, date, datetime
from typing import TypeVar

from aiohttp import web

from bot.config import Config
from bot.config.load import listening
from bot.intake.docket import KEY as DOCKET_KEY
from bot.report import default_max_age, feed_line, liveness, running
from bot.store import Store
from bot.web import chart, pages, syndication

log = logging.getLogger(__name__)

PAGE = 20  # developments per page of the timeline
STORIES_PAGE = 100  # stories per page of a development
MEMBERS = 50  # a development's latest stories read for its row (its lead is always read)
READERS = 2  # worker threads (and read-only connections) that serve the pages' reads
HEAD_TIMEOUT = 10.0  # seconds a connection may take to send a request's head (or stay idle)
MAX_CONNECTIONS = 100  # at most; fewer when the process may open few files
ACCEPT_BATCH = 16  # connections accepted at once (the listen backlog)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every answer, errors included; any failure is one log line and a
    plain 500, never a traceback."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    except Exception as exc:
        log.error("web: %s %s failed: %s: %s", request.method, request.path[:200], type(exc).__name__, exc)
        response = web.Response(text="Something went wrong.\n", status=500)
    response.headers.update(SECURITY_HEADERS)
    return response


class Readers:
    """Reads for the pages, each in a worker thread on a read-only connection of its own,
    opened for that read and closed after it (a statement left unfinished would otherwise
    pin an old snapshot): the pages never read on the event loop or through the poller's
    connection, and never write."""

    def __init__(self, path: str, workers: int = READERS) -> None:
        self.path = path
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="web-read")

    def _run(self, work: Callable[[Store], T]) -> T:
        with closing(Store(self.path, timeout=5.0, readonly=True)) as store:
            return work(store)

    async def read(self, work: Callable[[Store], T]) -> T:
        """`work` run in a worker thread with a read-only store."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._run, work)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Site:
    """The pages of one database, for one topic, at `base_url` (the page's public address,
    which the feeds' links and ids are built from)."""

    def __init__(
        self,
        db: str,
        topic: str,
        base_url: str,
        language: str = "",
        clock: Callable[[], datetime] | None = None,
    ):
        self.readers = Readers(db)
        self.listening = ""  # the address it listens on, once it does
        self.configure(topic, base_url, language)
        self.clock = clock or (lambda: datetime.now(UTC))

    def configure(self, topic: str, base_url: str, language: str) -> None:
        """Adopt the topic's name, `web.base_url` and `discord.language` (again, on SIGHUP)."""
        self.topic, self.language, self.configured_url = topic, language, base_url.rstrip("/")

    @property
    def base_url(self) -> str:
        """Where the feeds' ids and links point: `web.base_url`, else the listening address."""
        return self.configured_url or self.listening

    def app(self) -> web.Application:
        app = web.Application(middlewares=[_headers])
        app.router.add_get("/", self.timeline)
        app.router.add_get("/developments/{id}", self.development)
        app.router.add_get("/feeds", self.feeds)
        app.router.add_get("/feed.atom", self.atom)
        app.router.add_get("/feed.json", self.json_feed)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/style.css", self.style)
        app.router.add_get("/favicon.ico", self.favicon)
        return app

    def _html(self, text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")

    async def timeline(self, request: web.Request) -> web.Response:
        page = _number(request.query.get("page", "1")) or 1
        return self._html(await self.readers.read(lambda store: self._timeline(store, page)))

    def _timeline(self, store: Store, page: int) -> str:
        developments, more = store.developments_page(PAGE, (page - 1) * PAGE, MEMBERS)
        spread = store.spread([d.id for d in developments], DOCKET_KEY)
        days = [chart.Day(date.fromisoformat(d), s, n) for d, s, n in store.coverage_days() if _is_day(d)]
        rows = [pages.row(d, spread[d.id], self.language) for d in developments]
        return pages.timeline(self.topic, rows, chart.svg(chart.every_day(days)), page, more, self.clock())

    async def development(self, request: web.Request) -> web.Response:
        number = _number(request.match_info["id"])
        page = _number(request.query.get("page", "1")) or 1
        text = await self.readers.read(lambda store: self._development(store, number, page))
        if text is None:
            return self._html(pages.missing(self.topic, "There is no such development.", self.clock()), 404)
        return self._html(text)

    def _development(self, store: Store, number: int, page: int) -> str | None:
        development = store.development_view(number, MEMBERS) if number else None
        if development is None:
            return None
        spread = store.spread([development.id], DOCKET_KEY)[development.id]
        shown = store.stories_page(development.id, STORIES_PAGE, (page - 1) * STORIES_PAGE)
        covered = [pages.covered(story, why) for story, why in shown]
        more = page * STORIES_PAGE < spread.stories
        r = pages.row(development, spread, self.language)
        return pages.development(self.topic, r, covered, page, more, self.clock())

    async def feeds(self, request: web.Request) -> web.Response:
        now = self.clock()
        report = await self.readers.read(lambda store: store.status())
        lines = [feed_line(feed, now, running(report)) for feed in report.feeds]
        return self._html(pages.feeds(self.topic, lines, now))

    def _syndicated(self, store: Store) -> list[syndication.Syndicated]:
        views = store.syndicated(syndication.LIMIT, MEMBERS)
        spread = store.spread([d.id for d, _ in views], DOCKET_KEY)
        return [syndication.Syndicated(d, when, spread[d.id].outlets) for d, when in views]

    async def atom(self, request: web.Request) -> web.Response:
        items = await self.readers.read(self._syndicated)
        body = syndication.atom(items, self.topic, self.base_url, self.clock(), self.language)
        return web.Response(text=body, content_type="application/atom+xml", charset="utf-8")

    async def json_feed(self, request: web.Request) -> web.Response:
        items = await self.readers.read(self._syndicated)
        body = syndication.json_feed(items, self.topic, self.base_url, self.language)
        return web.Response(text=body, content_type="application/feed+json", charset="utf-8")

    async def healthz(self, request: web.Request) -> web.Response:
        report = await self.readers.read(lambda store: store.status())
        ok, message = liveness(report, self.clock(), default_max_age(report))
        return web.Response(text=message + "\n", status=200 if ok else 503)

    async def favicon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)  # none: browsers ask anyway, and a 404 is an error in their console

    async def style(self, request: web.Request) -> web.Response:
        return web.Response(text=pages.STYLE, content_type="text/css", charset="utf-8")


def _number(text: str) -> int:
    """A page or development number from the URL; 0 when it is none ('²' is a digit to
    str.isdigit, not to int)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def connection_cap() -> int:
    """How many connections the page may hold: MAX_CONNECTIONS, or a quarter of the files
    this process may open, so that slow clients never starve polls and delivery of sockets."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else max(4, min(MAX_CONNECTIONS, soft // 4))


class _Busy(asyncio.Protocol):
    """A connection over the cap: told 503 at once and closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        transport.close()


class BoundedSite(web.TCPSite):
    """aiohttp's TCP site, admitting at most `cap` connections at once."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, cap: int) -> None:
        super().__init__(runner, host, port)
        self.cap = cap

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None

        def admit() -> asyncio.Protocol:
            return server() if len(server.connections) < self.cap else _Busy()

        # asyncio accepts up to `backlog` connections in one go before any is closed: keep
        # that batch small, or a burst of clients over the cap still runs out of files.
        self._server = await asyncio.get_running_loop().create_server(
            admit, self._host, self._port, backlog=ACCEPT_BATCH
        )


async def serve(
    site: Site, host: str, port: int, stop: asyncio.Event, ready: Callable[[str], None] | None = None
) -> None:
    """Serve `site` on host:port (port 0: any free one) until `stop` is set; `ready` is told
    the address once it listens."""
    runner = web.AppRunner(site.app(), access_log=None, keepalive_timeout=HEAD_TIMEOUT)
    await runner.setup()
    try:
        await BoundedSite(runner, host, port, connection_cap()).start()
        bound = runner.addresses[0]
        url = f"http://{'[' + bound[0] + ']' if ':' in bound[0] else bound[0]}:{bound[1]}/"
        site.listening = url.rstrip("/")
        log.info("serving the timeline on %s", url)
        if ready is not None:
            ready(url)
        await stop.wait()
    finally:
        await runner.cleanup()
        await asyncio.to_thread(site.readers.close)
        log.info("stopped serving the timeline")


class Page:
    """The page inside the service (`web.listen`): started with it, moved or reconfigured on
    SIGHUP, stopped with it. A port that is taken costs the page, never polling or posting."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._listen = ""
        self._site: Site | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def apply(self, config: Config) -> None:
        """Serve as `config.web` says: on a new address, restarted; else only reconfigured."""
        topic, web, language = config.topic.name, config.web, config.discord.language
        if web.listen == self._listen and self._site is not None:
            self._site.configure(topic, web.base_url, language)
            return
        await self.close()
        self._listen = web.listen
        if not web.listen:
            return
        host, port = listening(web.listen, config.path, "web.listen")
        self._site, self._stop = Site(self.db, topic, web.base_url, language), asyncio.Event()
        self._task = asyncio.create_task(self._serve(self._site, host, port, self._stop, web.listen))

    @staticmethod
    async def _serve(site: Site, host: str, port: int, stop: asyncio.Event, listen: str) -> None:
        try:
            await serve(site, host, port, stop)
        except OSError as exc:  # the port is taken: polling and posting go on without it
            log.error("web.listen %s: %s; the page is not served", listen, exc.strerror or exc)

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=2.0)
        self._task, self._site = None, None
