"""HTTP only: conditional GET of one feed, with deadlines, a body cap, checked redirects,
retries with backoff, and bounded concurrency overall and per host. Never parses.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import anyio
import httpx

from bot import USER_AGENT
from bot.config import FeedConfig, Polling
from bot.errors import FetchError
from bot.intake.body import ACCEPT_ENCODING, BodyError, read_capped
from bot.intake.guard import AddressRefused, GuardedBackend, PinnedTransport, Resolver, system_resolver
from bot.models import FeedCache, FetchResult

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CONNECT_TIMEOUT = 10.0
MAX_RETRY_DELAY = 30.0  # a server asking for a longer pause gets it at the next scheduled poll
MAX_HINT = 7 * 86400.0  # seconds; longer Retry-After, max-age or Expires are read as this


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a transient failure is retried within one fetch."""

    attempts: int = 3
    backoff: float = 1.0


class Fetcher:
    """One shared httpx client; `fetch` is safe to call concurrently for many feeds."""

    def __init__(
        self,
        *,
        concurrency: int = 8,
        per_host: int = 2,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            # Only encodings we inflate ourselves, under the cap (see bot.intake.body).
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
            # The address guard lives in the transport, so it checks what is connected to.
            transport=transport or PinnedTransport(GuardedBackend(resolver, allow_private)),
            trust_env=False,
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._hosts: dict[str, tuple[asyncio.Semaphore, int]] = {}  # slot, feeds using it
        self._retry = retry or RetryPolicy()
        self._sleep = sleep

    @classmethod
    def from_polling(cls, polling: Polling) -> Fetcher:
        """The fetcher feeds.yaml's `polling` section asks for."""
        return cls(
            concurrency=polling.concurrency, per_host=polling.per_host, allow_private=polling.allow_private
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, feed: FeedConfig, cache: FeedCache, authorization: str = "", form: str = ""
    ) -> FetchResult:
        """Fetch `feed`, retrying transient failures; raise FetchError with a one-line reason.
        Nothing else escapes: this is the edge where every failure of a fetch is mapped.
        `authorization` (an API token's header) goes to the feed's own origin only, never
        to a host a redirect leads to; `form` (urlencoded) makes it a POST of that form."""
        attempt = 0
        while True:
            try:
                return await self._fetch_once(feed, cache, authorization, form)
            except FetchError:
                raise
            except AddressRefused as exc:
                raise FetchError(feed.name, str(exc), transient=False) from None
            except (ValueError, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                # A port out of range, a malformed Location, a host only IDNA 2003 accepts.
                raise FetchError(feed.name, f"unusable URL: {_describe(exc)}", transient=False) from None
            except _Retryable as exc:
                attempt += 1
                delay = exc.retry_after
                if delay is None:
                    delay = self._retry.backoff * 2 ** (attempt - 1) * (0.5 + random.random())
                if attempt >= self._retry.attempts or delay > MAX_RETRY_DELAY:
                    raise FetchError(feed.name, exc.reason, retry_after=exc.retry_after) from None
                log.debug("feed %r: %s; retry %d in %.1fs", feed.name, exc.reason, attempt, delay)
                await self._sleep(delay)
            except Exception as exc:  # any other library failure on hostile input
                log.debug("feed %r: unexpected fetch failure", feed.name, exc_info=True)
                raise FetchError(feed.name, f"fetch failed: {_describe(exc)}", transient=False) from None

    async def _fetch_once(
        self, feed: FeedConfig, cache: FeedCache, authorization: str = "", form: str = ""
    ) -> FetchResult:
        headers: dict[str, str] = {}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
        if cache.etag:
            headers["If-None-Match"] = cache.etag
        if cache.last_modified:
            headers["If-Modified-Since"] = cache.last_modified
        timeout = feed.timeout.total_seconds()
        loop = asyncio.get_running_loop()
        deadline: float | None = None  # starts when the first request may go, not while queued
        url = feed.url
        moved = ""  # set while every redirect so far was permanent
        try:
            for hop in range(MAX_REDIRECTS + 1):
                # Host slot first: a feed waiting on a busy host must not hold a global slot.
                _check_scheme(feed.name, url)
                async with self._host_slot(urlsplit(url).hostname or ""), self._slots:
                    if deadline is None:
                        deadline = loop.time() + timeout
                    # anyio's deadline, not asyncio.timeout: httpcore waits in anyio shielded
                    # scopes, and on Python 3.11 an asyncio timeout firing there leaks a bare
                    # CancelledError instead of TimeoutError (seen killing a poll job).
                    with anyio.fail_at(deadline):
                        same = authorization and _origin(url) == _origin(feed.url)
                        sent = headers | {"Authorization": authorization} if same else headers
                        result = await self._request(feed, url, sent, timeout, form)
                if isinstance(result, FetchResult):
                    return replace(result, elapsed=loop.time() - (deadline - timeout), moved_to=moved)
                url, permanent = result
                moved = url if permanent and (hop == 0 or moved) else ""
            raise FetchError(feed.name, f"more than {MAX_REDIRECTS} redirects", transient=False)
        except TimeoutError:
            raise _Retryable(f"no complete answer within {timeout:g}s") from None
        except httpx.TimeoutException:
            raise _Retryable("timed out") from None
        except httpx.UnsupportedProtocol:
            raise
        except httpx.TransportError as exc:
            raise _Retryable(f"network error: {_describe(exc)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(feed.name, _describe(exc), transient=False) from None

    async def _request(
        self, feed: FeedConfig, url: str, headers: dict[str, str], timeout: float, form: str = ""
    ) -> FetchResult | tuple[str, bool]:
        """One HTTP exchange: a result, or the next URL of a redirect and whether it is permanent."""
        request_timeout = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        method, content = ("POST", form.encode()) if form else ("GET", None)
        async with self._client.stream(
            method, url, headers=headers, content=content, timeout=request_timeout
        ) as resp:
            if resp.status_code == 304:
                return FetchResult(
                    feed.name, url, 304, None, _cache(resp, fallback=headers), hint=_fresh_for(resp)
                )
            if resp.status_code in REDIRECTS:
                location = resp.headers.get("location", "")
                if not location:
                    raise FetchError(feed.name, f"HTTP {resp.status_code} without Location", transient=False)
                return str(urljoin(url, location)), resp.status_code in (301, 308)
            if resp.status_code == 429 or resp.status_code >= 500:
                raise _Retryable(f"HTTP {resp.status_code}", retry_after=_retry_after(resp))
            if resp.status_code != 200:
                raise FetchError(
                    feed.name,
                    f"HTTP {resp.status_code} {resp.reason_phrase}".strip(),
                    transient=False,
                    status=resp.status_code,
                )
            try:
                body = await read_capped(resp, feed.max_bytes)
            except BodyError as exc:
                raise FetchError(feed.name, str(exc), transient=False) from None
            return FetchResult(
                feed.name,
                url,
                200,
                bytes(body),
                _cache(resp),
                content_type=resp.headers.get("content-type", ""),
                hint=_fresh_for(resp),
            )

    @asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        """At most `per_host` requests to one host at once; a slot lives while it is used,
        so months of polling different hosts keep no slot for each."""
        slot, users = self._hosts.get(host) or (asyncio.Semaphore(self._per_host), 0)
        self._hosts[host] = (slot, users + 1)
        try:
            async with slot:
                yield
        finally:
            slot, users = self._hosts[host]
            if users == 1:
                del self._hosts[host]
            else:
                self._hosts[host] = (slot, users - 1)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _check_scheme(feed: str, url: str) -> None:
    """Only http(s) with a host is fetched (a redirect may point at file: or data:)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(feed, f"refused non-http(s) URL {url[:200]!r}", transient=False)
    parts.port  # noqa: B018 - raises ValueError for a port out of range, mapped by `fetch`


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".rstrip(": ")[:300]


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Feeds need no cookies, and a jar that keeps every server's would grow for months."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


class _Retryable(Exception):
    """A failure worth trying again (network, timeout, 429, 5xx)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _cache(resp: httpx.Response, fallback: dict[str, str] | None = None) -> FeedCache:
    """New validators; a 304 that omits them keeps the ones we sent."""
    sent = fallback or {}
    return FeedCache(
        etag=resp.headers.get("etag") or sent.get("If-None-Match"),
        last_modified=resp.headers.get("last-modified") or sent.get("If-Modified-Since"),
    )


def _fresh_for(resp: httpx.Response) -> float | None:
    """Seconds the answer stays fresh by `Cache-Control: max-age` or `Expires`, if said."""
    control = resp.headers.get("cache-control", "")
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() in ("max-age", "s-maxage") and value.strip().isdigit():
            return _bounded(float(value.strip()))
    return _until(resp.headers.get("expires", ""))


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return _bounded(float(value))
    return _until(value)


def _until(http_date: str) -> float | None:
    """Seconds from now to an HTTP date, within [0, MAX_HINT]; None if it is not one."""
    if not http_date:
        return None
    try:
        return _bounded(parsedate_to_datetime(http_date).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _bounded(seconds: float) -> float:
    """A server's hint clamped when read, so no later date arithmetic can overflow."""
    return min(MAX_HINT, max(0.0, seconds))
