"""Helpers for the operations tests that run real processes: free ports, `track2` commands
as subprocesses, a seeded series over HTTP.

Servers bind 127.0.0.1 on a port from 8130-8139 (the block these tests own) when one is
free, else on a port the system picks, so two suites running side by side never collide.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8130, 8140)


def free_port() -> int:
    """A port nobody listens on: one of ours if possible."""
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scratch_postgres_url(suffix: str) -> str:
    """A database next to the suite's own (its name extended), for tests that must commit."""
    assert TEST_DATABASE_URL
    parsed = make_url(TEST_DATABASE_URL)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(False)


def base_env(tmp: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `track2` subprocess: nothing from a .env file, test secrets,
    local mail and journals under ``tmp``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TRACK2_") and key != "FORWARDED_ALLOW_IPS"
    }
    env.update(
        {
            "TRACK2_DATABASE_URL": database_url,
            "TRACK2_SECRET_KEY": "test-secret-key-that-is-long-enough-1234567890",
            "TRACK2_LOG_JSON": "true",
            "TRACK2_MAIL__FILE_DIR": str(tmp / "mail"),
            "TRACK2_OUTBOX__JOURNAL_DIR": str(tmp / f"journal-{uuid.uuid4().hex[:6]}"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class Process:
    """A `track2` subprocess whose stderr (its log) goes to a file."""

    proc: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start(args: list[str], env: dict[str, str], tmp: Path, name: str) -> Process:
    """Start ``track2 <args>`` in the background."""
    log_path = tmp / f"{name}.log"
    handle: IO[bytes] = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        cwd=tmp,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()
    return Process(proc=proc, log_path=log_path)


def start_server(env: dict[str, str], tmp: Path, name: str, *extra: str) -> Process:
    """``track2 serve`` on a free port, returned once ``/healthz`` answers."""
    port = free_port()
    process = start(["serve", "--port", str(port), *extra], env, tmp, name)
    process.port = port
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise AssertionError(f"{name} exited early:\n{process.log()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{process.base_url}/healthz", timeout=1).status_code == 200:
                return process
        time.sleep(0.1)
    process.stop()
    raise AssertionError(f"{name} did not answer /healthz in 60 s:\n{process.log()[-3000:]}")


@contextlib.contextmanager
def running(*processes: Process) -> Iterator[None]:
    """Stop the processes when the block ends, whatever happens inside."""
    try:
        yield
    finally:
        for process in processes:
            process.stop()


def run(
    args: list[str], env: dict[str, str], tmp: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``track2 <args>`` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=tmp,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def admin_token(env: dict[str, str], tmp: Path) -> str:
    """A new administrator's API token, made with ``track2 create-admin``."""
    done = run(["create-admin", "--email", f"admin-{uuid.uuid4().hex[:8]}@example.org"], env, tmp)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@dataclass(frozen=True)
class Seeded:
    token: str
    series_id: str
    series_slug: str
    session_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def seed_series(client: httpx.AsyncClient, token: str) -> Seeded:
    """A series with one draft session, created over HTTP as an organiser would."""
    auth = {"Authorization": f"Bearer {token}"}
    slug = f"ops-{uuid.uuid4().hex[:8]}"
    series = await client.post(
        "/api/v1/series",
        json={
            "title": "Regional Support for Peace",
            "slug": slug,
            "description": "Online forums.",
            "organiser": "Heart of Asia Society",
            "timezone": "Asia/Kabul",
        },
        headers=auth,
    )
    assert series.status_code == 201, series.text
    series_id = series.json()["id"]
    session = await client.post(
        f"/api/v1/series/{series_id}/sessions",
        json={
            "title": "Third session",
            "starts_at": "2026-06-29T14:00:00+04:30",
            "ends_at": "2026-06-29T16:30:00+04:30",
            "format": "online",
        },
        headers=auth,
    )
    assert session.status_code == 201, session.text
    return Seeded(token, series_id, slug, session.json()["id"])


POINT = (
    "A reduction of violence is an important step towards negotiations, although it has not "
    "yet happened in a significant way ({n})."
)
