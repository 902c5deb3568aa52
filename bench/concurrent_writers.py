"""P9: many concurrent writers on the embedded default (one ``track2 serve``, one SQLite file).

``python -m bench.concurrent_writers --writers 200 --seconds 60`` starts ``track2 serve`` on a
fresh SQLite file (pinned to CPU 0 when ``taskset`` exists), seeds a series with sessions and
a roster, then runs ``--writers`` clients on CPU 1 for ``--seconds``. Each client loops over
three kinds of write, as the people of a busy series would:

- a rapporteur records a key point (``POST /sessions/{id}/key-points``, 201);
- an organiser adds a person to the directory and puts them on a session's roster
  (``POST /series/{id}/people`` then ``POST /sessions/{id}/attendance``, 201 each): a roster
  change, after which the next key point is checked against a new roster;
- the public asks for the newsletter (``POST /public/subscriptions``, 202).

It prints every status seen, the 5xx count, acknowledged writes per second and the latency
percentiles, then reads every acknowledged write back (every 201 must be readable). The exit
status is 1 when any answer was a 5xx, a connection failed, or a write went missing.
Loopback only; the run is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.harness import pin_client, server
from bench.seed import POINT, add_session, seed

DEFAULT_PORT = 8131


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    key_points: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    attendance: list[tuple[str, str]] = field(default_factory=list)
    retry_after_missing: int = 0
    acknowledged: int = 0


async def _request(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs: object
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        tally.transport_errors[type(exc).__name__] += 1
        return None
    tally.latencies.append(time.perf_counter() - started)
    tally.statuses[response.status_code] += 1
    if response.status_code == 503 and "retry-after" not in response.headers:
        tally.retry_after_missing += 1
    if response.status_code in (201, 202):
        tally.acknowledged += 1
    return response


async def _writer(
    n: int,
    client: httpx.AsyncClient,
    token: str,
    series_id: str,
    series_slug: str,
    sessions: list[str],
    deadline: float,
    tally: Tally,
) -> None:
    rng = random.Random(n)
    auth = {"Authorization": f"Bearer {token}"}
    i = 0
    while time.perf_counter() < deadline:
        i += 1
        session_id = rng.choice(sessions)
        roll = rng.random()
        if roll < 0.6:
            response = await _request(
                client,
                tally,
                "POST",
                f"/api/v1/sessions/{session_id}/key-points",
                json={"text": POINT.format(n=f"{n}-{i}")},
                headers=auth,
            )
            if response is not None and response.status_code == 201:
                tally.key_points.append(response.json()["id"])
        elif roll < 0.8:
            person = await _request(
                client,
                tally,
                "POST",
                f"/api/v1/series/{series_id}/people",
                json={
                    "given_name": "Writer",
                    "family_name": f"Vestergaardsen{n}x{i}",
                    "affiliation": f"Institute {n}-{i} for Peace Studies",
                    "country": "NO",
                    "sector": "scholar",
                },
                headers=auth,
            )
            if person is None or person.status_code != 201:
                continue
            person_id = person.json()["id"]
            tally.people.append(person_id)
            attendance = await _request(
                client,
                tally,
                "POST",
                f"/api/v1/sessions/{session_id}/attendance",
                json={"person_id": person_id, "role": "participant", "status": "attended"},
                headers=auth,
            )
            if attendance is not None and attendance.status_code == 201:
                tally.attendance.append((session_id, person_id))
        else:
            await _request(
                client,
                tally,
                "POST",
                "/api/v1/public/subscriptions",
                json={
                    "email": f"reader-{n}-{i}-{uuid.uuid4().hex[:6]}@example.org",
                    "series": [series_slug],
                    "consent": True,
                },
            )


async def _read_back(port: int, token: str, tally: Tally) -> dict[str, int]:
    """Every acknowledged write must be readable: count the ones that are not."""
    missing: Counter[str] = Counter()
    auth = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=auth, limits=limits, timeout=60
    ) as client:
        semaphore = asyncio.Semaphore(16)

        async def check(kind: str, url: str) -> None:
            async with semaphore:
                response = await client.get(url)
                if response.status_code != 200:
                    missing[kind] += 1

        await asyncio.gather(
            *(check("key point", f"/api/v1/key-points/{k}") for k in tally.key_points),
            *(check("person", f"/api/v1/people/{p}") for p in tally.people),
            *(
                check("attendance", f"/api/v1/sessions/{s}/attendance/{p}")
                for s, p in tally.attendance
            ),
        )
    return dict(missing)


async def _run(
    port: int, token: str, series_id: str, slug: str, sessions: list[str], writers: int, secs: float
) -> tuple[Tally, float]:
    tally = Tally()
    limits = httpx.Limits(max_connections=writers, max_keepalive_connections=writers)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120
    ) as client:
        started = time.perf_counter()
        deadline = started + secs
        await asyncio.gather(
            *(
                _writer(n, client, token, series_id, slug, sessions, deadline, tally)
                for n in range(writers)
            )
        )
        elapsed = time.perf_counter() - started
    return tally, elapsed


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Outcome:
    mode: str
    tally: Tally
    elapsed: float
    missing: dict[str, int]

    @property
    def fives(self) -> int:
        return sum(count for status, count in self.tally.statuses.items() if status >= 500)

    @property
    def errors(self) -> int:
        return sum(self.tally.transport_errors.values())

    @property
    def failed(self) -> bool:
        lost = sum(self.missing.values())
        return bool(self.fives or self.errors or lost or self.tally.retry_after_missing)

    def row(self, writers: int) -> str:
        statuses = ", ".join(f"{s}: {c}" for s, c in sorted(self.tally.statuses.items()))
        kinds = ", ".join(f"{k}: {c}" for k, c in sorted(self.tally.transport_errors.items()))
        latency = " / ".join(
            f"{_percentile(self.tally.latencies, q):.1f}" for q in (0.5, 0.95, 0.99, 1.0)
        )
        return (
            f"| {self.mode} | {writers} | {sum(self.tally.statuses.values()):,} | {statuses} | "
            f"{self.fives} | {self.errors}{f' ({kinds})' if kinds else ''} | "
            f"{self.tally.acknowledged / self.elapsed:,.0f} | {latency} | "
            f"{sum(self.missing.values())} |"
        )


def _run_once(args: argparse.Namespace, gate: bool) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="track2-writers-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'track2.db'}"
        seeded = seed(url)
        sessions = [
            str(add_session(url, seeded.series_id, roster=args.roster, number=n + 1))
            for n in range(args.sessions)
        ]
        env = {
            "TRACK2_DATABASE_URL": url,
            "TRACK2_LOG_LEVEL": "WARNING",
            "TRACK2_MAIL__FILE_DIR": str(Path(tmp) / "mail"),
            "TRACK2_OUTBOX__JOURNAL_DIR": str(Path(tmp) / "journal"),
            "TRACK2_PUBLIC__RATE_LIMIT_PER_IP_PER_HOUR": "100000",
            "TRACK2_PUBLIC__RATE_LIMIT_PER_ADDRESS_PER_HOUR": "10000",
            "TRACK2_DATABASE__SQLITE_WRITE_GATE": "true" if gate else "false",
        }
        argv = [sys.executable, "-m", "app.cli", "serve", "--port", str(args.port)]
        with server(argv, args.port, env):
            pin_client()
            tally, elapsed = asyncio.run(
                _run(
                    args.port,
                    seeded.token,
                    str(seeded.series_id),
                    seeded.series_slug,
                    sessions,
                    args.writers,
                    args.seconds,
                )
            )
            missing = _read_back_sync(args.port, seeded.token, tally)
    return Outcome("write gate" if gate else "no gate (before)", tally, elapsed, missing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--roster", type=int, default=50)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also run without the write gate first (TRACK2_DATABASE__SQLITE_WRITE_GATE=false)",
    )
    args = parser.parse_args()
    outcomes = [_run_once(args, gate) for gate in ([False, True] if args.compare else [True])]
    gated = outcomes[-1]

    print(f"### P9: concurrent writers on the embedded default (`python -m {__spec__.name}`)")
    print()
    print(
        f"One `track2 serve` on a fresh SQLite file, {args.writers} clients for "
        f"{args.seconds:.0f} s, each looping over: record a key point (60 %), add a person and "
        "put them on a roster (20 %, two writes), ask for the newsletter (20 %). Every "
        "acknowledged write is read back afterwards. Latencies are as the clients saw them "
        "(200 clients on one core queue on the client side too)."
    )
    print()
    print(
        "| server | writers | answered | statuses | 5xx | connection errors | "
        "acknowledged writes/s | latency p50 / p95 / p99 / max (s) | unreadable |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---|---:|")
    for outcome in outcomes:
        print(outcome.row(args.writers))
    print()
    if len(outcomes) == 2:
        before, after = outcomes
        ratio = (after.tally.acknowledged / after.elapsed) / max(
            before.tally.acknowledged / before.elapsed, 1e-9
        )
        print(f"Throughput with the gate / without, same run: {ratio:.2f}.")
        print()
    verdict = "MISS" if gated.failed else "PASS"
    print(f"Target (with the gate): zero 5xx, every acknowledged write readable: {verdict}.")
    sys.exit(1 if gated.failed else 0)


def _read_back_sync(port: int, token: str, tally: Tally) -> dict[str, int]:
    return asyncio.run(_read_back(port, token, tally))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
