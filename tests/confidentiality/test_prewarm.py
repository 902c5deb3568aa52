"""After a change to a directory commits, the next matcher is built in the background: the
next write finds it ready instead of building it while it holds the write lock."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert

from app.confidentiality import gate
from app.db import create_engine, create_sessionmaker
from app.kit.ids import uuid7
from app.kit.migrations import upgrade_to_head
from app.people.directory import PeopleDirectory
from app.people.models import Person
from app.series.models import DialogueSeries
from tests.conftest import make_settings


@pytest.fixture
def committed_url(tmp_path: Path) -> str:
    # Its own database: this test commits for real, and reads back in another session.
    url = f"sqlite+aiosqlite:///{tmp_path / 'prewarm.db'}"
    upgrade_to_head(url)
    return url


async def test_a_committed_change_builds_the_next_matcher_ahead(committed_url: str) -> None:
    engine = create_engine(make_settings(committed_url))
    sessions = create_sessionmaker(engine)
    gate.provide_sessions(sessions)
    series_id = uuid7()
    try:
        async with sessions() as db:
            await db.execute(
                insert(DialogueSeries).values(
                    id=series_id, slug="prewarm", title="Prewarm", organiser="Org", timezone="UTC"
                )
            )
            await db.execute(
                insert(Person).values(
                    dialogue_series_id=series_id, given_name="Leyla", family_name="Karimova"
                )
            )
            gate.note_directory_changed(db, series_id)
            assert gate.cached_version(series_id) is None
            await db.commit()
        await gate.settle()
        async with sessions() as db:
            version = await PeopleDirectory().version(db, series_id)
        assert version is not None
        assert version > 0
        assert gate.cached_version(series_id) == version
        async with sessions() as db:
            directory = await gate.Gate(db).directory(series_id)
        assert [f.excerpt for f in directory.checker.check("Karimova spoke.")] == ["Karimova"]
    finally:
        gate.provide_sessions(None)
        await engine.dispose()


async def test_a_rolled_back_change_builds_nothing(committed_url: str) -> None:
    engine = create_engine(make_settings(committed_url))
    sessions = create_sessionmaker(engine)
    gate.provide_sessions(sessions)
    series_id = uuid7()
    try:
        async with sessions() as db:
            await db.execute(
                insert(DialogueSeries).values(
                    id=series_id, slug="undone", title="Undone", organiser="Org", timezone="UTC"
                )
            )
            gate.note_directory_changed(db, series_id)
            await db.rollback()
            await db.commit()
        await gate.settle()
        assert gate.cached_version(series_id) is None
    finally:
        gate.provide_sessions(None)
        await engine.dispose()
