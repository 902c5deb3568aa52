"""Profile a read or the P2 write in process: the ASGI app driven directly, no sockets.

    python -m bench.profile_inprocess p1 [--requests 2000] [--top 30]
    python -m bench.profile_inprocess p2 [--requests 500] [--top 30]
    python -m bench.profile_inprocess public [--requests 2000]   # a public report (JSON)
    python -m bench.profile_inprocess series [--requests 2000]   # GET /api/v1/series/{id}

``public`` and ``series`` run on the demo data (``bench.routes.seed``).

A cProfile of the application's own work per request (uvicorn's HTTP parsing is not in it),
with the mean wall time per request printed first. For finding where time goes, not for
figures: those come from the load benchmarks, measured against their yardsticks.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.seed import add_session, seed

TEXT = (
    "Both sides seem to have reached a mutual understanding that a reduction of violence is an "
    "important step towards negotiations, although this has still not happened in a "
    "significant way, and a trilateral communication mechanism is under study."
)


def _scope(method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> Any:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _drive(
    app: Any, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(method, path, query, headers), receive, send)
    return status


async def _profile(
    database_url: str, which: str, token: str, target: str, requests: int, top: int
) -> None:
    from app.main import create_app
    from tests.conftest import make_settings

    settings = make_settings(database_url, outbox={"run_in_serve": False}, log_level="WARNING")
    app = create_app(settings)
    auth = (b"authorization", f"Bearer {token}".encode())
    path = f"/api/v1/sessions/{target}/key-points"
    if which == "public":
        args: tuple[str, str, bytes, list[tuple[bytes, bytes]], bytes] = (
            "GET",
            f"/api/v1/public/reports/{target}",
            b"",
            [(b"host", b"bench")],
            b"",
        )
        expected = 200
    elif which == "series":
        args = ("GET", f"/api/v1/series/{target}", b"", [(b"host", b"bench"), auth], b"")
        expected = 200
    elif which == "p1":
        args = (
            "GET",
            path,
            b"limit=50",
            [(b"host", b"bench"), auth],
            b"",
        )
        expected = 200
    else:
        body = json.dumps({"text": TEXT}).encode()
        headers = [
            (b"host", b"bench"),
            auth,
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        args = ("POST", path, b"", headers, body)
        expected = 201
    async with app.router.lifespan_context(app):
        for _ in range(50):
            assert await _drive(app, *args) == expected
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            await _drive(app, *args)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"{which}: {elapsed / requests * 1e6:.0f} us per request ({cpu / requests * 1e6:.0f}"
            " us of this process's CPU), unprofiled, in process"
        )
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            await _drive(app, *args)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("which", choices=["p1", "p2", "public", "series"])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite+aiosqlite:///{Path(tmp) / f'{uuid.uuid4().hex}.db'}"
        if args.which in ("public", "series"):
            from bench.routes import seed as seed_demo

            demo = seed_demo(url)
            token = demo.token
            target = demo.summary_id if args.which == "public" else demo.ids["series_id"]
        else:
            seeded = seed(url)
            points, roster = (30, 0) if args.which == "p1" else (0, 200)
            token = seeded.token
            target = str(add_session(url, seeded.series_id, points=points, roster=roster))
        asyncio.run(_profile(url, args.which, token, target, args.requests, args.top))


if __name__ == "__main__":
    main()
