"""Seed a benchmark database through the application's own services."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    series_slug: str = ""


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
            return Seeded(token=secret, series_id=series.id, series_slug=series.slug)
    finally:
        await engine.dispose()


def seed(database_url: str) -> Seeded:
    """Migrate the database to head and add an admin token and one series."""
    upgrade_to_head(database_url)
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    return asyncio.run(_seed(settings))


POINT = (
    "Both sides of the conflict seem to have reached a mutual understanding that a reduction "
    "of violence is an important step towards negotiations, although this has still not "
    "happened in a significant way ({n})."
)
GIVEN = (
    "Farida Jonas Wei Leyla Mehmet Amina Tariq Sofia Arash Nadia Omar Elena Ravi Zahra"
).split()
FAMILY = (
    "Rahimi Vestergaard Ng Sahin Yilmaz Karimi Haidari Novak Sadeghi Qureshi Bakr Petrov"
).split()


async def _add_session(
    database_url: str, series_id: uuid.UUID, points: int, roster: int, number: int = 1
) -> uuid.UUID:
    from app.key_points.models import KeyPoint, KeyPointStatus, KeyPointTheme
    from app.people.models import Attendance, AttendanceRole, AttendanceStatus, Person, Sector
    from app.series.models import Theme
    from app.sessions.models import DialogueSession, SessionFormat, SessionStatus

    rng = random.Random(7)
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            start = datetime(2020, 6, 29, 9, 30, tzinfo=UTC)
            session = DialogueSession(
                dialogue_series_id=series_id,
                number=number,
                title="Bench session",
                context="",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                timezone="Asia/Kabul",
                format=SessionFormat.ONLINE,
                default_regime="chatham_house",
                status=SessionStatus.HELD,
                calendar_sequence=0,
            )
            db.add(session)
            await db.flush()
            theme_rows = await db.execute(
                Theme.__table__.select().where(Theme.dialogue_series_id == series_id)
            )
            themes = list(theme_rows.all())[:2]
            for n in range(points):
                point = KeyPoint(
                    dialogue_session_id=session.id,
                    position=n + 1,
                    text=POINT.format(n=n),
                    status=KeyPointStatus.APPROVED,
                    warnings=[],
                    acknowledged_warnings=[],
                    revision=1,
                    approved_at=start,
                )
                db.add(point)
                await db.flush()
                for theme in themes:
                    db.add(KeyPointTheme(key_point_id=point.id, theme_id=theme.id))
            tag = "" if number == 1 else f"{number}x"
            for n in range(roster):
                person = Person(
                    dialogue_series_id=series_id,
                    given_name=rng.choice(GIVEN),
                    family_name=f"{rng.choice(FAMILY)}{tag}{n}",
                    aliases=[],
                    position="Senior Fellow",
                    affiliation=f"Institute {tag}{n} for Peace Studies",
                    affiliation_acronym=f"IPS{tag}{n}",
                    country=rng.choice(["AF", "QA", "NO", "TR"]),
                    sector=Sector.SCHOLAR,
                )
                db.add(person)
                await db.flush()
                db.add(
                    Attendance(
                        dialogue_session_id=session.id,
                        person_id=person.id,
                        role=AttendanceRole.PARTICIPANT,
                        status=AttendanceStatus.ATTENDED,
                    )
                )
            await db.commit()
            return session.id
    finally:
        await engine.dispose()


def add_session(
    database_url: str,
    series_id: uuid.UUID,
    *,
    points: int = 0,
    roster: int = 0,
    number: int = 1,
) -> uuid.UUID:
    """Add a held session to the series with ``points`` approved key points (each tagged
    with the series' first two themes) and a roster of ``roster`` attending people."""
    return asyncio.run(_add_session(database_url, series_id, points, roster, number))
