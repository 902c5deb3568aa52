"""P6: no list endpoint issues more than 3 SQL statements per request, whatever the page size
(authentication, access, the page). A correctness test, not a timing: it counts statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories import Factory
from tests.key_points.conftest import Dialogue, build_dialogue

IGNORED = ("SAVEPOINT", "RELEASE", "ROLLBACK")
MAX_STATEMENTS = 3


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not statement.lstrip().upper().startswith(IGNORED):
            statements.append(statement.split("\n", 1)[0][:120])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


def list_paths(app: FastAPI) -> set[str]:
    """Every GET operation that answers a Page (items + next_cursor): the list endpoints."""
    paths = set()
    for path, operations in app.openapi()["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        schema = get["responses"].get("200", {}).get("content", {}).get("application/json", {})
        ref = schema.get("schema", {}).get("$ref", "")
        if ref.rsplit("/", 1)[-1].startswith("Page_"):
            paths.add(path)
    return paths


@pytest.fixture
async def dialogue(factory: Factory, db: AsyncSession) -> Dialogue:
    return await build_dialogue(factory, db)


async def test_every_list_endpoint_stays_within_three_statements(
    client: httpx.AsyncClient,
    app: FastAPI,
    engine: AsyncEngine,
    dialogue: Dialogue,
    factory: Factory,
) -> None:
    organiser = dialogue.organiser
    admin = await factory.caller(is_admin=True)  # sees every list, admin-only ones included
    # A few rows of everything, so that pages have something to page through.
    for n in range(3):
        await client.post(
            f"/api/v1/sessions/{dialogue.session.id}/key-points",
            json={"text": f"Regional connectivity supports peace ({n})."},
            headers=dialogue.rapporteur.headers,
        )
        await client.post(
            f"/api/v1/series/{dialogue.series.id}/newsletters",
            json={"subject": f"Issue {n}", "body_markdown": "News."},
            headers=organiser.headers,
        )
    values = {
        "series_id": str(dialogue.series.id),
        "session_id": str(dialogue.session.id),
        "user_id": str(organiser.id),
    }
    queries = {
        "/api/v1/search/key-points": {"q": "peace"},
    }
    covered: list[str] = []
    # Webhook deliveries need a registered endpoint, whose URL must resolve to a public
    # address: counted in tests/webhooks, where resolution is faked.
    elsewhere = {"/api/v1/webhooks/{webhook_id}/deliveries"}
    for path in sorted(list_paths(app) - elsewhere):
        if "{" in path and not all(k in values for k in _params(path)):
            pytest.fail(f"no test data for the list endpoint {path}: add it here")
        url = path.format(**values) if "{" in path else path
        headers = admin.headers
        # The token's last-use stamp is written at most once a minute: warm it first.
        await client.get(url, params={**queries.get(path, {}), "limit": 1}, headers=headers)
        for limit in (1, 10, 100):
            with counting(engine) as statements:
                response = await client.get(
                    url, params={**queries.get(path, {}), "limit": limit}, headers=headers
                )
            assert response.status_code == 200, (path, response.text)
            assert len(statements) <= MAX_STATEMENTS, (path, limit, statements)
        covered.append(path)
    assert len(covered) >= 8, covered


def _params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
