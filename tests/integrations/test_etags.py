"""Strong ETags on single resources: If-None-Match on reads (304), If-Match on writes (412)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.db import sqlite_write_intent
from app.kit.etag import etag_of, matches
from app.series.repository import SeriesRepository
from app.sessions.repository import SessionRepository
from tests.factories import Caller, Factory

API = "/api/v1"


@dataclass
class World:
    """One of everything, made through the API by an administrator who organises it."""

    admin: Caller
    series_id: str
    session_id: str
    part_id: str
    person_id: str
    key_point_id: str
    theme_id: str


async def build_world(client: httpx.AsyncClient, factory: Factory) -> World:
    admin = await factory.caller(is_admin=True)
    h = admin.headers

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(API + path, json=body, headers=h)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    series = await post(
        "/series",
        {"title": "Afghan peace", "slug": f"etag-{uuid.uuid4().hex[:8]}", "organiser": "HAS"},
    )
    session = await post(
        f"/series/{series['id']}/sessions",
        {
            "title": "The road to Doha",
            "starts_at": "2020-06-29T14:00:00+04:30",
            "ends_at": "2020-06-29T16:30:00+04:30",
            "format": "online",
        },
    )
    part = await post(
        f"/sessions/{session['id']}/parts",
        {"title": "Panel", "kind": "presentation", "regime": "on_record"},
    )
    await post(f"/sessions/{session['id']}/parts", {"title": "Discussion", "kind": "discussion"})
    person = await post(
        f"/series/{series['id']}/people",
        {"given_name": "Farida", "family_name": "Rahimi", "country": "AF", "sector": "scholar"},
    )
    await post(
        f"/sessions/{session['id']}/attendance",
        {"person_id": person["id"], "role": "speaker", "on_record_part_ids": [part["id"]]},
    )
    theme = await post(f"/series/{series['id']}/themes", {"slug": "etag-theme", "label": "A theme"})
    point = await post(
        f"/sessions/{session['id']}/key-points",
        {"text": "A ceasefire must come before talks.", "themes": ["etag-theme"]},
    )
    return World(
        admin=admin,
        series_id=series["id"],
        session_id=session["id"],
        part_id=part["id"],
        person_id=person["id"],
        key_point_id=point["id"],
        theme_id=theme["id"],
    )


@pytest.fixture
async def world(client: httpx.AsyncClient, factory: Factory) -> World:
    return await build_world(client, factory)


@dataclass(frozen=True)
class Resource:
    name: str
    path: str  # with {series_id} etc. placeholders
    change: dict[str, Any]


RESOURCES = [
    Resource("user", "/users/{admin_id}", {"display_name": "Renamed"}),
    Resource("series", "/series/{series_id}", {"title": "Renamed series"}),
    Resource("session", "/sessions/{session_id}", {"title": "Renamed session"}),
    Resource("agenda part", "/parts/{part_id}", {"title": "Renamed part"}),
    Resource("person", "/people/{person_id}", {"position": "Director"}),
    Resource(
        "attendance", "/sessions/{session_id}/attendance/{person_id}", {"status": "confirmed"}
    ),
    Resource("key point", "/key-points/{key_point_id}", {"text": "Talks need a ceasefire."}),
    Resource("theme", "/themes/{theme_id}", {"label": "Renamed theme"}),
]
IDS = [r.name for r in RESOURCES]


@pytest.fixture
def urls(world: World) -> dict[str, str]:
    values = {k: v for k, v in world.__dict__.items() if isinstance(v, str)}
    values["admin_id"] = str(world.admin.id)
    return values


def _url(resource: Resource, urls: dict[str, str]) -> str:
    return API + resource.path.format(**urls)


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
async def test_get_carries_a_strong_etag_that_a_patch_changes(
    client: httpx.AsyncClient, world: World, urls: dict[str, str], resource: Resource
) -> None:
    h = world.admin.headers
    url = _url(resource, urls)
    first = await client.get(url, headers=h)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('"')
    assert not tag.startswith("W/")
    assert (await client.get(url, headers=h)).headers["etag"] == tag

    patched = await client.patch(url, json=resource.change, headers=h | {"If-Match": tag})
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] != tag
    after = await client.get(url, headers=h)
    assert after.headers["etag"] == patched.headers["etag"]


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
async def test_if_none_match_with_the_current_etag_answers_304_without_a_body(
    client: httpx.AsyncClient, world: World, urls: dict[str, str], resource: Resource
) -> None:
    h = world.admin.headers
    url = _url(resource, urls)
    tag = (await client.get(url, headers=h)).headers["etag"]
    for header in (tag, f'"other", {tag}', f"W/{tag}", "*"):
        cached = await client.get(url, headers=h | {"If-None-Match": header})
        assert cached.status_code == 304, header
        assert cached.content == b""
        assert cached.headers["etag"] == tag
    stale = await client.get(url, headers=h | {"If-None-Match": '"stale"'})
    assert stale.status_code == 200
    assert stale.json()


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
async def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, world: World, urls: dict[str, str], resource: Resource
) -> None:
    h = world.admin.headers
    url = _url(resource, urls)
    before = await client.get(url, headers=h)
    for stale in ('"0123456789abcdef"', f"W/{before.headers['etag']}", "garbage"):
        refused = await client.patch(url, json=resource.change, headers=h | {"If-Match": stale})
        assert refused.status_code == 412, stale
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "/problems/precondition-failed"
    after = await client.get(url, headers=h)
    assert after.json() == before.json()
    assert after.headers["etag"] == before.headers["etag"]


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
async def test_if_match_star_matches_any_existing_resource(
    client: httpx.AsyncClient, world: World, urls: dict[str, str], resource: Resource
) -> None:
    url = _url(resource, urls)
    patched = await client.patch(
        url, json=resource.change, headers=world.admin.headers | {"If-Match": "*"}
    )
    assert patched.status_code == 200, patched.text


async def test_a_write_after_someone_elses_write_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.admin.headers
    url = f"{API}/series/{world.series_id}"
    seen = (await client.get(url, headers=h)).headers["etag"]
    first = await client.patch(url, json={"title": "Mine"}, headers=h | {"If-Match": seen})
    assert first.status_code == 200
    second = await client.patch(url, json={"title": "Theirs"}, headers=h | {"If-Match": seen})
    assert second.status_code == 412
    assert (await client.get(url, headers=h)).json()["title"] == "Mine"


@pytest.mark.parametrize(
    "path",
    [
        "/series/{series_id}",
        "/parts/{part_id}",
        "/people/{person_id}",
        "/sessions/{session_id}/attendance/{person_id}",
        "/key-points/{key_point_id}",
        "/themes/{theme_id}",
    ],
)
async def test_delete_with_a_stale_if_match_is_412_and_with_the_current_one_deletes(
    client: httpx.AsyncClient, world: World, urls: dict[str, str], path: str
) -> None:
    h = world.admin.headers
    url = API + path.format(**urls)
    if path == "/series/{series_id}":
        # A series with sessions cannot be deleted; use an empty one.
        created = await client.post(
            f"{API}/series",
            json={"title": "Empty", "slug": "empty-one", "organiser": "HAS"},
            headers=h,
        )
        url = f"{API}/series/{created.json()['id']}"
    tag = (await client.get(url, headers=h)).headers["etag"]
    refused = await client.delete(url, headers=h | {"If-Match": '"stale"'})
    assert refused.status_code == 412
    assert (await client.get(url, headers=h)).status_code == 200
    deleted = await client.delete(url, headers=h | {"If-Match": tag})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404


async def test_session_time_zone_variant_has_its_own_etag_and_if_match_uses_the_plain_one(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.admin.headers
    url = f"{API}/sessions/{world.session_id}"
    plain = (await client.get(url, headers=h)).headers["etag"]
    zoned = await client.get(url, params={"tz": "America/New_York"}, headers=h)
    variant = zoned.headers["etag"]
    assert variant != plain
    cached = await client.get(
        url, params={"tz": "America/New_York"}, headers=h | {"If-None-Match": variant}
    )
    assert cached.status_code == 304
    assert (await client.get(url, headers=h | {"If-None-Match": variant})).status_code == 200

    refused = await client.patch(url, json={"title": "x"}, headers=h | {"If-Match": variant})
    assert refused.status_code == 412
    accepted = await client.patch(url, json={"title": "x"}, headers=h | {"If-Match": plain})
    assert accepted.status_code == 200


async def test_write_answers_carry_the_etag_of_the_plain_representation(
    client: httpx.AsyncClient, world: World
) -> None:
    """Warnings and findings are part of a write's answer, not of the resource."""
    h = world.admin.headers
    moved = await client.patch(
        f"{API}/sessions/{world.session_id}",
        json={"starts_at": "2020-06-29T15:00:00+04:30", "ends_at": "2020-06-29T17:00:00+04:30"},
        headers=h,
    )
    assert "warnings" in moved.json()
    got = await client.get(f"{API}/sessions/{world.session_id}", headers=h)
    assert moved.headers["etag"] == got.headers["etag"]

    created = await client.post(
        f"{API}/sessions/{world.session_id}/key-points", json={"text": "Trade routes."}, headers=h
    )
    assert "findings" in created.json()
    fetched = await client.get(f"{API}/key-points/{created.json()['id']}", headers=h)
    assert created.headers["etag"] == fetched.headers["etag"]


