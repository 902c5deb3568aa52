"""The list's fast lane (``app.key_points.fast_lane``) answers cached pages with exactly the
route's status, headers and body, sees every change to a token or a membership on the next
request, and leaves everything else to the route. On a real committed database (the gate
outside the ORM cannot see a test's rolled-back transaction), SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import make_url

from app.db import create_sessionmaker
from app.key_points.listing import KeyPointListService
from app.key_points.schemas import KeyPointCreate
from app.key_points.service import KeyPointService
from app.kit.migrations import upgrade_to_head
from app.main import create_app
from app.series.models import MemberRole, SeriesMember
from app.sessions.models import DialogueSession
from app.sessions.service import SessionService
from app.users.models import ApiToken, User
from app.users.service import Principal
from tests.conftest import TEST_DATABASE_URL, create_postgres_database
from tests.key_points.test_list_gate import World, build_world

TEXTS = ["Peace needs trust.", "A ceasefire comes first.", "Aid must reach every province."]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'lane.db'}"
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("needs PostgreSQL (TRACK2_TEST_DATABASE_URL)")
        parsed = make_url(TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_lane").render_as_string(False)
        asyncio.run(create_postgres_database(url))
    upgrade_to_head(url)
    return url


@dataclass
class Lane:
    world: World
    app: FastAPI
    client: httpx.AsyncClient
    routed: list[int]  # one entry per request the route answered

    @property
    def path(self) -> str:
        return f"/api/v1/sessions/{self.world.session_id}/key-points"

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.world.member_token}"}

    async def get(self, query: str = "", **headers: str) -> httpx.Response:
        url = self.path + (f"?{query}" if query else "")
        merged = self.auth() | {k.replace("_", "-"): v for k, v in headers.items()}
        return await self.client.get(url, headers=merged)

    async def change(self, *statements: Any) -> None:
        """Commit a change to the database, as another request or process would."""
        async with create_sessionmaker(self.app.state.engine)() as db:
            for statement in statements:
                await db.execute(statement)
            await db.commit()

    async def record(self, text: str) -> None:
        async with create_sessionmaker(self.app.state.engine)() as db:
            token = await db.get(ApiToken, self.world.token_ids["member"])
            assert token is not None
            principal = Principal(token.app_user_id, "m@example.org", False, token.id)
            access = await SessionService(db).access(principal, self.world.session_id)
            await KeyPointService(db).record(access, KeyPointCreate(text=text))
            await db.commit()


@pytest.fixture
async def lane(database: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Lane]:
    world = await build_world(database)
    app = create_app(world.settings)
    routed: list[int] = []
    page = KeyPointListService.page

    async def counted(self: KeyPointListService, *args: Any, **kwargs: Any) -> Any:
        routed.append(1)
        return await page(self, *args, **kwargs)

    monkeypatch.setattr(KeyPointListService, "page", counted)
    async with app.router.lifespan_context(app):
        assert app.state.list_gate is not None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            found = Lane(world, app, client, routed)
            for text in TEXTS:
                await found.record(text)
            yield found


async def through_both(
    lane: Lane, request: Callable[[], Awaitable[httpx.Response]]
) -> tuple[httpx.Response, httpx.Response]:
    """The same request answered by the route (fast lane off), then by the fast lane."""
    before = len(lane.routed)
    lane.app.state.list_fast_lane = False
    try:
        slow = await request()
    finally:
        lane.app.state.list_fast_lane = True
    assert len(lane.routed) == before + 1, "the route did not answer"
    before = len(lane.routed)
    fast = await request()
    assert len(lane.routed) == before, "the route answered, not the fast lane"
    return slow, fast


def same_answer(slow: httpx.Response, fast: httpx.Response) -> None:
    assert fast.status_code == slow.status_code
    assert fast.headers.raw == slow.headers.raw
    assert fast.content == slow.content


async def test_fast_lane_answers_byte_for_byte_what_the_route_answers(lane: Lane) -> None:
    await lane.get()  # stamps the token's last use (that request is the route's)
    first = await lane.get("limit=2", x_request_id="req-1")
    cursor = first.json()["next_cursor"]
    assert cursor
    queries = [
        "",
        "limit=50",
        "limit=2",
        f"limit=2&cursor={cursor}",
        "status=draft",
        "status=approved&limit=100",
        f"part_id={uuid.UUID(int=7)}",
    ]
    for query in queries:
        slow, fast = await through_both(lane, lambda q=query: lane.get(q, x_request_id="req-42"))
        assert slow.status_code == 200
        assert slow.headers["x-request-id"] == "req-42"
        same_answer(slow, fast)
        etag = slow.headers["etag"]
        for if_none_match in (etag, f'"other", {etag}', '"other"'):
            slow, fast = await through_both(
                lane,
                lambda q=query, m=if_none_match: lane.get(q, if_none_match=m, x_request_id="r"),
            )
            assert slow.status_code == (200 if if_none_match == '"other"' else 304)
            same_answer(slow, fast)


async def test_fast_lane_makes_request_ids_like_the_route(lane: Lane) -> None:
    await lane.get()
    await lane.get()
    for incoming in ({}, {"x_request_id": "not sane!"}):
        slow, fast = await through_both(lane, lambda h=incoming: lane.get(**h))
        assert fast.status_code == slow.status_code == 200
        for answer in (slow, fast):
            assert len(answer.headers["x-request-id"]) == 16
            int(answer.headers["x-request-id"], 16)
        assert [(k, v) for k, v in fast.headers.raw if k.lower() != b"x-request-id"] == [
            (k, v) for k, v in slow.headers.raw if k.lower() != b"x-request-id"
        ]
        assert fast.content == slow.content


async def test_fast_lane_sees_membership_removal_and_revocation_at_once(lane: Lane) -> None:
    await lane.get()
    fast = await lane.get()
    routed = len(lane.routed)
    async with create_sessionmaker(lane.app.state.engine)() as db:
        member_id = (
            await db.execute(
                select(ApiToken.app_user_id).where(ApiToken.id == lane.world.token_ids["member"])
            )
        ).scalar_one()

    await lane.change(delete(SeriesMember).where(SeriesMember.app_user_id == member_id))
    removed = await lane.get()
    assert removed.status_code == 404
    assert removed.headers["content-type"] == "application/problem+json"
    assert len(lane.routed) == routed + 1  # the route rendered the problem
    await lane.change(
        insert(SeriesMember).values(
            dialogue_series_id=_series_of(lane), app_user_id=member_id, role=MemberRole.RAPPORTEUR
        )
    )
    back = await lane.get()
    assert (back.status_code, back.content) == (200, fast.content)

    await lane.change(update(User).where(User.id == member_id).values(is_active=False))
    deactivated = await lane.get()
    assert deactivated.status_code == 401
    await lane.change(update(User).where(User.id == member_id).values(is_active=True))
    assert (await lane.get()).status_code == 200

    past = datetime.now(UTC) - timedelta(minutes=1)
    token_id = lane.world.token_ids["member"]
    await lane.change(update(ApiToken).where(ApiToken.id == token_id).values(expires_at=past))
    expired = await lane.get()
    assert expired.status_code == 401
    await lane.change(update(ApiToken).where(ApiToken.id == token_id).values(expires_at=None))
    assert (await lane.get()).status_code == 200

    await lane.change(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=past))
    revoked = await lane.get()
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"].startswith("Bearer")
    assert revoked.json()["detail"] == "The token has been revoked"


def _series_of(lane: Lane) -> Any:
    return (
        select(DialogueSession.dialogue_series_id)
        .where(DialogueSession.id == lane.world.session_id)
        .scalar_subquery()
    )


async def test_a_write_reaches_the_next_read_through_either_lane(lane: Lane) -> None:
    await lane.get()
    before = await lane.get()
    await lane.record("Trust is built in small steps.")
    after = await lane.get(if_none_match=before.headers["etag"])
    assert after.status_code == 200
    assert [p["text"] for p in after.json()["items"]] == [*TEXTS, "Trust is built in small steps."]
    assert after.headers["etag"] != before.headers["etag"]


async def test_the_route_answers_what_the_fast_lane_declines(lane: Lane) -> None:
    await lane.get()
    await lane.get()  # cached, and the token's last use is stamped
    declined: list[tuple[str, dict[str, str], int]] = [
        ("limit=0", {}, 422),
        ("limit=101", {}, 422),
        ("limit=abc", {}, 422),
        ("limit=050", {}, 200),  # accepted by the route, left to it
        ("status=nope", {}, 422),
        ("part_id=nope", {}, 422),
        ("cursor=bogus", {}, 422),
        ("limit=2&limit=3", {}, 200),
        ("unknown=1", {}, 200),
        ("", {"Authorization": "Basic abc"}, 401),
        ("", {"Authorization": "Bearer t2_unknown"}, 401),
        ("", {"Authorization": f"Bearer {lane.world.outsider_token}"}, 404),
    ]
    for query, headers, status in declined:
        routed = len(lane.routed)
        url = lane.path + (f"?{query}" if query else "")
        answer = await lane.client.get(url, headers=lane.auth() | headers)
        assert answer.status_code == status, (query, headers, answer.text)
        # The fast lane only ever answers 200 or 304; here the route's handler did.
        if status in (200, 404):
            assert len(lane.routed) == routed + 1, (query, headers)
    anonymous = await lane.client.get(lane.path)
    assert anonymous.status_code == 401


async def test_a_stale_last_use_is_stamped_by_the_route(lane: Lane) -> None:
    await lane.get()
    token_id = lane.world.token_ids["member"]
    stale = datetime.now(UTC) - timedelta(hours=1)
    await lane.change(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=stale))
    routed = len(lane.routed)
    assert (await lane.get()).status_code == 200
    assert len(lane.routed) == routed + 1
    async with create_sessionmaker(lane.app.state.engine)() as db:
        token = await db.get(ApiToken, token_id)
        assert token is not None
        assert token.last_used_at is not None
        assert token.last_used_at > stale + timedelta(minutes=30)
    routed = len(lane.routed)
    assert (await lane.get()).status_code == 200
    assert len(lane.routed) == routed  # stamped: the fast lane answers again
