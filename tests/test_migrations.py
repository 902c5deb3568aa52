"""Migration tests (pytest-alembic): one head, upgrade/downgrade round trips, no drift.

They run on their own database (a temporary SQLite file, or a separate PostgreSQL database
next to the one named by TRACK2_TEST_DATABASE_URL), so walking down to base cannot disturb
the rest of the suite.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import Base, create_engine
from app.kit.ids import uuid7
from app.kit.migrations import alembic_config as make_alembic_config
from app.models import load_all_models
from tests.conftest import TEST_DATABASE_URL, create_postgres_database, make_settings

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


@pytest.fixture
def alembic_config() -> Config:
    return make_alembic_config()


@pytest.fixture
def alembic_engine(tmp_path: Path) -> Iterator[AsyncEngine]:
    if TEST_DATABASE_URL:
        parsed = make_url(TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_migrations").render_as_string(False)
        asyncio.run(create_postgres_database(url))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
    engine = create_engine(make_settings(url), pooled=False)
    yield engine
    asyncio.run(engine.dispose())


def test_downgrade_to_base_then_upgrade_again(alembic_runner: object) -> None:
    """upgrade -> downgrade to base -> upgrade leaves a database at head."""
    runner = alembic_runner
    runner.migrate_up_to("heads")  # type: ignore[attr-defined]
    runner.migrate_down_to("base")  # type: ignore[attr-defined]
    runner.migrate_up_to("heads")  # type: ignore[attr-defined]
    assert runner.current == runner.heads[0]  # type: ignore[attr-defined]


def test_0016_makes_scheduled_sessions_public_and_keeps_cancelled_ones_private(
    alembic_runner: object, alembic_engine: AsyncEngine
) -> None:
    """The backfill: sessions past the draft stage have been public since their last change;
    a cancelled one may never have been scheduled, so it stays private."""
    runner: Any = alembic_runner
    runner.migrate_up_to("0015")
    # Reflected tables see SQLite's UUID columns as CHAR(32): give them the hex form.
    sqlite = alembic_engine.dialect.name == "sqlite"

    def ident(value: str) -> object:
        return uuid.UUID(value).hex if sqlite else uuid.UUID(value)

    series_id = ident("01a21832-0000-7000-8000-000000000001")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    runner.insert_into(
        "dialogue_series",
        {
            "id": series_id,
            "slug": "backfill",
            "title": "Backfill",
            "description": "",
            "organiser": "HAS",
            "partners": [],
            "timezone": "UTC",
            "default_regime": "chatham_house",
            "strapline": "",
            "title_prefix": "",
            "dateline": "",
            "closing": "",
            "report_request_policy": "review",
            "created_at": at,
            "updated_at": at,
        },
    )
    for n, status in enumerate(("draft", "scheduled", "held", "cancelled"), start=1):
        runner.insert_into(
            "dialogue_session",
            {
                "id": ident(f"01a21832-0000-7000-8000-00000000010{n}"),
                "dialogue_series_id": series_id,
                "number": n,
                "title": f"Session {n}",
                "context": "",
                "starts_at": at,
                "ends_at": at + timedelta(hours=2),
                "timezone": "UTC",
                "format": "online",
                "default_regime": "chatham_house",
                "status": status,
                "calendar_sequence": 0,
                "created_at": at,
                "updated_at": at,
            },
        )
    runner.migrate_up_one()

    async def public() -> dict[str, bool]:
        async with alembic_engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT status, public_since FROM dialogue_session")
            )
            return {status: since is not None for status, since in rows}

    found = asyncio.run(public())
    assert found == {"draft": False, "scheduled": True, "held": True, "cancelled": False}


# -- round trips with data in every table -----------------------------------------------------

_BASE_TIME = datetime(2026, 6, 29, 9, 30, tzinfo=UTC)


def _value(table: sa.Table, column: sa.Column[Any], index: int) -> object:
    """A valid value for a NOT NULL column of the head schema, whatever the table."""
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.Uuid):
        return uuid7()
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        # Later columns later: ends_at follows starts_at.
        return _BASE_TIME + timedelta(hours=index)
    if isinstance(kind, sa.JSON):
        return {} if column.name == "payload" else []
    if isinstance(kind, sa.LargeBinary):
        return b"x"
    if isinstance(kind, sa.String) and column.name.endswith("email"):
        return f"{table.name}@example.org"
    if isinstance(kind, sa.String):
        return "x" if kind.length is None else f"{table.name[:2]}x"[: kind.length]
    raise AssertionError(f"no test value for {table.name}.{column.name} ({kind!r})")


async def _fill_every_table(engine: AsyncEngine) -> dict[str, int]:
    """One row in every table of the head schema, each pointing at the rows it may refer to.
    Nullable columns other than references stay empty (nothing withdrawn, revoked, sent)."""
    load_all_models()
    inserted: dict[str, dict[str, object]] = {}
    async with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            row: dict[str, object] = {}
            for index, column in enumerate(table.columns):
                targets = [fk.column for fk in column.foreign_keys]
                if targets:
                    target = targets[0]
                    if target.table.name in inserted:
                        row[column.name] = inserted[target.table.name][target.name]
                    elif not column.nullable:
                        raise AssertionError(f"{table.name}.{column.name} refers ahead")
                    continue
                if column.primary_key and isinstance(column.type, sa.Integer):
                    continue  # the database numbers it
                if column.nullable:
                    continue
                row[column.name] = _value(table, column, index)
            result = await connection.execute(table.insert().values(**row))
            keys = result.inserted_primary_key or ()
            for column, key in zip(table.primary_key.columns, keys, strict=False):
                row.setdefault(column.name, key)
            inserted[table.name] = row
        counts = {}
        for table in Base.metadata.sorted_tables:
            counts[table.name] = (
                await connection.execute(sa.select(sa.func.count()).select_from(table))
            ).scalar_one()
    return counts


async def _row_counts(engine: AsyncEngine, tables: list[str]) -> dict[str, int]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        return {
            name: (await connection.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar_one()
            for name in tables
            if name in names
        }


def test_every_downgrade_runs_with_data_in_every_table(
    alembic_runner: Any, alembic_engine: AsyncEngine
) -> None:
    """head with a row in every table -> each revision down to base, one at a time -> head."""
    alembic_runner.migrate_up_to("heads")
    counts = asyncio.run(_fill_every_table(alembic_engine))
    assert all(counts.values()), counts
    for revision in reversed(alembic_runner.history.revisions[:-1]):
        alembic_runner.migrate_down_to(revision)
        assert alembic_runner.current == revision
    alembic_runner.migrate_up_to("heads")
    assert alembic_runner.current == alembic_runner.heads[0]


def test_upgrades_run_over_data_and_keep_it(
    alembic_runner: Any, alembic_engine: AsyncEngine
) -> None:
    """head with data -> down to 0009 (the early tables keep their rows) -> up to head: the
    later upgrades rebuild tables that hold rows, and those rows are still there."""
    alembic_runner.migrate_up_to("heads")
    asyncio.run(_fill_every_table(alembic_engine))
    early = [
        "app_user",
        "api_token",
        "dialogue_series",
        "series_member",
        "dialogue_session",
        "agenda_part",
        "person",
        "attendance",
        "key_point",
        "theme",
        "outbox_message",
        "subscriber",
        "subscription",
        "newsletter_issue",
    ]
    alembic_runner.migrate_down_to("0009")
    kept = asyncio.run(_row_counts(alembic_engine, early))
    assert kept == dict.fromkeys(early, 1)
    alembic_runner.migrate_up_to("heads")
    assert asyncio.run(_row_counts(alembic_engine, early)) == kept


async def _token_states(engine: AsyncEngine) -> dict[str, bool]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT name, revoked_at FROM api_token"))
        return {name: revoked is not None for name, revoked in rows}


def test_downgrading_below_0019_revokes_read_only_tokens(
    alembic_runner: Any, alembic_engine: AsyncEngine
) -> None:
    """A read-only token must never come back with full rights."""
    alembic_runner.migrate_up_to("heads")
    asyncio.run(_fill_every_table(alembic_engine))

    async def add_tokens() -> None:
        async with alembic_engine.begin() as connection:
            users = Base.metadata.tables["app_user"]
            user = (await connection.execute(sa.select(users.c.id))).scalar_one()
            table = Base.metadata.tables["api_token"]
            for name, read_only in (("reader", True), ("writer", False)):
                await connection.execute(
                    table.insert().values(
                        id=uuid7(),
                        app_user_id=user,
                        name=name,
                        prefix=f"t2_{name[:4]}",
                        token_hash=name * 8,
                        created_at=_BASE_TIME,
                        read_only=read_only,
                    )
                )

    asyncio.run(add_tokens())
    alembic_runner.migrate_down_to("0018")
    assert asyncio.run(_token_states(alembic_engine))["reader"] is True
    alembic_runner.migrate_up_to("heads")
    states = asyncio.run(_token_states(alembic_engine))
    assert states["reader"] is True
    assert states["writer"] is False


def test_downgrading_below_0015_with_a_withdrawn_version_is_refused_and_changes_nothing(
    alembic_runner: Any, alembic_engine: AsyncEngine
) -> None:
    """A withdrawn summary must not become public again; the refusal is whole: the database
    stays at head with every row (the downgrade is one transaction on SQLite too)."""
    alembic_runner.migrate_up_to("heads")
    counts = asyncio.run(_fill_every_table(alembic_engine))

    async def withdraw() -> None:
        async with alembic_engine.begin() as connection:
            await connection.execute(
                text("UPDATE report_version SET withdrawn_at = :at"), {"at": _BASE_TIME}
            )

    asyncio.run(withdraw())
    with pytest.raises(Exception, match=r"1 report versions are withdrawn") as refused:
        # One command, as an operator runs it (`alembic downgrade 0014`): 0050 down to 0016
        # succeed, then 0015 refuses, and the whole run is rolled back.
        alembic_runner.raw_command("downgrade", "0014")
    assert "would be published again" in str(refused.value)
    assert alembic_runner.current == alembic_runner.heads[0]
    assert asyncio.run(_row_counts(alembic_engine, list(counts))) == counts


async def _people(engine: AsyncEngine) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        names = await connection.run_sync(
            lambda c: {col["name"] for col in sa.inspect(c).get_columns("person")}
        )
        extra = ", affiliation_aliases" if "affiliation_aliases" in names else ""
        rows = await connection.execute(
            text(f"SELECT id, given_name, family_name, aliases, affiliation{extra} FROM person")
        )
        return [
            tuple(json.loads(v) if isinstance(v, str) and v[:1] == "[" else v for v in row)
            for row in rows
        ]


async def _directory_version_after_renaming(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.begin() as connection:
        read = text("SELECT directory_version FROM dialogue_series")
        before = (await connection.execute(read)).scalar_one()
        await connection.execute(text("UPDATE person SET given_name = 'Farid'"))
        return before, (await connection.execute(read)).scalar_one()


def test_0090_adds_affiliation_aliases_and_its_downgrade_keeps_every_person(
    alembic_runner: Any, alembic_engine: AsyncEngine
) -> None:
    """head with a person who has other names of their affiliation -> 0081: the person and
    every other column stay, and the names join the person's aliases (which the older guard
    blocks, so nothing it blocked becomes public) -> head: the person is there with the
    names among the aliases, and changing a person still bumps the directory version (the
    guard's cache), so the column change kept the triggers on SQLite."""
    alembic_runner.migrate_up_to("heads")
    asyncio.run(_fill_every_table(alembic_engine))
    names = ["منتدى كابول للتعاون الإقليمي", "مجمع کابل برای همکاری منطقه‌ای"]

    async def give_names() -> None:
        async with alembic_engine.begin() as connection:
            table = Base.metadata.tables["person"]
            await connection.execute(
                table.update().values(
                    aliases=["F. Sultani"],
                    affiliation="Kabul Forum for Regional Cooperation",
                    affiliation_aliases=names,
                )
            )

    asyncio.run(give_names())
    [at_head] = asyncio.run(_people(alembic_engine))
    assert at_head[5] == names
    alembic_runner.migrate_down_to("0081")
    [down] = asyncio.run(_people(alembic_engine))
    kept = (*at_head[:3], ["F. Sultani", *names], at_head[4])
    assert down == kept
    alembic_runner.migrate_up_to("heads")
    [up] = asyncio.run(_people(alembic_engine))
    assert up[:5] == kept
    assert up[5] == []
    before, after = asyncio.run(_directory_version_after_renaming(alembic_engine))
    assert after == before + 1
