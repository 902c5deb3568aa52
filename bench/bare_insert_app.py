"""P2's yardstick: a bare FastAPI endpoint inserting the same key_point row with SQLAlchemy
Core and committing, with no auth, no checker, no audit. Same database, same driver."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import func, insert, select
from sqlalchemy.orm import configure_mappers

from app.config import Settings
from app.db import create_engine, sqlite_write_intent
from app.key_points.models import KeyPoint
from app.kit.clock import utcnow
from app.kit.ids import uuid7
from app.models import load_all_models

# Resolve the types of foreign-key columns (taken from the columns they refer to), as the
# application does on first ORM use.
load_all_models()
configure_mappers()
settings = Settings(_env_file=None, database_url=os.environ["TRACK2_DATABASE_URL"])  # type: ignore[call-arg]
engine = create_engine(settings)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


class Body(BaseModel):
    text: str


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/bare/{session_id}", status_code=201)
async def bare_insert(session_id: uuid.UUID, body: Body) -> dict[str, str]:
    sqlite_write_intent.set(True)
    point_id = uuid7()
    now = utcnow()
    async with engine.begin() as conn:
        position = (
            await conn.execute(
                select(func.coalesce(func.max(KeyPoint.position), 0)).where(
                    KeyPoint.dialogue_session_id == session_id
                )
            )
        ).scalar_one()
        await conn.execute(
            insert(KeyPoint.__table__).values(
                id=point_id,
                dialogue_session_id=session_id,
                position=position + 1,
                text=body.text,
                status="draft",
                warnings=[],
                acknowledged_warnings=[],
                revision=1,
                created_at=now,
                updated_at=now,
            )
        )
    return {"id": str(point_id)}
