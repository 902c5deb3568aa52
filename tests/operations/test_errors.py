"""Every non-2xx answer is RFC 9457 problem+json; 500s carry a request id and nothing else."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

PROBLEM = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["instance"] == "/api/v1/no-such-thing"


async def test_wrong_method_is_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.put("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/method-not-allowed"


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert made.headers["x-request-id"] != "bad id\nwith newline"
    assert len(made.headers["x-request-id"]) == 16


async def test_unexpected_error_is_generic_500_with_request_id(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail: password=hunter2")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.ERROR, logger="track2.errors"):
            response = await client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "/problems/internal-error"
    assert body["request_id"] == "req-500"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    # The detail went to the log, tied to the same request id.
    assert any("hunter2" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


async def test_openapi_documents_problem_schema(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert "Problem" in spec["components"]["schemas"]
    create = spec["paths"]["/api/v1/series"]["post"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert create["operationId"] == "create_series"
