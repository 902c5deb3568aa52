"""P1: GET /api/v1/sessions/{id}/key-points?limit=50 answering 30 approved key points,
authenticated, one uvicorn worker, against the bare FastAPI ceiling in the same run.

    python -m bench.p1_key_points [--seconds 8] [--postgres postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import (
    TABLE_HEAD,
    Row,
    free_port,
    measure,
    measure_ceiling,
    pin_client,
    server,
    uvicorn_argv,
)
from bench.seed import seed

TARGET = 0.30
POINT = (
    "Both sides of the conflict seem to have reached a mutual understanding that a reduction "
    "of violence is an important step towards negotiations, although this has still not "
    "happened in a significant way ({n})."
)


async def _add_points(database_url: str, series_id: uuid.UUID, count: int) -> uuid.UUID:
    from app.config import Settings
    from app.db import create_engine, create_sessionmaker
    from app.key_points.models import KeyPoint, KeyPointStatus, KeyPointTheme, Theme
    from app.sessions.models import DialogueSession, SessionFormat, SessionStatus

    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            start = datetime(2020, 6, 29, 9, 30, tzinfo=UTC)
            session = DialogueSession(
                dialogue_series_id=series_id,
                number=1,
                title="Bench session",
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
            theme_rows = await db.execute(
                Theme.__table__.select().where(Theme.dialogue_series_id == series_id)
            )
            themes = list(theme_rows.all())[:2]
            for n in range(count):
                point = KeyPoint(
                    dialogue_session_id=session.id,
                    position=n + 1,
                    text=POINT.format(n=n),
                    status=KeyPointStatus.APPROVED,
                    warnings=[],
                    acknowledged_warnings=[],
                    revision=1,
                    approved_at=start,
                )
                db.add(point)
                await db.flush()
                for theme in themes:
                    db.add(KeyPointTheme(key_point_id=point.id, theme_id=theme.id))
            await db.commit()
            return session.id
    finally:
        await engine.dispose()


def run(seconds: float, postgres_url: str | None) -> list[Row]:
    pin_client()
    ceiling = measure_ceiling(seconds)
    rows: list[Row] = []
    targets: list[tuple[str, str | None]] = [("SQLite", None)]
    if postgres_url:
        targets.append(("PostgreSQL", postgres_url))
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in targets:
            database_url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'p1.db'}"
            seeded = seed(database_url)
            session_id = asyncio.run(_add_points(database_url, seeded.series_id, 30))
            port = free_port()
            env = {
                "TRACK2_DATABASE_URL": database_url,
                "TRACK2_LOG_LEVEL": "WARNING",
                "TRACK2_OUTBOX__RUN_IN_SERVE": "false",
            }
            with server(uvicorn_argv("app.main:create_app", port, factory=True), port, env):
                headers = {"Authorization": f"Bearer {seeded.token}"}
                path = f"/api/v1/sessions/{session_id}/key-points?limit=50"
                result = measure(port, path, headers, seconds)
                assert set(result.statuses) == {200}, result.statuses
                rows.append(Row(f"GET key-points, 30 points ({label})", result, ceiling, TARGET))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    rows = run(args.seconds, args.postgres)
    print("### P1: a session's 30 key points (`python -m bench.p1_key_points`)")
    print()
    print(TABLE_HEAD)
    for row in rows:
        print(row.markdown())


if __name__ == "__main__":
    main()
