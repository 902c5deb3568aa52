"""Every authenticated GET of the OpenAPI document that takes at most one path id, the public
documents (report versions in every format, series page and API, calendar feeds) and P1,
on the demo data, against the bare FastAPI ceiling measured in the same run.

    python -m bench.routes [--seconds 3] [--postgres postgresql+asyncpg://...] [--workers-scaling]

One uvicorn worker on CPU 0, load client on CPU 1 (32 keep-alive connections, 1 s warm-up),
loopback only. The routes come from the server's own /api/v1/openapi.json, so a new route is
measured without being listed here. ``--workers-scaling`` (PostgreSQL only) also runs
``track2 serve --workers 2`` on the authenticated-read mix and compares it with one worker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.demo import DEMO_SLUG, load_demo
from app.key_points.models import KeyPoint
from app.kit.migrations import upgrade_to_head
from app.newsletter.models import NewsletterIssue
from app.people.models import Person
from app.reports.models import ReportKind, ReportVersion
from app.series.models import DialogueSeries, Theme
from app.sessions.models import AgendaPart, DialogueSession
from app.users.schemas import TokenCreate
from app.users.service import UserService
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
from bench.load import LoadResult
from bench.seed import add_session

P1_TARGET = 0.20
MEDIAN_TARGET = {"SQLite": 0.15, "PostgreSQL": 0.10}
FLOOR = 0.08
PUBLIC_TARGET = 0.35


@dataclass
class Demo:
    token: str
    ids: dict[str, str]
    slug: str
    summary_id: str
    p1_session: str


async def _seed(database_url: str) -> Demo:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            await load_demo(db, settings=settings)
            users = UserService(db)
            admin = await users.ensure_admin("bench@example.org", "Bench")
            await db.flush()
            _, token = await users.issue_token(admin.id, TokenCreate(name="bench"))
            series = (
                await db.execute(select(DialogueSeries).where(DialogueSeries.slug == DEMO_SLUG))
            ).scalar_one()
            summary = (
                (
                    await db.execute(
                        select(ReportVersion).where(
                            ReportVersion.dialogue_series_id == series.id,
                            ReportVersion.kind == ReportKind.SUMMARY,
                        )
                    )
                )
                .scalars()
                .first()
            )
            assert summary is not None, "the demo has no published summary"
            session_id = summary.dialogue_session_id

            async def first(stmt: object) -> str:
                return str((await db.execute(stmt)).scalars().first())  # type: ignore[call-overload]

            ids = {
                "series_id": str(series.id),
                "session_id": str(session_id),
                "user_id": str(admin.id),
                "report_id": str(summary.id),
                "part_id": await first(
                    select(AgendaPart.id).where(AgendaPart.dialogue_session_id == session_id)
                ),
                "person_id": await first(
                    select(Person.id).where(Person.dialogue_series_id == series.id)
                ),
                "key_point_id": await first(
                    select(KeyPoint.id).where(KeyPoint.dialogue_session_id == session_id)
                ),
                "theme_id": await first(
                    select(Theme.id).where(Theme.dialogue_series_id == series.id)
                ),
                "newsletter_id": await first(
                    select(NewsletterIssue.id).where(
                        NewsletterIssue.dialogue_series_id == series.id
                    )
                ),
            }
            number = (
                await db.execute(
                    select(DialogueSession.number)
                    .where(DialogueSession.dialogue_series_id == series.id)
                    .order_by(DialogueSession.number.desc())
                )
            ).scalars().first() or 0
            await db.commit()
    finally:
        await engine.dispose()
    return Demo(token, ids, series.slug, str(summary.id), str(number + 1))


def seed(database_url: str) -> Demo:
    upgrade_to_head(database_url)
    demo = asyncio.run(_seed(database_url))
    series_id = uuid.UUID(demo.ids["series_id"])
    demo.p1_session = str(
        add_session(database_url, series_id, points=30, number=int(demo.p1_session))
    )
    return demo


def read_paths(port: int) -> list[str]:
    """Authenticated GETs taking at most one path parameter, from the server's document."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json") as answer:
        document = json.load(answer)
    paths = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get is None or not get.get("security") or path.count("{") > 1:
            continue
        if any(p.get("required") and p["in"] == "query" for p in get.get("parameters", [])):
            continue  # search needs a query: not "at most a path id"
        paths.append(path)
    return sorted(paths)


def public_paths(demo: Demo) -> list[tuple[str, str]]:
    report = f"/api/v1/public/reports/{demo.summary_id}"
    return [
        *((f"public report ({fmt})", f"{report}?format={fmt}") for fmt in ("json", "md", "html")),
        ("public report (pdf)", f"{report}?format=pdf"),
        ("public report (docx)", f"{report}?format=docx"),
        ("public report page", f"/reports/{demo.summary_id}"),
        ("public series page", f"/series/{demo.slug}"),
        ("public series API", f"/api/v1/public/series/{demo.slug}"),
        ("session calendar (ICS)", f"/api/v1/sessions/{demo.ids['session_id']}/calendar.ics"),
        ("series calendar (ICS)", f"/api/v1/series/{demo.ids['series_id']}/calendar.ics"),
    ]


