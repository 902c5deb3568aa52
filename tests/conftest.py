"""Test fixtures: a database built by the migrations, and one rolled-back transaction per test.

SQLite (a temporary file) by default; set ``TRACK2_TEST_DATABASE_URL`` to run the same suite
against PostgreSQL, e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/track2_test``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.config import Settings
from app.db import create_engine, create_sessionmaker, get_db_session
from app.kit.migrations import upgrade_to_head
from app.main import create_app
from app.wiring import wire
from tests.factories import Factory

# Services used without the app (factories, direct service tests) reach the guard too.
wire()

TEST_DATABASE_URL = os.environ.get("TRACK2_TEST_DATABASE_URL")


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for tests: nothing read from the environment or a .env file."""
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-1234567890",
        "base_url": "http://testserver",
        "log_json": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def _reset_postgres(url: str) -> None:
    """Start from an empty schema so the migrations build everything."""
    engine = create_engine(make_settings(url), pooled=False)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def create_postgres_database(url: str) -> None:
    """(Re)create the database named in ``url`` through the server's ``postgres`` database."""
    parsed = make_url(url)
    admin = create_engine(
        make_settings(parsed.set(database="postgres").render_as_string(False)), pooled=False
    )
    try:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
            await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        await admin.dispose()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """CLI tests call configure_logging, which points the root logger at the (captured)
    stderr of that test; put the handlers back so later threads never write to a closed
    capture."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).propagate = True


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the migration head, built with ``alembic upgrade head``."""
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        asyncio.run(_reset_postgres(url))
    else:
        path: Path = tmp_path_factory.mktemp("db") / "track2-test.db"
        url = f"sqlite+aiosqlite:///{path}"
    upgrade_to_head(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's outer transaction; everything in the test is rolled back afterwards."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


def _joined_session(connection: AsyncConnection) -> AsyncSession:
    # Commits inside the code under test release a SAVEPOINT; the outer transaction stays.
    return AsyncSession(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )


@pytest.fixture
async def db(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data directly."""
    session = _joined_session(connection)
    try:
        yield session
    finally:
        await session.close()


@pytest.fixture
def factory(db: AsyncSession) -> Factory:
    return Factory(db)


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    """The application, each request getting a fresh session joined to the test transaction."""
    return _joined_app(settings, engine, connection)


def _joined_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    application = create_app(settings)
    application.state.engine = engine
    application.state.sessionmaker = create_sessionmaker(engine)

    async def joined_request_session(request: Request) -> AsyncIterator[AsyncSession]:
        session = _joined_session(connection)
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
        finally:
            await session.close()

    application.dependency_overrides[get_db_session] = joined_request_session
    application.state.idempotency_sessions = lambda: _joined_session(connection)
    application.state.document_connections = lambda: _borrowed(connection)
    return application


@contextlib.asynccontextmanager
async def _borrowed(connection: AsyncConnection) -> AsyncIterator[AsyncConnection]:
    # The test's own connection, inside its transaction (documents answered before routing).
    yield connection


@pytest.fixture
def second_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    """A second application on the same database, with caches of its own (as a second
    process would have)."""
    return _joined_app(settings, engine, connection)


@pytest.fixture
async def second_client(second_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of :func:`second_app`."""
    transport = httpx.ASGITransport(app=second_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
