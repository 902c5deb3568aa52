"""The list's gate outside the ORM (sync sqlite3 on the embedded default, asyncpg on
PostgreSQL) answers exactly what the ORM gate answers, on a real committed database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.key_points.listing import GateRow, KeyPointListService, ListGate, open_list_gate
from app.key_points.schemas import KeyPointCreate
from app.key_points.service import KeyPointService
from app.kit.migrations import upgrade_to_head
from app.main import create_app
from app.series.models import MemberRole, SeriesMember
from app.sessions.models import DialogueSession, SessionFormat, SessionStatus
from app.users.models import ApiToken
from app.users.schemas import TokenCreate, UserCreate
from app.users.service import UserService, hash_token
from tests.conftest import TEST_DATABASE_URL, create_postgres_database, make_settings


@dataclass
class World:
    settings: Settings
    member_token: str
    outsider_token: str
    revoked_token: str
    session_id: uuid.UUID
    token_ids: dict[str, uuid.UUID]


async def build_world(url: str) -> World:
    # No in-process outbox worker: this test is about the list's gate, not mail.
    settings = make_settings(url, outbox={"run_in_serve": False})
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            users = UserService(db)
            member = await users.create_user(UserCreate(email="m@example.org", display_name="M"))
            outsider = await users.create_user(UserCreate(email="o@example.org", display_name="O"))
            t_member, member_token = await users.issue_token(member.id, TokenCreate(name="a"))
            t_out, outsider_token = await users.issue_token(outsider.id, TokenCreate(name="b"))
            t_rev, revoked_token = await users.issue_token(member.id, TokenCreate(name="c"))
            t_rev.revoked_at = datetime(2026, 1, 1, tzinfo=UTC)
            from app.series.models import DialogueSeries

            series = DialogueSeries(
                slug="gate",
                title="Gate",
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
                member_token,
                outsider_token,
                revoked_token,
                session.id,
                {"member": t_member.id, "outsider": t_out.id, "revoked": t_rev.id},
            )
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}"
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("needs PostgreSQL (TRACK2_TEST_DATABASE_URL)")
        parsed = make_url(TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_gate").render_as_string(False)
        asyncio.run(create_postgres_database(url))
    upgrade_to_head(url)
    return url


@pytest.fixture
async def world(database: str) -> World:
    return await build_world(database)


@pytest.fixture
async def gate(world: World) -> AsyncIterator[ListGate]:
    opened = await open_list_gate(world.settings)
    assert opened is not None
    yield opened
    await opened.close()


async def orm_gate(world: World, token: str, session_id: uuid.UUID) -> GateRow | None:
    engine = create_engine(world.settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            return await KeyPointListService(db)._gate_orm(hash_token(token), session_id)
    finally:
        await engine.dispose()


async def test_fast_gate_agrees_with_the_orm_gate(world: World, gate: ListGate) -> None:
    unknown = uuid.UUID("01a21832-0000-7000-8000-000000000000")
    cases = [
        (world.member_token, world.session_id),
        (world.outsider_token, world.session_id),
        (world.revoked_token, world.session_id),
        (world.member_token, unknown),
        ("t2_not-a-token", world.session_id),
    ]
    for token, session_id in cases:
        fast = await gate.fetch(hash_token(token), session_id)
        slow = await orm_gate(world, token, session_id)
        assert fast == slow, (token[:6], session_id)
    member = await gate.fetch(hash_token(world.member_token), world.session_id)
    assert member is not None
    assert (member.role, member.session_found, member.token_id) == (
        "rapporteur",
        True,
        world.token_ids["member"],
    )
    revoked = await gate.fetch(hash_token(world.revoked_token), world.session_id)
    assert revoked is not None
    assert revoked.revoked_at == datetime(2026, 1, 1, tzinfo=UTC)


async def test_list_route_through_the_fast_gate(world: World) -> None:
    app = create_app(world.settings)
    async with app.router.lifespan_context(app):
        assert app.state.list_gate is not None
        async with create_sessionmaker(app.state.engine)() as db:
            from app.sessions.service import SessionService
            from app.users.service import Principal

            token = await db.get(ApiToken, world.token_ids["member"])
            assert token is not None
            principal = Principal(token.app_user_id, "m@example.org", False, token.id)
            access = await SessionService(db).access(principal, world.session_id)
            await KeyPointService(db).record(access, KeyPointCreate(text="Peace needs trust."))
            await db.commit()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            path = f"/api/v1/sessions/{world.session_id}/key-points"
            ok = await client.get(path, headers={"Authorization": f"Bearer {world.member_token}"})
            assert ok.status_code == 200
            assert [p["text"] for p in ok.json()["items"]] == ["Peace needs trust."]
            outsider = await client.get(
                path, headers={"Authorization": f"Bearer {world.outsider_token}"}
            )
            assert outsider.status_code == 404
            revoked = await client.get(
                path, headers={"Authorization": f"Bearer {world.revoked_token}"}
            )
            assert revoked.status_code == 401
            unknown = await client.get(path, headers={"Authorization": "Bearer t2_nope"})
            assert unknown.status_code == 401
