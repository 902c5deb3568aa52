"""Public calendars: parsed back with icalendar; VTIMEZONE, UID, SEQUENCE, STATUS; no names."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import icalendar
from sqlalchemy.ext.asyncio import AsyncSession

from app.people.models import Attendance, AttendanceRole, AttendanceStatus, Person, Sector
from app.series.models import DialogueSeries
from app.sessions.models import DialogueSession, SessionStatus
from tests.factories import Factory

ROSTER = [
    # honorific, given, family, aliases, position, affiliation, acronym, country, role
    (
        "H.E. Dr.",
        "Mutlaq",
        "al-Qahtani",
        ["Mutlaq bin Majed al-Qahtani"],
        "Special Envoy for Counterterrorism and Mediation",
        "Ministry of Foreign Affairs of Qatar",
        "MOFA",
        "QA",
        AttendanceRole.SPEAKER,
    ),
    (
        "Prof.",
        "Farida",
        "Rahimi",
        ["F. Rahimi"],
        "Professor of International Relations",
        "Kabul University",
        "KU",
        "AF",
        AttendanceRole.CHAIR,
    ),
    (
        "Ambassador",
        "Jonas",
        "Vestergaard",
        [],
        "Former Deputy Foreign Minister",
        "Nordic Institute for Peace Studies",
        "NIPS",
        "NO",
        AttendanceRole.PRESENTER,
    ),
    (
        "Dr",
        "Wei",
        "Ng",
        [],
        "Senior Fellow",
        "Centre for Strategic Dialogue",
        "CSD",
        "SG",
        AttendanceRole.PARTICIPANT,
    ),
    (
        "Ms",
        "Leyla",
        "Şahin",
        ["Leyla Sahin"],
        "Rapporteur",
        "Heart of Asia Society",
        "HAS",
        "TR",
        AttendanceRole.RAPPORTEUR,
    ),
]


async def add_roster(
    db: AsyncSession, series: DialogueSeries, session: DialogueSession
) -> list[str]:
    """Put a full roster on the session; return every string that must never be public."""
    secrets: list[str] = [session.meeting_url or "", "Serena Hotel"]
    for hon, given, family, aliases, position, affiliation, acronym, country, role in ROSTER:
        person = Person(
            dialogue_series_id=series.id,
            honorific=hon,
            given_name=given,
            family_name=family,
            aliases=aliases,
            position=position,
            affiliation=affiliation,
            affiliation_acronym=acronym,
            country=country,
            sector=Sector.SCHOLAR,
            email=f"{given.lower()}@example.org",
            notes="Prefers not to be quoted",
        )
        db.add(person)
        await db.flush()
        db.add(
            Attendance(
                dialogue_session_id=session.id,
                person_id=person.id,
                role=role,
                status=AttendanceStatus.ATTENDED,
            )
        )
        secrets += [
            given,
            family,
            *aliases,
            position,
            affiliation,
            acronym,
            person.email or "",
            person.notes,
            f"{given} {family}",
        ]
    await db.commit()
    # The series' organiser and partners are named publicly by design (the reference report
    # does); a participant who works for the organiser does not make its name secret.
    public = {series.organiser, *series.partners}
    return [s for s in secrets if s and s not in public and s != "HAS"]


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Roster strings found in text as whole words, ignoring case."""
    return [s for s in secrets if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text, re.IGNORECASE)]


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return list(cal.walk("VEVENT"))


def unfolded(body: bytes) -> str:
    # Long lines are folded at 75 octets; a name could straddle a fold and escape a naive check.
    return (
        body.decode()
        .replace("\r\n ", "")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\n", "\n")
    )


