"""P2: POST /api/v1/sessions/{id}/key-points with the checker on a 200-person roster, against
a bare endpoint inserting the same row with SQLAlchemy Core, same database, same run.

    python -m bench.p2_record [--seconds 8]

SQLite (the embedded default), one uvicorn worker on CPU 0, 8 client connections on CPU 1
(writes serialise on SQLite's lock; more connections only queue). Both servers run side by
side on the same database and are measured in alternation, three rounds of ``--seconds`` each
(yardstick, Track2, yardstick, Track2, ...), so drift in the machine's speed falls on both; the
table pools the rounds and the line under it gives each round's ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.harness import TABLE_HEAD, Row, free_port, measure, pin_client, server, uvicorn_argv
from bench.load import LoadResult
from bench.seed import add_session, seed

TARGET = 0.5
ROUNDS = 3
TEXT = (
    "Both sides seem to have reached a mutual understanding that a reduction of violence is an "
    "important step towards negotiations, although this has still not happened in a "
    "significant way, and a trilateral communication mechanism is under study."
)


def _pooled(results: list[LoadResult]) -> LoadResult:
    statuses: dict[int, int] = {}
    for result in results:
        for status, n in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return LoadResult(
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        errors=sum(r.errors for r in results),
        statuses=statuses,
    )


def run(seconds: float) -> tuple[Row, list[float]]:
    """The pooled row and each round's ratio."""
    pin_client()
    body = json.dumps({"text": TEXT}).encode()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'p2.db'}"
        seeded = seed(url)
        session_id = add_session(url, seeded.series_id, roster=200)
        env = {
            "TRACK2_DATABASE_URL": url,
            "TRACK2_LOG_LEVEL": "WARNING",
            "TRACK2_OUTBOX__RUN_IN_SERVE": "false",
        }
        bare_port, app_port = free_port(), free_port()
        servers.enter_context(
            server(uvicorn_argv("bench.bare_insert_app:app", bare_port), bare_port, env)
        )
        servers.enter_context(
            server(uvicorn_argv("app.main:create_app", app_port, factory=True), app_port, env)
        )
        headers = {"Authorization": f"Bearer {seeded.token}"}
        bare_rounds: list[LoadResult] = []
        app_rounds: list[LoadResult] = []
        for _ in range(ROUNDS):
            bare_rounds.append(
                measure(
                    bare_port,
                    f"/bare/{session_id}",
                    None,
                    seconds,
                    method="POST",
                    body=body,
                    connections=8,
                )
            )
            app_rounds.append(
                measure(
                    app_port,
                    f"/api/v1/sessions/{session_id}/key-points",
                    headers,
                    seconds,
                    method="POST",
                    body=body,
                    connections=8,
                )
            )
    bare, track2 = _pooled(bare_rounds), _pooled(app_rounds)
    assert set(bare.statuses) == {201}, bare.statuses
    assert set(track2.statuses) == {201}, track2.statuses
    ratios = [a.rps / b.rps for a, b in zip(app_rounds, bare_rounds, strict=True)]
    row = Row("POST key point, checker on 200 people (SQLite)", track2, bare, TARGET)
    return row, ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    row, ratios = run(args.seconds)
    print("### P2: recording a key point (`python -m bench.p2_record`)")
    print()
    print(
        "The yardstick column is `bench/bare_insert_app.py`: the same row inserted with Core. "
        f"{ROUNDS} alternating rounds of {args.seconds:g} s each, pooled."
    )
    print()
    print(TABLE_HEAD.replace("ceiling req/s", "bare insert req/s"))
    print(row.markdown())
    print()
    print(
        "Ratio in each round: "
        + ", ".join(f"{r:.3f}" for r in ratios)
        + f" (median {statistics.median(ratios):.3f})."
    )
    return 0 if row.ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
