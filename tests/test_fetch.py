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
from bot.intake.fetch import Fetcher, RetryPolicy
from bot.intake.guard import GuardedBackend, PinnedTransport, Resolver, is_public_address
from bot.models import FeedCache, FetchResult
from tests.support.fake_network import RecordingBackend, http_response
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


def guarded(resolver: Resolver, backend: RecordingBackend, allow_private: bool = False) -> Fetcher:
    """A fetcher whose guard uses `resolver` and whose connections go to `backend` (no socket)."""
    transport = PinnedTransport(GuardedBackend(resolver, allow_private, inner=backend))
    return Fetcher(resolver=resolver, transport=transport, sleep=no_sleep)


def stub(answers: dict[str, list[str]], asked: list[str] | None = None) -> Resolver:
    async def resolver(host: str, port: int) -> list[str]:
        if asked is not None:
            asked.append(host)
        return answers[host]

    return resolver


def test_private_addresses_are_refused_before_any_connection() -> None:
    backend = RecordingBackend()
    resolver = stub(
        {
            "intranet.example": ["10.0.0.5"],
            "meta.example": ["169.254.169.254"],
            "mixed.example": ["93.184.216.34", "192.168.1.1"],
            "six.example": ["::1"],
            "nat64.example": ["64:ff9b::a00:5"],
            "sixtofour.example": ["2002:c0a8:101::1"],
        }
    )

    async def go(url: str) -> None:
        async with guarded(resolver, backend) as fetcher:
            await fetcher.fetch(feed(url), FeedCache())

    for host in ("intranet", "meta", "mixed", "six", "nat64", "sixtofour"):
        with pytest.raises(FetchError, match="resolves to non-public address"):
            asyncio.run(go(f"https://{host}.example/feed"))
    with pytest.raises(FetchError, match="refused non-http"):
        asyncio.run(go("file:///etc/passwd"))
    assert backend.connections == []


def test_redirect_to_a_private_address_is_refused() -> None:
    backend = RecordingBackend(
        {"93.184.216.34": http_response(302, {"Location": "http://internal.example/admin"})}
    )
    resolver = stub({"public.example": ["93.184.216.34"], "internal.example": ["172.16.0.9"]})

    async def go() -> None:
        async with guarded(resolver, backend) as fetcher:
            await fetcher.fetch(feed("http://public.example/feed"), FeedCache())

    with pytest.raises(FetchError, match="refused internal.example"):
        asyncio.run(go())
    assert backend.connections == [("93.184.216.34", 80)]
    assert b"Host: public.example" in backend.streams[0].written


def test_the_checked_address_is_the_one_connected_to() -> None:
    """DNS rebinding: a second lookup would answer 10.0.0.1, but there is no second lookup."""
    answers = iter([["93.184.216.34"], ["10.0.0.1"]])
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    backend = RecordingBackend({"93.184.216.34": http_response(200, body=b"<rss/>")})

    async def go() -> FetchResult:
        async with guarded(rebinding, backend) as fetcher:
            return await fetcher.fetch(feed("http://rebind.example/feed"), FeedCache())

    assert asyncio.run(go()).body == b"<rss/>"
    assert asked == ["rebind.example"]
    assert backend.connections == [("93.184.216.34", 80)]


def test_the_guard_resolves_the_name_httpx_connects_to() -> None:
    """IDNA 2008 (httpx) and IDNA 2003 (Python's resolver) differ on 'ß': one name for both."""
    asked: list[str] = []
    backend = RecordingBackend({"93.184.216.34": http_response(200, body=b"<rss/>")})
    resolver = stub({"xn--strae-oqa.example": ["93.184.216.34"]}, asked)

    async def go() -> FetchResult:
        async with guarded(resolver, backend) as fetcher:
            return await fetcher.fetch(feed("http://straße.example/feed"), FeedCache())

    assert asyncio.run(go()).status == 200
    assert asked == ["xn--strae-oqa.example"]


def test_a_stubbed_name_reaches_a_loopback_server(feed_server: FeedServer) -> None:
    """The resolver's answer is what is connected to: system DNS never sees `feed.test`."""
    feed_server.routes["/feed"] = Route(body=b"<rss/>")
    url = feed_server.url("/feed").replace("127.0.0.1", "feed.test")

    async def go() -> FetchResult:
        resolver = stub({"feed.test": ["127.0.0.1"]})
        async with Fetcher(resolver=resolver, allow_private=True, sleep=no_sleep) as fetcher:
            return await fetcher.fetch(feed(url), FeedCache())

    assert asyncio.run(go()).body == b"<rss/>"


