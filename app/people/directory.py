"""The people domain's answer to the guard: a series' directory as plain data.

Registered with ``app.confidentiality.gate.provide_directory`` by the composition root
(``app.wiring``). Three statements read a snapshot whatever the directory's size; one reads
the version the database bumps (migration 0030).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.snapshot import DirectoryPerson, DirectorySnapshot
from app.people.models import Attendance, AttendanceStatus, OnRecordConsent, Person
from app.series.models import DialogueSeries, DisclosureRegime
from app.sessions.models import AgendaPart, DialogueSession

# Only someone who came (or confirmed before the session was held) may be named on record.
NAMEABLE = (AttendanceStatus.CONFIRMED, AttendanceStatus.ATTENDED)


class PeopleDirectory:
    """Implements ``app.confidentiality.snapshot.DirectorySource``."""

    async def _series(self, db: AsyncSession, series_id: uuid.UUID) -> tuple[int, tuple[str, ...]]:
        stmt = select(
            DialogueSeries.directory_version, DialogueSeries.organiser, DialogueSeries.partners
        ).where(DialogueSeries.id == series_id)
        row = (await db.execute(stmt)).first()
        if row is None:
            return -1, ()
        return int(row[0]), (row[1], *(row[2] or ()))

    async def version(self, db: AsyncSession, series_id: uuid.UUID) -> int | None:
        stmt = select(DialogueSeries.directory_version).where(DialogueSeries.id == series_id)
        found = (await db.execute(stmt)).scalar_one_or_none()
        return None if found is None else int(found)

    async def snapshot(
        self,
        db: AsyncSession,
        series_id: uuid.UUID,
        people: Collection[uuid.UUID] | None = None,
    ) -> DirectorySnapshot:
        # The version first: data read after it is at least as new as it says.
        version, institutions = await self._series(db, series_id)
        who = Person.dialogue_series_id == series_id
        if people is not None:
            who = and_(who, Person.id.in_(list(people)))
        rows = (
            await db.execute(
                select(
                    Person.id,
                    Person.given_name,
                    Person.family_name,
                    Person.honorific,
                    Person.aliases,
                    Person.position,
                    Person.affiliation,
                    Person.affiliation_acronym,
                    Person.country,
                    Person.email,
                    Person.affiliation_aliases,
                )
                .where(who)
                .order_by(Person.id)
            )
        ).all()
        consents = (
            await db.execute(
                select(OnRecordConsent.agenda_part_id, Attendance.person_id)
                .join(Attendance, Attendance.id == OnRecordConsent.attendance_id)
                .join(AgendaPart, AgendaPart.id == OnRecordConsent.agenda_part_id)
                .join(DialogueSession, DialogueSession.id == AgendaPart.dialogue_session_id)
                .where(
                    DialogueSession.dialogue_series_id == series_id,
                    AgendaPart.dialogue_session_id == Attendance.dialogue_session_id,
                    AgendaPart.regime == DisclosureRegime.ON_RECORD,
                    Attendance.status.in_(NAMEABLE),
                )
            )
        ).all()
        consent: dict[uuid.UUID, set[str]] = {}
        for part_id, person_id in consents:
            consent.setdefault(part_id, set()).add(str(person_id))
        return DirectorySnapshot(
            series_id=series_id,
            version=version,
            public_institutions=institutions,
            people=tuple(
                DirectoryPerson(
                    person_id=row[0],
                    given_name=row[1],
                    family_name=row[2],
                    honorific=row[3],
                    aliases=tuple(row[4] or ()),
                    position=row[5],
                    affiliation=row[6],
                    affiliation_acronym=row[7],
                    country=row[8],
                    email=row[9],
                    affiliation_aliases=tuple(row[10] or ()),
                )
                for row in rows
            ),
            consent={part: frozenset(ids) for part, ids in consent.items()},
        )


async def part_titles(db: AsyncSession, series_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Every agenda part of the series' sessions, by id, with its title."""
    rows = await db.execute(
        select(AgendaPart.id, AgendaPart.title)
        .join(DialogueSession, DialogueSession.id == AgendaPart.dialogue_session_id)
        .where(DialogueSession.dialogue_series_id == series_id)
    )
    return {row[0]: row[1] for row in rows}
