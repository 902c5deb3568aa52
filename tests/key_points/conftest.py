"""A session with a roster, for key point tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
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
from app.series.themes import seed_default_themes
from app.sessions.models import AgendaPart, DialogueSession, PartKind, SessionStatus
from tests.factories import Caller, Factory


@dataclass
class Dialogue:
    organiser: Caller
    second_organiser: Caller
    rapporteur: Caller
    series: DialogueSeries
    session: DialogueSession
    opening: AgendaPart  # on record; the envoy consented
    presentations: AgendaPart  # on record; nobody consented
    discussion: AgendaPart  # Chatham House
    off_record: AgendaPart
    envoy: Person
    rahimi: Person


async def add_person(
    db: AsyncSession,
    series: DialogueSeries,
    session: DialogueSession,
    role: AttendanceRole = AttendanceRole.PARTICIPANT,
    consent: tuple[AgendaPart, ...] = (),
    **fields: object,
) -> Person:
    values: dict[str, object] = {"sector": Sector.SCHOLAR, "aliases": []}
    values.update(fields)
    person = Person(dialogue_series_id=series.id, **values)
    db.add(person)
    await db.flush()
    attendance = Attendance(
        dialogue_session_id=session.id,
        person_id=person.id,
        role=role,
        status=AttendanceStatus.ATTENDED,
    )
    db.add(attendance)
    await db.flush()
    for part in consent:
        db.add(OnRecordConsent(attendance_id=attendance.id, agenda_part_id=part.id))
    await db.commit()
    return person


@pytest.fixture
async def dialogue(factory: Factory, db: AsyncSession) -> Dialogue:
    return await build_dialogue(factory, db)


async def build_dialogue(factory: Factory, db: AsyncSession) -> Dialogue:
    """A held session with parts under every regime and a roster of four."""
    organiser = await factory.caller()
    second = await factory.caller()
    rapporteur = await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    from app.series.models import MemberRole, SeriesMember

    db.add(
        SeriesMember(dialogue_series_id=series.id, app_user_id=second.id, role=MemberRole.ORGANISER)
    )
    await seed_default_themes(db, series.id)
    session = await factory.dialogue_session(series, status=SessionStatus.HELD)
    opening = await factory.part(
        session,
        title="Opening remarks",
        kind=PartKind.OPENING_REMARKS,
        regime=DisclosureRegime.ON_RECORD,
    )
    presentations = await factory.part(
        session,
        title="Presentations",
        kind=PartKind.PRESENTATION,
        regime=DisclosureRegime.ON_RECORD,
    )
    discussion = await factory.part(session, title="Discussion")
    off_record = await factory.part(session, title="Side talk", regime=DisclosureRegime.OFF_RECORD)
    envoy = await add_person(
        db,
        series,
        session,
        AttendanceRole.SPEAKER,
        consent=(opening,),
        honorific="H.E. Dr.",
        given_name="Mutlaq",
        family_name="al-Qahtani",
        position="Special Envoy for Counterterrorism and Mediation in Conflict Resolution",
        affiliation="Ministry of Foreign Affairs of Qatar",
        country="QA",
        sector=Sector.SERVING_OFFICIAL,
    )
    rahimi = await add_person(
        db,
        series,
        session,
        AttendanceRole.CHAIR,
        honorific="Prof.",
        given_name="Farida",
        family_name="Rahimi",
        position="Former Deputy Foreign Minister",
        affiliation="Kabul Institute for Peace Studies",
        affiliation_acronym="KIPS",
        country="AF",
        sector=Sector.FORMER_OFFICIAL,
    )
    await add_person(
        db,
        series,
        session,
        given_name="Hope",
        family_name="Mwangi",
        country="KE",
        affiliation="Nairobi Centre for Dialogue",
    )
    await add_person(
        db,
        series,
        session,
        given_name="Mehmet",
        family_name="Yılmaz",  # noqa: RUF001 - a real Turkish name
        country="TR",
        position="Senior Fellow",
        affiliation="Ankara Policy Forum",
    )
    return Dialogue(
        organiser=organiser,
        second_organiser=second,
        rapporteur=rapporteur,
        series=series,
        session=session,
        opening=opening,
        presentations=presentations,
        discussion=discussion,
        off_record=off_record,
        envoy=envoy,
        rahimi=rahimi,
    )
