"""P2: POST /api/v1/sessions/{id}/key-points with the checker on a 200-person roster, against
a bare endpoint inserting the same row with SQLAlchemy Core, same database, same run.

    python -m bench.p2_record [--seconds 8]

SQLite (the embedded default), one uvicorn worker on CPU 0, 8 client connections on CPU 1
(writes serialise on SQLite's lock; more connections only queue).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.harness import TABLE_HEAD, Row, free_port, measure, pin_client, server, uvicorn_argv
from bench.seed import add_session, seed

TARGET = 0.5
TEXT = (
    "Both sides seem to have reached a mutual understanding that a reduction of violence is an "
    "important step towards negotiations, although this has still not happened in a "
    "significant way, and a trilateral communication mechanism is under study."
)


def run(seconds: float) -> list[Row]:
    pin_client()
    rows = []
    body = json.dumps({"text": TEXT}).encode()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'p2.db'}"
        seeded = seed(url)
        session_id = add_session(url, seeded.series_id, roster=200)
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
