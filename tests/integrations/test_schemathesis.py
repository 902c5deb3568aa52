"""Property-based API tests with schemathesis: generated requests to every operation, checked
against the OpenAPI document.

In-process: cases are generated from the app's own document (deterministically, a few per
operation) and sent through httpx's ASGI transport to the test's ``app``, whose requests join
the test's rolled-back transaction. Each case runs in its own SAVEPOINT, rolled back after the
answer, so every case sees the same data: a series with a session, agenda parts, a person on
the roster, a theme and a key point, whose ids fill the path parameters. The caller is an
administrator, so permission answers do not hide the behaviour under test.

Checks: no 5xx, the status code is documented, the content type is documented, the body
conforms to the documented schema, and documented headers conform.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.config import Settings
from app.demo import DEMO_SLUG, load_demo
from app.main import create_app
from app.reports import router as reports_router
from app.reports.models import ReportKind, ReportVersion
from tests.conftest import make_settings
from tests.factories import Factory
from tests.integrations.test_etags import World, build_world
from tests.webhooks.conftest import dns  # noqa: F401  (fixture: hooks.example.org resolves)

MAX_EXAMPLES = int(os.environ.get("TRACK2_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# Operations left out of the run, and why; each entry here is a debt to pay.
EXCLUDED: dict[str, str] = {}
# Path parameters that need more than the ETag world: the demo series (a published summary,
# held sessions) plus a newsletter issue, a report request, a webhook and an outbox message.
RICH_PARAMETERS = frozenset(
    {"report_id", "slug", "newsletter_id", "request_id", "webhook_id", "message_id"}
)

_DOCUMENT: dict[str, Any] = create_app(make_settings("sqlite+aiosqlite:///:memory:")).openapi()
SCHEMA = schemathesis.openapi.from_dict(_DOCUMENT)


def _selected() -> list[tuple[str, str, str]]:
    out = []
    for path, item in _DOCUMENT["paths"].items():
        for method, op in item.items():
            op_id = op["operationId"]
            if op_id in EXCLUDED:
                continue
            out.append((op_id, method.upper(), path))
    return out


OPERATIONS = _selected()


def _cases(method: str, path: str, path_parameters: dict[str, str], token: str) -> list[Any]:
    operation = SCHEMA[path][method]
    wanted = {
        p["name"]: path_parameters[p["name"]]
        for p in operation.definition.raw.get("parameters", [])
        if p["in"] == "path" and p["name"] in path_parameters
    }
    found: list[Any] = []

    @given(
        case=operation.as_strategy(
            path_parameters=wanted, headers={"Authorization": f"Bearer {token}"}
        )
    )
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Any) -> None:
        found.append(case)

    collect()
    return found


def _request_kwargs(case: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url="http://testserver")
    kwargs.pop("cookies", None)  # no cookie parameters; httpx refuses per-request cookies
    data = kwargs.pop("data", None)
    if isinstance(data, (bytes, str)):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = data
    return kwargs


def test_every_excluded_operation_exists() -> None:
    ids = {op["operationId"] for item in _DOCUMENT["paths"].values() for op in item.values()}
    assert set(EXCLUDED) <= ids


@pytest.fixture
def _no_even_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Public requests wait to answer in constant time; the fuzzer need not."""
    monkeypatch.setattr(reports_router, "MIN_REQUEST_SECONDS", 0.0)


async def _rich_parameters(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, world: World
) -> dict[str, str]:
    """Ids of objects only the demo and a few more writes provide."""
    await load_demo(db, settings=settings)
    await db.commit()
    summary = (
        await db.execute(select(ReportVersion).where(ReportVersion.kind == ReportKind.SUMMARY))
    ).scalar_one()
    series_id = str(summary.dialogue_series_id)
    h = world.admin.headers

    async def post(path: str, body: dict[str, Any], expected: int = 201) -> dict[str, Any]:
        answer = await client.post(f"/api/v1{path}", json=body, headers=h)
        assert answer.status_code == expected, answer.text
        out: dict[str, Any] = answer.json()
        return out

    issue = await post(
        f"/series/{series_id}/newsletters",
        {"subject": "The third session", "body_markdown": "Its **main points**."},
    )
    await post(f"/newsletters/{issue['id']}/test", {}, expected=202)
    await post(
        "/public/report-requests",
        {"email": "reader@example.org", "series": DEMO_SLUG, "session": 3},
        expected=202,
    )
    requests = await client.get(f"/api/v1/series/{series_id}/report-requests", headers=h)
    hook = await post("/webhooks", {"url": "https://hooks.example.org/track2", "events": ["*"]})
    messages = await client.get("/api/v1/outbox", headers=h)
    return {
        "report_id": str(summary.id),
        "slug": DEMO_SLUG,
        "newsletter_id": issue["id"],
        "request_id": requests.json()["items"][0]["id"],
        "webhook_id": hook["id"],
        "message_id": messages.json()["items"][0]["id"],
    }


