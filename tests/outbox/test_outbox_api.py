"""The outbox administration API: administrators only, no bodies, retry of failed messages."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.mail import email_payload
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.queue import enqueue
from tests.factories import Factory


async def _mail(db: AsyncSession, n: int, status: OutboxStatus = OutboxStatus.PENDING) -> uuid.UUID:
    message = await enqueue(
        db,
        kind="email",
        payload=email_payload(
            to=f"reader{n}@example.org",
            subject=f"Issue {n}",
            text="CONFIDENTIAL TEXT BODY",
            html="<p>CONFIDENTIAL HTML BODY</p>",
        ),
    )
    assert message is not None
    if status is not OutboxStatus.PENDING:
        await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(status=status, attempts=8, last_error="SMTP 550: No such user")
        )
    await db.commit()
    return message.id


async def test_admin_lists_messages_without_their_bodies(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory
) -> None:
    admin = await factory.caller(is_admin=True)
    first = await _mail(db, 1)
    dead = await _mail(db, 2, OutboxStatus.DEAD)

    response = await client.get("/api/v1/outbox", headers=admin.headers)

    assert response.status_code == 200
    assert "CONFIDENTIAL" not in response.text
    items = {item["id"]: item for item in response.json()["items"]}
    assert items[str(first)]["recipient"] == "reader1@example.org"
    assert items[str(first)]["subject"] == "Issue 1"
    assert items[str(first)]["status"] == "pending"
    assert set(items[str(first)]) == {
        "id",
        "kind",
        "status",
        "recipient",
        "subject",
        "attempts",
        "last_error",
        "created_at",
        "available_at",
        "sent_at",
        "pruned_at",
    }
    only_dead = await client.get("/api/v1/outbox?status=dead", headers=admin.headers)
    assert [i["id"] for i in only_dead.json()["items"]] == [str(dead)]
    assert only_dead.json()["items"][0]["last_error"] == "SMTP 550: No such user"


async def test_outbox_list_pages_with_a_cursor(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory
) -> None:
    admin = await factory.caller(is_admin=True)
    ids = [str(await _mail(db, n)) for n in range(5)]

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/outbox", params=params, headers=admin.headers)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [i for i in seen if i in ids] == ids


async def test_outbox_is_for_administrators_only(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory
) -> None:
    organiser = await factory.caller()
    message_id = await _mail(db, 1, OutboxStatus.DEAD)

    listing = await client.get("/api/v1/outbox", headers=organiser.headers)
    retry = await client.post(f"/api/v1/outbox/{message_id}/retry", headers=organiser.headers)
    anonymous = await client.get("/api/v1/outbox")

    assert (listing.status_code, retry.status_code, anonymous.status_code) == (403, 403, 401)
    assert listing.headers["content-type"] == "application/problem+json"
    assert anonymous.headers["content-type"] == "application/problem+json"


async def test_retry_makes_a_dead_message_due_now_with_fresh_attempts(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory
) -> None:
    admin = await factory.caller(is_admin=True)
    dead = await _mail(db, 1, OutboxStatus.DEAD)

    response = await client.post(f"/api/v1/outbox/{dead}/retry", headers=admin.headers)

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["attempts"]) == ("pending", 0)
    assert body["last_error"] == "SMTP 550: No such user"
    row = await db.get(OutboxMessage, dead, populate_existing=True)
    assert row is not None
    assert row.status is OutboxStatus.PENDING


async def test_retry_refuses_sent_messages_and_unknown_ids(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory
) -> None:
    admin = await factory.caller(is_admin=True)
    sent = await _mail(db, 1, OutboxStatus.SENT)

    done = await client.post(f"/api/v1/outbox/{sent}/retry", headers=admin.headers)
    missing = await client.post(f"/api/v1/outbox/{uuid.uuid4()}/retry", headers=admin.headers)
    malformed = await client.post("/api/v1/outbox/not-an-id/retry", headers=admin.headers)

    assert done.status_code == 409
    assert done.json()["type"] == "/problems/conflict"
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert malformed.status_code == 422


async def test_discard_deletes_a_dead_or_pending_message_and_nothing_else(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory
) -> None:
    admin = await factory.caller(is_admin=True)
    organiser = await factory.caller()
    dead = await _mail(db, 1, OutboxStatus.DEAD)
    pending = await _mail(db, 2)
    sent = await _mail(db, 3, OutboxStatus.SENT)
    sending = await _mail(db, 4, OutboxStatus.SENDING)

    refused = await client.delete(f"/api/v1/outbox/{dead}", headers=organiser.headers)
    assert refused.status_code == 403
    for message_id in (dead, pending):
        gone = await client.delete(f"/api/v1/outbox/{message_id}", headers=admin.headers)
        assert gone.status_code == 204, gone.text
        assert gone.content == b""
    for message_id, state in ((sent, "sent"), (sending, "sending")):
        kept = await client.delete(f"/api/v1/outbox/{message_id}", headers=admin.headers)
        assert kept.status_code == 409
        assert kept.json()["status_now"] == state
    again = await client.delete(f"/api/v1/outbox/{dead}", headers=admin.headers)
    assert again.status_code == 404

    ours = {dead, pending, sent, sending}
    left = (await db.scalars(select(OutboxMessage.id).where(OutboxMessage.id.in_(ours)))).all()
    assert set(left) == {sent, sending}
