"""The OpenAPI document is good enough to generate clients from: every operation is named,
described, tagged, documents its errors with the problem schema, and shows examples.

The rules walk the generated document, so a new route must follow them too. HTML pages are
``include_in_schema=False`` and never appear here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI

Operation = tuple[str, str, dict[str, Any]]

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_MEDIA_TYPE = "application/problem+json"
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Operation ids start with a verb, so generated clients read `client.update_session(...)`.
VERBS = frozenset(
    {
        "add",
        "change",
        "check",
        "create",
        "delete",
        "discard",
        "get",
        "import",
        "issue",
        "list",
        "preview",
        "record",
        "remove",
        "request",
        "retry",
        "review",
        "revoke",
        "schedule",
        "search",
        "send",
        "test",
        "update",
        "confirm",
        "unsubscribe",
        "decide",
        "render",
        "download",
        "approve",
        "reject",
        "publish",
        "cancel",
        "rotate",
        "redeliver",
        "withdraw",
    }
)
# Liveness and readiness probes keep the names orchestrators know them by.
PROBES = frozenset({"healthz", "readyz"})

# Single resources with a strong ETag: reads take If-None-Match (304), writes If-Match (412).
ETAG_READS = frozenset(
    {
        "get_current_user",
        "get_user",
        "get_series",
        "get_session",
        "get_agenda_part",
        "get_person",
        "get_attendance",
        "get_key_point",
        "get_theme",
    }
)
ETAG_WRITES = frozenset(
    {
        "update_user",
        "update_series",
        "delete_series",
        "update_session",
        "change_session_status",
        "update_agenda_part",
        "delete_agenda_part",
        "update_person",
        "delete_person",
        "update_attendance",
        "remove_attendance",
        "update_key_point",
        "delete_key_point",
        "review_key_point",
        "update_theme",
        "delete_theme",
    }
)

# Operations of features still being built elsewhere in the tree, with what they lack. Each
# entry is a debt: the owner fixes the route and deletes the entry.
PENDING: dict[str, str] = {}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from app.main import create_app
    from tests.conftest import make_settings

    app: FastAPI = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    return app.openapi()


def operations(doc: dict[str, Any]) -> Iterator[Operation]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in {"get", "put", "post", "patch", "delete", "head", "options"}:
                yield method, path, op


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = doc["components"]["schemas"][name]
    return schema


def _has_example(doc: dict[str, Any], media: dict[str, Any]) -> bool:
    if "example" in media or media.get("examples"):
        return True
    schema = _resolve(doc, media.get("schema", {}))
    return bool(schema.get("examples") or "example" in schema)


def _examples(media: dict[str, Any]) -> list[Any]:
    found = [media["example"]] if "example" in media else []
    found += [e["value"] for e in media.get("examples", {}).values() if "value" in e]
    return found


def _nullable(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = _resolve(doc, schema)
    kinds = schema.get("type")
    return (
        kinds == "null"
        or (isinstance(kinds, list) and "null" in kinds)
        or any(_nullable(doc, branch) for branch in schema.get("anyOf", []))
    )


def restore_nulls(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> Any:
    """FastAPI renders the document with ``exclude_none``, which drops the ``null`` members
    of examples; put them back where the schema requires a nullable member."""
    schema = _resolve(doc, schema)
    for branch in schema.get("anyOf", []):
        if not _nullable(doc, branch):
            return restore_nulls(doc, branch, value)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        out = {k: restore_nulls(doc, properties.get(k, {}), v) for k, v in value.items()}
        for name in schema.get("required", []):
            if name not in out and _nullable(doc, properties.get(name, {})):
                out[name] = None
        return out
    if isinstance(value, list):
        return [restore_nulls(doc, schema.get("items", {}), v) for v in value]
    return value


def _header_params(op: dict[str, Any]) -> set[str]:
    return {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}


def problems_of(doc: dict[str, Any], method: str, path: str, op: dict[str, Any]) -> list[str]:
    """Every rule the operation breaks, in words."""
    out: list[str] = []
    op_id = op.get("operationId", "")
    responses: dict[str, Any] = op.get("responses", {})
    statuses = set(responses)
    for field in ("summary", "description"):
        if not str(op.get(field, "")).strip():
            out.append(f"no {field}")
    if not op.get("tags"):
        out.append("no tags")
    if not SNAKE_CASE.match(op_id):
        out.append(f"operation id {op_id!r} is not snake_case")
    elif op_id not in PROBES and op_id.split("_")[0] not in VERBS:
        out.append(f"operation id {op_id!r} does not start with a verb")

    for status, response in responses.items():
        if status[0] in "45":
            content = response.get("content", {})
            if set(content) != {PROBLEM_MEDIA_TYPE}:
                out.append(f"{status} is not documented as {PROBLEM_MEDIA_TYPE}")
            elif content[PROBLEM_MEDIA_TYPE].get("schema", {}).get("$ref") != PROBLEM_REF:
                out.append(f"{status} does not use the Problem schema")

    if op.get("security") and "401" not in statuses:
        out.append("authenticated but 401 is not documented")
    if "{" in path and "404" not in statuses:
        out.append("has a path id but 404 is not documented")
    if (op.get("parameters") or op.get("requestBody")) and "422" not in statuses:
        out.append("takes input but 422 is not documented")

    headers = _header_params(op)
    if op_id in ETAG_READS or "if-none-match" in headers:
        if "if-none-match" not in headers:
            out.append("ETag read without an If-None-Match parameter")
        if "304" not in statuses:
            out.append("If-None-Match but 304 is not documented")
        if "ETag" not in responses.get("200", {}).get("headers", {}):
            out.append("ETag read whose 200 does not document the ETag header")
    if op_id in ETAG_WRITES or "if-match" in headers:
        if "if-match" not in headers:
            out.append("ETag write without an If-Match parameter")
        if "412" not in statuses:
            out.append("If-Match but 412 is not documented")

    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    created = "201" in statuses
    if body is not None and created and not _has_example(doc, body):
        out.append("creates from a JSON body without a request example")
    main_read = method == "get" and op_id.startswith("get_")
    for status in ("200", "201"):
        media = responses.get(status, {}).get("content", {}).get("application/json")
        if media is None or not (created or main_read):
            continue
        if not _has_example(doc, media):
            out.append(f"{status} has no response example")
    return out


def test_every_operation_is_documented_for_generated_clients(document: dict[str, Any]) -> None:
    failures = {
        f"{method.upper()} {path} ({op.get('operationId')})": found
        for method, path, op in operations(document)
        if (found := problems_of(document, method, path, op))
        and op.get("operationId") not in PENDING
    }
    assert failures == {}


def test_pending_exceptions_name_operations_that_exist(document: dict[str, Any]) -> None:
    ids = {op.get("operationId") for _, _, op in operations(document)}
    assert set(PENDING) <= ids


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [op.get("operationId") for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))


def test_every_etag_operation_exists(document: dict[str, Any]) -> None:
    ids = {op.get("operationId") for _, _, op in operations(document)}
    assert ids >= (ETAG_READS | ETAG_WRITES)


def test_examples_match_their_schemas(document: dict[str, Any]) -> None:
    """An example that the schema refuses teaches clients the wrong thing."""
    wrong: list[str] = []
    components = document["components"]
    for method, path, op in operations(document):
        media_list: list[tuple[str, dict[str, Any]]] = []
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            media_list.append(("request", body))
        for status, response in op.get("responses", {}).items():
            media = response.get("content", {}).get("application/json")
            if media is not None:
                media_list.append((status, media))
        for where, media in media_list:
            if op.get("operationId") in PENDING or "schema" not in media:
                continue
            validator = jsonschema_rs.Draft202012Validator(
                {**media["schema"], "components": components}
            )
            for example in _examples(media):
                example = restore_nulls(document, media["schema"], example)
                errors = [e.message for e in validator.iter_errors(example)]
                if errors:
                    wrong.append(f"{method.upper()} {path} {where}: {errors[:3]}")
    assert wrong == []
