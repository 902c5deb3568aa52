"""Alembic environment: async engines (aiosqlite, asyncpg), batch mode for SQLite.

The connection can be handed in through ``config.attributes["connection"]`` (a sync
Connection, or an AsyncEngine, as pytest-alembic does); otherwise the URL comes from the
Alembic config or from Track2's settings.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import get_settings
from app.db import Base, UTCDateTime, create_engine, sqlite_write_intent
from app.models import load_all_models

load_all_models()
config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations must not import app code: they describe the schema as it was then.
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Search index objects made by hand in revision 0007 (docs/search.md): the SQLite FTS5 table
# with its shadow tables, and PostgreSQL's expression index. They have no ORM model, so the
# drift check would otherwise ask to drop them.
_SEARCH_TABLE = "key_point_search"
_SEARCH_INDEX = "ix_key_point_search_text"


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "table" and name is not None:
        return name != _SEARCH_TABLE and not name.startswith(_SEARCH_TABLE + "_")
    return not (type_ == "index" and name == _SEARCH_INDEX)


def _configure(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_item=_render_item,
            include_name=_include_name,
            render_as_batch=True,
            compare_type=True,
            compare_server_default=True,
            # SQLite's DDL is transactional too (Alembic assumes it is not): the whole run,
            # upgrade or downgrade, is one transaction, so a step that fails leaves the
            # database at the revision it started from, never half-way.
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _sqlite_check_foreign_keys(connection)
    except BaseException:
        if connection.in_transaction():
            connection.rollback()
        raise
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign-key enforcement, outside any transaction (inside one the
    pragma is silently ignored). Off while migrating: batch mode rebuilds a table by copy,
    drop and rename, and dropping a table that others refer to would fail (or cascade) with
    enforcement on. :func:`_sqlite_check_foreign_keys` checks everything before the commit."""
    if connection.in_transaction():
        connection.commit()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def _sqlite_check_foreign_keys(connection: Connection) -> None:
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        tables = sorted({str(row[0]) for row in problems})
        raise RuntimeError(
            f"the migration would leave {len(problems)} rows whose foreign keys point at "
            f"nothing (in {', '.join(tables)}); nothing was changed"
        )


async def _run_async(engine: AsyncEngine) -> None:
    # SQLite: take the write lock at BEGIN (BEGIN IMMEDIATE), as every writer does.
    token = sqlite_write_intent.set(True)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        sqlite_write_intent.reset(token)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given: Any = config.attributes.get("connection")
    if isinstance(given, Connection):
        _configure(given)
    elif isinstance(given, Engine):
        with given.connect() as connection:
            _configure(connection)
            connection.commit()
    elif isinstance(given, AsyncEngine):
        asyncio.run(_run_async(given))
    else:
        settings = get_settings()
        url = config.get_main_option("sqlalchemy.url") or settings.database_url
        engine = create_engine(settings, url, pooled=False)

        async def run_and_dispose() -> None:
            try:
                await _run_async(engine)
            finally:
                await engine.dispose()

        asyncio.run(run_and_dispose())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
