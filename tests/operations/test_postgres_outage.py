"""A PostgreSQL outage under load: only 503s with Retry-After, no reset connection, and the
service recovers by itself.

The shared PostgreSQL server is never stopped: `track2 serve` reaches it through a TCP proxy
that this test owns. Cutting the proxy closes every connection the service holds (as a
server restart does) and refuses new ones until it is restored; `pg_terminate_backend` on
the test's own database kills sessions mid-request, as an administrator or a failover does.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import create_engine
from tests.conftest import TEST_DATABASE_URL, create_postgres_database, make_settings
from tests.operations.support import (
    POINT,
    admin_token,
    base_env,
    free_port,
    run,
    running,
    scratch_postgres_url,
    seed_series,
    start_server,
)

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL (TRACK2_TEST_DATABASE_URL)"
)


class TcpProxy:
    """A loopback TCP proxy to PostgreSQL that can be cut and restored, in its own thread."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.restore()

    def _call(self, coro: object) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)  # type: ignore[arg-type]

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(OSError, RuntimeError):
            writer.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        self._writers |= {client_w, server_w}
        await asyncio.gather(self._pipe(client_r, server_w), self._pipe(server_r, client_w))
        self._writers -= {client_w, server_w}

    async def _start(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            transport = writer.transport
            with contextlib.suppress(OSError, RuntimeError):
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    # An abortive close (RST), as a crashed or restarted server gives.
                    sock.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
            transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        self._call(self._cut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@dataclass
class Record:
    started: float
    status: int | None = None
    retry_after: str | None = None
    content_type: str | None = None
    problem_type: str | None = None
    error: str | None = None


@dataclass
class Traffic:
    records: list[Record] = field(default_factory=list)

    def window(self, start: float, end: float) -> list[Record]:
        return [r for r in self.records if start <= r.started < end]


async def _client_loop(
    base_url: str,
    seeded_auth: dict[str, str],
    session_id: str,
    series_id: str,
    stop: float,
    traffic: Traffic,
    n: int,
) -> None:
    # One keep-alive connection per client, as a browser or an integration holds: a reset
    # connection shows up as a transport error here.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        i = 0
        while time.monotonic() < stop:
            i += 1
            record = Record(started=time.monotonic())
            try:
                if i % 3 == 0:
                    response = await client.post(
                        f"/api/v1/sessions/{session_id}/key-points",
                        json={"text": POINT.format(n=f"{n}.{i}")},
                        headers=seeded_auth,
                    )
                elif i % 3 == 1:
                    response = await client.get(
                        f"/api/v1/sessions/{session_id}/key-points", headers=seeded_auth
                    )
                else:
                    response = await client.get(f"/api/v1/series/{series_id}", headers=seeded_auth)
            except httpx.HTTPError as exc:
                record.error = type(exc).__name__
            else:
                record.status = response.status_code
                record.retry_after = response.headers.get("retry-after")
                record.content_type = response.headers.get("content-type")
                if response.status_code >= 400:
                    with contextlib.suppress(ValueError):
                        record.problem_type = response.json().get("type")
            traffic.records.append(record)
            await asyncio.sleep(0.02)


@pytest.fixture
def outage_database() -> str:
    url = scratch_postgres_url("outage")
    asyncio.run(create_postgres_database(url))
    return url


async def _terminate_backends(database: str) -> int:
    engine = create_engine(make_settings(TEST_DATABASE_URL or ""), pooled=False)
    try:
        async with engine.connect() as connection:
            killed = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )
            return int(killed.scalar_one())
    finally:
        await engine.dispose()


def _timeline(traffic: Traffic, marks: dict[str, float]) -> str:
    """Statuses per half second from the first request, with the marks: what a failure shows."""
    start = min(r.started for r in traffic.records)
    buckets: dict[int, Counter[int | None]] = {}
    for record in traffic.records:
        buckets.setdefault(int((record.started - start) * 2), Counter())[record.status] += 1
    at = {name: round(t - start, 1) for name, t in marks.items()}
    return f"marks {at}; " + "; ".join(
        f"{k / 2:.1f}s {dict(v)}" for k, v in sorted(buckets.items())
    )


def _errors_logged(log: str) -> list[str]:
    return [line[-1500:] for line in log.splitlines() if '"level": "error"' in line][:3]


def test_an_outage_answers_503_with_retry_after_and_resets_no_connection(
    tmp_path: Path, outage_database: str
) -> None:
    direct = make_url(outage_database)
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
    try:
        through_proxy = direct.set(port=proxy.port).render_as_string(False)
        env = base_env(
            tmp_path,
            through_proxy,
            TRACK2_DATABASE__POOL_TIMEOUT_SECONDS="3",
            TRACK2_DATABASE__CONNECT_TIMEOUT_SECONDS="3",
            TRACK2_LOG_LEVEL="WARNING",
        )
        migrated = run(["migrate"], env, tmp_path)
        assert migrated.returncode == 0, migrated.stderr
        token = admin_token(env, tmp_path)
        server = start_server(env, tmp_path, "outage")
        with running(server):

            async def scenario() -> tuple[Traffic, dict[str, float]]:
                async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
                    seeded = await seed_series(client, token)
                traffic = Traffic()
                t0 = time.monotonic()
                marks = {
                    "cut": t0 + 2,
                    "restore": t0 + 6,
                    "terminate": t0 + 11,
                    "stop": t0 + 16,
                }
                clients = [
                    asyncio.create_task(
                        _client_loop(
                            server.base_url,
                            seeded.auth,
                            seeded.session_id,
                            seeded.series_id,
                            marks["stop"],
                            traffic,
                            n,
                        )
                    )
                    for n in range(6)
                ]
                await asyncio.sleep(marks["cut"] - time.monotonic())
                await asyncio.to_thread(proxy.cut)
                await asyncio.sleep(marks["restore"] - time.monotonic())
                await asyncio.to_thread(proxy.restore)
                await asyncio.sleep(marks["terminate"] - time.monotonic())
                killed = await _terminate_backends(direct.database or "")
                assert killed > 0
                await asyncio.gather(*clients)
                return traffic, marks

            traffic, marks = asyncio.run(scenario())

        errors = Counter(r.error for r in traffic.records if r.error)
        assert not errors, f"connections failed: {errors}"
        statuses = Counter(r.status for r in traffic.records)
        assert set(statuses) <= {200, 201, 503}, (statuses, _errors_logged(server.log()))
        unavailable = [r for r in traffic.records if r.status == 503]
        assert unavailable, "the cut was never noticed"
        for record in unavailable:
            assert (record.retry_after or "").isdigit()
            assert record.content_type == "application/problem+json"
            assert record.problem_type == "/problems/database-unavailable"
        # Before the cut everything worked; after the restore the service recovered by itself.
        # (Requests still in flight at a cut or a termination answer 503 too.)
        for start, end in (
            (0, marks["cut"] - 0.5),
            (marks["restore"] + 2, marks["terminate"] - 1),
            (marks["terminate"] + 2, marks["stop"]),
        ):
            window = traffic.window(start, end)
            assert window
            assert all(r.status in (200, 201) for r in window), _timeline(traffic, marks)
        # Logged as what it is (a warning naming the cause), never as an unhandled error.
        assert '"msg": "unhandled error"' not in server.log()
        assert '"msg": "outbox worker loop failed"' not in server.log()
        assert '"msg": "outbox worker waits for the database"' in server.log()
    finally:
        proxy.close()
