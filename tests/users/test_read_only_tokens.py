"""Read-only tokens read everything their user may read and change nothing, on every route
(one path authenticates them: the API router's dependency). The Idempotency-Key middleware's
part is in tests/integrations/test_idempotency.py."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.key_points.models import KeyPoint
from app.main import create_app
from app.security import SAFE_METHODS
from tests.conftest import make_settings
from tests.factories import Caller, Factory
from tests.key_points.conftest import Dialogue, build_dialogue

READ_ONLY = "/problems/read-only-token"


async def read_only_headers(client: httpx.AsyncClient, caller: Caller) -> dict[str, str]:
    issued = await client.post(
        f"/api/v1/users/{caller.id}/tokens",
        json={"name": "website mirror", "read_only": True},
        headers=caller.headers,
    )
    assert issued.status_code == 201, issued.text
    assert issued.json()["read_only"] is True
    return {"Authorization": f"Bearer {issued.json()['token']}"}


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == READ_ONLY


async def _points(db: AsyncSession, d: Dialogue) -> int:
    count = await db.scalar(
        select(func.count())
        .select_from(KeyPoint)
        .where(KeyPoint.dialogue_session_id == d.session.id)
    )
    return int(count or 0)


async def test_a_read_only_token_reads_but_changes_nothing(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    d = await build_dialogue(factory, db)
    organiser = await read_only_headers(client, d.organiser)
    rapporteur = await read_only_headers(client, d.rapporteur)

    # Reads, as the user may.
    assert (await client.get("/api/v1/users/me", headers=organiser)).status_code == 200
    series = await client.get(f"/api/v1/series/{d.series.id}", headers=organiser)
    assert series.status_code == 200
    listing = f"/api/v1/sessions/{d.session.id}/key-points"
    assert (await client.get(listing, headers=rapporteur)).status_code == 200

    # Changes, refused whoever the user is and whatever they could do with a full token.
    before = await _points(db, d)
    _refused(await client.post(listing, json={"text": "A regional framework."}, headers=rapporteur))
    _refused(
        await client.post(
            listing,
            json={"text": "A regional framework."},
            headers={**rapporteur, "Idempotency-Key": "read-only-1"},
        )
    )
    _refused(
        await client.post(
            "/api/v1/sessions/not-a-uuid/key-points", json={"text": "x"}, headers=rapporteur
        )
    )
    assert await _points(db, d) == before
    title = series.json()["title"]
    _refused(
        await client.patch(
            f"/api/v1/series/{d.series.id}", json={"title": "Renamed"}, headers=organiser
        )
    )
    after = await client.get(f"/api/v1/series/{d.series.id}", headers=d.organiser.headers)
    assert after.json()["title"] == title
    _refused(
        await client.post(
            "/api/v1/series",
            json={"slug": "new-series", "title": "New", "organiser": "Someone"},
            headers=organiser,
        )
    )
    # No way out: a read-only token cannot issue itself a full one.
    _refused(
        await client.post(
            f"/api/v1/users/{d.organiser.id}/tokens", json={"name": "full"}, headers=organiser
        )
    )
    # The full token of the same user still writes.
    changed = await client.patch(
        f"/api/v1/series/{d.series.id}", json={"title": "Renamed"}, headers=d.organiser.headers
    )
    assert changed.status_code == 200, changed.text


async def test_tokens_are_full_unless_asked_and_say_which_they_are(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    issued = await client.post(
        f"/api/v1/users/{caller.id}/tokens", json={"name": "crm"}, headers=caller.headers
    )
    assert issued.status_code == 201
    assert issued.json()["read_only"] is False
    await read_only_headers(client, caller)
    listed = await client.get(f"/api/v1/users/{caller.id}/tokens", headers=caller.headers)
    flags = {t["name"]: t["read_only"] for t in listed.json()["items"]}
    assert flags["crm"] is False
    assert flags["website mirror"] is True
    bad = await client.post(
        f"/api/v1/users/{caller.id}/tokens",
        json={"name": "x", "read_only": "sometimes"},
        headers=caller.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "read_only"


def test_every_operation_that_is_not_a_read_documents_the_refusal() -> None:
    document = create_app(make_settings("sqlite+aiosqlite:///:memory:")).openapi()
    missing = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method.upper() not in SAFE_METHODS
        and operation.get("security")
        and "403" not in operation["responses"]
    ]
    assert missing == []
