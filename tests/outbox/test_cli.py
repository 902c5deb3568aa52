"""``track2 worker`` (alone, draining, stopped by a signal) and the worker inside ``serve``."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from app.config import get_settings
from app.db import create_engine, create_sessionmaker
from app.main import create_app
from app.outbox.mail import email_payload
from app.outbox.queue import enqueue
from tests.conftest import make_settings
from tests.outbox.conftest import WorkerKit
from tests.smtp import SmtpSink


@pytest.fixture
def fresh_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_sink: SmtpSink
) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRACK2_DATABASE_URL", url)
    monkeypatch.setenv("TRACK2_BASE_URL", "https://t2.example.org")
    monkeypatch.setenv("TRACK2_LOG_JSON", "false")
    monkeypatch.setenv("TRACK2_MAIL__BACKEND", "smtp")
    monkeypatch.setenv("TRACK2_MAIL__SMTP_PORT", str(smtp_sink.port))
    monkeypatch.setenv("TRACK2_OUTBOX__JOURNAL_DIR", str(tmp_path / "journal"))
    get_settings.cache_clear()
    # The commands install their own log handler on (captured) stderr; put pytest's back.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield url
    root.handlers[:] = handlers
    root.setLevel(level)
    get_settings.cache_clear()


async def _enqueue(url: str, count: int) -> None:
    engine = create_engine(make_settings(url), pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            for n in range(count):
                payload = email_payload(to=f"r{n}@example.org", subject=f"S{n}", text="t")
                await enqueue(session, kind="email", payload=payload)
            await session.commit()
    finally:
        await engine.dispose()


def test_worker_drain_sends_everything_due_with_a_progress_bar(
    fresh_sqlite: str, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["migrate"])
    asyncio.run(_enqueue(fresh_sqlite, 3))

    cli.main(["worker", "--drain"])

    err = capsys.readouterr().err
    assert "[##############################] 3/3" in err
    assert "outbox: 3 sent, 0 failed" in err
    assert len(smtp_sink.received()) == 3
    assert smtp_sink.received()[0].message_id.endswith("@t2.example.org>")


def test_worker_stops_gracefully_on_sigterm(fresh_sqlite: str, smtp_sink: SmtpSink) -> None:
    cli.main(["migrate"])
    asyncio.run(_enqueue(fresh_sqlite, 2))
    env = {**os.environ, "TRACK2_OUTBOX__POLL_INTERVAL_SECONDS": "0.1"}
    with subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stderr is not None
            for line in process.stderr:
                if "outbox worker started" in line:
                    break
            for _ in range(100):
                if len(smtp_sink.received()) >= 2:
                    break
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
            assert "outbox worker stopped" in process.stderr.read()
        finally:
            if process.poll() is None:
                process.kill()
    assert len(smtp_sink.received()) == 2


async def test_serve_runs_the_worker_in_process(kit: WorkerKit, tmp_path: Path) -> None:
    settings = kit.settings(
        mail={"backend": "file", "file_dir": str(tmp_path / "mail")},
        outbox={"poll_interval_seconds": 0.05},
    )
    app = create_app(settings)

    async with app.router.lifespan_context(app):
        async with kit.maker() as session:
            payload = email_payload(to="r@example.org", subject="s", text="t")
            await enqueue(session, kind="email", payload=payload)
            await session.commit()
        for _ in range(100):
            if list((tmp_path / "mail").glob("*.eml")):
                break
            await asyncio.sleep(0.05)

    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
