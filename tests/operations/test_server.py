"""`track2 serve` as a client meets it: the access log keeps no secret, problems the HTTP
parser finds are problem documents, and X-Forwarded-For is believed only from a configured
proxy."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.operations.support import base_env, free_port, run, running, start_server

SECRET = "s3cr3t-Ab9.ZZTOKENVALUE-xyzzy_0123456789"


def _records(log: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return base_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'served.db'}")


def test_the_access_log_holds_no_token_link_secret_or_search_query(
    tmp_path: Path, sqlite_env: dict[str, str]
) -> None:
    server = start_server(sqlite_env, tmp_path, "redaction")
    targets = [
        f"/reports/download?token={SECRET}",
        f"/subscriptions/confirm?token={SECRET}",
        f"/subscriptions/preferences?token={SECRET}",
        f"/subscriptions/unsubscribe?token={SECRET}",
        f"/signin?token={SECRET}&next=/",
        f"/auth/callback/{SECRET}",
        "/api/v1/search/key-points?q=Leyla%20Karimova&limit=5",
        f"/api/v1/series/{'0' * 8}-0000-7000-8000-{'0' * 12}/people?q=Karimova&cursor=abc",
    ]
    with running(server):
        for target in targets:
            httpx.get(f"{server.base_url}{target}")
        httpx.post(
            f"{server.base_url}/subscriptions/unsubscribe?token={SECRET}",
            data={"token": SECRET},
        )
        time.sleep(0.3)
    log = server.log()
    assert SECRET not in log
    assert "Karimova" not in log
    access = [r for r in _records(log) if r["logger"] == "track2.access"]
    logged = {r["target"] for r in access}
    assert "/reports/download?token=[redacted]" in logged
    assert "/subscriptions/confirm?token=[redacted]" in logged
    assert "/signin?token=[redacted]&next=[redacted]" in logged
    assert "/auth/callback/[redacted]" in logged
    assert "/api/v1/search/key-points?q=[redacted]&limit=5" in logged
    assert any(t.endswith("/people?q=[redacted]&cursor=abc") for t in logged)
    assert all(r["request_id"] and r["ts"] for r in access)


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # Refused before it was all sent: the answer is already waiting.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


def _problem(raw: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(body)


def test_over_long_targets_headers_and_bad_requests_are_problem_documents(
    tmp_path: Path, sqlite_env: dict[str, str]
) -> None:
    server = start_server(sqlite_env, tmp_path, "limits")
    port = server.port
    assert port is not None
    with running(server):
        long_target = _raw(
            port, b"GET /healthz?q=" + b"x" * 20_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        big_header = _raw(
            port, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"x" * 200_000 + b"\r\n\r\n"
        )
        garbage = _raw(port, b"NOT HTTP AT ALL\r\n\r\n")
        fine = httpx.get(f"{server.base_url}/healthz")
    for raw, status, slug in (
        (long_target, 414, "uri-too-long"),
        (big_header, 431, "headers-too-large"),
        (garbage, 400, "bad-request"),
    ):
        got, headers, body = _problem(raw)
        assert got == status
        assert headers["content-type"] == "application/problem+json"
        assert body["type"] == f"/problems/{slug}"
    assert fine.status_code == 200


def _client_seen(server_log: str, request_id: str) -> str:
    [line] = [
        r
        for r in _records(server_log)
        if r["logger"] == "track2.access" and r["request_id"] == request_id
    ]
    return str(line["client"])


@pytest.mark.parametrize(
    ("trusted", "seen"), [(None, "127.0.0.1"), ('["127.0.0.1"]', "203.0.113.7")]
)
def test_forwarded_for_is_believed_only_from_a_configured_proxy(
    tmp_path: Path, sqlite_env: dict[str, str], trusted: str | None, seen: str
) -> None:
    env = dict(sqlite_env)
    if trusted is not None:
        env["TRACK2_HTTP__TRUSTED_PROXIES"] = trusted
    server = start_server(env, tmp_path, "proxy")
    with running(server):
        httpx.get(
            f"{server.base_url}/healthz",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Request-ID": "forwarded-1"},
        )
        time.sleep(0.3)
    assert _client_seen(server.log(), "forwarded-1") == seen


def test_proxy_headers_without_trusted_proxies_is_refused(
    tmp_path: Path, sqlite_env: dict[str, str]
) -> None:
    done = run(["serve", "--port", str(free_port()), "--proxy-headers"], sqlite_env, tmp_path)
    assert done.returncode == 2
    assert "--proxy-headers needs TRACK2_HTTP__TRUSTED_PROXIES" in done.stderr
