"""The roster is confidential: outsiders learn nothing, the aggregate names no one."""

from __future__ import annotations

import httpx

from app.people.models import AttendanceRole, AttendanceStatus, Person, Sector
from app.series.models import DialogueSeries, DisclosureRegime
from app.sessions.models import DialogueSession, SessionStatus
from tests.factories import Caller, Factory
from tests.people.conftest import PROBLEM, RosterFactory

PEOPLE = [
    (
        "Amb.",
        "Mutlaq",
        "Al-Qahtani",
        ["Mutlaq bin Majed"],
        "Special Envoy",
        "Ministry of Foreign Affairs of Qatar",
        "MOFA",
        "QA",
        Sector.SERVING_OFFICIAL,
    ),
    (
        "Dr",
        "Farida",
        "Rahimi",
        ["F. Rahimi"],
        "Senior Fellow",
        "Kabul Policy Institute",
        "KPI",
        "AF",
        Sector.SCHOLAR,
    ),
    (
        None,
        "Ahmad",
        "Wali",
        ["Wali Sahib"],
        "Former Deputy Foreign Minister",
        "Heart of Asia Society",
        "HAS",
        "AF",
        Sector.FORMER_OFFICIAL,
    ),
    (
        "Prof.",
        "Ingrid",
        "Solheim",
        [],
        "Professor of Peace Studies",
        "Oslo Peace Centre",
        "OPC",
        "NO",
        Sector.SCHOLAR,
    ),
    (
        "Ms",
        "Zarghuna",
        "Noori",
        ["Z. Noori"],
        "Director",
        "Afghan Women's Network",
        "AWN",
        "AF",
        Sector.CIVIL_SOCIETY,
    ),
    (
        None,
        "Daniel",
        "Whitfield",
        [],
        "Correspondent",
        "Global Affairs Weekly",
        "GAW",
        "US",
        Sector.MEDIA,
    ),
]


async def full_roster(
    factory: Factory, roster: RosterFactory
) -> tuple[Caller, DialogueSeries, DialogueSession, list[Person]]:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await roster.session(series, status=SessionStatus.HELD)
    part = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    people = []
    for index, (hon, given, family, aliases, position, aff, acronym, country, sector) in enumerate(
        PEOPLE
    ):
        person = await roster.person(
            series,
            honorific=hon,
            given_name=given,
            family_name=family,
            aliases=aliases,
            position=position,
            affiliation=aff,
            affiliation_acronym=acronym,
            affiliation_aliases=[f"{aff} (other name)", "مؤسسة " + family] if aff else [],
            country=country,
            sector=sector,
            email=f"{given.lower()}.{family.lower()}@example.org",
            notes=f"Private note about {given}",
        )
        await roster.attend(
            session,
            person,
            role=AttendanceRole.CHAIR if index == 0 else AttendanceRole.PARTICIPANT,
            status=AttendanceStatus.ATTENDED,
            consent=[part] if index == 0 else [],
        )
        people.append(person)
    return organiser, series, session, people


async def test_outsider_gets_404_from_every_roster_endpoint(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    _, series, session, people = await full_roster(factory, roster)
    outsider = await factory.caller()
    # A member of another series, to show that membership somewhere is not enough.
    await factory.series(organiser=outsider)
    person = people[1]
    attempts = [
        ("GET", f"/api/v1/series/{series.id}/people", None),
        ("GET", f"/api/v1/series/{series.id}/people?q=Rahimi", None),
        ("POST", f"/api/v1/series/{series.id}/people", {"given_name": "X", "family_name": "Y"}),
        ("GET", f"/api/v1/people/{person.id}", None),
        ("PATCH", f"/api/v1/people/{person.id}", {"notes": "x"}),
        ("DELETE", f"/api/v1/people/{person.id}", None),
        ("GET", f"/api/v1/sessions/{session.id}/attendance", None),
        (
            "POST",
            f"/api/v1/sessions/{session.id}/attendance",
            {"person_id": str(person.id), "role": "chair"},
        ),
        ("PATCH", f"/api/v1/sessions/{session.id}/attendance/{person.id}", {"role": "chair"}),
        ("DELETE", f"/api/v1/sessions/{session.id}/attendance/{person.id}", None),
        ("GET", f"/api/v1/sessions/{session.id}/composition", None),
    ]
    for method, url, body in attempts:
        response = await client.request(method, url, json=body, headers=outsider.headers)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.headers["content-type"] == PROBLEM
        for person_ in people:
            assert person_.family_name not in response.text
    imported = await client.post(
        f"/api/v1/series/{series.id}/people/import",
        content=b"given_name,family_name\nX,Y\n",
        headers=outsider.headers | {"content-type": "text/csv"},
    )
    assert imported.status_code == 404


async def test_composition_contains_no_roster_data(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, _, session, people = await full_roster(factory, roster)
    response = await client.get(
        f"/api/v1/sessions/{session.id}/composition", headers=organiser.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(PEOPLE)
    # Three Afghans are shown; Qatar, Norway and the US (one person each) are folded.
    assert body["by_country"] == {"AF": 3, "other": 3}
    text = response.text
    secrets: list[str] = []
    for person in people:
        secrets += [person.given_name, person.family_name, *person.aliases, str(person.id)]
        secrets += [person.email or "", person.notes, person.honorific or ""]
        secrets += [person.position or "", person.affiliation or ""]
        secrets += [person.affiliation_acronym or ""]
        secrets += person.affiliation_aliases
    secrets += ["chair", "participant"]
    leaked = [s for s in secrets if s and s in text]
    assert leaked == []
