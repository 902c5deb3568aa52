"""Migration tests (pytest-alembic): one head, upgrade/downgrade round trips, no drift.

They run on their own database (a temporary SQLite file, or a separate PostgreSQL database
next to the one named by TRACK2_TEST_DATABASE_URL), so walking down to base cannot disturb
the rest of the suite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
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