@pytest.mark.parametrize(
    ("location", "problem"),
    [
        ("http://127.0.0.1:99999/feed", "unusable URL"),
        ("http://[bad/feed", "unusable URL"),
        ("http://xn--n3h.example/feed", "unusable URL"),  # a snowman: IDNA 2003 only
    ],
)
def test_unusable_redirects_are_feed_errors(feed_server: FeedServer, location: str, problem: str) -> None:
    feed_server.routes["/moved"] = Route(status=302, headers={"Location": location})
    with pytest.raises(FetchError, match=problem) as caught:
        fetch(feed_server.url("/moved"))
    assert not caught.value.transient


def test_a_host_only_idna_2003_accepts_is_a_feed_error() -> None:
    with pytest.raises(FetchError, match="unusable URL"):
        fetch("http://\u2603.example/feed")


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
        ("::ffff:93.184.216.34", True),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::5db8:d822", True),  # NAT64 of 93.184.216.34
        ("64:ff9b:1::7f00:1", False),  # local-use NAT64 of 127.0.0.1
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2002:5db8:d822::1", True),  # 6to4 of 93.184.216.34
        ("::ffff:0:a00:1", False),  # IPv4-translated 10.0.0.1
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("2606:4700::1111", True),
        ("0.0.0.0", False),
        ("nonsense", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "99999999999999999"},
        {"Retry-After": "9" * 400},
        {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
    ],
)
def test_huge_retry_after_is_clamped_when_read(feed_server: FeedServer, headers: dict[str, str]) -> None:
    feed_server.routes["/busy"] = Route(status=429, headers=headers)
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/busy"))
    assert caught.value.retry_after == 7 * 86400.0
    timedelta(seconds=caught.value.retry_after)  # what the poll does with it: no OverflowError


def test_huge_freshness_hints_are_clamped(feed_server: FeedServer) -> None:
    feed_server.routes["/fresh"] = Route(
        body=b"<rss/>", headers={"Cache-Control": "max-age=99999999999999999"}
    )
    assert fetch(feed_server.url("/fresh")).hint == 7 * 86400.0


def test_months_of_polling_keep_no_state_per_host(feed_server: FeedServer) -> None:
    """Per-host slots and a cookie jar grew with every host ever polled."""
    feed_server.routes["/f"] = Route(body=b"<rss/>", headers={"Set-Cookie": "session=abc; Path=/"})
    names = {f"feed{i}.test": ["127.0.0.1"] for i in range(20)}

    async def go() -> Fetcher:
        async with Fetcher(resolver=stub(names), allow_private=True, sleep=no_sleep) as fetcher:
            for name in names:
                url = feed_server.url("/f").replace("127.0.0.1", name)
                await fetcher.fetch(feed(url), FeedCache())
            await fetcher.fetch(feed(feed_server.url("/f").replace("127.0.0.1", "feed0.test")), FeedCache())
            return fetcher

    fetcher = asyncio.run(go())
    assert fetcher._hosts == {}
    assert all("cookie" not in {k.lower() for k in seen.headers} for seen in feed_server.requests)


def test_an_api_token_goes_to_the_feed_s_own_host_only(feed_server: FeedServer) -> None:
    """A redirect to another origin (here another port on loopback) must not carry it."""
    with FeedServer() as elsewhere:
        elsewhere.routes["/data"] = Route(b"{}", content_type="application/json")
        feed_server.routes["/same"] = Route(status=302, headers={"Location": "/moved"}, etag=False)
        feed_server.routes["/moved"] = Route(
            status=302, headers={"Location": elsewhere.url("/data")}, etag=False
        )

        async def go() -> FetchResult:
            async with Fetcher(allow_private=True, sleep=no_sleep) as fetcher:
                return await fetcher.fetch(feed(feed_server.url("/same")), NO_CACHE, "Token secret")

        assert asyncio.run(go()).body == b"{}"
        [same] = feed_server.hits("/same")
        [moved] = feed_server.hits("/moved")
        [there] = elsewhere.hits("/data")
    assert same.headers["authorization"] == moved.headers["authorization"] == "Token secret"
    assert "authorization" not in there.headers
