"""docs/organisers.md runs as written: every ``sh`` block, in order, in bash with
``set -euo pipefail`` (no undefined variable, no failing command, no HTTP error), against a
running Track2 on a fresh database and on the demo."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.demo import load_demo
from tests.console.browser import REPO, start_server
from tests.smtp import SmtpSink, running_smtp_sink

DOC = REPO / "docs" / "organisers.md"
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="the walk-through uses curl")


async def fresh(db: AsyncSession, settings: Settings, ids: dict[str, Any]) -> None:
    """Nothing: the walk-through starts from an empty database."""


async def demo(db: AsyncSession, settings: Settings, ids: dict[str, Any]) -> None:
    await load_demo(db, settings=settings)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with running_smtp_sink() as running:
        yield running


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("seed", [fresh, demo], ids=["fresh", "demo"])
async def test_the_walk_through_runs_as_written(tmp_path: Path, sink: SmtpSink, seed: Any) -> None:
    blocks = BLOCK.findall(DOC.read_text())
    assert len(blocks) >= 8
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    async for live in start_server(tmp_path, sink, seed, tmp_path):
        env = {
            **os.environ,
            "TRACK2_DATABASE_URL": live.settings.database_url,
            "TRACK2_BASE_URL": live.base_url,
            "TRACK2_SECRET_KEY": live.settings.secret_key.get_secret_value(),
            "TRACK2_LOG_JSON": "false",
        }
        done = await asyncio.to_thread(_run, "\n".join(blocks), tmp_path, env)
        assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
        # The CSV import created three people, and the key point went in.
        assert '"created":3' in done.stdout.replace(" ", "")
        assert "A reduction of violence is an important step" in done.stdout
        assert "BEGIN:VCALENDAR" in done.stdout
        assert (
            "al-Qahtani"
            not in done.stdout.split("BEGIN:VCALENDAR", 1)[1].split("END:VCALENDAR", 1)[0]
        )
