"""Outbox fixtures: a real SMTP server, and a database where the worker's commits are real.

The suite's ``db``/``client`` fixtures roll everything back, which a worker (several commits
per batch, from several sessions) cannot run in. Worker tests use their own database, built
by the migrations: a temporary SQLite file, or ``<name>_outbox_worker`` next to the database
named by TRACK2_TEST_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.clock import utcnow
from app.kit.migrations import upgrade_to_head
from app.outbox.models import OutboxMessage
from app.outbox.worker import OutboxWorker
from tests.conftest import TEST_DATABASE_URL, create_postgres_database, make_settings
from tests.smtp import SmtpSink, smtp_sink

__all__ = ["smtp_sink"]

IS_POSTGRES = bool(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def worker_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        parsed = make_url(TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_outbox_worker").render_as_string(False)
        asyncio.run(create_postgres_database(url))
    else:
        path: Path = tmp_path_factory.mktemp("outbox") / "worker.db"
        url = f"sqlite+aiosqlite:///{path}"
    upgrade_to_head(url)
    return url


@pytest.fixture(scope="session")
async def worker_engine(worker_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(make_settings(worker_database_url))
    yield engine
    await engine.dispose()


@pytest.fixture
async def maker(worker_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the worker database, which starts each test without outbox rows."""
    sessionmaker = create_sessionmaker(worker_engine)
    async with sessionmaker() as session:
        await session.execute(delete(OutboxMessage))
        await session.commit()
    return sessionmaker


class Clock:
    """The worker's clock: real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class WorkerKit:
    """Builds workers against the worker database and the test's SMTP server."""

    maker: async_sessionmaker[AsyncSession]
    url: str
    sink: SmtpSink
    clock: Clock
    journal_dir: Path
    workers: list[OutboxWorker] = field(default_factory=list)

    def settings(self, **overrides: Any) -> Settings:
        outbox = {
            "backoff_base_seconds": 10,
            "backoff_max_seconds": 600,
            "journal_dir": str(self.journal_dir),
            **overrides.pop("outbox", {}),
        }
        values: dict[str, Any] = {
            "mail": self.sink.mail_settings(smtp_timeout_seconds=5),
            "outbox": outbox,
        }
        values.update(overrides)
        return make_settings(self.url, **values)

    def worker(self, settings: Settings | None = None, **kwargs: Any) -> OutboxWorker:
        worker = OutboxWorker(self.maker, settings or self.settings(), clock=self.clock, **kwargs)
        self.workers.append(worker)
        return worker


@pytest.fixture
def kit(
    maker: async_sessionmaker[AsyncSession],
    worker_database_url: str,
    smtp_sink: SmtpSink,
    clock: Clock,
    tmp_path: Path,
) -> Iterator[WorkerKit]:
    kit = WorkerKit(maker, worker_database_url, smtp_sink, clock, tmp_path / "journal")
    yield kit
    for worker in kit.workers:
        worker.close()
