"""Readiness answers 503 as a problem document when the database is behind or unreachable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app import health
from app.kit.migrations import head_revision


async def test_a_schema_behind_the_code_is_not_ready(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "head_revision", lambda: "9999")

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert problem["type"] == "/problems/not-ready"
    assert problem["status"] == 503
    assert (problem["database"], problem["migration"], problem["expected_migration"]) == (
        "ok",
        head_revision(),
        "9999",
    )
    assert "track2 migrate" in problem["detail"]


class _Unreachable:
    def connect(self) -> Any:
        raise ConnectionRefusedError("connection refused")


async def test_an_unreachable_database_is_not_ready(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    engine = app.state.engine
    app.state.engine = _Unreachable()
    try:
        response = await client.get("/readyz")
    finally:
        app.state.engine = engine

    assert response.status_code == 503
    problem = response.json()
    assert problem["type"] == "/problems/not-ready"
    assert problem["database"] == "unreachable"
    assert problem["migration"] is None
    assert "refused" not in problem["detail"]  # the cause goes to the log, not to the caller
