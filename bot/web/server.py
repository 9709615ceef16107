"""The web server: aiohttp over the database, read-only. Every page has a strict
Content-Security-Policy (no script at all, styles from this server only), and links only
to http(s); nothing here writes to the database or knows a secret."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from aiohttp import web

from bot.report import default_max_age, feed_line, liveness
from bot.store import Store
from bot.web import chart, pages, syndication

log = logging.getLogger(__name__)

PAGE = 20  # developments per page of the timeline
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'none'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every answer, errors included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class Site:
    """The pages of one database, for one topic."""

    def __init__(
        self, store: Store, topic: str, language: str = "", clock: Callable[[], datetime] | None = None
    ):
        self.store, self.topic, self.language = store, topic, language
        self.clock = clock or (lambda: datetime.now(UTC))

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
        developments, more = self.store.developments_page(PAGE, (page - 1) * PAGE)
        days = [
            chart.Day(date.fromisoformat(d), s, n) for d, s, n in self.store.coverage_days() if _is_day(d)
        ]
        rows = [pages.row(d, self.language) for d in developments]
        drawn = chart.svg(chart.every_day(days))
        return self._html(pages.timeline(self.topic, rows, drawn, page, more, self.clock()))

    async def development(self, request: web.Request) -> web.Response:
        number = _number(request.match_info["id"])
        try:
            development = self.store.development(number) if number else None
        except ValueError:
            development = None
        if development is None:
            text = pages.missing(self.topic, "There is no such development.", self.clock())
            return self._html(text, status=404)
        why = self.store.placements(development.id)
        stories = sorted((development.lead, *development.coverage), key=lambda s: (s.published, s.id))
        covered = [pages.covered(s, why.get(s.id, "")) for s in stories]
        return self._html(
            pages.development(self.topic, pages.row(development, self.language), covered, self.clock())
        )

    async def feeds(self, request: web.Request) -> web.Response:
        now = self.clock()
        lines = [feed_line(feed, now) for feed in self.store.status().feeds]
        return self._html(pages.feeds(self.topic, lines, now))

    def _syndicated(self) -> list[syndication.Syndicated]:
        return [syndication.Syndicated(d, when) for d, when in self.store.syndicated(syndication.LIMIT)]

    async def atom(self, request: web.Request) -> web.Response:
        body = syndication.atom(self._syndicated(), self.topic, str(request.url.origin()), self.language)
        return web.Response(text=body, content_type="application/atom+xml", charset="utf-8")

    async def json_feed(self, request: web.Request) -> web.Response:
        body = syndication.json_feed(self._syndicated(), self.topic, str(request.url.origin()), self.language)
        return web.Response(text=body, content_type="application/feed+json", charset="utf-8")

    async def healthz(self, request: web.Request) -> web.Response:
        report = self.store.status()
        ok, message = liveness(report, self.clock(), default_max_age(report))
        return web.Response(text=message + "\n", status=200 if ok else 503)

    async def favicon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)  # none: browsers ask anyway, and a 404 is an error in their console

    async def style(self, request: web.Request) -> web.Response:
        return web.Response(text=pages.STYLE, content_type="text/css", charset="utf-8")


def _number(text: str) -> int:
    """A page or development number from the URL; 0 when it is none."""
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


async def serve(
    site: Site, host: str, port: int, stop: asyncio.Event, ready: Callable[[str], None] | None = None
) -> None:
    """Serve `site` on host:port (port 0: any free one) until `stop` is set; `ready` is told
    the address once it listens."""
    runner = web.AppRunner(site.app(), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound = runner.addresses[0]
        url = f"http://{'[' + bound[0] + ']' if ':' in bound[0] else bound[0]}:{bound[1]}/"
        log.info("serving the timeline on %s", url)
        if ready is not None:
            ready(url)
        await stop.wait()
    finally:
        await runner.cleanup()
