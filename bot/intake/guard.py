"""The private-address guard: every connection the bot opens goes to an address it checked.

A check that resolves a name and a connection that resolves it again can disagree (DNS
rebinding, or Python's IDNA 2003 against httpx's IDNA 2008: `straße.x` is `strasse.x` to
one and `xn--strae-oqa.x` to the other). So the check lives in the network backend under
httpx: `GuardedBackend` resolves the exact name httpx asked for, refuses any non-public
answer, and connects to the addresses it checked. TLS still verifies and sends SNI for
the name in the URL, and the Host header is untouched.

IPv6 forms that carry an IPv4 address (mapped, translated, NAT64, 6to4, IPv4-compatible)
are judged by the IPv4 address inside them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]

# IPv6 prefixes whose low (or, for 6to4, high) 32 bits are an IPv4 address that routing
# may reach: NAT64 (well-known and local-use), IPv4-translated, IPv4-compatible.
_EMBEDDING_LOW32 = tuple(
    ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "::ffff:0:0:0/96", "::/96")
)


class AddressRefused(Exception):
    """A host resolved to an address the guard does not allow; nothing was sent."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        super().__init__(
            f"refused {host}: resolves to non-public address {address} (polling.allow_private is false)"
        )


async def system_resolver(host: str, port: int) -> list[str]:
    """All addresses `host` resolves to, in the resolver's order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is of a form that carries one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    for network in _EMBEDDING_LOW32:
        if ip in network and int(ip) & 0xFFFFFFFF and ip != ipaddress.IPv6Address("::1"):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses (IPv4 inside IPv6 judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and (inner := embedded_ipv4(ip)) is not None:
        return inner.is_global and not inner.is_multicast
    return ip.is_global and not ip.is_multicast


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves once, checks every answer, and connects only to the addresses it checked."""

    def __init__(
        self,
        resolver: Resolver = system_resolver,
        allow_private: bool = False,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._resolve = resolver
        self._allow_private = allow_private
        self._inner = inner or httpcore.AnyIOBackend()

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses `host` may be reached at; AddressRefused if any answer is private."""
        try:
            ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
            found = [host.strip("[]")]
        except ValueError:
            try:
                found = await self._resolve(host, port)
            except (OSError, UnicodeError) as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        if not found:
            raise AddressRefused(host, "nothing")
        if not self._allow_private:
            for address in found:
                if not is_public_address(address):
                    raise AddressRefused(host, address)
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in await self.addresses(host, port):
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport over a `GuardedBackend` (httpx has no parameter for it)."""

    def __init__(self, backend: GuardedBackend, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=backend,
        )
