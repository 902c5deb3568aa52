"""Authentication trusts what an application knows about a token only while the database's
authentication version is unchanged: a revoked token, a deactivated or demoted user and a
removed member are answered correctly on the very next request, by the application that made
the change and by a second one sharing the database (each has its own caches), on both
databases."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.migrations import upgrade_to_head
from app.main import create_app
from app.series.models import DialogueSeries, MemberRole, SeriesMember
from app.sessions.models import DialogueSession, SessionFormat, SessionStatus
from app.users.models import ApiToken, AuthVersion
from app.users.schemas import TokenCreate, UserCreate
from app.users.service import UserService
from tests.conftest import TEST_DATABASE_URL, create_postgres_database, make_settings
from tests.factories import Factory


@dataclass
class World:
    settings: Settings
    admin: str
    member: str
    member_id: uuid.UUID
    member_token_id: uuid.UUID
    second: str
    series_id: uuid.UUID
    session_id: uuid.UUID


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tokens.db'}"
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("needs PostgreSQL (TRACK2_TEST_DATABASE_URL)")
        parsed = make_url(TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_tokens").render_as_string(False)
        asyncio.run(create_postgres_database(url))
    upgrade_to_head(url)
    return url


@pytest.fixture
async def world(database: str) -> World:
    settings = make_settings(database, outbox={"run_in_serve": False})
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            users = UserService(db)
            admin = await users.create_user(
                UserCreate(email="a@example.org", display_name="A", is_admin=True)
            )
            member = await users.create_user(UserCreate(email="m@example.org", display_name="M"))
            _, admin_token = await users.issue_token(admin.id, TokenCreate(name="a"))
            token, member_token = await users.issue_token(member.id, TokenCreate(name="m"))
            _, second_token = await users.issue_token(member.id, TokenCreate(name="m2"))
            series = DialogueSeries(
                slug="tokens",
                title="Tokens",
                organiser="HAS",
                partners=[],
                timezone="UTC",
                default_regime="chatham_house",
            )
            db.add(series)
            await db.flush()
            db.add(
                SeriesMember(
                    dialogue_series_id=series.id, app_user_id=member.id, role=MemberRole.RAPPORTEUR
                )
            )
            start = datetime(2020, 6, 29, 9, tzinfo=UTC)
            session = DialogueSession(
                dialogue_series_id=series.id,
                number=1,
                title="S",
                context="",
                starts_at=start,
                ends_at=start.replace(hour=11),
                timezone="UTC",
                format=SessionFormat.ONLINE,
                default_regime="chatham_house",
                status=SessionStatus.HELD,
                calendar_sequence=0,
            )
            db.add(session)
            await db.commit()
            return World(
                settings,
                admin_token,
                member_token,
                member.id,
                token.id,
                second_token,
                series.id,
                session.id,
            )
    finally:
        await engine.dispose()


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One application with its own engine and caches (as a second process would have)."""
    app: FastAPI = create_app(settings)
    engine = create_engine(settings)
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_changes_are_seen_on_the_next_request_by_every_application(world: World) -> None:
    points = f"/api/v1/sessions/{world.session_id}/key-points"
    async with serving(world.settings) as one, serving(world.settings) as two:
        # Both applications know both of the member's tokens and have the page cached.
        for client in (one, two):
            for token in (world.member, world.second):
                for _ in range(2):
                    assert (await client.get(points, headers=bearer(token))).status_code == 200
            assert (await client.get("/api/v1/users/me", headers=bearer(world.member))).is_success

        # Removed from the series: 404 at once, in both.
        removed = await one.delete(
            f"/api/v1/series/{world.series_id}/members/{world.member_id}",
            headers=bearer(world.admin),
        )
        assert removed.status_code == 204, removed.text
        for client in (two, one):
            assert (await client.get(points, headers=bearer(world.member))).status_code == 404
        added = await two.post(
            f"/api/v1/series/{world.series_id}/members",
            json={"user_id": str(world.member_id), "role": "rapporteur"},
            headers=bearer(world.admin),
        )
        assert added.status_code == 201, added.text
        for client in (one, two):
            assert (await client.get(points, headers=bearer(world.member))).status_code == 200

        # One token revoked: refused at once, in both; the other token still works.
        revoked = await one.delete(
            f"/api/v1/users/{world.member_id}/tokens/{world.member_token_id}",
            headers=bearer(world.admin),
        )
        assert revoked.is_success, revoked.text
        for client in (two, one):
            answer = await client.get("/api/v1/users/me", headers=bearer(world.member))
            assert answer.status_code == 401
            assert "revoked" in answer.json()["detail"]
            assert (await client.get(points, headers=bearer(world.second))).status_code == 200

        # Made an administrator and back: the second application follows both changes.
        me = f"/api/v1/users/{world.member_id}"
        promoted = await one.patch(me, json={"is_admin": True}, headers=bearer(world.admin))
        assert promoted.status_code == 200, promoted.text
        assert (await two.get("/api/v1/users", headers=bearer(world.second))).status_code == 200
        demoted = await one.patch(me, json={"is_admin": False}, headers=bearer(world.admin))
        assert demoted.status_code == 200, demoted.text
        assert (await two.get("/api/v1/users", headers=bearer(world.second))).status_code == 403

        # The user deactivated: every token refused at once, in both.
        off = await two.patch(me, json={"is_active": False}, headers=bearer(world.admin))
        assert off.status_code == 200, off.text
        for client in (one, two):
            answer = await client.get(points, headers=bearer(world.second))
            assert answer.status_code == 401
            assert "deactivated" in answer.json()["detail"]


async def test_without_the_version_row_nothing_cached_is_trusted(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory
) -> None:
    caller = await factory.caller()
    await db.execute(delete(AuthVersion))
    await db.commit()
    for _ in range(2):
        assert (await client.get("/api/v1/users/me", headers=caller.headers)).status_code == 200
    await db.execute(
        update(ApiToken)
        .where(ApiToken.app_user_id == caller.id)
        .values(revoked_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    await db.commit()
    assert (await client.get("/api/v1/users/me", headers=caller.headers)).status_code == 401
