"""Authentication with bearer tokens, and the users/tokens endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.users.models import ApiToken
from app.users.service import hash_token
from tests.factories import Factory

PROBLEM = "application/problem+json"


def assert_401(response: httpx.Response, detail_fragment: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["type"] == "/problems/unauthenticated"
    assert detail_fragment in body["detail"]


async def test_missing_token_is_401(client: httpx.AsyncClient) -> None:
    assert_401(await client.get("/api/v1/users/me"), "Authorization: Bearer")


async def test_wrong_scheme_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users/me", headers={"Authorization": "Basic abc"})
    assert_401(response, "Authorization: Bearer")


async def test_unknown_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users/me", headers={"Authorization": "Bearer t2_nope"})
    assert_401(response, "not valid")


async def test_revoked_token_is_401(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller()
    tokens = (await client.get(f"/api/v1/users/{caller.id}/tokens", headers=caller.headers)).json()
    token_id = tokens["items"][0]["id"]
    revoked = await client.delete(
        f"/api/v1/users/{caller.id}/tokens/{token_id}", headers=caller.headers
    )
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_401(await client.get("/api/v1/users/me", headers=caller.headers), "revoked")


async def test_expired_token_is_401(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    token = (
        await db.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(caller.token)))
    ).scalar_one()
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await db.commit()
    assert_401(await client.get("/api/v1/users/me", headers=caller.headers), "expired")


async def test_deactivated_user_token_is_401(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.caller(is_admin=True)
    caller = await factory.caller()
    response = await client.patch(
        f"/api/v1/users/{caller.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.status_code == 200
    assert_401(await client.get("/api/v1/users/me", headers=caller.headers), "deactivated")


async def test_token_is_stored_only_as_sha256(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    admin = await factory.caller(is_admin=True)
    response = await client.post(
        f"/api/v1/users/{admin.id}/tokens", json={"name": "crm"}, headers=admin.headers
    )
    assert response.status_code == 201
    body = response.json()
    secret = body["token"]
    assert secret.startswith("t2_")
    assert body["prefix"] == secret[: len(body["prefix"])]
    rows = (await db.execute(select(ApiToken))).scalars().all()
    stored = {(row.token_hash, row.prefix) for row in rows}
    assert (hash_token(secret), body["prefix"]) in stored
    assert all(secret not in (row.token_hash, row.prefix, row.name) for row in rows)
    # The new token works, and listing tokens never shows a secret.
    me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    listed = await client.get(f"/api/v1/users/{admin.id}/tokens", headers=admin.headers)
    assert all("token" not in item for item in listed.json()["items"])


async def test_last_used_is_recorded(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    assert (await client.get("/api/v1/users/me", headers=caller.headers)).status_code == 200
    listed = await client.get(f"/api/v1/users/{caller.id}/tokens", headers=caller.headers)
    assert listed.json()["items"][0]["last_used_at"] is not None


async def test_token_with_past_expiry_is_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    response = await client.post(
        f"/api/v1/users/{caller.id}/tokens",
        json={"name": "old", "expires_at": "2020-01-01T00:00:00Z"},
        headers=caller.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expires_at"


async def test_user_issues_own_token_but_not_anothers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.caller()
    bob = await factory.caller()
    own = await client.post(
        f"/api/v1/users/{alice.id}/tokens", json={"name": "laptop"}, headers=alice.headers
    )
    assert own.status_code == 201
    other = await client.post(
        f"/api/v1/users/{bob.id}/tokens", json={"name": "steal"}, headers=alice.headers
    )
    assert other.status_code == 404
    listing = await client.get(f"/api/v1/users/{bob.id}/tokens", headers=alice.headers)
    assert listing.status_code == 404


async def test_admin_creates_users_and_non_admin_cannot(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.caller(is_admin=True)
    member = await factory.caller()
    payload = {"email": "Rapporteur@Example.org", "display_name": "Rapporteur"}
    refused = await client.post("/api/v1/users", json=payload, headers=member.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    created = await client.post("/api/v1/users", json=payload, headers=admin.headers)
    assert created.status_code == 201
    assert created.json()["email"] == "rapporteur@example.org"
    duplicate = await client.post("/api/v1/users", json=payload, headers=admin.headers)
    assert duplicate.status_code == 409


async def test_me_answers_the_callers_identity(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller(email="me@example.org")
    body = (await client.get("/api/v1/users/me", headers=caller.headers)).json()
    assert body["email"] == "me@example.org"
    assert body["is_admin"] is False


async def test_last_admin_cannot_be_demoted(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.caller(is_admin=True)
    response = await client.patch(
        f"/api/v1/users/{admin.id}", json={"is_admin": False}, headers=admin.headers
    )
    # Other tests' admins are rolled back, so this is the only admin in the database.
    assert response.status_code == 409


@pytest.mark.parametrize("email", ["not-an-address", "a@", ""])
async def test_bad_email_is_422(client: httpx.AsyncClient, factory: Factory, email: str) -> None:
    admin = await factory.caller(is_admin=True)
    response = await client.post(
        "/api/v1/users", json={"email": email, "display_name": "X"}, headers=admin.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"
