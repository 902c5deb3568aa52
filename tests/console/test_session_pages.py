"""The session screen: create, times in two zones, status with reasons, agenda parts and
regimes, the roster grid with consent per part, invitations."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.people.models import Attendance, AttendanceRole, Person
from app.people.service import PeopleService
from app.series.models import DisclosureRegime
from app.sessions.models import DialogueSession, SessionStatus
from tests.console.conftest import SignedIn, h1
from tests.factories import Factory


async def _person(db: AsyncSession, series_id: object, given: str, family: str) -> Person:
    person = Person(
        dialogue_series_id=series_id, given_name=given, family_name=family, aliases=[], notes=""
    )
    db.add(person)
    await db.commit()
    return person


async def test_create_a_session_in_its_own_zone(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    browser = await signed_in(organiser)
    created = await browser.post(
        f"/console/series/{series.id}/sessions",
        {
            "title": "While Doha Prepares to Host the IAN",
            "starts_local": "2026-06-29T14:00",
            "ends_local": "2026-06-29T16:30",
            "timezone": "Asia/Kabul",
            "format": "online",
            "default_regime": "chatham_house",
        },
    )
    assert created.status_code == 303
    session = await db.scalar(
        select(DialogueSession).where(DialogueSession.dialogue_series_id == series.id)
    )
    assert session is not None
    assert session.starts_at.isoformat() == "2026-06-29T09:30:00+00:00"  # Kabul is UTC+4:30
    page = await browser.get(created.headers["location"])
    assert h1(page) == "Session 1: While Doha Prepares to Host the IAN"
    assert "Mon 29 Jun 2026, 14:00 +0430" in page.text
    assert 'datetime="2026-06-29T09:30:00+00:00" data-local="datetime"' in page.text


async def test_session_form_errors_keep_the_input(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    browser = await signed_in(organiser)
    refused = await browser.post(
        f"/console/series/{series.id}/sessions",
        {
            "title": "Backwards",
            "starts_local": "2026-06-29T16:00",
            "ends_local": "2026-06-29T14:00",
            "format": "online",
        },
    )
    assert refused.status_code == 422
    assert 'id="f-ends_local-error"' in refused.text
    assert 'value="Backwards"' in refused.text
    assert await db.scalar(select(DialogueSession.id)) is None


async def test_status_changes_need_their_reasons(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=SessionStatus.SCHEDULED)
    browser = await signed_in(organiser)
    page = await browser.get(f"/console/sessions/{session.id}")
    assert "Postpone" in page.text
    assert "Mark as held" in page.text
    missing = await browser.post(f"/console/sessions/{session.id}/status", {"status": "postponed"})
    assert missing.status_code == 422
    assert 'id="f-reason-postponed-error"' in missing.text
    # A refused reason stays in its box.
    long_reason = "Later. " * 400
    too_long = await browser.post(
        f"/console/sessions/{session.id}/status",
        {"status": "postponed", "reason-postponed": long_reason},
    )
    assert too_long.status_code == 422
    assert 'id="f-reason-postponed-error"' in too_long.text
    assert long_reason.strip() in too_long.text
    await db.refresh(session)
    assert session.status is SessionStatus.SCHEDULED
    moved = await browser.post(
        f"/console/sessions/{session.id}/status",
        {"status": "postponed", "reason-postponed": "The host asked for a later date"},
    )
    assert moved.status_code == 303
    await db.refresh(session)
    assert session.status is SessionStatus.POSTPONED
    assert session.status_reason == "The host asked for a later date"


async def test_agenda_parts_with_regimes_and_the_roster_grid_with_consent(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    browser = await signed_in(organiser)
    for title, regime in (
        ("Opening remarks", "on_record"),
        ("Discussion", "chatham_house"),
        ("Closed exchange", "off_record"),
    ):
        added = await browser.post(
            f"/console/sessions/{session.id}/parts",
            {"part-title": title, "part-kind": "discussion", "part-regime": regime},
        )
        assert added.status_code == 303
    parts = list(await PeopleService(db).repo.session.execute(select(Attendance.id)))
    assert parts == []
    envoy = await _person(db, series.id, "Mutlaq", "Al-Qahtani")
    other = await _person(db, series.id, "Leyla", "Karimova")
    found = await browser.htmx("GET", f"/console/sessions/{session.id}/candidates?find=qaht")
    assert "Al-Qahtani" in found.text
    assert "Karimova" not in found.text
    for person, role in ((envoy, "speaker"), (other, "participant")):
        added = await browser.post(
            f"/console/sessions/{session.id}/roster",
            {"person_id": str(person.id), "role": role, "status": "confirmed"},
        )
        assert added.status_code == 303
    page = await browser.get(f"/console/sessions/{session.id}")
    from app.sessions.service import SessionService

    on_record, chr_part, _off = await SessionService(db).list_parts(session.id)
    assert on_record.regime is DisclosureRegime.ON_RECORD
    # Consent can be ticked for the on-record part only.
    assert f'id="c-{envoy.id}-{on_record.id}" name="consent-{envoy.id}"' in page.text
    saved = await browser.post(
        f"/console/sessions/{session.id}/roster/grid",
        {
            f"role-{envoy.id}": "speaker",
            f"status-{envoy.id}": "confirmed",
            f"consent-{envoy.id}": str(on_record.id),
            f"role-{other.id}": "chair",
            f"status-{other.id}": "confirmed",
        },
    )
    assert saved.status_code == 303
    roster = {m.person.id: m for m in await PeopleService(db).session_roster(session.id)}
    assert roster[envoy.id].on_record_part_ids == frozenset({on_record.id})
    assert roster[other.id].attendance.role is AttendanceRole.CHAIR
    refused = await browser.post(
        f"/console/sessions/{session.id}/roster/grid",
        {
            f"role-{envoy.id}": "speaker",
            f"status-{envoy.id}": "confirmed",
            f"consent-{envoy.id}": str(chr_part.id),
        },
    )
    assert refused.status_code == 422
    roster = {m.person.id: m for m in await PeopleService(db).session_roster(session.id)}
    assert roster[envoy.id].on_record_part_ids == frozenset({on_record.id})


async def test_rapporteurs_see_the_session_but_cannot_change_it(
    signed_in: SignedIn, factory: Factory
) -> None:
    organiser, rapporteur = await factory.caller(), await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    session = await factory.dialogue_session(series, status=SessionStatus.SCHEDULED)
    browser = await signed_in(rapporteur)
    page = await browser.get(f"/console/sessions/{session.id}")
    assert page.status_code == 200
    assert "Change the status" not in page.text
    refused = await browser.post(f"/console/sessions/{session.id}/status", {"status": "held"})
    assert refused.status_code == 403


async def test_session_pages_of_another_series_answer_404(
    signed_in: SignedIn, factory: Factory
) -> None:
    mine, theirs = await factory.caller(), await factory.caller()
    await factory.series(organiser=mine)
    other_session = await factory.dialogue_session(await factory.series(organiser=theirs))
    browser = await signed_in(mine)
    for suffix in ("", "/candidates?find=a", "/record", "/review", "/report"):
        response = await browser.get(f"/console/sessions/{other_session.id}{suffix}")
        assert response.status_code == 404, suffix
        assert h1(response) == "Not found"
    posted = await browser.post(f"/console/sessions/{other_session.id}/status", {"status": "held"})
    assert posted.status_code == 404


async def test_a_refused_roster_grid_comes_back_as_sent_and_keeps_nothing(
    signed_in: SignedIn, dialogue: Any, db: AsyncSession
) -> None:
    """One row refused (consent in a part that is not on the record): no row is saved, and
    the grid shows every row as it was sent."""
    session = dialogue.session
    browser = await signed_in(dialogue.organiser)
    envoy, rahimi = dialogue.envoy.id, dialogue.rahimi.id
    refused = await browser.post(
        f"/console/sessions/{session.id}/roster/grid",
        {
            f"role-{rahimi}": "observer",
            f"consent-{envoy}": [str(dialogue.opening.id), str(dialogue.discussion.id)],
        },
    )
    assert refused.status_code == 422
    assert "field-error" in refused.text
    chosen = re.search(rf'<select id="role-{rahimi}"[^>]*>.*?</select>', refused.text, re.S)
    assert chosen is not None
    assert '<option value="observer" selected>' in chosen.group(0)
    assert re.search(rf'id="c-{envoy}-{dialogue.discussion.id}"[^>]*checked', refused.text)
    role = await db.scalar(
        select(Attendance.role).where(
            Attendance.dialogue_session_id == session.id, Attendance.person_id == rahimi
        )
    )
    assert role is AttendanceRole.CHAIR
