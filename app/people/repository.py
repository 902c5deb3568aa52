"""Every SQL statement about people, attendance and on-record consent."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, delete, func, insert, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import for_write, lock_parent
from app.kit.clock import as_utc
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.kit.sql import string_agg
from app.people.models import Attendance, AttendanceStatus, OnRecordConsent, Person, Sector
from app.series.models import DialogueSeries, DisclosureRegime, SeriesMember
from app.sessions.models import AgendaPart, DialogueSession, SessionStatus

# SQLite allows 32766 bound parameters per statement; stay well below it.
_IN_CHUNK = 1000


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PeopleRepository:
    """People of a series, attendance of a session, and consents to be named."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- people ---------------------------------------------------------------------------

    async def get_person(self, person_id: uuid.UUID) -> Person | None:
        """A person. A write request locks the person's series first (parent before child),
        then the person."""
        await lock_parent(
            self.session,
            DialogueSeries,
            select(Person.dialogue_series_id).where(Person.id == person_id),
        )
        stmt = for_write(select(Person).where(Person.id == person_id), self.session, Person)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_person_in_series(
        self, series_id: uuid.UUID, person_id: uuid.UUID
    ) -> Person | None:
        stmt = select(Person).where(Person.id == person_id, Person.dialogue_series_id == series_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_people(
        self, series_id: uuid.UUID, params: PageParams, *, name: str | None = None
    ) -> tuple[list[Person], str | None]:
        stmt = select(Person).where(Person.dialogue_series_id == series_id)
        if name:
            pattern = _like_pattern(name)
            full_name = Person.given_name + " " + Person.family_name
            stmt = stmt.where(
                or_(
                    full_name.ilike(pattern, escape="\\"),
                    Person.family_name.ilike(pattern, escape="\\"),
                )
            )
        stmt = apply_keyset(stmt, [Person.id], [uuid.UUID], params)
        rows = (await self.session.execute(stmt)).scalars().all()
        return split_page(rows, params, lambda p: (p.id,))

    async def existing_emails(
        self,
        series_id: uuid.UUID,
        emails: Collection[str],
        *,
        excluding: uuid.UUID | None = None,
    ) -> set[str]:
        """Which of these (lower-case) addresses people of the series already use."""
        found: set[str] = set()
        ordered = sorted(emails)
        for start in range(0, len(ordered), _IN_CHUNK):
            stmt = select(Person.email).where(
                Person.dialogue_series_id == series_id,
                Person.email.in_(ordered[start : start + _IN_CHUNK]),
            )
            if excluding is not None:
                stmt = stmt.where(Person.id != excluding)
            found.update(e for e in (await self.session.execute(stmt)).scalars() if e)
        return found

    async def add_people(self, people: Iterable[Person]) -> None:
        self.session.add_all(list(people))
        await self.session.flush()

    async def attends_session_in(
        self, person_id: uuid.UUID, statuses: Collection[SessionStatus]
    ) -> bool:
        """Whether the person is on the roster of a session in one of these statuses."""
        stmt = (
            select(Attendance.id)
            .join(DialogueSession, DialogueSession.id == Attendance.dialogue_session_id)
            .where(Attendance.person_id == person_id, DialogueSession.status.in_(statuses))
            .limit(1)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def delete_person(self, person: Person) -> None:
        # Attendance and consents go with the person (ON DELETE CASCADE in the schema).
        await self.session.delete(person)
        await self.session.flush()

    # -- attendance -----------------------------------------------------------------------

    async def get_attendance(
        self, session_id: uuid.UUID, person_id: uuid.UUID
    ) -> tuple[Attendance, Person] | None:
        stmt = (
            select(Attendance, Person)
            .join(Person, Person.id == Attendance.person_id)
            .where(Attendance.dialogue_session_id == session_id, Attendance.person_id == person_id)
        )
        # Callers hold the session's lock already (its access query); this reloads the row.
        stmt = for_write(stmt, self.session, Attendance)
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def list_attendance(
        self, session_id: uuid.UUID, params: PageParams
    ) -> tuple[list[tuple[Attendance, Person, set[uuid.UUID]]], str | None]:
        """A page of the roster with each attendance's current on-record consents, in one
        statement (the consents aggregated per row)."""
        consents = (
            select(
                string_agg(
                    cast(OnRecordConsent.agenda_part_id, String),
                    self.session.get_bind().dialect.name,
                )
            )
            .join(AgendaPart, AgendaPart.id == OnRecordConsent.agenda_part_id)
            .where(
                OnRecordConsent.attendance_id == Attendance.id,
                AgendaPart.regime == DisclosureRegime.ON_RECORD,
            )
            .correlate(Attendance)
            .scalar_subquery()
        )
        stmt = (
            select(Attendance, Person, consents)
            .join(Person, Person.id == Attendance.person_id)
            .where(Attendance.dialogue_session_id == session_id)
        )
        stmt = apply_keyset(stmt, [Attendance.id], [uuid.UUID], params)
        rows = [
            (r[0], r[1], {uuid.UUID(part) for part in r[2].split(",")} if r[2] else set())
            for r in (await self.session.execute(stmt)).all()
        ]
        return split_page(rows, params, lambda row: (row[0].id,))

    async def sessions_of_person(self, person_id: uuid.UUID) -> list[uuid.UUID]:
        """The sessions whose roster the person is on."""
        rows = await self.session.scalars(
            select(Attendance.dialogue_session_id).where(Attendance.person_id == person_id)
        )
        return list(rows.all())

    async def roster(self, session_id: uuid.UUID) -> list[tuple[Attendance, Person]]:
        """Everyone with attendance in the session (any status), oldest attendance first."""
        stmt = (
            select(Attendance, Person)
            .join(Person, Person.id == Attendance.person_id)
            .where(Attendance.dialogue_session_id == session_id)
            .order_by(Attendance.id)
        )
        return [(r[0], r[1]) for r in (await self.session.execute(stmt)).all()]

    async def add_attendance(self, attendance: Attendance) -> Attendance:
        self.session.add(attendance)
        await self.session.flush()
        return attendance

    async def delete_attendance(self, attendance: Attendance) -> None:
        await self.session.delete(attendance)
        await self.session.flush()

    async def overlapping_bookings(
        self,
        *,
        session_id: uuid.UUID,
        person_id: uuid.UUID,
        email: str | None,
        starts_at: datetime,
        ends_at: datetime,
        user_id: uuid.UUID,
        is_admin: bool,
    ) -> Sequence[tuple[uuid.UUID, uuid.UUID, int]]:
        """Other sessions overlapping [starts_at, ends_at) whose roster holds this person or
        anyone with the same e-mail address, among the sessions the caller can already see
        (series they are a member of; every series for an administrator): a roster elsewhere
        is never an oracle for whether and when an address attended a confidential session.

        Cancelled sessions and declined attendance do not count. Returns (session id, series
        id, number) rows.
        """
        visible: ColumnElement[bool] = true()
        if not is_admin:
            visible = DialogueSession.dialogue_series_id.in_(
                select(SeriesMember.dialogue_series_id).where(SeriesMember.app_user_id == user_id)
            )
        same_person: ColumnElement[bool] = Attendance.person_id == person_id
        if email:
            same_person = or_(same_person, func.lower(Person.email) == email.lower())
        stmt = (
            select(DialogueSession.id, DialogueSession.dialogue_series_id, DialogueSession.number)
            .join(Attendance, Attendance.dialogue_session_id == DialogueSession.id)
            .join(Person, Person.id == Attendance.person_id)
            .where(
                DialogueSession.id != session_id,
                DialogueSession.status != SessionStatus.CANCELLED,
                DialogueSession.starts_at < ends_at,
                DialogueSession.ends_at > starts_at,
                Attendance.status != AttendanceStatus.DECLINED,
                same_person,
                visible,
            )
            .distinct()
            .order_by(DialogueSession.id)
        )
        return [(r[0], r[1], r[2]) for r in (await self.session.execute(stmt)).all()]

    # -- consent --------------------------------------------------------------------------

    async def series_people(self, series_id: uuid.UUID) -> list[Person]:
        """Everyone in the series' people directory (for the checker; no paging)."""
        stmt = select(Person).where(Person.dialogue_series_id == series_id).order_by(Person.id)
        return list((await self.session.execute(stmt)).scalars().all())

    async def named_on_record(
        self, series_id: uuid.UUID, statuses: Collection[AttendanceStatus]
    ) -> set[uuid.UUID]:
        """People who consented to be named for an agenda part that is on record now, in a
        session of the series they attended (or confirmed)."""
        stmt = (
            select(Attendance.person_id)
            .join(OnRecordConsent, OnRecordConsent.attendance_id == Attendance.id)
            .join(AgendaPart, AgendaPart.id == OnRecordConsent.agenda_part_id)
            .join(DialogueSession, DialogueSession.id == Attendance.dialogue_session_id)
            .where(
                DialogueSession.dialogue_series_id == series_id,
                AgendaPart.regime == DisclosureRegime.ON_RECORD,
                Attendance.status.in_(list(statuses)),
            )
            .distinct()
        )
        return set((await self.session.execute(stmt)).scalars().all())

    async def on_record_consents(
        self, attendance_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Consents per attendance, only to parts that are on record now."""
        out: dict[uuid.UUID, set[uuid.UUID]] = {a: set() for a in attendance_ids}
        ordered = sorted(attendance_ids)
        for start in range(0, len(ordered), _IN_CHUNK):
            stmt = (
                select(OnRecordConsent.attendance_id, OnRecordConsent.agenda_part_id)
                .join(AgendaPart, AgendaPart.id == OnRecordConsent.agenda_part_id)
                .where(
                    OnRecordConsent.attendance_id.in_(ordered[start : start + _IN_CHUNK]),
                    AgendaPart.regime == DisclosureRegime.ON_RECORD,
                )
            )
            for attendance_id, part_id in (await self.session.execute(stmt)).all():
                out[attendance_id].add(part_id)
        return out

    async def consenting_people(self, part_id: uuid.UUID) -> list[uuid.UUID]:
        """Who consented to be named in one agenda part (the guard re-checks for them)."""
        stmt = (
            select(Attendance.person_id)
            .join(OnRecordConsent, OnRecordConsent.attendance_id == Attendance.id)
            .where(OnRecordConsent.agenda_part_id == part_id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def drop_consents(self, part_id: uuid.UUID) -> None:
        """Forget every on-record consent given for one agenda part."""
        await self.session.execute(
            delete(OnRecordConsent).where(OnRecordConsent.agenda_part_id == part_id)
        )

    async def replace_consents(
        self, attendance_id: uuid.UUID, part_ids: Collection[uuid.UUID]
    ) -> None:
        await self.session.execute(
            delete(OnRecordConsent).where(OnRecordConsent.attendance_id == attendance_id)
        )
        if part_ids:
            await self.session.execute(
                insert(OnRecordConsent),
                [{"attendance_id": attendance_id, "agenda_part_id": p} for p in sorted(part_ids)],
            )
        await self.session.flush()

    # -- aggregates and fingerprints ------------------------------------------------------

    async def session_status(self, session_id: uuid.UUID) -> SessionStatus | None:
        stmt = select(DialogueSession.status).where(DialogueSession.id == session_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def composition_rows(
        self, session_id: uuid.UUID, statuses: Collection[AttendanceStatus]
    ) -> list[tuple[str | None, Sector]]:
        """(country, sector) of each person counted; nothing that names anyone."""
        stmt = (
            select(Person.country, Person.sector)
            .join(Attendance, Attendance.person_id == Person.id)
            .where(Attendance.dialogue_session_id == session_id, Attendance.status.in_(statuses))
        )
        return [(r[0], r[1]) for r in (await self.session.execute(stmt)).all()]


def _as_time(value: datetime | str | None) -> datetime | None:
    # Aggregates lose the column type on SQLite (a string comes back); compare as UTC.
    if value is None or isinstance(value, datetime):
        return None if value is None else as_utc(value)
    return as_utc(datetime.fromisoformat(value))
