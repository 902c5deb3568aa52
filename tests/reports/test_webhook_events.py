"""The report and subscriber events through the real flows: a published report, a report
request and its decision, a confirmed subscription and an unsubscription each reach the
endpoints that take them, with a ``confidentiality`` field, under 20 KB, naming no one on the
roster, and with an e-mail address only in what an administrator's endpoint receives."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.newsletter.models import Subscriber
from app.newsletter.service import NewsletterService
from app.outbox.models import OutboxKind, OutboxMessage
from app.people.models import Person
from app.webhooks.events import MAX_BODY_BYTES
from app.webhooks.models import WebhookEndpoint
from app.webhooks.signing import new_secret
from tests.factories import Factory
from tests.reports.conftest import Demo
from tests.reports.test_requests import _mails, _publish_detailed, _request, _requests

READER = "reader@example.org"
SUBSCRIBER = "subscriber@example.org"
CONFIRM = re.compile(r"http://testserver/subscriptions/confirm\?token=([^\s&]+)")


async def _deliveries(db: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """Each endpoint's queued webhook bodies, parsed, by endpoint id."""
    rows = (
        await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.WEBHOOK)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    ).all()
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        body = row.payload["body"]
        assert len(body.encode()) < MAX_BODY_BYTES
        out.setdefault(str(row.payload["endpoint_id"]), []).append(json.loads(body))
    return out


async def test_report_and_subscriber_events_through_the_real_flows(
    demo: Demo,
    client: httpx.AsyncClient,
    db: AsyncSession,
    factory: Factory,
    settings: Settings,
) -> None:
    admin = await factory.caller(is_admin=True)
    organisers = WebhookEndpoint(
        owner_id=demo.organiser.id,
        dialogue_series_id=demo.series.id,
        url="https://hooks.example.org/organisers",
        events=["*"],
        secret=new_secret(),
    )
    admins = WebhookEndpoint(
        owner_id=admin.id,
        dialogue_series_id=None,
        url="https://hooks.example.org/admins",
        events=["*"],
        secret=new_secret(),
    )
    db.add_all([organisers, admins])
    await db.commit()

    detailed = await _publish_detailed(client, demo)
    assert (await _request(client, email=READER)).status_code == 202
    [pending] = await _requests(client, demo)
    decided = await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "approve"},
        headers=demo.organiser.headers,
    )
    assert decided.status_code == 200, decided.text

    subscribed = await client.post(
        "/api/v1/public/subscriptions",
        json={"email": SUBSCRIBER, "series": [demo.series.slug], "consent": True},
    )
    assert subscribed.status_code == 202, subscribed.text
    [mail] = await _mails(db, SUBSCRIBER)
    token = CONFIRM.search(str(mail["text"]))
    assert token is not None
    confirmed = await client.post("/subscriptions/confirm", data={"token": token.group(1)})
    assert confirmed.status_code == 200, confirmed.text
    subscriber = (
        await db.execute(select(Subscriber).where(Subscriber.email == SUBSCRIBER))
    ).scalar_one()
    link = NewsletterService(db, settings).unsubscribe_link(subscriber.id, demo.series.id)
    left = await client.post(link.removeprefix("http://testserver"))
    assert left.status_code == 200, left.text

    deliveries = await _deliveries(db)
    expected = [
        "report.published",
        "report_request.created",
        "report_request.decided",
        "subscription.confirmed",
        "subscription.unsubscribed",
    ]
    for endpoint in (organisers, admins):
        events = deliveries[str(endpoint.id)]
        assert [e["type"] for e in events] == expected
        assert all("confidentiality" in e["data"] for e in events)
    by_type = {e["type"]: e for e in deliveries[str(organisers.id)]}
    assert by_type["report.published"]["data"]["id"] == detailed["id"]
    assert by_type["report.published"]["data"]["kind"] == "detailed"
    assert by_type["report_request.decided"]["data"]["status"] == "approved"

    # Only the administrators' endpoint hears whose request or subscription it was.
    organiser_text = json.dumps(deliveries[str(organisers.id)])
    admin_text = json.dumps(deliveries[str(admins.id)])
    for address in (READER, SUBSCRIBER):
        assert address not in organiser_text
        assert address in admin_text
    assert {e["data"]["confidentiality"] for e in deliveries[str(organisers.id)]} == {"public"}
    admin_by_type = {e["type"]: e for e in deliveries[str(admins.id)]}
    assert admin_by_type["report_request.created"]["data"]["confidentiality"] == "admin"
    assert admin_by_type["report.published"]["data"]["confidentiality"] == "public"

    # No one on the roster, in any endpoint's events.
    people = (
        await db.scalars(select(Person).where(Person.dialogue_series_id == demo.series.id))
    ).all()
    assert people
    everything = organiser_text + admin_text
    for person in people:
        for value in (person.family_name, person.email, person.affiliation):
            if value:
                assert value not in everything, value
