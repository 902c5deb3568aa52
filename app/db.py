"""Database plumbing: the declarative base, engines, and the per-request session.

One transaction per request: services and repositories flush, never commit; the session
dependency commits once after the path operation returns and before the response is sent
(``Depends(scope="function")``), and rolls back on any error.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, Select, TypeDecorator, Uuid, event, select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from app.config import Settings
from app.kit.clock import as_utc, utcnow
from app.kit.ids import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Set for requests that write, so SQLite transactions take the write lock up front (BEGIN
# IMMEDIATE) instead of failing with SQLITE_BUSY when a read lock must be upgraded.
sqlite_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sqlite_write_intent", default=False
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC on every backend (SQLite included)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    """Declarative base whose constraints get stable names (so migrations can drop them)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    """A UUIDv7 primary key named ``id``."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)


class TimestampMixin:
    """``created_at`` and ``updated_at``, maintained by the ORM."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


def locks_rows(session: AsyncSession) -> bool:
    """Whether this request's reads must lock the rows they will write: it writes, and the
    database is PostgreSQL. (On SQLite a write request began with BEGIN IMMEDIATE, so it
    already holds the database's only write lock.)"""
    return sqlite_write_intent.get() and session.get_bind().dialect.name == "postgresql"


def upsert_insert(session: AsyncSession) -> Callable[[Any], PgInsert | SqliteInsert]:
    """The dialect's ``insert()``, which has ``on_conflict_do_nothing``/``_do_update`` (the
    two databases Track2 runs on share that syntax)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def for_write(stmt: SelectT, session: AsyncSession, *of: Any) -> SelectT:
    """``SELECT ... FOR UPDATE OF <of>`` (rows reloaded, not taken from the identity map) when
    the request writes on PostgreSQL; the statement unchanged otherwise.

    Access queries use it so that what a write request reads (and compares with ``If-Match``)
    is still current when it writes: a concurrent writer of the same row waits for our commit.
    """
    if not locks_rows(session):
        return stmt
    return stmt.with_for_update(of=list(of) or None).execution_options(populate_existing=True)


async def lock_parent(session: AsyncSession, parent: type[IdMixin], parent_id: Select[Any]) -> None:
    """Lock the parent row whose id ``parent_id`` selects, when :func:`for_write` would lock.

    Lock order is parent before child everywhere (series, then session, then its parts, key
    points and roster): writers that renumber a session's parts hold the session's lock, so a
    request editing one part takes the session's lock first, then reads the part, and two
    such requests can never wait on each other in a cycle.
    """
    if locks_rows(session):
        await session.execute(
            select(parent.id).where(parent.id == parent_id.scalar_subquery()).with_for_update()
        )


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the driver (it would otherwise BEGIN lazily
        # and break SAVEPOINT semantics); the "begin" listener below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_write_intent.get() else "BEGIN")


def create_engine(
    settings: Settings, url: str | None = None, *, pooled: bool = True
) -> AsyncEngine:
    """An async engine for the configured database with the per-backend settings applied.

    ``pooled=False`` opens a fresh connection each time: for one-off tools (migrations, CLI)
    that may run each step on a new event loop, where a pooled connection would be stale.
    """
    url = url or settings.database_url
    kwargs: dict[str, Any] = {"echo": settings.database.echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": settings.database.sqlite_busy_timeout_ms / 1000}
    if not pooled:
        kwargs["poolclass"] = NullPool
    elif not url.startswith("sqlite"):
        kwargs["pool_size"] = settings.database.pool_size
        kwargs["max_overflow"] = settings.database.max_overflow
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _configure_sqlite(engine, settings.database.sqlite_busy_timeout_ms)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (responses serialise them)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's database session: commit on success, roll back on any error."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    token = sqlite_write_intent.set(request.method not in {"GET", "HEAD", "OPTIONS"})
    session = maker()
    try:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            # A session that never touched the database (a cached read) holds no connection
            # and no transaction: skip the round trips of an empty commit and close.
            if session.in_transaction() or session.sync_session.new or session.sync_session.dirty:
                await session.commit()
    finally:
        if session.in_transaction() or session.sync_session.identity_map:
            await session.close()
        # The generator may be closed from another context (client disconnect); the flag
        # only matters while this request runs, so a failed reset is harmless.
        with contextlib.suppress(ValueError):
            sqlite_write_intent.reset(token)


DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
