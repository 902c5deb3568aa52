"""The roster the non-attribution checker reads, and its fingerprint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
