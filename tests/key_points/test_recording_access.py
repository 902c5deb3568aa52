"""Recording a point goes through the same authentication and access types as every route
(``get_principal``, ``SessionRapporteur``): it answers in the same order as every other route
(401, then 422 for the path, then 404), in few statements."""

from __future__ import annotations

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Factory
from tests.key_points.conftest import Dialogue

CLEAN = "Participants agreed that a reduction of violence is an important step towards talks."
UNKNOWN = "01a21832-0000-7000-8000-000000000000"


def url(session_id: object) -> str:
    return f"/api/v1/sessions/{session_id}/key-points"


async def test_recording_answers_in_the_usual_order(
    client: httpx.AsyncClient, dialogue: Dialogue, factory: Factory
) -> None:
    headers = dialogue.rapporteur.headers
    # 401 before anything else, even for a path that is not a UUID.
    for path in (url("not-a-uuid"), url(UNKNOWN), url(dialogue.session.id)):
        for auth in ({}, {"Authorization": "Bearer t2_nope"}):
            answer = await client.post(path, json={}, headers=auth)
            assert answer.status_code == 401, (path, auth)
            assert answer.headers["www-authenticate"].startswith("Bearer")
    # Then the path's and the body's validation errors together.
    invalid = await client.post(url("not-a-uuid"), json={}, headers=headers)
    assert invalid.status_code == 422
    fields = [e["field"] for e in invalid.json()["errors"]]
    assert fields[0] == "session_id"
    assert "text" in fields
    # Then 404 outside the caller's series, before the body is looked at.
    assert (await client.post(url(UNKNOWN), json={}, headers=headers)).status_code == 404
    outsider = await factory.caller()
    hidden = await client.post(url(dialogue.session.id), json={}, headers=outsider.headers)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"
    # A member with an invalid body: 422.
    empty = await client.post(url(dialogue.session.id), json={}, headers=headers)
    assert empty.status_code == 422
    ok = await client.post(url(dialogue.session.id), json={"text": CLEAN}, headers=headers)
    assert ok.status_code == 201, ok.text
    second = await client.post(url(dialogue.session.id), json={"text": CLEAN}, headers=headers)
    assert second.json()["position"] == ok.json()["position"] + 1


async def test_recording_a_point_takes_few_statements(
    client: httpx.AsyncClient, dialogue: Dialogue, engine: AsyncEngine
) -> None:
    headers = dialogue.rapporteur.headers
    first = await client.post(url(dialogue.session.id), json={"text": CLEAN}, headers=headers)
    assert first.status_code == 201  # and the token's last use is stamped
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        answer = await client.post(
            url(dialogue.session.id), json={"text": CLEAN + " Again."}, headers=headers
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert answer.status_code == 201
    # The authentication version (the token is known), the access query (locked on
    # PostgreSQL), the roster version, the last position, the point (whose trigger bumps the
    # list version) and its audit event.
    assert len(statements) <= 6, statements
