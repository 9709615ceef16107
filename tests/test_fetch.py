"""fetch: conditional GET, caps, redirects, retries, concurrency and the address guard."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import httpx
import pytest

from bot import USER_AGENT
from bot.config import FeedConfig
from bot.errors import FetchError
from bot.fetch import Fetcher, RetryPolicy, is_public_address
from bot.models import FeedCache, FetchResult
from tests.support.feedserver import FeedServer, Route


def feed(url: str, *, timeout: float = 10, max_bytes: int = 1 << 20) -> FeedConfig:
    return FeedConfig("f", url, timedelta(minutes=10), timedelta(seconds=timeout), max_bytes)


async def no_sleep(delay: float) -> None:
    return None


NO_CACHE = FeedCache()


def fetch(
    url: str, cache: FeedCache = NO_CACHE, timeout: float = 10, max_bytes: int = 1 << 20
) -> FetchResult:
    cfg = feed(url, timeout=timeout, max_bytes=max_bytes)

    async def go() -> FetchResult:
        async with Fetcher(allow_private=True, sleep=no_sleep) as fetcher:
            return await fetcher.fetch(cfg, cache)

    return asyncio.run(go())


def test_conditional_get_with_etag(feed_server: FeedServer) -> None:
    feed_server.routes["/f.xml"] = Route(b"<rss/>")
    first = fetch(feed_server.url("/f.xml"))
    assert (first.status, first.body) == (200, b"<rss/>") and first.cache.etag
    second = fetch(feed_server.url("/f.xml"), first.cache)
    assert second.not_modified and second.body is None and second.cache == first.cache
    sent = feed_server.hits("/f.xml")
    assert sent[1].headers["if-none-match"] == first.cache.etag
    assert sent[0].headers["user-agent"] == USER_AGENT


def test_body_over_the_cap_is_refused(feed_server: FeedServer) -> None:
    feed_server.routes["/big.xml"] = Route(b"x" * 5000)
    with pytest.raises(FetchError, match="feed 'f': body larger than the 4096-byte cap"):
        fetch(feed_server.url("/big.xml"), max_bytes=4096)


def test_redirects_are_followed_up_to_five(feed_server: FeedServer) -> None:
    for i in range(6):
        feed_server.routes[f"/r{i}"] = Route(status=302, headers={"Location": f"/r{i + 1}"}, etag=False)
    feed_server.routes["/r6"] = Route(b"<rss/>")
    assert fetch(feed_server.url("/r1")).body == b"<rss/>"  # five hops
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(feed_server.url("/r0"))


def test_server_errors_are_retried_then_reported(feed_server: FeedServer) -> None:
    feed_server.routes["/down"] = Route(b"oops", status=503)
    with pytest.raises(FetchError, match="feed 'f': HTTP 503"):
        fetch(feed_server.url("/down"))
    assert len(feed_server.hits("/down")) == RetryPolicy().attempts
    feed_server.routes["/gone"] = Route(b"", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(feed_server.url("/gone"))
    assert len(feed_server.hits("/gone")) == 1  # a 404 is not retried


def test_a_hanging_server_hits_the_deadline(feed_server: FeedServer) -> None:
    feed_server.routes["/hang"] = Route(hang=threading.Event())
    with pytest.raises(FetchError, match="no complete answer within 0.3s|timed out"):
        fetch(feed_server.url("/hang"), timeout=0.3)


def test_private_addresses_are_refused_before_any_connection() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"connected to {request.url}")

    async def resolver(host: str, port: int) -> list[str]:
        return {
            "intranet.example": ["10.0.0.5"],
            "meta.example": ["169.254.169.254"],
            "mixed.example": ["93.184.216.34", "192.168.1.1"],
            "six.example": ["::1"],
        }[host]

    async def go(url: str) -> None:
        async with Fetcher(resolver=resolver, transport=httpx.MockTransport(never)) as fetcher:
            await fetcher.fetch(feed(url), FeedCache())

    for host in ("intranet.example", "meta.example", "mixed.example", "six.example"):
        with pytest.raises(FetchError, match="resolves to non-public address"):
            asyncio.run(go(f"https://{host}/feed"))
    with pytest.raises(FetchError, match="refused non-http"):
        asyncio.run(go("file:///etc/passwd"))


def test_redirect_to_a_private_address_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "public.example"
        return httpx.Response(302, headers={"Location": "http://internal.example/admin"})

    async def resolver(host: str, port: int) -> list[str]:
        return {"public.example": ["93.184.216.34"], "internal.example": ["172.16.0.9"]}[host]

    async def go() -> None:
        async with Fetcher(resolver=resolver, transport=httpx.MockTransport(handler)) as fetcher:
            await fetcher.fetch(feed("https://public.example/feed"), FeedCache())

    with pytest.raises(FetchError, match="refused internal.example"):
        asyncio.run(go())


def test_at_most_two_requests_per_host_at_once() -> None:
    active = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        for _ in range(5):  # let every other ready request start, if the limit allowed it
            await asyncio.sleep(0)
        active -= 1
        return httpx.Response(200, content=b"<rss/>")

    async def go() -> None:
        async with Fetcher(allow_private=True, transport=httpx.MockTransport(handler)) as fetcher:
            feeds = [feed(f"https://one.example/{i}") for i in range(6)]
            await asyncio.gather(*(fetcher.fetch(f, FeedCache()) for f in feeds))

    asyncio.run(go())
    assert peak == 2


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.31.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1", False),
        ("::ffff:10.0.0.1", False),
        ("2606:4700::1111", True),
        ("0.0.0.0", False),
        ("nonsense", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public