async def test_session_calendar_is_public_and_well_formed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    series = await factory.series(
        timezone="Asia/Kabul", title="Regional and International Support for Afghan Peace"
    )
    session = await factory.dialogue_session(
        series, status=SessionStatus.SCHEDULED, title="Challenges Ahead"
    )
    response = await client.get(f"/api/v1/sessions/{session.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    cal = parse(response.content)
    [event] = events(cal)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Kabul"]
    assert event["DTSTART"].params["TZID"] == "Asia/Kabul"
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 4.5 * 3600
    assert (
        str(event["SUMMARY"])
        == "Regional and International Support for Afghan Peace: Challenges Ahead"
    )
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["UID"]) == f"session-{session.id}@testserver"


async def test_uid_is_stable_and_sequence_grows_with_each_change(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    url = f"/api/v1/sessions/{session.id}/calendar.ics"
    assert (await client.get(url)).status_code == 404  # a draft is never public
    await client.post(
        f"/api/v1/sessions/{session.id}/status",
        json={"status": "scheduled"},
        headers=organiser.headers,
    )
    first = events(parse((await client.get(url)).content))[0]
    await client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"starts_at": "2021-03-01T10:00:00Z", "ends_at": "2021-03-01T12:00:00Z"},
        headers=organiser.headers,
    )
    second = events(parse((await client.get(url)).content))[0]
    await client.post(
        f"/api/v1/sessions/{session.id}/status",
        json={"status": "cancelled", "reason": "Security"},
        headers=organiser.headers,
    )
    third = events(parse((await client.get(url)).content))[0]
    assert str(first["UID"]) == str(second["UID"]) == str(third["UID"])
    assert int(first["SEQUENCE"]) < int(second["SEQUENCE"]) < int(third["SEQUENCE"])
    assert str(third["STATUS"]) == "CANCELLED"


async def test_series_feed_lists_public_sessions_only(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    series = await factory.series(timezone="America/New_York")
    draft = await factory.dialogue_session(series, status=SessionStatus.DRAFT)
    held = await factory.dialogue_session(series, status=SessionStatus.HELD)
    cancelled = await factory.dialogue_session(
        series, status=SessionStatus.CANCELLED, public_since=datetime(2020, 6, 1, tzinfo=UTC)
    )
    # A draft cancelled before it was ever scheduled was never public, and stays private.
    cancelled_draft = await factory.dialogue_session(series, status=SessionStatus.CANCELLED)
    response = await client.get(f"/api/v1/series/{series.id}/calendar.ics")
    assert response.status_code == 200
    cal = parse(response.content)
    uids = {str(e["UID"]) for e in events(cal)}
    assert uids == {f"session-{held.id}@testserver", f"session-{cancelled.id}@testserver"}
    assert f"session-{draft.id}@testserver" not in uids
    assert f"session-{cancelled_draft.id}@testserver" not in uids
    single = await client.get(f"/api/v1/sessions/{cancelled_draft.id}/calendar.ics")
    assert single.status_code == 404
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]


async def test_unknown_series_or_session_feed_is_404(client: httpx.AsyncClient) -> None:
    missing = "01a21832-0000-7000-8000-000000000000"
    assert (await client.get(f"/api/v1/series/{missing}/calendar.ics")).status_code == 404
    assert (await client.get(f"/api/v1/sessions/{missing}/calendar.ics")).status_code == 404


async def test_no_roster_string_in_either_feed(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    series = await factory.series(timezone="Asia/Kabul")
    session = await factory.dialogue_session(
        series,
        status=SessionStatus.SCHEDULED,
        venue="Serena Hotel, Kabul",
        title="While Doha Prepares to Host the IAN",
    )
    await factory.part(session, title="Opening remarks", topic="Insights on the peace process")
    secrets = await add_roster(db, series, session)
    for url in (
        f"/api/v1/sessions/{session.id}/calendar.ics",
        f"/api/v1/series/{series.id}/calendar.ics",
    ):
        response = await client.get(url)
        assert response.status_code == 200
        leaked = leaks(unfolded(response.content), secrets)
        assert leaked == [], f"{url} leaks {leaked}"
        assert "LOCATION" not in response.text
        assert "ATTENDEE" not in response.text
        assert "ORGANIZER" not in response.text
