"""A session's title and context become public when it is scheduled (calendars, the public
series, webhooks): the non-attribution checker guards that moment and every later change."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxKind, OutboxMessage
from app.sessions.models import DialogueSession, SessionStatus
from app.webhooks.models import WebhookEndpoint
from app.webhooks.signing import new_secret
from tests.factories import Caller, Factory

NAMING = {
    "title": "A conversation with Farida Rahimi",
    "context": "Ambassador Rahimi of the Kabul Policy Institute will open the session.",
}


async def _session_with_roster(
    client: httpx.AsyncClient, factory: Factory, status: SessionStatus = SessionStatus.DRAFT
) -> tuple[Caller, DialogueSession]:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=status)
    person = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={
            "honorific": "Ambassador",
            "given_name": "Farida",
            "family_name": "Rahimi",
            "affiliation": "Kabul Policy Institute",
            "affiliation_acronym": "KPI",
            "country": "AF",
            "sector": "former_diplomat",
        },
        headers=organiser.headers,
    )
    assert person.status_code == 201, person.text
    attendance = await client.post(
        f"/api/v1/sessions/{session.id}/attendance",
        json={"person_id": person.json()["id"], "role": "speaker"},
        headers=organiser.headers,
    )
    assert attendance.status_code == 201, attendance.text
    return organiser, session


async def _schedule(
    client: httpx.AsyncClient, organiser: Caller, session: DialogueSession
) -> httpx.Response:
    return await client.post(
        f"/api/v1/sessions/{session.id}/status",
        json={"status": "scheduled"},
        headers=organiser.headers,
    )


@pytest.mark.parametrize("field", ["title", "context"])
async def test_a_draft_naming_a_participant_is_refused_at_once(
    client: httpx.AsyncClient, factory: Factory, field: str
) -> None:
    # A draft's title and context are the texts that scheduling makes public: the guard
    # checks them when they are written, whatever the status.
    organiser, session = await _session_with_roster(client, factory)
    refused = await client.patch(
        f"/api/v1/sessions/{session.id}", json={field: NAMING[field]}, headers=organiser.headers
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == "/problems/attribution-blocked"
    assert {e["field"] for e in refused.json()["errors"]} == {field}


@pytest.mark.parametrize("field", ["title", "context"])
async def test_a_draft_naming_someone_added_later_cannot_be_scheduled(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, field: str
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=SessionStatus.DRAFT)
    db.add(
        WebhookEndpoint(
            owner_id=organiser.id,
            dialogue_series_id=session.dialogue_series_id,
            url="https://hooks.example.org/in",
            events=["*"],
            secret=new_secret(),
        )
    )
    await db.commit()
    # Nobody in the directory yet: the text passes when it is written.
    draft = await client.patch(
        f"/api/v1/sessions/{session.id}", json={field: NAMING[field]}, headers=organiser.headers
    )
    assert draft.status_code == 200, draft.text
    person = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={"honorific": "Ambassador", "given_name": "Farida", "family_name": "Rahimi"},
        headers=organiser.headers,
    )
    assert person.status_code == 201, person.text

    refused = await _schedule(client, organiser, session)

    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "/problems/session-attribution-blocked"
    assert [f["field"] for f in problem["fields"]] == [field]
    assert problem["fields"][0]["findings"][0]["severity"] == "block"
    after = await client.get(f"/api/v1/sessions/{session.id}", headers=organiser.headers)
    assert after.json()["status"] == "draft"
    feed = await client.get(f"/api/v1/series/{session.dialogue_series_id}/calendar.ics")
    assert "Rahimi" not in feed.text
    events = await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK))
    assert all("Rahimi" not in m.payload["body"] for m in events)


async def test_a_clean_draft_is_scheduled(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser, session = await _session_with_roster(client, factory)
    await client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"title": "Regional support for the peace process", "context": "The talks."},
        headers=organiser.headers,
    )
    assert (await _schedule(client, organiser, session)).status_code == 200


@pytest.mark.parametrize("status", [SessionStatus.SCHEDULED, SessionStatus.HELD])
@pytest.mark.parametrize("field", ["title", "context"])
async def test_a_public_session_refuses_a_text_naming_a_participant(
    client: httpx.AsyncClient, factory: Factory, status: SessionStatus, field: str
) -> None:
    organiser, session = await _session_with_roster(client, factory, status)
    before = (await client.get(f"/api/v1/sessions/{session.id}", headers=organiser.headers)).json()

    refused = await client.patch(
        f"/api/v1/sessions/{session.id}", json={field: NAMING[field]}, headers=organiser.headers
    )

    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "/problems/attribution-blocked"
    assert {e["field"] for e in problem["errors"]} == {field}
    assert all(e["location"] == "body" for e in problem["errors"])
    after = (await client.get(f"/api/v1/sessions/{session.id}", headers=organiser.headers)).json()
    assert after[field] == before[field]


async def test_an_acronym_alone_is_enough_to_refuse(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser, session = await _session_with_roster(client, factory, SessionStatus.SCHEDULED)
    refused = await client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"context": "Hosted with the KPI."},
        headers=organiser.headers,
    )
    assert refused.status_code == 422
