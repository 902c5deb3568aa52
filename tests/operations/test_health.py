"""Liveness and readiness."""

from __future__ import annotations

import httpx

from app.kit.migrations import head_revision


async def test_healthz_is_public_and_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_database_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["migration"] == body["expected_migration"] == head_revision()
