"""The track2 command: create-admin, migrate, and serve's database check."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app import cli
from app.config import get_settings
from tests.conftest import TEST_DATABASE_URL, create_postgres_database


@pytest.fixture
def fresh_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRACK2_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_create_admin_prints_a_working_token_last(
    fresh_sqlite: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["create-admin", "--email", "Chief@Example.org"])
    first = capsys.readouterr().out.strip().splitlines()[-1]
    cli.main(["create-admin", "--email", "chief@example.org"])
    second = capsys.readouterr().out.strip().splitlines()[-1]
    assert first.startswith("t2_")
    assert second.startswith("t2_")
    assert first != second

    async def principal_of(token: str) -> tuple[str, bool]:
        from datetime import timedelta

        from app.db import create_engine, create_sessionmaker
        from app.users.service import UserService

        engine = create_engine(get_settings(), pooled=False)
        async with create_sessionmaker(engine)() as session:
            principal = await UserService(session).authenticate(token, timedelta(0))
        await engine.dispose()
        return principal.email, principal.is_admin

    # The same admin (reused, not duplicated), and both tokens work.
    assert asyncio.run(principal_of(first)) == ("chief@example.org", True)
    assert asyncio.run(principal_of(second)) == ("chief@example.org", True)


def test_migrate_brings_an_empty_database_to_head(
    fresh_sqlite: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.kit.migrations import head_revision

    cli.main(["migrate"])
    assert f"database at {head_revision()}" in capsys.readouterr().out


@pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL (TRACK2_TEST_DATABASE_URL); SQLite migrates"
)
def test_serve_refuses_postgres_behind_the_head(monkeypatch: pytest.MonkeyPatch) -> None:
    assert TEST_DATABASE_URL is not None
    parsed = make_url(TEST_DATABASE_URL)
    url = parsed.set(database=f"{parsed.database}_empty").render_as_string(False)
    asyncio.run(create_postgres_database(url))
    monkeypatch.setenv("TRACK2_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        with pytest.raises(cli.CliError, match="track2 migrate"):
            cli._prepare_database(get_settings())
    finally:
        get_settings.cache_clear()
