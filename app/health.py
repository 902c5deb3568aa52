"""Liveness and readiness probes (public)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import problem_responses
from app.kit.migrations import current_revision, head_revision

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """The database answers and carries the schema this code expects."""

    status: Literal["ready", "not_ready"]
    database: Literal["ok", "unreachable"]
    migration: str | None
    expected_migration: str | None


@router.get("/healthz", response_model=Health, operation_id="healthz", summary="Liveness")
async def healthz() -> Health:
    """Answers 200 while the process runs; touches nothing else."""
    return Health()


@router.get(
    "/readyz",
    response_model=Readiness,
    operation_id="readyz",
    summary="Readiness",
    responses=problem_responses(500, extra={503: {"description": "Not ready", "model": Readiness}}),
)
async def readyz(request: Request) -> JSONResponse:
    """200 when the database is reachable and at the migration head, 503 otherwise."""
    engine: AsyncEngine = request.app.state.engine
    expected = head_revision()
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await connection.run_sync(current_revision)
    except Exception:
        body = Readiness(
            status="not_ready", database="unreachable", migration=None, expected_migration=expected
        )
        return JSONResponse(body.model_dump(), status_code=503)
    ready = revision == expected
    body = Readiness(
        status="ready" if ready else "not_ready",
        database="ok",
        migration=revision,
        expected_migration=expected,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
