"""The roster the non-attribution checker reads, and its fingerprint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.people.models import AttendanceStatus
from app.people.service import PeopleService
from app.series.models import DisclosureRegime
from tests.factories import Factory
from tests.people.conftest import RosterFactory


@contextmanager
def count_selects(connection: AsyncConnection) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            statements.append(args[2])

    sync_connection = connection.sync_connection
    event.listen(sync_connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(sync_connection, "before_cursor_execute", record)


async def test_session_roster_lists_everyone_with_consents_in_two_queries(
    factory: Factory, roster: RosterFactory, db: AsyncSession, connection: AsyncConnection
) -> None:
    series = await factory.series()
    session = await roster.session(series)
    on_record = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    chatham = await roster.part(session, position=2)
    statuses = list(AttendanceStatus)
    people = [await roster.person(series) for _ in statuses]
    for person, status in zip(people, statuses, strict=True):
        # A stored consent to a part that is not on record does not count.
        await roster.attend(session, person, status=status, consent=[on_record, chatham])
    await roster.attend(await roster.session(series), await roster.person(series))

    with count_selects(connection) as statements:
        members = await PeopleService(db).session_roster(session.id)
    assert len(statements) == 2
    assert [m.person.id for m in members] == [p.id for p in people]
    assert [m.attendance.status for m in members] == statuses
    assert all(m.on_record_part_ids == frozenset({on_record.id}) for m in members)


async def test_roster_version_changes_with_everything_the_checker_reads(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await roster.session(series)
    part = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    person = await roster.person(series)
    await roster.attend(session, person)
    service = PeopleService(db)
    versions = [await service.roster_version(session.id)]

    async def changed() -> bool:
        versions.append(await service.roster_version(session.id))
        return versions[-1] != versions[-2]

    assert not await changed()
    other_session = await roster.session(series)
    await roster.attend(other_session, await roster.person(series))
    assert not await changed()

    newcomer = await roster.person(series)
    await roster.attend(session, newcomer)
    assert await changed()
    renamed = await client.patch(
        f"/api/v1/people/{person.id}", json={"aliases": ["F. R."]}, headers=organiser.headers
    )
    assert renamed.status_code == 200
    assert await changed()
    consent_url = f"/api/v1/sessions/{session.id}/attendance/{person.id}"
    consented = await client.patch(
        consent_url, json={"on_record_part_ids": [str(part.id)]}, headers=organiser.headers
    )
    assert consented.status_code == 200
    assert await changed()
    regime = await client.patch(
        f"/api/v1/parts/{part.id}", json={"regime": "chatham_house"}, headers=organiser.headers
    )
    assert regime.status_code == 200
    assert await changed()
    removed = await client.delete(
        f"/api/v1/sessions/{session.id}/attendance/{newcomer.id}", headers=organiser.headers
    )
    assert removed.status_code == 204
    assert await changed()
    assert len(set(versions)) == 6
