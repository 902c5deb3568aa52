"""Seed a benchmark database through the application's own services."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.migrations import upgrade_to_head
from app.series.schemas import SeriesCreate
from app.series.service import SeriesService
from app.users.schemas import TokenCreate
from app.users.service import Principal, UserService


@dataclass(frozen=True)
class Seeded:
    token: str
    series_id: uuid.UUID


async def _seed(settings: Settings) -> Seeded:
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            users = UserService(session)
            admin = await users.ensure_admin("bench@example.org", "Bench")
            await session.flush()
            token, secret = await users.issue_token(admin.id, TokenCreate(name="bench"))
            principal = Principal(admin.id, admin.email, True, token.id)
            series = await SeriesService(session).create_series(
                principal,
                SeriesCreate(
                    title="Regional and International Support for Afghan Peace",
                    slug=f"bench-{uuid.uuid4().hex[:8]}",
                    description="Online forums of scholars and former diplomats.",
                    organiser="Heart of Asia Society",
                    partners=["Center for Conflict and Humanitarian Studies"],
                    timezone="Asia/Kabul",
                ),
                "UTC",
            )
            await session.commit()
            return Seeded(token=secret, series_id=series.id)
    finally:
        await engine.dispose()


def seed(database_url: str) -> Seeded:
    """Migrate the database to head and add an admin token and one series."""
    upgrade_to_head(database_url)
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    return asyncio.run(_seed(settings))
