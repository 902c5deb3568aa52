"""Migration tests (pytest-alembic): one head, upgrade/downgrade round trips, no drift.

They run on their own database (a temporary SQLite file, or a separate PostgreSQL database
next to the one named by TRACK2_TEST_DATABASE_URL), so walking down to base cannot disturb
the rest of the suite.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
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

from app.db import create_engine
from app.kit.migrations import alembic_config as make_alembic_config
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
