"""A small keep-alive HTTP/1.1 load generator on raw asyncio streams.

Python HTTP clients (httpx, aiohttp) spend more CPU per request than a fast endpoint does, so
they would measure themselves. This client sends a prebuilt request and reads the response by
Content-Length: enough for GET benchmarks on loopback, and cheap enough to saturate one server
core from one client core. It only talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def build_request(
    path: str,
    headers: dict[str, str] | None = None,
    port: int = 8000,
    *,
    method: str = "GET",
    body: bytes = b"",
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method != "GET":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    if length:
        await reader.readexactly(length)
    return status


async def _worker(
    port: int, request: bytes, deadline: float, counts: dict[int, int], errors: list[int]
) -> int:
    done = 0
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            try:
                # Bounded: a server that stops answering must not hang the benchmark.
                status = await asyncio.wait_for(_read_response(reader), timeout=30)
            except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
                errors.append(1)
                break
            counts[status] = counts.get(status, 0) + 1
            done += 1
    finally:
        writer.close()
    return done


async def run_load(
    port: int, request: bytes, *, seconds: float, connections: int = 32, warmup: float = 1.0
) -> LoadResult:
    """Warm up, then hammer ``request`` on ``connections`` connections for ``seconds``."""
    if warmup:
        await run_load(port, request, seconds=warmup, connections=connections, warmup=0)
    counts: dict[int, int] = {}
    errors: list[int] = []
    start = time.perf_counter()
    deadline = start + seconds
    done = await asyncio.gather(
        *(_worker(port, request, deadline, counts, errors) for _ in range(connections))
    )
    elapsed = time.perf_counter() - start
    return LoadResult(requests=sum(done), seconds=elapsed, errors=len(errors), statuses=counts)
