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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Factory
from tests.integrations.test_etags import build_world

MAX_EXAMPLES = int(os.environ.get("TRACK2_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# Operations left out of the run, and why. Features other engineers are building right now
# are run by their owners once they land; each entry here is a debt to pay.
EXCLUDED: dict[str, str] = {
    "create_newsletter": "newsletter (in progress)",
    "list_newsletters": "newsletter (in progress)",
    "get_newsletter": "newsletter (in progress): 422 documented as application/json",
    "preview_newsletter": "newsletter (in progress): 422 documented as application/json",
    "test_newsletter": "newsletter (in progress): sends mail",
    "send_newsletter": "newsletter (in progress): sends mail",
    "send_invitations": "newsletter (in progress): sends mail",
    "request_subscription": "newsletter (in progress): public, rate-limited, sends mail",
    "readyz": "app/health.py: its 503 readiness report is not a problem document",
}
# Whole areas not yet brought into the run: reports (and their public pages and requests)
# and the newsletter (several operations still document 422 as application/json; see
# PENDING in test_openapi.py).
EXCLUDED_TAGS = frozenset({"reports", "public"})

_DOCUMENT: dict[str, Any] = create_app(make_settings("sqlite+aiosqlite:///:memory:")).openapi()
SCHEMA = schemathesis.openapi.from_dict(_DOCUMENT)


def _selected() -> list[tuple[str, str, str]]:
    out = []
    for path, item in _DOCUMENT["paths"].items():
        for method, op in item.items():
            op_id = op["operationId"]
            if op_id in EXCLUDED or EXCLUDED_TAGS.intersection(op.get("tags", [])):
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


@pytest.mark.parametrize(
    ("operation_id", "method", "path"), OPERATIONS, ids=[o[0] for o in OPERATIONS]
)
async def test_api_conforms_to_its_openapi_document(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    connection: AsyncConnection,
    operation_id: str,
    method: str,
    path: str,
) -> None:
    world = await build_world(client, factory)
    tokens = await client.get(f"/api/v1/users/{world.admin.id}/tokens", headers=world.admin.headers)
    path_parameters = {
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
    ("method", "path", "body", "params"),
    [
        ("POST", "/api/v1/users", {"email": "nul@example.org", "display_name": "A\x00B"}, None),
        ("POST", "/api/v1/sessions/{session_id}/parts", {"title": "A\x00", "kind": "other"}, None),
        ("PATCH", "/api/v1/series/{series_id}", {"title": "A\x00B"}, None),
        ("GET", "/api/v1/series/{series_id}/people", None, {"q": "A\x00"}),
    ],
    ids=["create_user", "add_agenda_part", "update_series", "list_people"],
)
async def test_text_with_a_nul_character_is_refused_not_a_server_error(
    client: httpx.AsyncClient,
    factory: Factory,
    engine: AsyncEngine,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    params: dict[str, str] | None,
) -> None:
    """PostgreSQL cannot store NUL in text; that is the client's 422, never our 500."""
    world = await build_world(client, factory)
    url = path.format(series_id=world.series_id, session_id=world.session_id)
    answer = await client.request(
        method, url, json=body, params=params, headers=world.admin.headers
    )
    assert answer.status_code < 500
    if engine.dialect.name == "postgresql":
        assert answer.status_code == 422
        problem = answer.json()
        assert problem["type"] == "/problems/validation-error"
        assert problem["errors"][0]["code"] == "nul_character"
