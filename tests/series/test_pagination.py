"""Cursor pagination: every row exactly once, even with inserts between pages."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Factory


async def test_pages_return_every_row_once_while_rows_are_inserted(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.caller(is_admin=True)
    existing = {str((await factory.series()).id) for _ in range(7)}
    seen: list[str] = []
    cursor: str | None = None
    inserted_during: set[str] = set()
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/series", params=params, headers=admin.headers)).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # Someone creates a series between our page requests.
        inserted_during.add(str((await factory.series()).id))
    assert len(seen) == len(set(seen)), "a row appeared twice"
    assert existing <= set(seen), "a row that existed before paging was skipped"
    assert set(seen) <= existing | inserted_during


@pytest.mark.parametrize("limit", ["0", "101", "abc"])
async def test_bad_limit_is_422(client: httpx.AsyncClient, factory: Factory, limit: str) -> None:
    admin = await factory.caller(is_admin=True)
    response = await client.get("/api/v1/series", params={"limit": limit}, headers=admin.headers)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["location"], error["field"]) == ("query", "limit")


@pytest.mark.parametrize("cursor", ["garbage!", "W10", "WyJub3QtYS11dWlkIl0"])
async def test_bad_cursor_is_422(client: httpx.AsyncClient, factory: Factory, cursor: str) -> None:
    admin = await factory.caller(is_admin=True)
    response = await client.get("/api/v1/series", params={"cursor": cursor}, headers=admin.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


async def test_default_page_size_is_twenty(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.caller(is_admin=True)
    for _ in range(21):
        await factory.series()
    page = (await client.get("/api/v1/series", headers=admin.headers)).json()
    assert len(page["items"]) == 20
    assert page["next_cursor"] is not None
