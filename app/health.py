"""Liveness and readiness probes (public)."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import problem_response, problem_responses
from app.kit.migrations import current_revision, head_revision

logger = logging.getLogger("track2.health")

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """The database answers and carries the schema this code expects."""

    status: Literal["ready"]
    database: Literal["ok"]
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
    responses=problem_responses(500, 503),
)
async def readyz(request: Request) -> JSONResponse:
    """200 when the database is reachable and at the migration head. Otherwise 503
    `not-ready`, a problem document whose extension members `database`, `migration` and
    `expected_migration` say what is wrong."""
    engine: AsyncEngine = request.app.state.engine
    expected = head_revision()
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await connection.run_sync(current_revision)
    except Exception:
        logger.warning("readiness: the database is unreachable", exc_info=True)
        return _not_ready(request, "The database cannot be reached.", "unreachable", None, expected)
    if revision != expected:
        return _not_ready(
            request,
            f"The database schema is at {revision or 'no revision'}, the code expects "
            f"{expected}: run `track2 migrate`.",
            "ok",
            revision,
            expected,
        )
    body = Readiness(status="ready", database="ok", migration=revision, expected_migration=expected)
    return JSONResponse(body.model_dump())


def _not_ready(
    request: Request,
    detail: str,
    database: str,
    revision: str | None,
    expected: str | None,
) -> JSONResponse:
    return problem_response(
        request,
        status=503,
        slug="not-ready",
        title="Not ready",
        detail=detail,
        headers={"Retry-After": "5"},
        database=database,
        migration=revision,
        expected_migration=expected,
    )
