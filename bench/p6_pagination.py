"""P6: a page deep in 1,000,000 key points costs <= 1.5x a page deep in 10,000.

    python -m bench.p6_pagination [--rows 1000000]

Fills a migrated SQLite file quickly (the sync sqlite3 driver, executemany, one transaction),
then times the list's page query (the repository's keyset statement, the part that depends on
the table's size) for a cursor near the end of a 10,000-point session and of a 1,000,000-point
session, in the same run. The HTTP route caches pages by version, which would hide the query,
so the query is timed directly; the statement count per request is a test
(tests/operations/test_statement_counts.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.kit.ids import uuid7
from app.kit.pagination import PageParams, encode_cursor
from bench.seed import seed

TARGET = 1.5


def fill(path: Path, series_id: uuid.UUID, count: int) -> uuid.UUID:
    """A held session with ``count`` approved points, inserted in bulk."""
    session_id = uuid7()
    start = datetime(2020, 6, 29, 9, 30, tzinfo=UTC).replace(tzinfo=None)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    number = conn.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM dialogue_session WHERE dialogue_series_id = ?",
        (series_id.hex,),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO dialogue_session (id, dialogue_series_id, number, title, context, starts_at,"
        " ends_at, timezone, format, default_regime, status, calendar_sequence,"
        " key_points_version, created_at, updated_at) VALUES"
        " (?, ?, ?, 'Bench', '', ?, ?, 'UTC', 'online', 'chatham_house', 'held', 0, 0, ?, ?)",
        (session_id.hex, series_id.hex, number, start, start + timedelta(hours=2), start, start),
    )
    text = "A reduction of violence is an important step towards negotiations ({})."
    batch = 50_000
    for offset in range(0, count, batch):
        rows = [
            (uuid7().hex, session_id.hex, n + 1, text.format(n), start, start)
            for n in range(offset, min(offset + batch, count))
        ]
        conn.executemany(
            "INSERT INTO key_point (id, dialogue_session_id, position, text, status, warnings,"
            " acknowledged_warnings, revision, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'approved', '[]', '[]', 1, ?, ?)",
            rows,
        )
    conn.commit()
    conn.close()
    return session_id


async def time_page(url: str, session_id: uuid.UUID, count: int, repeats: int) -> float:
    """Median seconds of the page query for a cursor 50 rows before the end."""
    from sqlalchemy import select

    from app.config import Settings
    from app.db import create_engine, create_sessionmaker
    from app.key_points.models import KeyPoint
    from app.key_points.repository import KeyPointRepository

    engine = create_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    try:
        async with create_sessionmaker(engine)() as db:
            anchor = (
                await db.execute(
                    select(KeyPoint.position, KeyPoint.id)
                    .where(KeyPoint.dialogue_session_id == session_id)
                    .where(KeyPoint.position == count - 50)
                )
            ).one()
            params = PageParams(limit=50, cursor=encode_cursor([anchor[0], anchor[1]]))
            repo = KeyPointRepository(db)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                rows, _ = await repo.list_for_session(session_id, params)
                times.append(time.perf_counter() - started)
                assert len(rows) == 50
            return statistics.median(times)
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p6.db"
        url = f"sqlite+aiosqlite:///{path}"
        seeded = seed(url)
        started = time.perf_counter()
        small = fill(path, seeded.series_id, 10_000)
        large = fill(path, seeded.series_id, args.rows)
        filled = time.perf_counter() - started
        t_small = asyncio.run(time_page(url, small, 10_000, args.repeats))
        t_large = asyncio.run(time_page(url, large, args.rows, args.repeats))
    ratio = t_large / t_small
    verdict = "PASS" if ratio <= TARGET else "MISS"
    print("### P6: a deep page at 1M rows (`python -m bench.p6_pagination`)")
    print()
    print(f"Filled {10_000 + args.rows:,} key points in {filled:.1f} s (SQLite, bulk inserts).")
    print()
    print("| session size | median page query (ms), cursor 50 rows before the end |")
    print("|---:|---:|")
    print(f"| 10,000 | {t_small * 1000:.2f} |")
    print(f"| {args.rows:,} | {t_large * 1000:.2f} |")
    print()
    print(f"Ratio {ratio:.2f} against a target of <= {TARGET}: {verdict}.")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