async def test_status_change_and_review_honour_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.admin.headers
    session_url = f"{API}/sessions/{world.session_id}"
    stale = {"If-Match": '"stale"'}
    moved = await client.post(
        f"{session_url}/status", json={"status": "scheduled"}, headers=h | stale
    )
    assert moved.status_code == 412
    tag = (await client.get(session_url, headers=h)).headers["etag"]
    moved = await client.post(
        f"{session_url}/status", json={"status": "scheduled"}, headers=h | {"If-Match": tag}
    )
    assert moved.status_code == 200
    assert moved.headers["etag"] == (await client.get(session_url, headers=h)).headers["etag"]

    point_url = f"{API}/key-points/{world.key_point_id}"
    review = await client.post(f"{point_url}/review", json={"action": "submit"}, headers=h | stale)
    assert review.status_code == 412
    assert (await client.get(point_url, headers=h)).json()["status"] == "draft"


async def test_user_me_and_user_by_id_share_an_etag(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.admin.headers
    me = await client.get(f"{API}/users/me", headers=h)
    by_id = await client.get(f"{API}/users/{world.admin.id}", headers=h)
    assert me.headers["etag"] == by_id.headers["etag"]


async def test_another_users_record_is_not_found_for_a_non_admin(
    client: httpx.AsyncClient, world: World, factory: Factory
) -> None:
    other = await factory.caller()
    answer = await client.get(f"{API}/users/{world.admin.id}", headers=other.headers)
    assert answer.status_code == 404
    own = await client.get(f"{API}/users/{other.id}", headers=other.headers)
    assert own.status_code == 200


async def test_creates_carry_the_etag_of_the_new_resource(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.admin.headers
    created = await client.post(
        f"{API}/series/{world.series_id}/themes", json={"slug": "new", "label": "New"}, headers=h
    )
    fetched = await client.get(f"{API}/themes/{created.json()['id']}", headers=h)
    assert created.headers["etag"] == fetched.headers["etag"]


async def test_attendance_get_of_a_person_not_on_the_roster_is_404(
    client: httpx.AsyncClient, world: World
) -> None:
    answer = await client.get(
        f"{API}/sessions/{world.session_id}/attendance/{uuid.uuid4()}", headers=world.admin.headers
    )
    assert answer.status_code == 404
    assert answer.json()["type"] == "/problems/not-found"


class _Thing(BaseModel):
    name: str
    count: int


def test_etag_is_a_hash_of_the_canonical_representation() -> None:
    tag = etag_of(_Thing(name="a", count=1))
    assert tag == etag_of(_Thing(count=1, name="a"))
    assert tag != etag_of(_Thing(name="a", count=2))
    assert tag != etag_of(_Thing(name="a", count=1), tz="UTC")
    assert tag == etag_of(_Thing(name="a", count=1), tz=None)


@pytest.mark.parametrize(
    ("header", "strong", "weak"),
    [
        ('"abc"', True, True),
        ('W/"abc"', False, True),
        ('"x", "abc"', True, True),
        ('"x" , W/"abc" ,', False, True),
        ("*", True, True),
        ('"abcd"', False, False),
        ("abc", False, False),
        ("", False, False),
        ('"abc" junk', False, False),
    ],
)
def test_entity_tag_lists_are_compared_as_rfc_9110_says(
    header: str, strong: bool, weak: bool
) -> None:
    assert matches(header, '"abc"', weak=False) is strong
    assert matches(header, '"abc"', weak=True) is weak


async def test_write_requests_lock_the_rows_they_check_on_postgresql(
    db: AsyncSession, engine: AsyncEngine, factory: Factory
) -> None:
    """A write request's access query takes the row lock (parent first), so the If-Match
    comparison and the write are atomic; SQLite's BEGIN IMMEDIATE already serialises."""
    series = await factory.series()
    session = await factory.dialogue_session(series)
    part = await factory.part(session)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    token = sqlite_write_intent.set(True)
    try:
        await SeriesRepository(db).get_with_role(series.id, uuid.uuid4(), is_admin=True)
        await SessionRepository(db).get_part_with_session(part.id)
    finally:
        sqlite_write_intent.reset(token)
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    locks = [s for s in statements if "FOR UPDATE" in s]
    if engine.dialect.name != "postgresql":
        assert locks == []
        return
    assert "FOR UPDATE OF dialogue_series" in locks[0]
    # The part's session is locked before the part itself.
    assert "dialogue_session" in locks[1]
    assert "agenda_part" in locks[2]

    statements.clear()
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await SessionRepository(db).get_part_with_session(part.id)  # a read: no lock
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert not any("FOR UPDATE" in s for s in statements)


async def test_a_second_writer_waits_for_the_first_writers_lock_on_postgresql(
    engine: AsyncEngine,
) -> None:
    """Two write requests that read the same series: the second cannot read it for writing
    until the first commits, so it compares If-Match with what the first wrote."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE instead")
    from sqlalchemy import delete, select
    from sqlalchemy.exc import DBAPIError

    from app.db import create_sessionmaker
    from app.series.models import DialogueSeries

    maker = create_sessionmaker(engine)
    async with maker() as setup:
        series = DialogueSeries(
            slug=f"lock-{uuid.uuid4().hex[:8]}", title="Lock", organiser="HAS", timezone="UTC"
        )
        setup.add(series)
        await setup.commit()
    token = sqlite_write_intent.set(True)
    try:
        async with maker() as first, maker() as second:
            found = await SeriesRepository(first).get_with_role(
                series.id, uuid.uuid4(), is_admin=True
            )
            assert found is not None
            with pytest.raises(DBAPIError, match="could not obtain lock"):
                await second.execute(
                    select(DialogueSeries.id)
                    .where(DialogueSeries.id == series.id)
                    .with_for_update(nowait=True)
                )
            await first.rollback()
            await second.rollback()
    finally:
        sqlite_write_intent.reset(token)
        async with maker() as cleanup:
            await cleanup.execute(delete(DialogueSeries).where(DialogueSeries.id == series.id))
            await cleanup.commit()
