"""The webhook endpoints API: who may register, secrets shown once, scoping, the log."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.kit.clock import utcnow
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.queue import enqueue
from app.outbox.worker import prune_sent
from app.webhooks.models import WebhookDelivery
from tests.factories import Factory
from tests.operations.test_statement_counts import MAX_STATEMENTS, counting
from tests.webhooks.conftest import FakeDns

URL = "/api/v1/webhooks"
PROBLEM = "application/problem+json"


def body(series_id: uuid.UUID | None, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "url": "https://hooks.example.org/track2",
        "events": ["session.created"],
    }
    if series_id is not None:
        data["series_id"] = str(series_id)
    data.update(overrides)
    return data


async def test_organiser_registers_and_sees_the_secret_only_once(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    created = await client.post(URL, json=body(series.id), headers=organiser.headers)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    assert hook["active"] is True
    assert hook["series_id"] == str(series.id)
    read = await client.get(f"{URL}/{hook['id']}", headers=organiser.headers)
    assert read.status_code == 200
    assert "secret" not in read.json()
    listed = await client.get(URL, headers=organiser.headers)
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    assert "secret" not in listed.json()["items"][0]
    assert hook["secret"] not in listed.text + read.text


async def test_rotating_gives_a_new_secret(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    admin = await factory.caller(is_admin=True)
    hook = (await client.post(URL, json=body(None), headers=admin.headers)).json()
    rotated = await client.post(f"{URL}/{hook['id']}/rotate-secret", headers=admin.headers)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != hook["secret"]


async def test_rapporteurs_cannot_register(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    organiser, rapporteur = await factory.caller(), await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    refused = await client.post(URL, json=body(series.id), headers=rapporteur.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM


async def test_non_admins_must_name_a_series_and_cannot_name_a_stranger_one(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    organiser, other = await factory.caller(), await factory.caller()
    await factory.series(organiser=organiser)
    theirs = await factory.series(organiser=other)
    missing = await client.post(URL, json=body(None), headers=organiser.headers)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "series_id"
    stranger = await client.post(URL, json=body(theirs.id), headers=organiser.headers)
    assert stranger.status_code == 404


async def test_another_users_endpoint_answers_404(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    alice, bob = await factory.caller(), await factory.caller()
    series = await factory.series(organiser=alice)
    await factory.series(organiser=bob)
    hook = (await client.post(URL, json=body(series.id), headers=alice.headers)).json()
    for method, path in (
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/rotate-secret"),
        ("GET", "/deliveries"),
    ):
        kwargs = {"json": {"active": False}} if method == "PATCH" else {}
        answer = await client.request(
            method, f"{URL}/{hook['id']}{path}", headers=bob.headers, **kwargs
        )
        assert answer.status_code == 404, (method, path)
    assert (await client.get(URL, headers=bob.headers)).json()["items"] == []
    admin = await factory.caller(is_admin=True)
    assert (await client.get(f"{URL}/{hook['id']}", headers=admin.headers)).status_code == 200


async def test_private_targets_are_refused_at_registration_naming_url(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    admin = await factory.caller(is_admin=True)
    dns.set("intranet.example.org", "10.0.0.8")
    for url in ("https://intranet.example.org/x", "http://127.0.0.1:8080/", "http://[::1]/"):
        refused = await client.post(URL, json=body(None, url=url), headers=admin.headers)
        assert refused.status_code == 422, url
        assert refused.json()["errors"][0]["field"] == "url"
    hook = (await client.post(URL, json=body(None), headers=admin.headers)).json()
    moved = await client.patch(
        f"{URL}/{hook['id']}", json={"url": "http://169.254.169.254/"}, headers=admin.headers
    )
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["field"] == "url"


async def test_unknown_events_and_star_with_others_are_refused(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    admin = await factory.caller(is_admin=True)
    for events in (["session.deleted"], ["*", "series.created"], []):
        answer = await client.post(URL, json=body(None, events=events), headers=admin.headers)
        assert answer.status_code == 422, events


async def test_update_disable_and_delete(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns
) -> None:
    admin = await factory.caller(is_admin=True)
    hook = (await client.post(URL, json=body(None), headers=admin.headers)).json()
    changed = await client.patch(
        f"{URL}/{hook['id']}", json={"events": ["*"], "active": False}, headers=admin.headers
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["*"]
    assert changed.json()["active"] is False
    deleted = await client.delete(f"{URL}/{hook['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"{URL}/{hook['id']}", headers=admin.headers)).status_code == 404


def _message(hook: dict[str, Any], message_id: str) -> dict[str, Any]:
    """The outbox payload of a webhook message for the registered endpoint ``hook``."""
    return {
        "endpoint_id": hook["id"],
        "url": hook["url"],
        "message_id": message_id,
        "event_type": "session.created",
        "body": "{}",
    }


async def test_delivery_log_and_redelivery_keep_the_webhook_id(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns, db: AsyncSession
) -> None:
    admin = await factory.caller(is_admin=True)
    hook = (await client.post(URL, json=body(None), headers=admin.headers)).json()
    payload = _message(hook, "msg_abc")
    message = await enqueue(db, kind="webhook", payload=payload)
    assert isinstance(message, OutboxMessage)
    delivery = WebhookDelivery(
        webhook_endpoint_id=uuid.UUID(hook["id"]),
        outbox_message_id=message.id,
        message_id="msg_abc",
        event_type="session.created",
        attempt=1,
        status_code=500,
        duration_ms=12,
        error="HTTP 500",
    )
    db.add(delivery)
    await db.commit()
    log = await client.get(f"{URL}/{hook['id']}/deliveries", headers=admin.headers)
    assert log.status_code == 200
    [entry] = log.json()["items"]
    assert entry["attempt"] == 1
    assert entry["status_code"] == 500
    assert entry["error"] == "HTTP 500"
    assert entry["duration_ms"] == 12
    again = await client.post(
        f"{URL}/{hook['id']}/deliveries/{delivery.id}/redeliver", headers=admin.headers
    )
    assert again.status_code == 202, again.text
    assert again.json()["message_id"] == "msg_abc"
    queued = await db.get(OutboxMessage, uuid.UUID(again.json()["outbox_message_id"]))
    assert queued is not None
    assert queued.payload["message_id"] == "msg_abc"
    missing = await client.post(
        f"{URL}/{hook['id']}/deliveries/{uuid.uuid4()}/redeliver", headers=admin.headers
    )
    assert missing.status_code == 404


async def test_a_message_whose_content_was_pruned_cannot_be_redelivered(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns, db: AsyncSession
) -> None:
    admin = await factory.caller(is_admin=True)
    hook = (await client.post(URL, json=body(None), headers=admin.headers)).json()
    payload = _message(hook, "msg_old")
    kept = await enqueue(db, kind="webhook", payload=payload, dedupe_key="kept-for-its-key")
    gone = await enqueue(db, kind="webhook", payload=payload)
    assert kept is not None
    assert gone is not None
    deliveries = []
    for message in (kept, gone):
        message.status = OutboxStatus.SENT
        message.sent_at = utcnow() - timedelta(days=60)
        delivery = WebhookDelivery(
            webhook_endpoint_id=uuid.UUID(hook["id"]),
            outbox_message_id=message.id,
            message_id="msg_old",
            event_type="session.created",
            attempt=1,
            status_code=200,
            duration_ms=12,
        )
        db.add(delivery)
        deliveries.append(delivery)
    await db.flush()
    pruned = await prune_sent(db, utcnow() - timedelta(days=30), 100)
    assert (pruned.deleted, pruned.emptied) == (1, 1)
    await db.commit()

    for delivery in deliveries:
        again = await client.post(
            f"{URL}/{hook['id']}/deliveries/{delivery.id}/redeliver", headers=admin.headers
        )
        assert again.status_code == 409, again.text
        assert "no longer kept" in again.json()["detail"]


async def test_the_delivery_log_stays_within_three_statements(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns, db: AsyncSession, engine: AsyncEngine
) -> None:
    """The P6 rule of tests/operations/test_statement_counts.py, for the one list endpoint
    it cannot reach (registering needs the faked resolution)."""
    admin = await factory.caller(is_admin=True)
    hook = (await client.post(URL, json=body(None), headers=admin.headers)).json()
    for attempt in range(1, 6):
        db.add(
            WebhookDelivery(
                webhook_endpoint_id=uuid.UUID(hook["id"]),
                outbox_message_id=uuid.uuid4(),
                message_id="msg_abc",
                event_type="session.created",
                attempt=attempt,
                status_code=500,
                duration_ms=3,
            )
        )
    await db.commit()
    url = f"{URL}/{hook['id']}/deliveries"
    await client.get(url, params={"limit": 1}, headers=admin.headers)  # warm the token stamp
    for limit in (1, 10, 100):
        with counting(engine) as statements:
            answer = await client.get(url, params={"limit": limit}, headers=admin.headers)
        assert answer.status_code == 200
        assert len(statements) <= MAX_STATEMENTS, statements
