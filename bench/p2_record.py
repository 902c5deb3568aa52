"""P2: POST /api/v1/sessions/{id}/key-points with the checker on a 200-person roster, against
a bare endpoint inserting the same row with SQLAlchemy Core, same database, same run.

    python -m bench.p2_record [--seconds 8]

SQLite (the embedded default), one uvicorn worker on CPU 0, 8 client connections on CPU 1
(writes serialise on SQLite's lock; more connections only queue).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import TABLE_HEAD, Row, free_port, measure, pin_client, server, uvicorn_argv
from bench.seed import seed

TARGET = 0.5
TEXT = (
    "Both sides seem to have reached a mutual understanding that a reduction of violence is an "
    "important step towards negotiations, although this has still not happened in a "
    "significant way, and a trilateral communication mechanism is under study."
)
GIVEN = (
    "Farida Jonas Wei Leyla Mehmet Amina Tariq Sofia Arash Nadia Omar Elena Ravi Zahra"
).split()
FAMILY = (
    "Rahimi Vestergaard Ng Sahin Yilmaz Karimi Haidari Novak Sadeghi Qureshi Bakr Petrov"
).split()


async def _roster(database_url: str, series_id: uuid.UUID, size: int) -> uuid.UUID:
    from app.config import Settings
    from app.db import create_engine, create_sessionmaker
    from app.people.models import Attendance, AttendanceRole, AttendanceStatus, Person, Sector
    from app.sessions.models import DialogueSession, SessionFormat, SessionStatus

    rng = random.Random(7)
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            start = datetime(2020, 6, 29, 9, 30, tzinfo=UTC)
            session = DialogueSession(
                dialogue_series_id=series_id,
                number=1,
                title="Bench",
                context="",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                timezone="Asia/Kabul",
                format=SessionFormat.ONLINE,
                default_regime="chatham_house",
                status=SessionStatus.HELD,
                calendar_sequence=0,
            )
            db.add(session)
            await db.flush()
            for n in range(size):
                person = Person(
                    dialogue_series_id=series_id,
                    given_name=rng.choice(GIVEN),
                    family_name=f"{rng.choice(FAMILY)}{n}",
                    aliases=[],
                    position="Senior Fellow",
                    affiliation=f"Institute {n} for Peace Studies",
                    affiliation_acronym=f"IPS{n}",
                    country=rng.choice(["AF", "QA", "NO", "TR"]),
                    sector=Sector.SCHOLAR,
                )
                db.add(person)
                await db.flush()
                db.add(
                    Attendance(
                        dialogue_session_id=session.id,
                        person_id=person.id,
                        role=AttendanceRole.PARTICIPANT,
                        status=AttendanceStatus.ATTENDED,
                    )
                )
            await db.commit()
            return session.id
    finally:
        await engine.dispose()


def run(seconds: float) -> list[Row]:
    pin_client()
    rows = []
    body = json.dumps({"text": TEXT}).encode()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'p2.db'}"
        seeded = seed(url)
        session_id = asyncio.run(_roster(url, seeded.series_id, 200))
        env = {
            "TRACK2_DATABASE_URL": url,
            "TRACK2_LOG_LEVEL": "WARNING",
            "TRACK2_OUTBOX__RUN_IN_SERVE": "false",
        }
        port = free_port()
        with server(uvicorn_argv("bench.bare_insert_app:app", port), port, env):
            bare = measure(
                port, f"/bare/{session_id}", None, seconds, method="POST", body=body, connections=8
            )
        assert set(bare.statuses) == {201}, bare.statuses
        port = free_port()
        with server(uvicorn_argv("app.main:create_app", port, factory=True), port, env):
            headers = {"Authorization": f"Bearer {seeded.token}"}
            track2 = measure(
                port,
                f"/api/v1/sessions/{session_id}/key-points",
                headers,
                seconds,
                method="POST",
                body=body,
                connections=8,
            )
        assert set(track2.statuses) == {201}, track2.statuses
        rows.append(Row("POST key point, checker on 200 people (SQLite)", track2, bare, TARGET))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    rows = run(args.seconds)
    print("### P2: recording a key point (`python -m bench.p2_record`)")
    print()
    print("The yardstick column is `bench/bare_insert_app.py`: the same row inserted with Core.")
    print()
    print(TABLE_HEAD.replace("ceiling req/s", "bare insert req/s"))
    for row in rows:
        print(row.markdown())
    return 0 if all(r.ratio >= TARGET for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
