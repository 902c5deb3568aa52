"""Production start-up and the one-process rule of the embedded SQLite, through the real
`track2` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import production_warnings
from tests.conftest import make_settings
from tests.operations.support import base_env, free_port, run, running, start_server


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return base_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")


@pytest.mark.parametrize(
    ("secret", "reason"),
    [(None, "missing or a placeholder"), ("short-secret", "shorter than 32 characters")],
)
def test_production_without_a_strong_secret_stops_with_one_line(
    tmp_path: Path, sqlite_env: dict[str, str], secret: str | None, reason: str
) -> None:
    env = {**sqlite_env, "TRACK2_ENVIRONMENT": "production"}
    env.pop("TRACK2_SECRET_KEY")
    if secret is not None:
        env["TRACK2_SECRET_KEY"] = secret
    done = run(["serve", "--port", str(free_port())], env, tmp_path, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("track2: configuration error: TRACK2_SECRET_KEY")
    assert reason in lines[0]
    assert "Traceback" not in done.stderr


def test_a_bad_setting_is_named_in_one_line(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    env = {**sqlite_env, "TRACK2_PUBLIC__RATE_LIMIT_PER_IP_PER_HOUR": "many"}
    done = run(["migrate"], env, tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "track2: configuration error: TRACK2_PUBLIC__RATE_LIMIT_PER_IP_PER_HOUR: Input should "
        "be a valid integer, unable to parse string as an integer"
    ]


def test_production_warns_about_file_mail_and_a_loopback_base_url() -> None:
    settings = make_settings(
        "sqlite+aiosqlite:///./x.db", environment="production", base_url="http://localhost:8000"
    )
    warnings = production_warnings(settings)
    assert any("TRACK2_MAIL__BACKEND is 'file'" in w for w in warnings)
    assert any("TRACK2_BASE_URL is http://localhost:8000" in w for w in warnings)
    public = make_settings(
        "postgresql+asyncpg://db/track2",
        environment="production",
        base_url="https://dialogues.example.org",
        mail={"backend": "smtp"},
    )
    assert production_warnings(public) == []
    assert production_warnings(make_settings("sqlite+aiosqlite:///./x.db")) == []


def test_production_start_logs_the_warnings(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    env = {**sqlite_env, "TRACK2_ENVIRONMENT": "production"}
    server = start_server(env, tmp_path, "production")
    with running(server):
        pass
    records = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    warnings = [r["msg"] for r in records if r["level"] == "warning"]
    assert any("TRACK2_MAIL__BACKEND is 'file'" in w for w in warnings), server.log()
    assert any("TRACK2_BASE_URL is http://127.0.0.1:8000" in w for w in warnings)


def test_a_second_process_on_one_sqlite_file_is_refused(
    tmp_path: Path, sqlite_env: dict[str, str]
) -> None:
    first = start_server(sqlite_env, tmp_path, "first")
    with running(first):
        for args in (["serve", "--port", str(free_port())], ["worker"]):
            done = run(args, sqlite_env, tmp_path, timeout=60)
            assert done.returncode == 2, done.stderr
            message = done.stderr.strip().splitlines()
            assert len(message) == 1, done.stderr
            assert "is already served by track2 serve (pid " in message[0]
            assert "SQLite serves one process" in message[0]
    # Once the first one has stopped, the file is free again.
    second = start_server(sqlite_env, tmp_path, "second")
    with running(second):
        pass


def test_several_workers_on_sqlite_are_refused(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    done = run(["serve", "--port", str(free_port()), "--workers", "2"], sqlite_env, tmp_path)
    assert done.returncode == 2
    assert "--workers must be 1 on SQLite" in done.stderr
