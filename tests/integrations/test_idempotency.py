"""Idempotency-Key on creates: replay, mismatch, in-flight, scoping, expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.clock import utcnow
from app.kit.idempotency import IdempotencyRecord
from app.series.models import DialogueSeries
from tests.factories import Factory
from tests.users.test_read_only_tokens import read_only_headers


def series_body(slug: str = "idem-series") -> dict[str, object]:
    return {"title": "Idempotent", "slug": slug, "organiser": "HAS", "timezone": "Asia/Kabul"}


async def count_series(db: AsyncSession, slug: str) -> int:
    rows = (await db.execute(select(DialogueSeries).where(DialogueSeries.slug == slug))).all()
    return len(rows)


async def test_retry_with_same_key_and_body_replays_the_answer(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    headers = caller.headers | {"Idempotency-Key": "create-series-1"}
    first = await client.post("/api/v1/series", json=series_body(), headers=headers)
    assert first.status_code == 201
    again = await client.post("/api/v1/series", json=series_body(), headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == "application/json"
    assert await count_series(db, "idem-series") == 1


async def test_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    headers = caller.headers | {"Idempotency-Key": "k-1"}
    await client.post("/api/v1/series", json=series_body("one"), headers=headers)
    other = await client.post("/api/v1/series", json=series_body("two"), headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert await count_series(db, "two") == 0


async def test_retry_while_the_first_runs_is_409(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    import hashlib

    from app.kit.idempotency import IdempotencyMiddleware  # noqa: F401 - documents the subject

    body = b'{"title":"Idempotent","slug":"inflight","organiser":"HAS","timezone":"Asia/Kabul"}'
    fingerprint = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/series", b"", body])).hexdigest()
    now = utcnow()
    db.add(
        IdempotencyRecord(
            app_user_id=caller.id,
            key="slow-1",
            fingerprint=fingerprint,
            status="processing",
            created_at=now,
            expires_at=now + timedelta(hours=24),
        )
    )
    await db.commit()
    response = await client.post(
        "/api/v1/series",
        content=body,
        headers=caller.headers | {"Idempotency-Key": "slow-1", "Content-Type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/idempotency-key-in-flight"
    assert await count_series(db, "inflight") == 0


async def test_keys_are_scoped_to_the_user(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    alice = await factory.caller()
    bob = await factory.caller()
    a = await client.post(
        "/api/v1/series",
        json=series_body("alice-s"),
        headers=alice.headers | {"Idempotency-Key": "same"},
    )
    b = await client.post(
        "/api/v1/series",
        json=series_body("bob-s"),
        headers=bob.headers | {"Idempotency-Key": "same"},
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_expired_key_is_processed_afresh(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    headers = caller.headers | {"Idempotency-Key": "old"}
    first = await client.post("/api/v1/series", json=series_body("old-1"), headers=headers)
    record = (await db.execute(select(IdempotencyRecord))).scalar_one()
    record.expires_at = utcnow() - timedelta(seconds=1)
    await db.commit()
    second = await client.post("/api/v1/series", json=series_body("old-2"), headers=headers)
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]


async def test_errors_are_replayed_but_not_server_errors(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    headers = caller.headers | {"Idempotency-Key": "bad-1"}
    bad = await client.post("/api/v1/series", json={"title": ""}, headers=headers)
    assert bad.status_code == 422
    replay = await client.post("/api/v1/series", json={"title": ""}, headers=headers)
    assert replay.status_code == 422
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["detail"] == bad.json()["detail"]


async def test_malformed_key_is_422(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller()
    response = await client.post(
        "/api/v1/series",
        json=series_body(),
        headers=caller.headers | {"Idempotency-Key": "x" * 300},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_without_a_key_nothing_is_recorded(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    await client.post("/api/v1/series", json=series_body("plain"), headers=caller.headers)
    assert (await db.execute(select(IdempotencyRecord))).all() == []


async def test_unauthenticated_request_with_key_is_plain_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/series", json=series_body(), headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert response.status_code == 401


async def test_a_full_tokens_answer_is_never_replayed_to_a_read_only_token(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    read_only = await read_only_headers(client, caller)
    key = {"Idempotency-Key": "shared-key"}
    body = {"name": "minted"}
    url = f"/api/v1/users/{caller.id}/tokens"
    first = await client.post(url, json=body, headers=caller.headers | key)
    assert first.status_code == 201

    replay = await client.post(url, json=body, headers=read_only | key)

    assert replay.status_code == 403, replay.text
    assert replay.json()["type"] == "/problems/read-only-token"
    assert "idempotent-replayed" not in replay.headers
    assert first.json()["token"] not in replay.text


async def test_a_read_only_refusal_is_not_kept_for_the_full_token(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    read_only = await read_only_headers(client, caller)
    key = {"Idempotency-Key": "fix-the-token-and-retry"}
    refused = await client.post(
        "/api/v1/series", json=series_body("fixed"), headers=read_only | key
    )
    assert refused.status_code == 403
    assert (await db.scalars(select(IdempotencyRecord.key))).all() == []

    retried = await client.post(
        "/api/v1/series", json=series_body("fixed"), headers=caller.headers | key
    )

    assert retried.status_code == 201, retried.text
    assert await count_series(db, "fixed") == 1


async def test_a_deactivated_users_request_is_not_recorded(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    caller.user.is_active = False
    await db.commit()
    response = await client.post(
        "/api/v1/series", json=series_body(), headers=caller.headers | {"Idempotency-Key": "k"}
    )
    assert response.status_code == 401
    assert (await db.scalars(select(IdempotencyRecord.key))).all() == []
