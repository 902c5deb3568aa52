"""The key point list's fast path: every check still runs on every request; only the page body
is reused, and never after a change."""

from __future__ import annotations

import httpx
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.key_points.models import KeyPoint
from app.kit.clock import utcnow
from app.kit.ids import uuid7
from app.sessions.models import DialogueSession
from tests.factories import Factory
from tests.key_points.conftest import Dialogue

CLEAN = "Participants agreed that a reduction of violence is an important step towards talks."


def url(d: Dialogue) -> str:
    return f"/api/v1/sessions/{d.session.id}/key-points"


async def record(client: httpx.AsyncClient, d: Dialogue, text: str) -> str:
    response = await client.post(url(d), json={"text": text}, headers=d.rapporteur.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_write_is_visible_at_once(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    first = await record(client, dialogue, CLEAN)
    page = (await client.get(url(dialogue), headers=dialogue.organiser.headers)).json()
    assert [p["id"] for p in page["items"]] == [first]
    second = await record(client, dialogue, CLEAN + " Again.")
    page = (await client.get(url(dialogue), headers=dialogue.organiser.headers)).json()
    assert [p["id"] for p in page["items"]] == [first, second]
    await client.post(
        f"/api/v1/key-points/{second}/review",
        json={"action": "submit"},
        headers=dialogue.rapporteur.headers,
    )
    page = (await client.get(url(dialogue), headers=dialogue.organiser.headers)).json()
    assert [p["status"] for p in page["items"]] == ["draft", "submitted"]
    await client.delete(f"/api/v1/key-points/{first}", headers=dialogue.organiser.headers)
    page = (await client.get(url(dialogue), headers=dialogue.organiser.headers)).json()
    assert [p["id"] for p in page["items"]] == [second]


async def test_any_insert_of_a_point_invalidates_the_cached_page(
    client: httpx.AsyncClient, dialogue: Dialogue, db: AsyncSession
) -> None:
    """The bump on insert is the database's (a trigger), so a point written by any path, here
    a bare INSERT outside the service, is listed at once. Also proves the trigger is there at
    the migration head on both databases."""
    first = await record(client, dialogue, CLEAN)
    page = (await client.get(url(dialogue), headers=dialogue.organiser.headers)).json()
    assert [p["id"] for p in page["items"]] == [first]
    before = await db.scalar(
        select(DialogueSession.key_points_version).where(DialogueSession.id == dialogue.session.id)
    )
    stamp = await db.scalar(
        select(DialogueSession.updated_at).where(DialogueSession.id == dialogue.session.id)
    )
    now = utcnow()
    inserted = uuid7()
    await db.execute(
        insert(KeyPoint.__table__).values(
            id=inserted,
            dialogue_session_id=dialogue.session.id,
            position=2,
            text=CLEAN + " Inserted.",
            status="draft",
            warnings=[],
            acknowledged_warnings=[],
            revision=1,
            created_at=now,
            updated_at=now,
        )
    )
    await db.commit()

    row = (
        await db.execute(
            select(DialogueSession.key_points_version, DialogueSession.updated_at).where(
                DialogueSession.id == dialogue.session.id
            )
        )
    ).one()
    assert row.key_points_version == (before or 0) + 1
    assert row.updated_at == stamp  # the session itself did not change
    page = (await client.get(url(dialogue), headers=dialogue.organiser.headers)).json()
    assert [p["id"] for p in page["items"]] == [first, str(inserted)]


async def test_etag_and_if_none_match(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    await record(client, dialogue, CLEAN)
    first = await client.get(url(dialogue), headers=dialogue.organiser.headers)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    same = await client.get(
        url(dialogue), headers=dialogue.organiser.headers | {"If-None-Match": etag}
    )
    assert same.status_code == 304
    assert same.content == b""
    await record(client, dialogue, CLEAN + " More.")
    changed = await client.get(
        url(dialogue), headers=dialogue.organiser.headers | {"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_permissions_are_checked_on_every_request(
    client: httpx.AsyncClient, dialogue: Dialogue, factory: Factory
) -> None:
    await record(client, dialogue, CLEAN)
    assert (await client.get(url(dialogue), headers=dialogue.rapporteur.headers)).status_code == 200
    removed = await client.delete(
        f"/api/v1/series/{dialogue.series.id}/members/{dialogue.rapporteur.id}",
        headers=dialogue.organiser.headers,
    )
    assert removed.status_code == 204
    assert (await client.get(url(dialogue), headers=dialogue.rapporteur.headers)).status_code == 404
    outsider = await factory.caller()
    assert (await client.get(url(dialogue), headers=outsider.headers)).status_code == 404
    tokens = await client.get(
        f"/api/v1/users/{dialogue.organiser.id}/tokens", headers=dialogue.organiser.headers
    )
    token_id = tokens.json()["items"][0]["id"]
    await client.delete(
        f"/api/v1/users/{dialogue.organiser.id}/tokens/{token_id}",
        headers=dialogue.organiser.headers,
    )
    revoked = await client.get(url(dialogue), headers=dialogue.organiser.headers)
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get(url(dialogue))).status_code == 401


async def test_unknown_session_is_404(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    response = await client.get(
        "/api/v1/sessions/01a21832-0000-7000-8000-000000000000/key-points",
        headers=dialogue.organiser.headers,
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_at_most_three_statements_whatever_the_page_size(
    client: httpx.AsyncClient, dialogue: Dialogue, engine: AsyncEngine
) -> None:
    for n in range(25):
        await record(client, dialogue, f"{CLEAN} ({n})")
    # Warm the token's last-use stamp so the count below is the steady state.
    await client.get(url(dialogue), headers=dialogue.organiser.headers)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        for limit in (1, 10, 100):
            statements.clear()
            response = await client.get(
                url(dialogue),
                params={"limit": limit, "status": "draft"},
                headers=dialogue.organiser.headers,
            )
            assert response.status_code == 200
            assert len(statements) <= 3, statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_a_key_point_write_leaves_the_session_unchanged(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    before = await client.get(
        f"/api/v1/sessions/{dialogue.session.id}", headers=dialogue.organiser.headers
    )
    await record(client, dialogue, CLEAN)
    after = await client.get(
        f"/api/v1/sessions/{dialogue.session.id}", headers=dialogue.organiser.headers
    )
    assert after.json()["updated_at"] == before.json()["updated_at"]
    assert after.headers["etag"] == before.headers["etag"]
