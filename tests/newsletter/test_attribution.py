"""A newsletter goes to every subscriber: the non-attribution checker reads it against the
series' roster when it is composed and again when it is sent."""

from __future__ import annotations

import httpx
import pytest

from app.series.models import DialogueSeries
from app.sessions.models import SessionStatus
from tests.factories import Caller, Factory

CLEAN = "The third session discussed regional support for the talks."


async def _person(
    client: httpx.AsyncClient, organiser: Caller, series: DialogueSeries, **extra: str
) -> str:
    answer = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={
            "given_name": "Farida",
            "family_name": "Rahimi",
            "affiliation": "Kabul Policy Institute",
            "affiliation_acronym": "KPI",
            "country": "AF",
            **extra,
        },
        headers=organiser.headers,
    )
    assert answer.status_code == 201, answer.text
    person_id: str = answer.json()["id"]
    return person_id


async def _compose(
    client: httpx.AsyncClient, organiser: Caller, series: DialogueSeries, subject: str, body: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/series/{series.id}/newsletters",
        json={"subject": subject, "body_markdown": body},
        headers=organiser.headers,
    )


@pytest.mark.parametrize(
    ("subject", "body", "fields"),
    [
        ("A talk with Farida Rahimi", CLEAN, {"subject"}),
        ("The third session", "The Kabul Policy Institute hosted it.", {"body_markdown"}),
        ("What the KPI said", "Ms Rahimi spoke first.", {"subject", "body_markdown"}),
    ],
    ids=["name in subject", "affiliation in body", "both"],
)
async def test_an_issue_naming_someone_on_the_roster_is_refused(
    client: httpx.AsyncClient, factory: Factory, subject: str, body: str, fields: set[str]
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    await _person(client, organiser, series)

    refused = await _compose(client, organiser, series, subject, body)

    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "/problems/attribution-blocked"
    assert {e["field"] for e in problem["errors"]} == fields
    assert {f["field"] for f in problem["fields"]} == fields
    listed = await client.get(f"/api/v1/series/{series.id}/newsletters", headers=organiser.headers)
    assert listed.json()["items"] == []


async def test_someone_named_on_record_may_be_named(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=SessionStatus.HELD)
    person_id = await _person(client, organiser, series)
    part = await client.post(
        f"/api/v1/sessions/{session.id}/parts",
        json={"title": "Opening address", "kind": "opening_remarks", "regime": "on_record"},
        headers=organiser.headers,
    )
    assert part.status_code == 201, part.text
    attendance = await client.post(
        f"/api/v1/sessions/{session.id}/attendance",
        json={
            "person_id": person_id,
            "role": "speaker",
            "status": "attended",
            "on_record_part_ids": [part.json()["id"]],
        },
        headers=organiser.headers,
    )
    assert attendance.status_code == 201, attendance.text

    created = await _compose(
        client,
        organiser,
        series,
        "The third session",
        "In the Opening address, Farida Rahimi set out the agenda.\n\nThe rest was closed.",
    )

    assert created.status_code == 201, created.text


async def test_a_consented_name_may_not_be_tied_to_a_chatham_house_part(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=SessionStatus.HELD)
    person_id = await _person(client, organiser, series)
    parts = {}
    for title, regime in (("Opening address", "on_record"), ("Closed debate", "chatham_house")):
        part = await client.post(
            f"/api/v1/sessions/{session.id}/parts",
            json={"title": title, "kind": "discussion", "regime": regime},
            headers=organiser.headers,
        )
        assert part.status_code == 201, part.text
        parts[title] = part.json()["id"]
    attendance = await client.post(
        f"/api/v1/sessions/{session.id}/attendance",
        json={
            "person_id": person_id,
            "role": "speaker",
            "status": "attended",
            "on_record_part_ids": [parts["Opening address"]],
        },
        headers=organiser.headers,
    )
    assert attendance.status_code == 201, attendance.text

    for body in (
        # Not tied to the part the consent was given for.
        "Farida Rahimi spoke about the ceasefire.",
        # Tied to a Chatham House part as well.
        "After the Opening address, Farida Rahimi also joined the Closed debate.",
    ):
        refused = await _compose(client, organiser, series, "The third session", body)
        assert refused.status_code == 422, (body, refused.text)
        assert {e["field"] for e in refused.json()["errors"]} == {"body_markdown"}


async def test_an_issue_that_now_names_someone_is_not_sent(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    issue = await _compose(
        client, organiser, series, "The third session", "Leila Haidari's question led the way."
    )
    assert issue.status_code == 201, issue.text
    # The roster grows after the issue was written.
    await _person(client, organiser, series, given_name="Leila", family_name="Haidari")

    refused = await client.post(
        f"/api/v1/newsletters/{issue.json()['id']}/send", headers=organiser.headers
    )

    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "/problems/newsletter-attribution-blocked"
    # What subscribers would get, as rendered: the text part and the HTML part.
    assert {f["field"] for f in problem["fields"]} == {"text", "html"}
    after = await client.get(f"/api/v1/newsletters/{issue.json()['id']}", headers=organiser.headers)
    assert after.json()["sent_at"] is None  # a send with no subscribers still marks it sent
