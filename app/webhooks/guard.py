"""The SSRF guard: webhooks only go to globally routable addresses.

The target's host is resolved and every address must be public, at registration and again
at delivery. At delivery the connection is made to the very address that was checked (the
transport rewrites the URL to the IP and keeps ``Host`` and the TLS server name), so a DNS
answer that changes between the check and the connection cannot reach an internal service.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services, refused by name even where a range check would let them through.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class TargetRefused(Exception):
    """The URL points somewhere webhooks may not go."""


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not receive webhooks, or None when it is globally routable."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refusal(address.ipv4_mapped)
    checks = (
        (address in METADATA_ADDRESSES, "a cloud metadata address"),
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "not globally routable"),
    )
    for blocked, reason in checks:
        if blocked:
            return f"{address} ({reason})"
    return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"{host} cannot be resolved") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(f"{host} has no addresses")
    return addresses


async def checked_addresses(host: str, port: int) -> list[IPAddress]:
    """Resolve ``host`` and refuse it unless every address is globally routable."""
    addresses = await resolve(host, port)
    for address in addresses:
        reason = refusal(address)
        if reason is not None:
            raise TargetRefused(f"{host} resolves to {reason}")
    return addresses


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("only http and https URLs with a host can receive webhooks")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


async def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host is not (entirely) globally routable."""
    host, port = _host_and_port(url)
    if not allow_private:
        await checked_addresses(host, port)


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that resolves, checks, then connects to the checked address.

    Connections are pooled per original host name: a pool keyed by IP alone could reuse a
    connection opened (and TLS-verified) for one name to send another name's request.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        inner: Callable[[], httpx.AsyncBaseTransport] = httpx.AsyncHTTPTransport,
    ) -> None:
        self.allow_private = allow_private
        self._make_inner = inner
        self._inners: dict[str, httpx.AsyncBaseTransport] = {}

    def _inner(self, host: str) -> httpx.AsyncBaseTransport:
        if host not in self._inners:
            self._inners[host] = self._make_inner()
        return self._inners[host]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host, port = _host_and_port(str(request.url))
        if self.allow_private:
            return await self._inner(host).handle_async_request(request)
        address = (await checked_addresses(host, port))[0]
        # The Host header was set from the original URL when the request was built; the TLS
        # server name (and certificate check) follows the original host too.
        request.url = request.url.copy_with(host=str(address))
        request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner(host).handle_async_request(request)

    async def aclose(self) -> None:
        for inner in self._inners.values():
            await inner.aclose()
        self._inners.clear()
