"""HTTP routes for key points, the checker, the four-eyes review and themes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from app.db import DbSession
from app.errors import problem_responses
from app.key_points import checker
from app.key_points.models import KeyPoint
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
from app.key_points.service import KeyPointService, finding_dicts, key_point_read
from app.security import CurrentPrincipal
from app.series.deps import SeriesRapporteur
from app.sessions.deps import SessionRapporteur

router = APIRouter(tags=["key points"])
themes_router = APIRouter(tags=["themes"])


def _written(
    point: KeyPoint, themes: list[str], findings: Sequence[checker.Finding]
) -> KeyPointWritten:
    return KeyPointWritten(
        **key_point_read(point, themes).model_dump(),
        findings=[Finding.model_validate(f) for f in finding_dicts(findings)],
    )


# The list route lives in list_router.py: it is the hot read path (P1).


@router.post(
    "/sessions/{session_id}/key-points",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyPointWritten,
    operation_id="record_key_point",
    summary="Record a key point",
    responses=problem_responses(401, 404, 409, 422),
)
async def record_key_point(
    data: KeyPointCreate, access: SessionRapporteur, db: DbSession
) -> KeyPointWritten:
    """Record a point (rapporteurs and organisers). The non-attribution checker runs first:
    a name, alias, affiliation or acronym of anyone on the roster is a 422
    `attribution-blocked` problem with the `findings`, and nothing is stored; indirect
    identifiers are stored as `warnings` that must be acknowledged before approval. Nothing
    may be recorded from an off-the-record part (409)."""
    point, themes, warnings = await KeyPointService(db).record(access, data)
    return _written(point, themes, warnings)


@router.post(
    "/sessions/{session_id}/key-points/check",
    response_model=CheckResult,
    operation_id="check_key_point_text",
    summary="Check a text without storing it",
    responses=problem_responses(401, 404, 409, 422),
)
async def check_key_point_text(
    data: CheckRequest, access: SessionRapporteur, db: DbSession
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
    responses=problem_responses(401, 404),
)
async def get_key_point(
    key_point_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession
) -> KeyPointRead:
    """One key point, for members of its series."""
    point, themes, _ = await KeyPointService(db).access(principal, key_point_id)
    return key_point_read(point, themes)


@router.patch(
    "/key-points/{key_point_id}",
    response_model=KeyPointWritten,
    operation_id="update_key_point",
    summary="Edit, move, tag or acknowledge a key point",
    responses=problem_responses(401, 404, 409, 422),
)
async def update_key_point(
    key_point_id: uuid.UUID, data: KeyPointUpdate, principal: CurrentPrincipal, db: DbSession
) -> KeyPointWritten:
    """Change a point. A new text or part is checked again (blocks refuse, 422), kept as a
    new revision, and sends an approved or submitted point back to draft. `themes` replaces
    the tags; `position` reorders; `acknowledged_warnings` acknowledges warnings by code or
    index."""
    service = KeyPointService(db)
    point, themes, access = await service.access(principal, key_point_id)
    point, themes, findings = await service.update(access, point, themes, data)
    return _written(point, themes, findings)


@router.delete(
    "/key-points/{key_point_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_key_point",
    summary="Delete a key point",
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_key_point(
    key_point_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession
) -> Response:
    """Organisers delete any point; rapporteurs only an unapproved point they wrote."""
    service = KeyPointService(db)
    point, _, access = await service.access(principal, key_point_id)
    await service.delete(access, point)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/key-points/{key_point_id}/review",
    response_model=KeyPointRead,
    operation_id="review_key_point",
    summary="Submit, approve or return a key point",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def review_key_point(
    key_point_id: uuid.UUID, data: ReviewAction, principal: CurrentPrincipal, db: DbSession
) -> KeyPointRead:
    """The four-eyes review. `submit`: any member, from draft or returned. `approve` and
    `return` (with a `note`): organisers only (403 otherwise), never one who wrote the point
    (403), from submitted only (409). Approval re-runs the checker against the current roster
    and needs every warning acknowledged (409 `unacknowledged-warnings` otherwise; pass
    `acknowledge` with codes or indexes). Only approved points reach reports and search."""
    service = KeyPointService(db)
    point, themes, access = await service.access(principal, key_point_id)
    point = await service.review(access, point, data)
    return key_point_read(point, themes)


@router.get(
    "/key-points/{key_point_id}/history",
    response_model=KeyPointHistory,
    operation_id="get_key_point_history",
    summary="The internal audit trail of a key point",
    responses=problem_responses(401, 403, 404),
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
    responses=problem_responses(401, 404, 422),
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
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_theme(data: ThemeCreate, access: SeriesRapporteur, db: DbSession) -> ThemeRead:
    """Add a theme to the series' taxonomy (organisers only); slugs are unique per series."""
    return ThemeRead.model_validate(await KeyPointService(db).add_theme(access, data))


@themes_router.patch(
    "/themes/{theme_id}",
    response_model=ThemeRead,
    operation_id="update_theme",
    summary="Rename or move a theme",
    responses=problem_responses(401, 403, 404, 422),
)
async def update_theme(
    theme_id: uuid.UUID, data: ThemeUpdate, principal: CurrentPrincipal, db: DbSession
) -> ThemeRead:
    """Change a theme's label or position (organisers only); the slug stays."""
    service = KeyPointService(db)
    theme, access = await service.theme_access(principal, theme_id)
    return ThemeRead.model_validate(await service.update_theme(access, theme, data))


@themes_router.delete(
    "/themes/{theme_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_theme",
    summary="Delete a theme",
    responses=problem_responses(401, 403, 404),
)
async def delete_theme(theme_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> Response:
    """Remove a theme from the taxonomy (organisers only); tagged points keep their text."""
    service = KeyPointService(db)
    theme, access = await service.theme_access(principal, theme_id)
    await service.delete_theme(access, theme)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router.include_router(themes_router)
