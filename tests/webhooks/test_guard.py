"""The SSRF guard: every blocked range is refused, by resolution only (no traffic is sent)."""

from __future__ import annotations

import httpx
import pytest

from app.webhooks.guard import GuardedTransport, TargetRefused, check_url
from tests.webhooks.conftest import FakeDns

BLOCKED = [
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.5", "private"),
    ("192.168.1.10", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.10.1", "link-local"),
    ("fe80::1", "link-local"),
    ("224.0.0.251", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("100.64.0.1", "not globally routable"),
    ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("::ffff:127.0.0.1", "loopback"),
]


@pytest.mark.parametrize(("address", "reason"), BLOCKED)
async def test_blocked_ranges_are_refused(dns: FakeDns, address: str, reason: str) -> None:
    dns.set("target.example.net", address)
    with pytest.raises(TargetRefused, match=reason):
        await check_url("https://target.example.net/hook", allow_private=False)


async def test_one_private_address_among_public_ones_refuses_the_host(dns: FakeDns) -> None:
    dns.set("mixed.example.net", "93.184.216.34", "10.0.0.7")
    with pytest.raises(TargetRefused, match="private"):
        await check_url("https://mixed.example.net/hook", allow_private=False)


async def test_public_addresses_pass_and_private_ones_pass_when_allowed(dns: FakeDns) -> None:
    await check_url("https://hooks.example.org/x", allow_private=False)
    dns.set("local.example.net", "127.0.0.1")
    await check_url("http://local.example.net/x", allow_private=True)


async def test_other_schemes_are_refused() -> None:
    with pytest.raises(TargetRefused, match="http"):
        await check_url("ftp://hooks.example.org/x", allow_private=True)


async def test_transport_connects_to_the_checked_address_with_the_original_host(
    dns: FakeDns,
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    transport = GuardedTransport(inner=lambda: httpx.MockTransport(answer))
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.post("https://hooks.example.org/in", content=b"{}")
    assert response.status_code == 204
    [request] = seen
    assert request.url.host == "93.184.216.34"
    assert request.headers["host"] == "hooks.example.org"
    assert request.extensions["sni_hostname"] == "hooks.example.org"


async def test_transport_refuses_a_name_rebound_to_a_private_address(dns: FakeDns) -> None:
    """Registration saw a public address; at delivery the name answers 10.0.0.1."""
    dns.set("rebind.example.net", "10.0.0.1")
    sent: list[httpx.Request] = []
    transport = GuardedTransport(
        inner=lambda: httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    )
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(TargetRefused, match="private"):
            await client.post("https://rebind.example.net/in", content=b"{}")
    assert sent == []
