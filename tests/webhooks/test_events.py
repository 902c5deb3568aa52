"""Events carry public projections only: no roster, no venue, no meeting link, and an
e-mail address only for administrators' endpoints."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.clock import utcnow
from app.newsletter.events import subscription_data
from app.outbox.events import emit
from app.outbox.models import OutboxKind, OutboxMessage
from app.series.models import DialogueSeries
from app.webhooks.events import MAX_BODY_BYTES
from app.webhooks.models import WebhookEndpoint
from app.webhooks.signing import new_secret
from tests.factories import Caller, Factory
from tests.webhooks.conftest import FakeDns

SESSION = {
    "title": "While Doha Prepares to Host the IAN",
    "context": "Afghanistan has seen a resurgence of violence.",
    "starts_at": "2020-06-29T14:00:00+04:30",
    "ends_at": "2020-06-29T16:30:00+04:30",
    "format": "hybrid",
    "venue": "Serena Hotel, Salon Bamiyan",
    "meeting_url": "https://meet.example.org/secret-room-42",
}


async def _webhook_bodies(db: AsyncSession) -> list[dict[str, Any]]:
    rows = (
        await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.WEBHOOK)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    ).all()
    return [row.payload for row in rows]


async def _endpoint(
    db: AsyncSession, owner: Caller, series: DialogueSeries | None, events: list[str]
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        owner_id=owner.id,
        dialogue_series_id=series.id if series else None,
        url="https://hooks.example.org/in",
        events=events,
        secret=new_secret(),
    )
    db.add(endpoint)
    await db.commit()
    return endpoint


async def test_session_events_carry_no_roster_venue_or_meeting_link(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    hook = await client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.org/in", "events": ["*"], "series_id": str(series.id)},
        headers=organiser.headers,
    )
    assert hook.status_code == 201
    h = organiser.headers
    created = await client.post(f"/api/v1/series/{series.id}/sessions", json=SESSION, headers=h)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    person = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={
            "given_name": "Farida",
            "family_name": "Rahimi",
            "affiliation": "Kabul Policy Institute",
            "email": "farida.rahimi@example.org",
        },
        headers=h,
    )
    assert person.status_code == 201, person.text
    attendance = await client.post(
        f"/api/v1/sessions/{session_id}/attendance",
        json={"person_id": person.json()["id"], "role": "speaker"},
        headers=h,
    )
    assert attendance.status_code == 201, attendance.text
    updated = await client.patch(
        f"/api/v1/sessions/{session_id}", json={"title": "Doha, and after"}, headers=h
    )
    assert updated.status_code == 200, updated.text
    moved = await client.post(
        f"/api/v1/sessions/{session_id}/status", json={"status": "scheduled"}, headers=h
    )
    assert moved.status_code == 200, moved.text
    renamed = await client.patch(
        f"/api/v1/sessions/{session_id}", json={"title": "Doha, and after the talks"}, headers=h
    )
    assert renamed.status_code == 200, renamed.text

    bodies = await _webhook_bodies(db)
    types = [p["event_type"] for p in bodies]
    # The draft was private: integrations hear of the session once it is scheduled.
    assert types == ["session.created", "session.status_changed", "session.updated"]
    for payload in bodies:
        text = payload["body"]
        assert len(text.encode()) < MAX_BODY_BYTES
        for secret in (
            "secret-room-42",
            "meet.example.org",
            "Serena",
            "Farida",
            "Rahimi",
            "Kabul Policy",
            "farida.rahimi",
        ):
            assert secret not in text, (payload["event_type"], secret)
        event = json.loads(text)
        assert event["type"] == payload["event_type"]
        assert event["data"]["confidentiality"] == "public"
        assert set(event["data"]) <= {
            "id",
            "series_id",
            "number",
            "title",
            "status",
            "starts_at",
            "ends_at",
            "timezone",
            "previous_status",
            "confidentiality",
        }
    status_changed = json.loads(bodies[1]["body"])["data"]
    assert status_changed["status"] == "scheduled"
    assert status_changed["previous_status"] == "draft"
    assert len({p["message_id"] for p in bodies}) == 3


async def test_series_events_reach_admin_endpoints_and_respect_event_filters(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    admin = await factory.caller(is_admin=True)
    await _endpoint(db, admin, None, ["series.updated"])
    created = await client.post(
        "/api/v1/series",
        json={"slug": "hooked", "title": "Hooked", "organiser": "HAS", "partners": ["CCHS"]},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    assert await _webhook_bodies(db) == []  # not subscribed to series.created
    # Unlisted until its first publication: nothing is announced about it before then.
    quiet = await client.patch(
        f"/api/v1/series/{created.json()['id']}", json={"title": "Quiet"}, headers=admin.headers
    )
    assert quiet.status_code == 200
    assert await _webhook_bodies(db) == []
    await db.execute(
        update(DialogueSeries)
        .where(DialogueSeries.id == uuid.UUID(created.json()["id"]))
        .values(listed_at=utcnow())
    )
    await db.commit()
    patched = await client.patch(
        f"/api/v1/series/{created.json()['id']}",
        json={"title": "Hooked again"},
        headers=admin.headers,
    )
    assert patched.status_code == 200
    [payload] = await _webhook_bodies(db)
    data = json.loads(payload["body"])["data"]
    assert data == {
        "id": created.json()["id"],
        "slug": "hooked",
        "title": "Hooked again",
        "organiser": "HAS",
        "partners": ["CCHS"],
        "confidentiality": "public",
    }


async def test_email_addresses_reach_only_admin_owned_endpoints(
    factory: Factory, db: AsyncSession
) -> None:
    admin, organiser = await factory.caller(is_admin=True), await factory.caller()
    series = await factory.series(organiser=organiser)
    await _endpoint(db, admin, series, ["subscription.confirmed"])
    await _endpoint(db, organiser, series, ["*"])
    queued = await emit(
        db, "subscription.confirmed", series.id, subscription_data(series.slug, "r@example.org")
    )
    assert queued == 2
    by_owner = {}
    for payload in await _webhook_bodies(db):
        endpoint = await db.get(WebhookEndpoint, uuid.UUID(payload["endpoint_id"]))
        assert endpoint is not None
        by_owner[endpoint.owner_id] = json.loads(payload["body"])["data"]
    assert by_owner[admin.id] == {
        "series_slug": series.slug,
        "email": "r@example.org",
        "confidentiality": "admin",
    }
    assert by_owner[organiser.id] == {"series_slug": series.slug, "confidentiality": "public"}


async def test_endpoints_of_other_series_and_former_organisers_get_nothing(
    factory: Factory, db: AsyncSession
) -> None:
    organiser, rapporteur = await factory.caller(), await factory.caller()
    series = await factory.series(organiser=organiser)
    other = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    await _endpoint(db, organiser, other, ["*"])
    # A rapporteur's endpoint (made before a demotion, say) receives nothing.
    await _endpoint(db, rapporteur, other, ["*"])
    assert await emit(db, "series.updated", series.id, {"id": str(series.id)}) == 0
    assert await emit(db, "series.updated", other.id, {"id": str(other.id)}) == 1


async def test_a_series_with_many_partners_stays_under_20_kb(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    admin = await factory.caller(is_admin=True)
    await _endpoint(db, admin, None, ["*"])
    created = await client.post(
        "/api/v1/series",
        json={
            "slug": "big",
            "title": "T" * 200,
            "organiser": "O" * 200,
            "partners": [f"Partner institute number {i} " + "x" * 150 for i in range(20)],
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    await db.execute(
        update(DialogueSeries)
        .where(DialogueSeries.id == uuid.UUID(created.json()["id"]))
        .values(listed_at=utcnow())
    )
    await db.commit()
    patched = await client.patch(
        f"/api/v1/series/{created.json()['id']}", json={"title": "U" * 200}, headers=admin.headers
    )
    assert patched.status_code == 200
    [payload] = await _webhook_bodies(db)
    assert len(payload["body"].encode()) < MAX_BODY_BYTES


async def test_a_draft_sends_no_event_until_it_is_scheduled(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    await client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.org/in", "events": ["*"], "series_id": str(series.id)},
        headers=organiser.headers,
    )
    h = organiser.headers
    created = await client.post(f"/api/v1/series/{series.id}/sessions", json=SESSION, headers=h)
    session_id = created.json()["id"]
    await client.patch(f"/api/v1/sessions/{session_id}", json={"title": "Working title"}, headers=h)
    cancelled = await client.post(
        f"/api/v1/sessions/{session_id}/status",
        json={"status": "cancelled", "reason": "Not needed after all"},
        headers=h,
    )
    assert cancelled.status_code == 200, cancelled.text

    assert await _webhook_bodies(db) == []
