"""P1: GET /api/v1/sessions/{id}/key-points?limit=50 answering 30 approved key points,
authenticated, one uvicorn worker, against the bare FastAPI ceiling in the same run.

    python -m bench.p1_key_points [--seconds 8] [--postgres postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import tempfile
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
from bench.seed import add_session, seed

TARGET = 0.30


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
            session_id = add_session(database_url, seeded.series_id, points=30)
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
