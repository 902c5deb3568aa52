"""HTTP routes for key points, the checker, the four-eyes review and themes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel

from app.confidentiality import checker
from app.db import DbSession
from app.errors import problem_responses
from app.key_points.listing import KeyPointListService
from app.key_points.models import KeyPoint, KeyPointStatus
from app.key_points.schemas import (
    CheckRequest,
    CheckResult,
    Finding,
    KeyPointCreate,
    KeyPointHistory,
    KeyPointRead,
    KeyPointUpdate,
    KeyPointWritten,
    ReviewAction,
    ThemeCreate,
    ThemeMatrix,
    ThemeRead,
    ThemeUpdate,
)
from app.key_points.service import (
    KeyPointService,
    finding_dicts,
    key_point_read,
)
from app.kit import etag
from app.kit.documents import Documents
from app.kit.etag import IfMatch, IfNoneMatch
from app.kit.pagination import Page, PageQuery
from app.security import CurrentPrincipal
from app.series.deps import SeriesRapporteur
from app.sessions.deps import SessionRapporteur

router = APIRouter(tags=["key points"])
themes_router = APIRouter(tags=["themes"])

_WARNING_EXAMPLE: dict[str, Any] = {
    "severity": "warn",
    "kind": "descriptor",
    "start": 0,
    "end": 21,
    "excerpt": "A former ambassador",
    "message": "A descriptor that may point at one participant",
    "code": "descriptor-former-ambassador",
}
_KEY_POINT_EXAMPLE: dict[str, Any] = {
    "id": "0192e0aa-5172-7384-8f9a-0b1c2d3e4f56",
    "session_id": "0192e0a7-2e4f-7051-9c6d-7e8f9a0b1c23",
    "part_id": "0192e0a8-3f50-7162-8d7e-8f9a0b1c2d34",
    "position": 1,
    "text": "A reduction of violence is an important step towards negotiations.",
    "themes": ["reduction-of-violence-and-ceasefire"],
    "status": "approved",
    "warnings": [],
    "acknowledged_warnings": [],
    "review_note": "Clear, and attributable to no one.",
    "revision": 2,
    "approved_at": "2020-06-30T08:00:00Z",
    "created_at": "2020-06-29T12:10:00Z",
    "updated_at": "2020-06-29T12:10:00Z",
}
_WRITTEN_EXAMPLE: dict[str, Any] = _KEY_POINT_EXAMPLE | {"findings": []}
_THEME_EXAMPLE: dict[str, Any] = {
    "id": "0192e0ab-6283-7495-9a0b-1c2d3e4f5a67",
    "slug": "regional-cooperation",
    "label": "Regional cooperation",
    "position": 4,
}
CheckRequestBody = Annotated[
    CheckRequest,
    Body(
        openapi_examples={
            "draft": {
                "summary": "A draft to check",
                "value": {"text": "A former ambassador said the talks must include women."},
            }
        }
    ),
]
KeyPointUpdateBody = Annotated[
    KeyPointUpdate,
    Body(
        openapi_examples={
            "edit": {
                "summary": "A new text",
                "value": {"text": "Several participants saw a ceasefire as the first step."},
            },
            "acknowledge": {
                "summary": "Acknowledge the first warning",
                "value": {"acknowledged_warnings": [0]},
            },
        }
    ),
]
ReviewActionBody = Annotated[
    ReviewAction,
    Body(
        openapi_examples={
            "submit": {"summary": "Submit for review", "value": {"action": "submit"}},
            "approve": {
                "summary": "Approve, acknowledging a warning",
                "value": {"action": "approve", "acknowledge": ["descriptor-former-ambassador"]},
            },
            "return": {
                "summary": "Return with a note",
                "value": {"action": "return", "note": "Too close to one participant's words."},
            },
        }
    ),
]
ThemeCreateBody = Annotated[
    ThemeCreate,
    Body(
        openapi_examples={
            "theme": {
                "summary": "A new theme",
                "value": {"slug": "regional-cooperation", "label": "Regional cooperation"},
            }
        }
    ),
]
ThemeUpdateBody = Annotated[
    ThemeUpdate,
    Body(
        openapi_examples={
            "rename": {"summary": "Rename", "value": {"label": "Regional connectivity"}},
            "move": {"summary": "Move to the top", "value": {"position": 1}},
        }
    ),
]


def _example(status_code: int, example: Any) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"content": {"application/json": {"example": example}}}}


def _written(
    point: KeyPoint, themes: list[str], findings: Sequence[checker.Finding], status_code: int
) -> Response:
    """A write's answer: the point with this write's findings, and the ETag of the point's
    canonical representation (without the findings)."""
    read = key_point_read(point, themes)
    return etag.etag_response(
        KeyPointWritten(
            **read.model_dump(),
            findings=[Finding.model_validate(f) for f in finding_dicts(findings)],
        ),
        etag=etag.etag_of(read),
        status_code=status_code,
    )


@router.get(
    "/sessions/{session_id}/key-points",
    response_model=Page[KeyPointRead],
    operation_id="list_key_points",
    summary="List a session's key points",
    responses=problem_responses(
        401,
        404,
        422,
        extra={**etag.documented(), 304: {"description": "Not modified (If-None-Match)"}},
    ),
)
async def list_key_points(
    access: SessionRapporteur,
    db: DbSession,
    documents: Documents,
    page: PageQuery,
    if_none_match: IfNoneMatch = None,
    status_filter: Annotated[KeyPointStatus | None, Query(alias="status")] = None,
    part_id: uuid.UUID | None = None,
) -> Response:
    """The session's key points in order, for series members; filter by `status` or
    `part_id`. No point carries an author: the rule forbids attribution. The answer carries a
    strong `ETag`; send it back in `If-None-Match` to get 304 while nothing changed."""
    listed = await KeyPointListService(db, documents).page(
        access.session, page, status_filter, part_id
    )
    return listed.respond(if_none_match)


@router.post(
    "/sessions/{session_id}/key-points",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyPointWritten,
    operation_id="record_key_point",
    summary="Record a key point",
    responses=problem_responses(401, 404, 409, 422, extra=etag.documented(201, _WRITTEN_EXAMPLE)),
)
async def record_key_point(
    access: SessionRapporteur, data: KeyPointCreate, db: DbSession
) -> Response:
    """Record a point (rapporteurs and organisers). The non-attribution checker runs first:
    a name, alias, affiliation or acronym of anyone on the roster is a 422
    `attribution-blocked` problem with the `findings`, and nothing is stored; indirect
    identifiers are stored as `warnings` that must be acknowledged before approval. Nothing
    may be recorded from an off-the-record part (409). The answer carries the point's `ETag`
    (of the representation without `findings`)."""
    point, themes, warnings = await KeyPointService(db).record(access, data)
    return _written(point, themes, warnings, 201)


@router.post(
    "/sessions/{session_id}/key-points/check",
    response_model=CheckResult,
    operation_id="check_key_point_text",
    summary="Check a text without storing it",
    responses=problem_responses(
        401, 404, 409, 422, extra=_example(200, {"findings": [_WARNING_EXAMPLE]})
    ),
)
async def check_key_point_text(
    data: CheckRequestBody, access: SessionRapporteur, db: DbSession
) -> CheckResult:
    """A dry run of the non-attribution checker against the session's roster, under the
    regime of `part_id` (or the session's default). Blocks and warnings are both listed."""
    findings = await KeyPointService(db).dry_run(access, data.text, data.part_id)
    return CheckResult(findings=[Finding.model_validate(f) for f in finding_dicts(findings)])


@router.get(
    "/key-points/{key_point_id}",
    response_model=KeyPointRead,
    operation_id="get_key_point",
    summary="Get a key point",
    responses=problem_responses(304, 401, 404, 422, extra=etag.documented(200, _KEY_POINT_EXAMPLE)),
)
async def get_key_point(
    key_point_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One key point, for members of its series, with its `ETag`; `If-None-Match` answers
    304 when unchanged."""
    point, themes, _ = await KeyPointService(db).access(principal, key_point_id)
    return etag.respond(key_point_read(point, themes), if_none_match=if_none_match)


@router.patch(
    "/key-points/{key_point_id}",
    response_model=KeyPointWritten,
    operation_id="update_key_point",
    summary="Edit, move, tag or acknowledge a key point",
    responses=problem_responses(
        401, 404, 409, 412, 422, extra=etag.documented(200, _WRITTEN_EXAMPLE)
    ),
)
async def update_key_point(
    key_point_id: uuid.UUID,
    data: KeyPointUpdateBody,
    principal: CurrentPrincipal,
    db: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Change a point. A new text or part is checked again (blocks refuse, 422), kept as a
    new revision, and sends an approved or submitted point back to draft. `themes` replaces
    the tags; `position` reorders; `acknowledged_warnings` acknowledges warnings by code or
    index. With `If-Match`, only if the point is unchanged since that `ETag` (412
    otherwise); the answer carries the new `ETag` (of the representation without
    `findings`)."""
    service = KeyPointService(db)
    point, themes, access = await service.access(principal, key_point_id)
    etag.check_if_match(if_match, key_point_read(point, themes))
    point, themes, findings = await service.update(access, point, themes, data)
    return _written(point, themes, findings, 200)


@router.delete(
    "/key-points/{key_point_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_key_point",
    summary="Delete a key point",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def delete_key_point(
    key_point_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, if_match: IfMatch = None
) -> Response:
    """Organisers delete any point; rapporteurs only an unapproved point they wrote. With
    `If-Match`, only if the point is unchanged since that `ETag` (412 otherwise)."""
    service = KeyPointService(db)
    point, themes, access = await service.access(principal, key_point_id)
    etag.check_if_match(if_match, key_point_read(point, themes))
    await service.delete(access, point)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/key-points/{key_point_id}/review",
    response_model=KeyPointRead,
    operation_id="review_key_point",
    summary="Submit, approve or return a key point",
    responses=problem_responses(
        401, 403, 404, 409, 412, 422, extra=etag.documented(200, _KEY_POINT_EXAMPLE)
    ),
)
async def review_key_point(
    key_point_id: uuid.UUID,
    data: ReviewActionBody,
    principal: CurrentPrincipal,
    db: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """The four-eyes review. `submit`: any member, from draft or returned. `approve` and
    `return` (with a `note`): organisers only (403 otherwise), never one who wrote the point
    (403), from submitted only (409). Approval re-runs the checker against the current roster
    and needs every warning acknowledged (409 `unacknowledged-warnings` otherwise; pass
    `acknowledge` with codes or indexes). Only approved points reach reports and search.
    With `If-Match`, only if the point is unchanged since that `ETag` (412 otherwise); the
    answer carries the new `ETag`."""
    service = KeyPointService(db)
    point, themes, access = await service.access(principal, key_point_id)
    etag.check_if_match(if_match, key_point_read(point, themes))
    point = await service.review(access, point, data)
    return etag.etag_response(key_point_read(point, themes))


@router.get(
    "/key-points/{key_point_id}/history",
    response_model=KeyPointHistory,
    operation_id="get_key_point_history",
    summary="The internal audit trail of a key point",
    responses=problem_responses(
        401,
        403,
        404,
        422,
        extra=_example(
            200,
            {
                "events": [
                    {
                        "action": "key_point.created",
                        "at": "2020-06-29T12:10:00Z",
                        "user_id": "0192e0a4-5b1c-7d2e-8f3a-4b5c6d7e8f90",
                        "user_email": "rapporteur@example.org",
                        "data": {"revision": 1},
                    }
                ],
                "revisions": [],
            },
        ),
    ),
)
async def get_key_point_history(
    key_point_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession
) -> KeyPointHistory:
    """Who created, edited, submitted, returned and approved the point, and its earlier
    texts. Organisers only: this is the one place that links a point to people, and it is
    never part of any report, export, public page, e-mail or webhook."""
    service = KeyPointService(db)
    point, _, access = await service.access(principal, key_point_id)
    return await service.history(access, point)


class ThemeList(BaseModel):
    """A series' taxonomy, and (with `?with=counts`) the theme x session matrix."""

    items: list[ThemeRead]
    matrix: ThemeMatrix | None = None


@themes_router.get(
    "/series/{series_id}/themes",
    response_model=ThemeList,
    operation_id="list_themes",
    summary="List a series' themes",
    responses=problem_responses(
        401, 404, 422, extra=_example(200, {"items": [_THEME_EXAMPLE], "matrix": None})
    ),
)
async def list_themes(
    access: SeriesRapporteur,
    db: DbSession,
    with_: Annotated[Literal["counts"] | None, Query(alias="with")] = None,
) -> ThemeList:
    """The series' theme taxonomy in order; `?with=counts` adds approved points per theme
    and session."""
    service = KeyPointService(db)
    matrix = await service.theme_matrix(access) if with_ == "counts" else None
    items = matrix.themes if matrix is not None else await service.themes(access)
    return ThemeList(items=items, matrix=matrix)


@themes_router.post(
    "/series/{series_id}/themes",
    status_code=status.HTTP_201_CREATED,
    response_model=ThemeRead,
    operation_id="add_theme",
    summary="Add a theme",
    responses=problem_responses(
        401, 403, 404, 409, 422, extra=etag.documented(201, _THEME_EXAMPLE)
    ),
)
async def add_theme(data: ThemeCreateBody, access: SeriesRapporteur, db: DbSession) -> Response:
    """Add a theme to the series' taxonomy (organisers only); slugs are unique per series.
    The answer carries the theme's `ETag`."""
    theme = await KeyPointService(db).add_theme(access, data)
    return etag.etag_response(ThemeRead.model_validate(theme), status_code=201)


@themes_router.get(
    "/themes/{theme_id}",
    response_model=ThemeRead,
    operation_id="get_theme",
    summary="Get a theme",
    responses=problem_responses(304, 401, 404, 422, extra=etag.documented(200, _THEME_EXAMPLE)),
)
async def get_theme(
    theme_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One theme, for members of its series, with its `ETag`; `If-None-Match` answers 304
    when unchanged."""
    theme, _ = await KeyPointService(db).theme_access(principal, theme_id)
    return etag.respond(ThemeRead.model_validate(theme), if_none_match=if_none_match)


@themes_router.patch(
    "/themes/{theme_id}",
    response_model=ThemeRead,
    operation_id="update_theme",
    summary="Rename or move a theme",
    responses=problem_responses(
        401, 403, 404, 409, 412, 422, extra=etag.documented(200, _THEME_EXAMPLE)
    ),
)
async def update_theme(
    theme_id: uuid.UUID,
    data: ThemeUpdateBody,
    principal: CurrentPrincipal,
    db: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Change a theme's label or position (organisers only); the slug stays. With
    `If-Match`, only if the theme is unchanged since that `ETag` (412 otherwise); the answer
    carries the new `ETag`."""
    service = KeyPointService(db)
    theme, access = await service.theme_access(principal, theme_id)
    access.require_manage()
    etag.check_if_match(if_match, ThemeRead.model_validate(theme))
    theme = await service.update_theme(access, theme, data)
    return etag.etag_response(ThemeRead.model_validate(theme))


@themes_router.delete(
    "/themes/{theme_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_theme",
    summary="Delete a theme",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def delete_theme(
    theme_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, if_match: IfMatch = None
) -> Response:
    """Remove a theme from the taxonomy (organisers only); tagged points keep their text.
    With `If-Match`, only if the theme is unchanged since that `ETag` (412 otherwise)."""
    service = KeyPointService(db)
    theme, access = await service.theme_access(principal, theme_id)
    access.require_manage()
    etag.check_if_match(if_match, ThemeRead.model_validate(theme))
    await service.delete_theme(access, theme)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router.include_router(themes_router)
