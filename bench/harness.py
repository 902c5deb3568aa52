"""Start servers pinned to one core, load them from another, print ratios.

Every figure is a ratio against a yardstick measured in the same run (PERFORMANCE.md): machines
here are noisy, absolute numbers are not comparable between runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.load import LoadResult, build_request, run_load

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU = "0"
CLIENT_CPU = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pin_client() -> None:
    """Keep the load generator off the server's core."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {CLIENT_CPU})


@contextlib.contextmanager
def server(
    argv: list[str],
    port: int,
    env: dict[str, str] | None = None,
    health: str = "/healthz",
    cpus: str = SERVER_CPU,
) -> Iterator[None]:
    """Run a server process on the server core until the block ends.

    Its stderr goes to a file, never to an unread pipe (a full pipe would stall the server
    mid-benchmark); when the block fails, the log's tail is printed to explain why.
    """
    cmd = argv
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", cpus, *argv]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_healthy(port, proc, health, log)
            yield
        except BaseException:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-3000:]
            print(f"server log ({' '.join(argv[:4])} ...):\n{tail}", file=sys.stderr)
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_healthy(
    port: int, proc: subprocess.Popen[bytes], path: str = "/healthz", log: IO[bytes] | None = None
) -> float:
    """Poll until the server answers; returns seconds waited. A server pinned to one core of
    a machine loaded by other work can take over 30 s to import and start (seen at load 6)."""
    start = time.perf_counter()
    while time.perf_counter() - start < 90:
        if proc.poll() is not None:
            err = ""
            if log is not None:
                log.seek(0)
                err = log.read().decode(errors="replace")
            elif proc.stderr:
                err = proc.stderr.read().decode()
            raise RuntimeError(f"server exited early: {err[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as resp:
                if resp.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not become healthy in 90 s")


def uvicorn_argv(app: str, port: int, *, factory: bool = False) -> list[str]:
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    if factory:
        argv.append("--factory")
    return argv


def measure(
    port: int,
    path: str,
    headers: dict[str, str] | None,
    seconds: float,
    *,
    method: str = "GET",
    body: bytes = b"",
    connections: int = 32,
) -> LoadResult:
    request = build_request(path, headers, port, method=method, body=body)
    return asyncio.run(run_load(port, request, seconds=seconds, connections=connections))


def measure_ceiling(seconds: float) -> LoadResult:
    port = free_port()
    with server(uvicorn_argv("bench.ceiling_app:app", port), port, {}, health="/ceiling"):
        return measure(port, "/ceiling", None, seconds)


@dataclass(frozen=True)
class Row:
    name: str
    result: LoadResult
    ceiling: LoadResult
    target: float | None = None

    @property
    def ratio(self) -> float:
        return self.result.rps / self.ceiling.rps if self.ceiling.rps else 0.0

    def markdown(self) -> str:
        verdict = ""
        if self.target is not None:
            verdict = "PASS" if self.ratio >= self.target else "MISS"
            verdict = f" | >= {self.target:.2f} | {verdict}"
        else:
            verdict = " | - | -"
        return (
            f"| {self.name} | {self.result.rps:,.0f} | {self.ceiling.rps:,.0f} | "
            f"{self.ratio:.3f}{verdict} |"
        )


TABLE_HEAD = (
    "| endpoint | req/s | ceiling req/s | ratio | target | verdict |\n|---|---|---|---|---|---|"
)


def machine() -> str:
    cores = os.cpu_count()
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"
