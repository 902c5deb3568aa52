"""Newsletter fixtures: a database whose commits are real, the app on it, a real SMTP server
and the outbox worker.

The suite's ``db``/``client`` fixtures roll everything back, which the worker (its own
sessions, several commits) cannot see. These tests use their own database, built by the
migrations and emptied before each test: a temporary SQLite file, or ``<name>_newsletter``
next to the database named by TRACK2_TEST_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import Base, create_engine, create_sessionmaker
from app.kit.migrations import upgrade_to_head
from app.main import create_app
from app.models import load_all_models
from app.newsletter import deps
from app.outbox.worker import OutboxWorker
from tests.conftest import TEST_DATABASE_URL, create_postgres_database, make_settings
from tests.factories import Factory
from tests.smtp import ReceivedMail, SmtpSink, smtp_sink

__all__ = ["smtp_sink"]

load_all_models()
LINK = re.compile(r"http://testserver(/subscriptions/[a-z]+)\?token=([A-Za-z0-9_.\-]+)")


@pytest.fixture(scope="session")
def news_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        parsed = make_url(TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_newsletter").render_as_string(False)
        asyncio.run(create_postgres_database(url))
    else:
        path: Path = tmp_path_factory.mktemp("newsletter") / "newsletter.db"
        url = f"sqlite+aiosqlite:///{path}"
    upgrade_to_head(url)
    return url


@pytest.fixture(scope="session")
async def news_engine(news_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(make_settings(news_database_url))
    yield engine
    await engine.dispose()


async def empty_database(maker: async_sessionmaker[AsyncSession]) -> None:
    """Delete every row (children first); the schema stays."""
    async with maker() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))
        await session.commit()


@pytest.fixture
def even_timing_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subscription answers normally wait for a floor time; most tests need not."""
    monkeypatch.setattr(deps, "MIN_SUBSCRIBE_SECONDS", 0.0)


@dataclass
class NewsKit:
    """The app on the committed database, its SMTP server, and a worker to send the mail."""

    app: FastAPI
    client: httpx.AsyncClient
    maker: async_sessionmaker[AsyncSession]
    settings: Settings
    sink: SmtpSink
    db: AsyncSession
    factory: Factory

    async def deliver(self) -> list[ReceivedMail]:
        """Run the worker until nothing is due; return the messages received so far."""
        await OutboxWorker(self.maker, self.settings).drain()
        return self.sink.received()

    async def subscribe(
        self, email: str, series: list[str], name: str | None = None, **extra: Any
    ) -> httpx.Response:
        body: dict[str, Any] = {"email": email, "series": series, "consent": True, **extra}
        if name is not None:
            body["name"] = name
        return await self.client.post("/api/v1/public/subscriptions", json=body)

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.maker() as session:
            return (await session.execute(text(sql), params)).scalar()


def links(mail: ReceivedMail) -> dict[str, str]:
    """``{path: token}`` of the Track2 links in a message's text part."""
    body = mail.message.get_body(preferencelist=("plain",))
    assert body is not None
    return dict(LINK.findall(body.get_content()))


def header_token(mail: ReceivedMail) -> str:
    """The token in a message's List-Unsubscribe header."""
    url = str(mail.message["List-Unsubscribe"]).strip().strip("<>")
    return parse_qs(urlsplit(url).query)["token"][0]


@pytest.fixture
async def news(
    news_database_url: str,
    news_engine: AsyncEngine,
    smtp_sink: SmtpSink,
    even_timing_off: None,
) -> AsyncIterator[NewsKit]:
    maker = create_sessionmaker(news_engine)
    await empty_database(maker)
    settings = make_settings(
        news_database_url, mail=smtp_sink.mail_settings(smtp_timeout_seconds=5)
    )
    app = create_app(settings)
    app.state.engine = news_engine
    app.state.sessionmaker = maker
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        maker() as db,
    ):
        yield NewsKit(app, client, maker, settings, smtp_sink, db, Factory(db))
