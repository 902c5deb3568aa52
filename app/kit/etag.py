"""Strong ETags for single resources: ``If-None-Match`` on reads, ``If-Match`` on writes.

An ETag is the SHA-256 of the canonical JSON (sorted keys, no spaces) of the resource's read
model, the same model ``GET`` answers with its default query parameters. It changes whenever
anything the client can see changes, and never otherwise; it needs no version column, and
every backend computes the same value.

A representation that depends on a query parameter (a session with ``?tz=``) hashes the
parameter too, so the variant has its own ETag for ``If-None-Match``; ``If-Match`` on a write
always compares with the canonical (parameter-free) ETag.

Routers compute the current representation inside the request's transaction, after the access
query took the row lock (see ``app.db.for_write``), so the ``If-Match`` comparison and the
write are atomic.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel

from app.errors import PreconditionFailed

__all__ = [
    "ETAG_HEADER",
    "IfMatch",
    "IfNoneMatch",
    "check_if_match",
    "documented",
    "etag_of",
    "etag_response",
    "matches",
    "respond",
]

_TAG = re.compile(r'\s*(?:(W/)?"([\x21\x23-\x7e\x80-\xff]*)"|(\*))\s*(?:,|$)')

ETAG_HEADER: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "Strong entity tag of the resource's canonical representation; send it "
        "back in `If-Match` to update or delete only what you saw, or in `If-None-Match` to "
        "revalidate a cached copy.",
        "schema": {"type": "string", "example": '"3f0a9c1e5b7d2a4c8e6f1b3d5a7c9e0f"'},
    }
}

IfMatch = Annotated[
    str | None,
    Header(
        description="Apply the change only if the resource's current ETag is one of these "
        "(`*`: any existing resource); otherwise 412 `precondition-failed`.",
        examples=['"3f0a9c1e5b7d2a4c8e6f1b3d5a7c9e0f"'],
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        description="Answer 304 Not Modified, without a body, if the resource's current ETag "
        "is one of these (`*`: any).",
        examples=['"3f0a9c1e5b7d2a4c8e6f1b3d5a7c9e0f"'],
    ),
]


def etag_of(model: BaseModel, **variant: str | None) -> str:
    """The strong ETag of a representation (and of the query parameters it depends on)."""
    payload: dict[str, Any] = {"representation": model.model_dump(mode="json")}
    params = {k: v for k, v in variant.items() if v is not None}
    if params:
        payload["variant"] = params
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _parse(header: str) -> tuple[list[tuple[bool, str]], bool] | None:
    """(weak?, opaque-tag) pairs and whether ``*`` was given; None when the header is not a
    list of entity tags."""
    tags: list[tuple[bool, str]] = []
    star = False
    position = 0
    text = header.strip()
    while position < len(text):
        found = _TAG.match(text, position)
        if found is None or found.end() == position:
            return None
        if found.group(3):
            star = True
        else:
            tags.append((bool(found.group(1)), f'"{found.group(2)}"'))
        position = found.end()
    return tags, star


def matches(header: str | None, etag: str, *, weak: bool) -> bool:
    """Whether an ``If-Match`` (strong comparison) or ``If-None-Match`` (weak comparison)
    header matches the current ``etag`` of an existing resource. A malformed header matches
    nothing."""
    if header is None:
        return False
    parsed = _parse(header)
    if parsed is None:
        return False
    tags, star = parsed
    if star:
        return True
    return any(tag == etag and (weak or not is_weak) for is_weak, tag in tags)


def check_if_match(if_match: str | None, current: BaseModel | str) -> None:
    """Refuse a write (412) whose ``If-Match`` does not name the current representation.

    ``current`` is the canonical read model (or its ETag), computed in the request's
    transaction after the row was locked. No header: the write goes ahead unconditionally.
    """
    if if_match is None:
        return
    etag = current if isinstance(current, str) else etag_of(current)
    if not matches(if_match, etag, weak=False):
        raise PreconditionFailed(
            "The resource changed since you read it (If-Match does not match its current "
            "ETag); fetch it again and reapply your change"
        )


def etag_response(body: BaseModel, *, etag: str | None = None, status_code: int = 200) -> Response:
    """A JSON answer carrying ``body`` and its ETag (or ``etag``, for a body that extends
    the canonical representation, such as a write's warnings)."""
    return Response(
        body.model_dump_json().encode(),
        status_code=status_code,
        media_type="application/json",
        headers={"ETag": etag or etag_of(body)},
    )


def respond(
    body: BaseModel, *, if_none_match: str | None = None, etag: str | None = None
) -> Response:
    """A read's answer: 304 without a body (but with the ETag) when ``If-None-Match`` names
    the current representation, else 200 with the body and its ETag."""
    tag = etag or etag_of(body)
    if matches(if_none_match, tag, weak=True):
        return Response(status_code=304, headers={"ETag": tag})
    return etag_response(body, etag=tag)


def documented(status: int = 200, example: Any = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entry: answers with ``status`` carry an ``ETag`` header (and, if
    given, this example body). Pass as ``problem_responses(..., extra=documented(...))``."""
    entry: dict[str, Any] = {"headers": ETAG_HEADER}
    if example is not None:
        entry["content"] = {"application/json": {"example": example}}
    return {status: entry}
