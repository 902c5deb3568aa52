"""Every authenticated GET that takes at most path ids (single resources and the pieces of
one: a session's parts, a series' themes, a report preview), on the demo data, answers in a
bounded number of SQL statements. A correctness test, not a timing: it counts statements.
The routes come from the OpenAPI document; the lists are counted in
tests/operations/test_statement_counts.py."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.key_points.models import KeyPoint
from app.people.models import Person
from app.series.models import Theme
from app.sessions.models import AgendaPart
from tests.factories import Factory
from tests.operations.test_statement_counts import counting
from tests.reports.conftest import Demo

# Authentication (one statement for a known token), the access query, the resource.
MAX_STATEMENTS = 4
# Documents built from many tables, each read once whatever the data's size.
MORE = {
    # the session, series, parts, points, themes, attendance, people, consents, the guard's
    # directory version
    "/api/v1/sessions/{session_id}/report": 11,
    "/api/v1/series/{series_id}/report": 9,
    "/api/v1/sessions/{session_id}/composition": 6,
    # the point, its revisions, their themes
    "/api/v1/key-points/{key_point_id}/history": 5,
    # an edition beside its source: the version, and the session's records rebuilt as the
    # report preview rebuilds them (to list what is still untranslated), then the editions
    "/api/v1/reports/{report_id}/editions": 14,
    "/api/v1/reports/{report_id}/editions/source": 13,
    "/api/v1/reports/{report_id}/editions/{language}": 14,
}
# Needs a registered endpoint, whose URL must resolve to a public address: counted in
# tests/webhooks, where resolution is faked.
ELSEWHERE = {"/api/v1/webhooks/{webhook_id}"}


def single_paths(app: FastAPI) -> list[str]:
    """Every authenticated GET that answers something other than a Page."""
    paths = []
    for path, operations in app.openapi()["paths"].items():
        get = operations.get("get")
        if get is None or not get.get("security"):
            continue
        schema = get["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if schema.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1].startswith("Page_"):
            continue
        paths.append(path)
    return sorted(paths)


async def test_every_single_resource_read_takes_few_statements(
    app: FastAPI,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    db: AsyncSession,
    demo: Demo,
    factory: Factory,
) -> None:
    admin = await factory.caller(is_admin=True)
    newsletter = await client.post(
        f"/api/v1/series/{demo.series.id}/newsletters",
        json={"subject": "Issue", "body_markdown": "News."},
        headers=demo.organiser.headers,
    )
    assert newsletter.status_code == 201, newsletter.text

    async def first(stmt: object) -> str:
        return str((await db.execute(stmt)).scalars().first())  # type: ignore[call-overload]

    person = await first(select(Person.id).where(Person.dialogue_series_id == demo.series.id))
    values = {
        "series_id": str(demo.series.id),
        "session_id": str(demo.session.id),
        "user_id": str(admin.id),
        "report_id": str(demo.summary.id),
        "newsletter_id": newsletter.json()["id"],
        "person_id": person,
        "part_id": await first(
            select(AgendaPart.id).where(AgendaPart.dialogue_session_id == demo.session.id)
        ),
        "key_point_id": await first(
            select(KeyPoint.id).where(KeyPoint.dialogue_session_id == demo.session.id)
        ),
        "theme_id": await first(select(Theme.id).where(Theme.dialogue_series_id == demo.series.id)),
        "language": "fa-AF",  # the demo's Dari edition of its summary
    }
    counted: dict[str, int] = {}
    for path in single_paths(app):
        if path in ELSEWHERE:
            continue
        names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        missing = [n for n in names if n not in values]
        if missing:
            pytest.fail(f"no demo value for {missing} in {path}: add it here")
        url = path.format(**values)
        # The token's last-use stamp is written at most once a minute: warm it first.
        warm = await client.get(url, headers=admin.headers)
        assert warm.status_code == 200, (path, warm.text[:300])
        with counting(engine) as statements:
            answer = await client.get(url, headers=admin.headers)
        assert answer.status_code == 200, path
        counted[path] = len(statements)
    over = {p: n for p, n in counted.items() if n > MORE.get(p, MAX_STATEMENTS)}
    assert over == {}, counted
    assert len(counted) >= 18, counted
