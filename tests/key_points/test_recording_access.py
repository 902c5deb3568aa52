"""Recording a point authenticates and resolves the caller's access in its own access query
(one statement on SQLite, with the directory's version and the last position): it answers in
the same order as every other route (401, then 422 for the path, then 404) and reads the same
directory version as the guard's directory source."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.key_points.repository import KeyPointRepository
from app.people.directory import PeopleDirectory
from app.people.models import Person
from app.users.service import hash_token
from tests.factories import Factory
from tests.key_points.conftest import Dialogue, add_person

CLEAN = "Participants agreed that a reduction of violence is an important step towards talks."
UNKNOWN = "01a21832-0000-7000-8000-000000000000"


def url(session_id: object) -> str:
    return f"/api/v1/sessions/{session_id}/key-points"


async def test_the_access_query_reads_the_directory_version_the_guard_keys_on(
    db: AsyncSession, dialogue: Dialogue
) -> None:
    repo = KeyPointRepository(db)
    source = PeopleDirectory()

    async def both() -> tuple[int, int | None]:
        gate = await repo.recording_gate(hash_token(dialogue.rapporteur.token), dialogue.session.id)
        assert gate is not None
        assert gate.series is not None
        await db.refresh(gate.series)
        ours = gate.series.directory_version
        return ours, await source.version(db, dialogue.series.id)

    first = await both()
    assert first[0] == first[1]
    await add_person(db, dialogue.series, dialogue.session, given_name="Ana", family_name="Lima")
    grown = await both()
    assert grown[0] == grown[1] != first[0]
    await db.execute(
        update(Person).where(Person.id == dialogue.rahimi.id).values(affiliation="Elsewhere")
    )
    await db.commit()
    changed = await both()
    assert changed[0] == changed[1] != grown[0]


async def test_the_access_query_answers_for_every_caller(
    db: AsyncSession, dialogue: Dialogue, factory: Factory
) -> None:
    repo = KeyPointRepository(db)
    member = await repo.recording_gate(hash_token(dialogue.rapporteur.token), dialogue.session.id)
    assert member is not None
    assert member.session is not None
    assert member.series is not None
    assert (member.session.id, member.series.id) == (dialogue.session.id, dialogue.series.id)
    assert member.role is not None
    assert member.role.value == "rapporteur"
    assert member.last_position == 0
    outsider = await factory.caller()
    stranger = await repo.recording_gate(hash_token(outsider.token), dialogue.session.id)
    assert stranger is not None
    assert stranger.role is None
    assert stranger.session is not None
    nowhere = await repo.recording_gate(hash_token(dialogue.rapporteur.token), uuid.UUID(UNKNOWN))
    assert nowhere is not None
    assert nowhere.session is None
    assert await repo.recording_gate(hash_token("t2_nope"), dialogue.session.id) is None


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
    # SQLite: the access query, the point (whose trigger bumps the list version), its audit
    # event. PostgreSQL reads after locking the session row: authentication, the locked
    # access query, the roster version and the last position come first.
    limit = 3 if engine.dialect.name == "sqlite" else 6
    assert len(statements) <= limit, statements
