"""Builders for sessions, agenda parts, people and attendance, written straight to the database."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.people.models import (
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    OnRecordConsent,
    Person,
    Sector,
)
from app.series.models import DialogueSeries, DisclosureRegime
from app.sessions.models import (
    AgendaPart,
    DialogueSession,
    PartKind,
    SessionFormat,
    SessionStatus,
)

PROBLEM = "application/problem+json"
START = datetime(2030, 6, 29, 9, 30, tzinfo=UTC)

_seq = itertools.count(1)


def field_errors(response: httpx.Response) -> dict[str, str]:
    """``{field: reason}`` of a problem response, after checking it is one."""
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == response.status_code
    return {e["field"]: e["reason"] for e in body["errors"]}


class RosterFactory:
    """Sessions, parts, people and attendance, committed in the test transaction."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self._numbers: dict[object, itertools.count[int]] = {}

    async def session(
        self,
        series: DialogueSeries,
        *,
        starts_at: datetime = START,
        hours: float = 2,
        status: SessionStatus = SessionStatus.SCHEDULED,
    ) -> DialogueSession:
        numbers = self._numbers.setdefault(series.id, itertools.count(1))
        session = DialogueSession(
            dialogue_series_id=series.id,
            number=next(numbers),
            title="While Doha Prepares to Host the IAN",
            context="",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            timezone="Asia/Kabul",
            format=SessionFormat.ONLINE,
            default_regime=DisclosureRegime.CHATHAM_HOUSE,
            status=status,
            calendar_sequence=0,
        )
        self.db.add(session)
        await self.db.commit()
        return session

    async def part(
        self,
        session: DialogueSession,
        *,
        regime: DisclosureRegime = DisclosureRegime.CHATHAM_HOUSE,
        position: int = 1,
    ) -> AgendaPart:
        part = AgendaPart(
            dialogue_session_id=session.id,
            position=position,
            title=f"Part {position}",
            kind=PartKind.PRESENTATION,
            regime=regime,
        )
        self.db.add(part)
        await self.db.commit()
        return part

    async def person(self, series: DialogueSeries, **overrides: object) -> Person:
        n = next(_seq)
        values: dict[str, object] = {
            "given_name": f"Given{n}",
            "family_name": f"Family{n}",
            "aliases": [],
            "country": "AF",
            "sector": Sector.SCHOLAR,
            "email": f"person{n}@example.org",
            "notes": "",
        }
        values.update(overrides)
        person = Person(dialogue_series_id=series.id, **values)
        self.db.add(person)
        await self.db.commit()
        return person

    async def attend(
        self,
        session: DialogueSession,
        person: Person,
        *,
        role: AttendanceRole = AttendanceRole.PARTICIPANT,
        status: AttendanceStatus = AttendanceStatus.CONFIRMED,
        consent: Iterable[AgendaPart] = (),
    ) -> Attendance:
        attendance = Attendance(
            dialogue_session_id=session.id, person_id=person.id, role=role, status=status
        )
        self.db.add(attendance)
        await self.db.flush()
        parts = [{"attendance_id": attendance.id, "agenda_part_id": p.id} for p in consent]
        if parts:
            await self.db.execute(insert(OnRecordConsent), parts)
        await self.db.commit()
        return attendance


@pytest.fixture
def roster(db: AsyncSession) -> RosterFactory:
    return RosterFactory(db)
