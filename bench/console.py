"""P10: console pages and the live check, beside the ceiling and the dry-run endpoint.

    python -m bench.console [--seconds 8]

The demo series on the embedded SQLite. One uvicorn worker on CPU 0 (a console port,
8100-8109), the load client on CPU 1, 32 keep-alive connections, 1 s warm-up, loopback only.
Measured in one run: the ceiling; two console pages (a session and the rapporteur's screen,
signed in with a web-session cookie); the console's live check
(``POST /console/sessions/{id}/record/check``) and the API's dry run
(``POST /api/v1/sessions/{id}/key-points/check``) on the same text. P10's speed target is
that the live check costs no more than the dry run (ratio >= 1.0 up to noise, read as >= 0.9);
the bounded statement counts are asserted by tests/console/test_statement_counts.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from bench.harness import (
    TABLE_HEAD,
    Row,
    measure,
    pin_client,
    server,
    uvicorn_argv,
)
from bench.load import LoadResult, run_load

TEXT = "The former Deputy Foreign Minister said regional consensus must come first."


def console_port() -> int:
    for port in range(8100, 8110):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8109")


async def _seed(database_url: str) -> dict[str, str]:
    from sqlalchemy import select

    from app.config import Settings
    from app.db import create_engine, create_sessionmaker
    from app.demo import DEMO_SLUG, RAPPORTEUR_EMAIL, load_demo
    from app.series.models import DialogueSeries
    from app.sessions.models import DialogueSession
    from app.sessions.service import SessionService
    from app.users.repository import UserRepository
    from app.users.schemas import TokenCreate
    from app.users.service import UserService
    from app.users.signin import SignInService

    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            await load_demo(db, settings=settings)
            user = await UserRepository(db).get_by_email(RAPPORTEUR_EMAIL)
            assert user is not None
            _, token = await UserService(db).issue_token(user.id, TokenCreate(name="bench"))
            started = await SignInService(db, settings).start_session(user, "bench")
            series = await db.scalar(
                select(DialogueSeries.id).where(DialogueSeries.slug == DEMO_SLUG)
            )
            session = await db.scalar(
                select(DialogueSession.id).where(
                    DialogueSession.dialogue_series_id == series, DialogueSession.number == 3
                )
            )
            assert session is not None
            parts = await SessionService(db).list_parts(session)
            await db.commit()
            return {
                "token": token,
                "cookie": started.cookie,
                "session": str(session),
                "part": str(parts[-1].id),
            }
    finally:
        await engine.dispose()


def _csrf(port: int, path: str, cookie: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"track2_session={cookie}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        html = response.read().decode()
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _form_post(port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _mostly_ok(name: str, result: LoadResult) -> None:
    """Writes on SQLite take its single write lock (BEGIN IMMEDIATE), and under 32 clients a
    rare request can time out waiting for it; the table reports such answers."""
    failed = sum(n for status, n in result.statuses.items() if status != 200)
    assert failed <= max(1, result.requests // 1000), (name, result.statuses)
    if failed:
        NOTES.append(
            f"{name}: {failed} of {result.requests} answers were not 200 ({result.statuses})"
        )


NOTES: list[str] = []


def _load(port: int, request: bytes, seconds: float) -> LoadResult:
    return asyncio.run(run_load(port, request, seconds=seconds, connections=32))


def run(seconds: float) -> tuple[list[Row], Row]:
    pin_client()
    # The yardstick on a console port as well (the harness would pick any free port).
    port = console_port()
    with server(uvicorn_argv("bench.ceiling_app:app", port), port, {}, health="/ceiling"):
        ceiling = measure(port, "/ceiling", None, seconds)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        from app.kit.migrations import upgrade_to_head

        url = f"sqlite+aiosqlite:///{Path(tmp) / 'console.db'}"
        upgrade_to_head(url)
        seeded = asyncio.run(_seed(url))
        port = console_port()
        env = {
            "TRACK2_DATABASE_URL": url,
            "TRACK2_LOG_LEVEL": "WARNING",
            "TRACK2_OUTBOX__RUN_IN_SERVE": "false",
        }
        with server(uvicorn_argv("app.main:create_app", port, factory=True), port, env):
            sid, cookie = seeded["session"], seeded["cookie"]
            browser = {"Cookie": f"track2_session={cookie}"}
            for name, path in (
                ("GET /console/sessions/{id} (session page)", f"/console/sessions/{sid}"),
                (
                    "GET /console/sessions/{id}/record (rapporteur)",
                    f"/console/sessions/{sid}/record",
                ),
            ):
                result = measure(port, path, browser, seconds)
                assert set(result.statuses) == {200}, (name, result.statuses)
                rows.append(Row(name, result, ceiling))
            token = _csrf(port, f"/console/sessions/{sid}/record", cookie)
            form = urllib.parse.urlencode({"text": TEXT, "part_id": seeded["part"]}).encode()
            live_request = _form_post(
                port,
                f"/console/sessions/{sid}/record/check",
                {**browser, "X-CSRFToken": token, "Accept": "application/json"},
                form,
            )
            live = _load(port, live_request, seconds)
            _mostly_ok("live check", live)
            body = json.dumps({"text": TEXT, "part_id": seeded["part"]}).encode()
            dry = measure(
                port,
                f"/api/v1/sessions/{sid}/key-points/check",
                {"Authorization": f"Bearer {seeded['token']}"},
                seconds,
                method="POST",
                body=body,
            )
            _mostly_ok("dry run", dry)
            rows.append(Row("POST /console/sessions/{id}/record/check (live check)", live, ceiling))
            rows.append(Row("POST /api/v1/sessions/{id}/key-points/check (dry run)", dry, ceiling))
    return rows, Row("live check against the dry run", live, dry, target=0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    rows, versus = run(args.seconds)
    print("### P10: console pages and the live check (`python -m bench.console`)\n")
    print(TABLE_HEAD)
    for row in rows:
        print(row.markdown())
    print()
    print("| comparison | live check req/s | dry run req/s | ratio | target | verdict |")
    print("|---|---|---|---|---|---|")
    print(versus.markdown())
    for note in NOTES:
        print(f"\n{note}.")
    raise SystemExit(0 if versus.ratio >= 0.9 else 1)


if __name__ == "__main__":
    main()
