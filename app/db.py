"""Database plumbing: the declarative base, engines, and the per-request session.

One transaction per request: services and repositories flush, never commit; the session
dependency commits once after the path operation returns and before the response is sent
(``Depends(scope="function")``), and rolls back on any error.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fcntl
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Annotated, Any, ClassVar, TypeVar

import aiosqlite
from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, Select, TypeDecorator, Uuid, event, select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, NullPool
from sqlalchemy.util import await_
from sqlalchemy.util.concurrency import in_greenlet

from app.config import Settings
from app.errors import DatabaseBusy, DatabaseUnavailable
from app.kit.clock import as_utc, utcnow
from app.kit.ids import uuid7

logger = logging.getLogger("track2.db")

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


class WriteGate:
    """One writer at a time inside this process, in arrival order (SQLite only).

    SQLite has one write lock per database file. Left to itself, every writer that finds it
    taken sleeps and polls (``busy_timeout``): under load the polls starve, some writers give
    up with "database is locked", and the rest wait longer than they need to. The gate queues
    the writers of this process instead, so the file's lock is never contended from inside
    the process and each writer starts the moment the one before it commits.

    A writer holds the gate from the moment its connection is checked out of the pool (the
    connection then runs ``BEGIN IMMEDIATE``) until the connection goes back (after COMMIT or
    ROLLBACK): exactly the span of SQLite's own write lock. Readers never touch it (WAL: they
    read a snapshot while a writer writes). A writer that cannot have the gate within
    ``timeout`` seconds gets :class:`DatabaseBusy`, a 503 with ``Retry-After``.

    Anything slow done while holding the gate delays every writer behind it; see
    docs/operations.md ("Writes on SQLite") for keeping slow work out of write transactions.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._holder: asyncio.Task[Any] | None = None
        self._held_since = 0.0

    @property
    def locked(self) -> bool:
        """Whether a writer holds the gate."""
        return self._lock.locked()

    async def acquire(self) -> None:
        """Wait for the gate (FIFO); :class:`DatabaseBusy` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # A gate is used by one event loop; a new loop (a test, a CLI step) starts afresh.
            self._loop, self._lock, self._holder = loop, asyncio.Lock(), None
        try:
            await asyncio.wait_for(self._lock.acquire(), self.timeout)
        except TimeoutError:
            if self._holder_is_gone():
                # The holder's task ended without giving its connection back (it cannot
                # happen through the pool; this is the last line of defence, never a hang).
                logger.error(
                    "sqlite write gate taken back from a finished task",
                    extra={"held_seconds": round(time.monotonic() - self._held_since, 1)},
                )
                self._lock.release()
                await asyncio.wait_for(self._lock.acquire(), self.timeout)
            else:
                raise DatabaseBusy(retry_after=max(1, round(self.timeout))) from None
        self._holder = asyncio.current_task()
        self._held_since = time.monotonic()

    def _holder_is_gone(self) -> bool:
        return self._lock.locked() and self._holder is not None and self._holder.done()

    def release(self) -> None:
        """Let the next writer in (safe to call from the loop's thread or any other)."""
        loop = self._loop
        if loop is not None and loop.is_running() and threading.get_ident() != _loop_thread(loop):
            loop.call_soon_threadsafe(self._release)
        else:
            self._release()

    def _release(self) -> None:
        self._holder = None
        if self._lock.locked():
            self._lock.release()


def _loop_thread(loop: asyncio.AbstractEventLoop) -> int | None:
    return getattr(loop, "_thread_id", None)


class WriteGatedPool(AsyncAdaptedQueuePool):
    """The SQLite pool: a connection checked out for writing first passes the write gate.

    The gate is taken before a connection is, so writers waiting their turn hold no
    connection and readers are never queued behind them.
    """

    def __init__(self, *args: Any, write_gate: WriteGate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_gate = write_gate
        self._gated: set[int] = set()

    def _do_get(self) -> ConnectionPoolEntry:
        gated = sqlite_write_intent.get() and in_greenlet()
        if gated:
            await_(self.write_gate.acquire())
        try:
            record = super()._do_get()
        except BaseException:
            if gated:
                self.write_gate.release()
            raise
        if gated:
            self._gated.add(id(record))
        return record

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        gated = id(record) in self._gated
        self._gated.discard(id(record))
        try:
            super()._do_return_conn(record)
        finally:
            if gated:
                self.write_gate.release()


# What a read request runs on the event loop itself: statements that never wait for SQLite's
# write lock (in WAL mode readers read a snapshot), and the fetches of their rows.
_INLINE = ("SELECT", "BEGIN", "COMMIT", "ROLLBACK", "RELEASE", "SAVEPOINT", "WITH")


class InlineReadConnection(aiosqlite.Connection):
    """aiosqlite without the thread hop for reads.

    aiosqlite hands every call to its connection's thread and waits for the answer; for the
    sub-millisecond statements of a read that hop costs more than the statement. A request
    that does not write (``sqlite_write_intent`` unset) runs its reads on the event loop:
    in WAL mode they never wait for a lock, so they cannot stall the loop. Anything that may
    wait for the write lock (an ``UPDATE`` in a read request, every statement of a writing
    request, the outbox worker's) still goes through the thread, so a busy database never
    blocks the loop. One request uses a connection at a time, so the two never overlap.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if sqlite_write_intent.get() or not self._connection or not self._running:
            return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]  # aiosqlite leaves it unannotated
        if args and isinstance(args[0], str) and not args[0].lstrip().upper().startswith(_INLINE):
            return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]  # aiosqlite leaves it unannotated
        return fn(*args, **kwargs)


def _inline_read_connections(path: str, timeout: float) -> Callable[[], Any]:
    """``async_creator`` of the SQLite engines: :class:`InlineReadConnection` to ``path``."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(path, timeout=timeout, check_same_thread=False)

    async def create() -> aiosqlite.Connection:
        connection = InlineReadConnection(connector, 64)
        connection._thread.daemon = True
        return await connection

    return create


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
    On SQLite the pooled engine queues this process's writers at its write gate
    (:class:`WriteGate`).
    """
    url = url or settings.database_url
    sqlite = url.startswith("sqlite")
    kwargs: dict[str, Any] = {"echo": settings.database.echo}
    if sqlite:
        timeout = settings.database.sqlite_busy_timeout_ms / 1000
        path = sqlite_path(url)
        if path is not None:
            kwargs["async_creator"] = _inline_read_connections(path, timeout)
        else:
            kwargs["connect_args"] = {"timeout": timeout}
    if not pooled:
        kwargs["poolclass"] = NullPool
    elif sqlite and make_url(url).database not in (None, "", ":memory:"):
        if settings.database.sqlite_write_gate:
            gate = WriteGate(settings.database.sqlite_write_wait_ms / 1000)
            kwargs["poolclass"] = _pool_class(gate)
        kwargs["pool_size"] = settings.database.pool_size
        kwargs["max_overflow"] = settings.database.max_overflow
        kwargs["pool_timeout"] = settings.database.pool_timeout_seconds
    elif not sqlite:
        kwargs["pool_size"] = settings.database.pool_size
        kwargs["max_overflow"] = settings.database.max_overflow
        kwargs["pool_pre_ping"] = True
        kwargs["pool_timeout"] = settings.database.pool_timeout_seconds
    if url.startswith("postgresql+asyncpg"):
        kwargs["connect_args"] = {"timeout": settings.database.connect_timeout_seconds}
    engine = create_async_engine(url, **kwargs)
    if sqlite:
        _configure_sqlite(engine, settings.database.sqlite_busy_timeout_ms)
    else:
        _report_unreachable(engine)
    return engine


def _report_unreachable(engine: AsyncEngine) -> None:
    """A new connection that cannot be made (refused, timed out, the server starting up)
    raises :class:`DatabaseUnavailable`, answered as a 503, instead of the driver's bare
    ``OSError``, which no error handler would recognise as the database's."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError as exc:  # ConnectionRefusedError, TimeoutError, DNS failures
            raise DatabaseUnavailable() from exc


def _pool_class(gate: WriteGate) -> type[WriteGatedPool]:
    """A pool class bound to ``gate`` (SQLAlchemy builds pools from a class and recreates
    them from ``self.__class__``, so the gate travels with the class)."""

    class BoundWriteGatedPool(WriteGatedPool):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("write_gate", None)
            super().__init__(*args, write_gate=gate, **kwargs)

    return BoundWriteGatedPool


def write_gate(engine: AsyncEngine) -> WriteGate | None:
    """The engine's SQLite write gate, if it has one."""
    pool = engine.sync_engine.pool
    return pool.write_gate if isinstance(pool, WriteGatedPool) else None


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


class DatabaseInUse(Exception):
    """Another process already serves this SQLite file."""


_held_files: dict[str, tuple[Any, int]] = {}


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return os.path.abspath(database)


@contextlib.contextmanager
def one_process_per_sqlite_file(url: str, role: str) -> Iterator[None]:
    """Hold ``<file>.lock`` while this process serves a SQLite file; refuse a second one.

    The write gate orders the writers of one process; a second process on the same file
    would contend for SQLite's lock from outside it (and run a second outbox worker), so
    ``track2 serve`` and ``track2 worker`` take this lock first and a second one stops with
    :class:`DatabaseInUse`. Several holders in one process (the CLI, then the application's
    lifespan) share it. Short one-off commands (migrate, create-admin) do not take it.
    """
    path = sqlite_path(url)
    if path is None:
        yield
        return
    held = _held_files.get(path)
    if held is not None:
        _held_files[path] = (held[0], held[1] + 1)
    else:
        lock_path = f"{path}.lock"
        handle = open(lock_path, "a+")  # noqa: SIM115  (kept open while the lock is held)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise DatabaseInUse(
                f"{path} is already served by {holder}; SQLite serves one process (one "
                "`track2 serve` with its in-process worker, --workers 1). Stop the other "
                "process, or use PostgreSQL to run several (docs/operations.md)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"track2 {role} (pid {os.getpid()})\n")
        handle.flush()
        _held_files[path] = (handle, 1)
    try:
        yield
    finally:
        handle, count = _held_files[path]
        if count > 1:
            _held_files[path] = (handle, count - 1)
        else:
            del _held_files[path]
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