@pytest.mark.usefixtures("dns", "_no_even_timing")
@pytest.mark.parametrize(
    ("operation_id", "method", "path"), OPERATIONS, ids=[o[0] for o in OPERATIONS]
)
async def test_api_conforms_to_its_openapi_document(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    connection: AsyncConnection,
    db: AsyncSession,
    settings: Settings,
    operation_id: str,
    method: str,
    path: str,
) -> None:
    world = await build_world(client, factory)
    tokens = await client.get(f"/api/v1/users/{world.admin.id}/tokens", headers=world.admin.headers)
    wanted = set(re.findall(r"{(\w+)}", path))
    rich = await _rich_parameters(client, db, settings, world) if wanted & RICH_PARAMETERS else {}
    path_parameters = rich | {
        "series_id": world.series_id,
        "session_id": world.session_id,
        "part_id": world.part_id,
        "person_id": world.person_id,
        "key_point_id": world.key_point_id,
        "theme_id": world.theme_id,
        "user_id": str(world.admin.id),
        "token_id": tokens.json()["items"][0]["id"],
    }
    cases = _cases(method, path, path_parameters, world.admin.token)
    assert cases

    failures: dict[str, str] = {}
    started = time.monotonic()
    # 5xx answers come back as responses (not exceptions) so the check reports them.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as fuzz:
        for case in cases:
            savepoint = await connection.begin_nested()
            try:
                response = await fuzz.request(**_request_kwargs(case))
            finally:
                await savepoint.rollback()
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as exc:  # keep one report per kind of failure
                failures.setdefault(str(exc).splitlines()[0], str(exc)[:3000])
    elapsed = time.monotonic() - started
    assert not failures, "\n\n".join(failures.values())
    assert elapsed < 30, f"{operation_id}: {len(cases)} cases took {elapsed:.1f}s"


# -- regressions found by the run above -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "params", "field"),
    [
        (
            "POST",
            "/api/v1/users",
            {"email": "nul@example.org", "display_name": "A\x00B"},
            None,
            "display_name",
        ),
        (
            "POST",
            "/api/v1/sessions/{session_id}/parts",
            {"title": "A\x00", "kind": "other"},
            None,
            "title",
        ),
        ("PATCH", "/api/v1/series/{series_id}", {"title": "A\x00B"}, None, "title"),
        ("PATCH", "/api/v1/series/{series_id}", {"partners": ["A", "B\x00"]}, None, "partners.1"),
        ("GET", "/api/v1/series/{series_id}/people", None, {"q": "A\x00"}, "q"),
        (
            "POST",
            "/api/v1/sessions/{session_id}/key-points",
            {"text": "Both sides\x00 agreed."},
            None,
            "text",
        ),
    ],
    ids=[
        "create_user",
        "add_agenda_part",
        "update_series",
        "update_series_partners",
        "list_people",
        "record_key_point",
    ],
)
async def test_text_with_a_nul_character_is_refused_by_field_on_every_database(
    client: httpx.AsyncClient,
    factory: Factory,
    db: AsyncSession,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    params: dict[str, str] | None,
    field: str,
) -> None:
    """PostgreSQL cannot store NUL in text, so neither database keeps it: the same request is
    the same 422, naming the field, on SQLite and PostgreSQL (never our 500), and nothing is
    written."""
    world = await build_world(client, factory)
    url = path.format(series_id=world.series_id, session_id=world.session_id)
    before = await _row_counts(db)
    answer = await client.request(
        method, url, json=body, params=params, headers=world.admin.headers
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == "/problems/validation-error"
    assert problem["errors"][0]["field"] == field
    assert "NUL" in problem["errors"][0]["reason"]
    assert await _row_counts(db) == before


async def _row_counts(db: AsyncSession) -> dict[str, object]:
    """Rows per table touched above, and what a PATCH of the series would have changed."""
    snapshot: dict[str, object] = {}
    for table in ("app_user", "agenda_part", "key_point", "dialogue_series", "person"):
        snapshot[table] = (await db.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    snapshot["series"] = (
        await db.execute(text("SELECT title, partners FROM dialogue_series"))
    ).all()
    return snapshot
