"""Many concurrent writers on the embedded SQLite: no 5xx, every acknowledged write readable.

The CI-sized version of `bench/concurrent_writers.py` (P9): one application with its real
engine and pool (the lifespan runs), many clients writing key points, people, attendance and
subscriptions at once. SQLite's own busy timeout is cut to 50 ms here, so writers that
contended for the file's lock instead of taking turns at the write gate would fail fast.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.db import sqlite_write_intent, write_gate
from app.kit.migrations import upgrade_to_head
from app.main import create_app
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.operations.support import POINT, seed_series

pytestmark = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="the embedded SQLite's writers (PostgreSQL has row locks)"
)

WRITERS = 40
ROUNDS = 5


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}"
    upgrade_to_head(url)
    return url


def _settings(url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database": {"sqlite_busy_timeout_ms": 50},
        "mail": {"file_dir": str(tmp_path / "mail")},
        "outbox": {"journal_dir": str(tmp_path / "journal")},
        "public": {"rate_limit_per_ip_per_hour": 100_000, "rate_limit_per_address_per_hour": 100},
    }
    values.update(overrides)
    return make_settings(url, **values)


async def _admin_token(app: FastAPI) -> str:
    from app.users.schemas import TokenCreate
    from app.users.service import UserService

    # A writer like any other: it takes its turn at the write gate (the lifespan's background
    # jobs may be writing already, and SQLite's own wait is cut to 50 ms here).
    intent = sqlite_write_intent.set(True)
    try:
        async with app.state.sessionmaker() as session:
            users = UserService(session)
            admin = await users.ensure_admin("writers@example.org", "Writers")
            await session.flush()
            _, secret = await users.issue_token(admin.id, TokenCreate(name="writers"))
            await session.commit()
            return secret
    finally:
        sqlite_write_intent.reset(intent)


async def test_many_concurrent_writers_get_no_5xx_and_every_201_is_readable(
    database: str, tmp_path: Path
) -> None:
    app = create_app(_settings(database, tmp_path))
    statuses: Counter[int] = Counter()
    points: list[str] = []
    people: list[str] = []
    async with app.router.lifespan_context(app):
        token = await _admin_token(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", timeout=60
        ) as client:
            seeded = await seed_series(client, token)

            async def writer(n: int) -> None:
                for i in range(ROUNDS):
                    kind = (n + i) % 3
                    if kind == 0:
                        response = await client.post(
                            f"/api/v1/sessions/{seeded.session_id}/key-points",
                            json={"text": POINT.format(n=f"{n}.{i}")},
                            headers=seeded.auth,
                        )
                        statuses[response.status_code] += 1
                        if response.status_code == 201:
                            points.append(response.json()["id"])
                    elif kind == 1:
                        person = await client.post(
                            f"/api/v1/series/{seeded.series_id}/people",
                            json={
                                "given_name": "Writer",
                                "family_name": f"Vestergaardsen{n}x{i}",
                                "country": "NO",
                                "sector": "scholar",
                            },
                            headers=seeded.auth,
                        )
                        statuses[person.status_code] += 1
                        if person.status_code != 201:
                            continue
                        people.append(person.json()["id"])
                        attendance = await client.post(
                            f"/api/v1/sessions/{seeded.session_id}/attendance",
                            json={"person_id": person.json()["id"], "role": "participant"},
                            headers=seeded.auth,
                        )
                        statuses[attendance.status_code] += 1
                    else:
                        response = await client.post(
                            "/api/v1/public/subscriptions",
                            json={
                                "email": f"reader-{n}-{i}@example.org",
                                "series": [seeded.series_slug],
                                "consent": True,
                            },
                        )
                        statuses[response.status_code] += 1

            await asyncio.gather(*(writer(n) for n in range(WRITERS)))

            assert not {s: c for s, c in statuses.items() if s >= 500}, statuses
            assert set(statuses) <= {201, 202}, statuses
            for point_id in points:
                read = await client.get(f"/api/v1/key-points/{point_id}", headers=seeded.auth)
                assert read.status_code == 200
            roster = await client.get(
                f"/api/v1/sessions/{seeded.session_id}/attendance",
                params={"limit": 100},
                headers=seeded.auth,
            )
            on_roster = {item["person_id"] for item in roster.json()["items"]}
            assert on_roster == set(people)
    assert len(points) == sum(1 for n in range(WRITERS) for i in range(ROUNDS) if (n + i) % 3 == 0)


async def test_a_writer_that_cannot_get_its_turn_answers_503_with_retry_after(
    database: str, tmp_path: Path
) -> None:
    settings = _settings(database, tmp_path, database={"sqlite_write_wait_ms": 200})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        token = await _admin_token(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            seeded = await seed_series(client, token)
            gate = write_gate(app.state.engine)
            assert gate is not None
            await gate.acquire()  # a long write transaction holds the turn
            try:
                response = await client.post(
                    f"/api/v1/sessions/{seeded.session_id}/key-points",
                    json={"text": POINT.format(n=1)},
                    headers=seeded.auth,
                )
                # Readers never wait for the gate.
                listed = await client.get(
                    f"/api/v1/sessions/{seeded.session_id}/key-points", headers=seeded.auth
                )
            finally:
                gate.release()
            assert response.status_code == 503
            assert response.headers["retry-after"].isdigit()
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/database-busy"
            assert listed.status_code == 200
            assert listed.json()["items"] == []
            # Nothing half-written, and the next writer goes through.
            again = await client.post(
                f"/api/v1/sessions/{seeded.session_id}/key-points",
                json={"text": POINT.format(n=1)},
                headers=seeded.auth,
            )
            assert again.status_code == 201
