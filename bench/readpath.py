"""Read-path benchmark: Track2 endpoints against the bare FastAPI ceiling, same run.

    python -m bench.readpath [--seconds 8] [--postgres postgresql+asyncpg://...]

Server on CPU 0 (one uvicorn worker, access log off for both), load client on CPU 1,
32 keep-alive connections, 1 s warm-up, loopback only.
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
from bench.seed import seed


def run(seconds: float, postgres_url: str | None) -> list[Row]:
    pin_client()
    rows: list[Row] = []
    ceiling = measure_ceiling(seconds)
    targets = [("SQLite", None)]
    if postgres_url:
        targets.append(("PostgreSQL", postgres_url))
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in targets:
            database_url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            seeded = seed(database_url)
            port = free_port()
            env = {"TRACK2_DATABASE_URL": database_url, "TRACK2_LOG_LEVEL": "WARNING"}
            with server(uvicorn_argv("app.main:create_app", port, factory=True), port, env):
                headers = {"Authorization": f"Bearer {seeded.token}"}
                result = measure(port, f"/api/v1/series/{seeded.series_id}", headers, seconds)
                assert set(result.statuses) == {200}, (label, result)
                rows.append(Row(f"GET /api/v1/series/{{id}} ({label})", result, ceiling))
                health = measure(port, "/healthz", None, seconds)
                rows.append(Row(f"GET /healthz ({label})", health, ceiling))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--postgres", default=None, help="also measure on this PostgreSQL URL")
    args = parser.parse_args()
    rows = run(args.seconds, args.postgres)
    print("### Read path: GET /api/v1/series/{id} (`python -m bench.readpath`)")
    print()
    print(TABLE_HEAD)
    for row in rows:
        print(row.markdown())


if __name__ == "__main__":
    main()
