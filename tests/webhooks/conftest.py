"""Webhook fixtures: a fake DNS (no lookup leaves the machine) and the worker database."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from app.kit.migrations import upgrade_to_head
from tests.conftest import TEST_DATABASE_URL, create_postgres_database
from tests.outbox.conftest import (  # noqa: F401  (fixtures)
    clock,
    kit,
    maker,
    smtp_sink,
    worker_engine,
)


@pytest.fixture(scope="session")
def worker_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The worker database of these tests: like tests/outbox's, under its own name (both
    suites hold their engines open for the whole session)."""
    if TEST_DATABASE_URL:
        parsed = make_url(TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_webhooks_worker").render_as_string(False)
        asyncio.run(create_postgres_database(url))
    else:
        path = tmp_path_factory.mktemp("webhooks") / "worker.db"
        url = f"sqlite+aiosqlite:///{path}"
    upgrade_to_head(url)
    return url


class FakeDns:
    """Answers for the names a test registers; every other name resolves as usual (the
    databases on 127.0.0.1), so nothing a test sends can leave loopback by accident."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.lookups: list[str] = []

    def set(self, host: str, *addresses: str) -> None:
        self.answers[host] = list(addresses)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns()
    original = asyncio.BaseEventLoop.getaddrinfo

    async def getaddrinfo(
        self: asyncio.BaseEventLoop, host: Any, port: Any, *args: Any, **kwargs: Any
    ) -> list[Any]:
        if isinstance(host, str) and host in fake.answers:
            fake.lookups.append(host)
            out = []
            for address in fake.answers[host]:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                sockaddr = (address, port or 0, 0, 0) if ":" in address else (address, port or 0)
                out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return out
        return await original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    fake.set("hooks.example.org", "93.184.216.34")
    return fake
