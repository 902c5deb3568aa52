"""HTTP correctness: Allow on 405, unparseable bodies, what nullable and boolean fields
accept, single-line fields, encoded-word text in mail headers, over-long targets and headers.

Several tests discover what they check from the OpenAPI document or the request schemas, so a
route or field added later is checked without a new test.
"""

from __future__ import annotations

import email
import email.policy
import importlib
import pkgutil
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

import app
from app.config import Settings
from app.main import create_app
from app.outbox.mail import build_message, email_payload
from tests.conftest import make_settings
from tests.factories import Factory

PROBLEM = "application/problem+json"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


async def _openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


async def test_a_405_lists_every_method_the_path_allows(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller(is_admin=True)
    paths = (await _openapi(client))["paths"]
    checked = 0
    for template, item in paths.items():
        documented = {m.upper() for m in item if m.upper() in METHODS}
        missing = [m for m in METHODS if m not in documented]
        if not documented or not missing:
            continue
        response = await client.request(missing[0], _concrete(template), headers=caller.headers)
        assert response.status_code == 405, (template, missing[0], response.status_code)
        assert response.headers["content-type"] == PROBLEM
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert documented <= allowed, (template, documented, allowed)
        checked += 1
    assert checked > 20


async def test_post_on_a_series_allows_get_patch_and_delete(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    series = await factory.series(organiser=caller)
    response = await client.post(f"/api/v1/series/{series.id}", headers=caller.headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH, DELETE"
    assert response.json()["type"] == "/problems/method-not-allowed"


async def test_patch_on_me_is_405_not_422(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller()
    response = await client.patch(
        "/api/v1/users/me", json={"display_name": "New"}, headers=caller.headers
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


async def test_an_unparseable_body_is_400_and_documented_on_every_operation_with_a_body(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    response = await client.post(
        "/api/v1/series",
        content=b'{"title": "unterminated',
        headers=caller.headers | {"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "/problems/bad-request"
    assert body["errors"][0]["field"] == "body"
    assert body["errors"][0]["reason"].startswith("Malformed JSON")

    undocumented = [
        f"{method.upper()} {path}"
        for path, item in (await _openapi(client))["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        and "requestBody" in operation
        and "400" not in operation["responses"]
    ]
    assert undocumented == []


def _body_schema_names() -> set[str]:
    """The components the OpenAPI document names as request bodies (JSON or forms)."""
    document = create_app(make_settings("sqlite+aiosqlite:///:memory:")).openapi()
    names = set()
    for item in document["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media.get("schema", {}).get("$ref", "")
                names.add(ref.rsplit("/", 1)[-1])
    return names


def _request_schemas() -> Iterator[type[BaseModel]]:
    """Every request schema: the models of the domains' schemas modules that some operation
    takes as its body (and the models they embed, which forbid extra fields too)."""
    bodies = _body_schema_names()
    seen: set[type[BaseModel]] = set()
    for module_info in pkgutil.walk_packages(app.__path__, "app."):
        if not module_info.name.endswith(".schemas"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and value.model_config.get("extra") == "forbid"
                and value.__name__ in bodies
                and value not in seen
            ):
                seen.add(value)
                yield value


def _errors_at(model: type[BaseModel], data: dict[str, Any], field: str) -> list[str]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [str(e["msg"]) for e in exc.errors() if e["loc"] and e["loc"][0] == field]
    return []


def _allows(schema: dict[str, Any], kind: str) -> bool:
    branches = schema.get("anyOf", [schema])
    return any(branch.get("type") == kind for branch in branches)


REQUEST_SCHEMAS = sorted(_request_schemas(), key=lambda m: m.__name__)


def test_the_request_schemas_are_found() -> None:
    names = {m.__name__ for m in REQUEST_SCHEMAS}
    assert {"SeriesCreate", "PersonUpdate", "TokenCreate", "KeyPointCreate"} <= names


@pytest.mark.parametrize("model", REQUEST_SCHEMAS, ids=lambda m: m.__name__)
def test_every_field_documented_as_nullable_accepts_null(model: type[BaseModel]) -> None:
    properties = model.model_json_schema().get("properties", {})
    for name, schema in properties.items():
        if _allows(schema, "null"):
            assert _errors_at(model, {name: None}, name) == [], (model.__name__, name)


@pytest.mark.parametrize("model", REQUEST_SCHEMAS, ids=lambda m: m.__name__)
def test_booleans_accept_only_json_booleans(model: type[BaseModel]) -> None:
    properties = model.model_json_schema().get("properties", {})
    for name, schema in properties.items():
        if not _allows(schema, "boolean"):
            continue
        for value in (0, 1, 1.0, "yes", "on", "true", "1"):
            assert _errors_at(model, {name: value}, name), (model.__name__, name, value)
        assert _errors_at(model, {name: True}, name) == []


SINGLE_LINE = re.compile(
    r"^(title|subject|label|name|organiser|strapline|dateline|title_prefix|venue|topic|"
    r"honorific|position|affiliation|affiliation_acronym|[a-z_]*_name)$"
)


@pytest.mark.parametrize("model", REQUEST_SCHEMAS, ids=lambda m: m.__name__)
def test_single_line_fields_refuse_line_breaks(model: type[BaseModel]) -> None:
    properties = model.model_json_schema().get("properties", {})
    for name, schema in properties.items():
        if not SINGLE_LINE.match(name) or not _allows(schema, "string"):
            continue
        for text in ("Leyla\nKarimova", "Leyla\rKarimova", "Leyla\u2028Karimova"):
            assert _errors_at(model, {name: text}, name), (model.__name__, name, text)


async def test_a_title_with_a_line_break_is_a_422_naming_the_field(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    response = await client.post(
        "/api/v1/series",
        json={
            "title": "Peace\r\nBcc: everyone@example.org",
            "slug": "line-break",
            "organiser": "HAS",
            "timezone": "UTC",
        },
        headers=caller.headers,
    )
    assert response.status_code == 422
    assert {e["field"]: e["reason"] for e in response.json()["errors"]} == {
        "title": "must be a single line (no line breaks)"
    }


async def test_a_token_whose_read_only_is_not_a_boolean_is_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    for value in ("yes", 1, 1.0, "on", 0):
        response = await client.post(
            f"/api/v1/users/{caller.id}/tokens",
            json={"name": "integration", "read_only": value},
            headers=caller.headers,
        )
        assert response.status_code == 422, value
        assert [e["field"] for e in response.json()["errors"]] == ["read_only"]


@pytest.mark.parametrize(
    "text",
    ["=?utf-8?q?Leyla_Kari=6Dova?=", "Notes =?UTF-8?B?S2FyaW1vdmE=?= inside"],
)
def test_encoded_word_lookalikes_reach_the_reader_literally(settings: Settings, text: str) -> None:
    payload = email_payload(
        to="reader@example.org", to_name=text, subject=text, text="body", html=None
    )
    message = build_message(payload, row_id=uuid.uuid4(), settings=settings)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert str(parsed["Subject"]) == text
    assert parsed["To"].addresses[0].display_name == text
    assert "Karimova" not in str(parsed["Subject"]).replace(text, "")


async def test_an_over_long_target_or_header_is_a_problem_in_the_application(
    client: httpx.AsyncClient,
) -> None:
    long_target = await client.get("/healthz", params={"q": "x" * 9000})
    assert long_target.status_code == 414
    assert long_target.headers["content-type"] == PROBLEM
    assert long_target.json()["type"] == "/problems/uri-too-long"
    big_header = await client.get("/healthz", headers={"X-Big": "x" * 200_000})
    assert big_header.status_code == 431
    assert big_header.headers["content-type"] == PROBLEM
    assert big_header.json()["type"] == "/problems/headers-too-large"