def _env(database_url: str) -> dict[str, str]:
    return {
        "TRACK2_DATABASE_URL": database_url,
        "TRACK2_LOG_LEVEL": "WARNING",
        "TRACK2_OUTBOX__RUN_IN_SERVE": "false",
    }


def run_database(
    label: str, demo: Demo, database_url: str, seconds: float, ceiling: LoadResult
) -> tuple[list[Row], list[Row], list[str]]:
    headers = {"Authorization": f"Bearer {demo.token}"}
    reads: list[Row] = []
    public: list[Row] = []
    skipped: list[str] = []
    port = free_port()
    with server(uvicorn_argv("app.main:create_app", port, factory=True), port, _env(database_url)):
        for path in read_paths(port):
            names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
            if any(name not in demo.ids or demo.ids[name] == "None" for name in names):
                skipped.append(path)
                continue
            url = path.format(**demo.ids)
            result = measure(port, url, headers, seconds)
            if set(result.statuses) != {200}:
                skipped.append(f"{path} (answered {result.statuses})")
                continue
            reads.append(Row(f"`GET {path}` ({label})", result, ceiling, FLOOR))
        p1 = f"/api/v1/sessions/{demo.p1_session}/key-points?limit=50"
        result = measure(port, p1, headers, seconds)
        assert set(result.statuses) == {200}, result.statuses
        reads.append(Row(f"P1: key-point list, 30 points ({label})", result, ceiling, P1_TARGET))
        for name, url in public_paths(demo):
            result = measure(port, url, None, seconds)
            assert set(result.statuses) == {200}, (url, result.statuses)
            public.append(Row(f"{name} ({label})", result, ceiling, PUBLIC_TARGET))
    return reads, public, skipped


def mix_throughput(port: int, urls: list[str], headers: dict[str, str], seconds: float) -> float:
    """Requests per second over the mix, each route for an equal share of the time."""
    share = seconds / len(urls)
    results = [measure(port, url, headers, share) for url in urls]
    return sum(r.requests for r in results) / sum(r.seconds for r in results)


def scaling(database_url: str, demo: Demo, seconds: float) -> str:
    """One worker against ``--workers 2`` on the authenticated-read mix (PostgreSQL). Both
    runs put the server on CPUs 0-1 and the client on CPU 1: this machine has two cores, so
    the client shares one with the second worker (and with whatever else runs)."""
    headers = {"Authorization": f"Bearer {demo.token}"}
    rates = {}
    for workers in (1, 2):
        port = free_port()
        argv = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
        argv += ["--port", str(port), "--workers", str(workers)]
        with server(argv, port, _env(database_url), cpus="0,1"):
            urls = [
                path.format(**demo.ids)
                for path in read_paths(port)
                if all(
                    part[1:-1] in demo.ids and demo.ids[part[1:-1]] != "None"
                    for part in path.split("/")
                    if part.startswith("{")
                )
            ]
            rates[workers] = mix_throughput(port, urls, headers, seconds * 4)
    return (
        f"| workers | req/s on the read mix |\n|---|---|\n| 1 | {rates[1]:,.0f} |\n"
        f"| 2 | {rates[2]:,.0f} |\n\nScaling: **{rates[2] / rates[1]:.2f}x** (target >= 1.7x "
        "with two free cores)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--workers-scaling", action="store_true")
    args = parser.parse_args()
    pin_client()
    ceiling = measure_ceiling(args.seconds)
    targets = [("SQLite", None)]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    print("### Every read, the public documents and P1 (`python -m bench.routes`)")
    print()
    summary: list[str] = []
    demos: dict[str, Demo] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in targets:
            database_url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'routes.db'}"
            demo = demos[label] = seed(database_url)
            reads, public, skipped = run_database(label, demo, database_url, args.seconds, ceiling)
            print(f"#### {label}")
            print()
            print(TABLE_HEAD)
            for row in [*reads, *public]:
                print(row.markdown())
            print()
            if skipped:
                print("Not measured (no demo value or not a 200): " + ", ".join(skipped))
                print()
            ratios = [r.ratio for r in reads if not r.name.startswith("P1")]
            median = statistics.median(ratios)
            p1 = next(r for r in reads if r.name.startswith("P1"))
            target = MEDIAN_TARGET[label]
            summary.append(
                f"| {label} | {median:.3f} (>= {target:.2f}: "
                f"{'PASS' if median >= target else 'MISS'}) | {min(ratios):.3f} (>= {FLOOR}: "
                f"{'PASS' if min(ratios) >= FLOOR else 'MISS'}) | {p1.ratio:.3f} "
                f"({'PASS' if p1.ratio >= P1_TARGET else 'MISS'}) | "
                f"{min(r.ratio for r in public):.3f} "
                f"({'PASS' if min(r.ratio for r in public) >= PUBLIC_TARGET else 'MISS'}) |"
            )
    print(f"Ceiling: {ceiling.rps:,.0f} req/s.")
    print()
    print("| database | median of reads | lowest read | P1 | lowest public document |")
    print("|---|---|---|---|---|")
    for line in summary:
        print(line)
    if args.workers_scaling and args.postgres:
        print()
        print("#### `--workers 2` on PostgreSQL")
        print()
        print(scaling(args.postgres, demos["PostgreSQL"], args.seconds))


if __name__ == "__main__":
    main()
