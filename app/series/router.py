"""HTTP routes for dialogue series and their members."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response, status

from app.config import Settings
from app.db import DbSession
from app.errors import problem_responses
from app.kit import etag
from app.kit.etag import IfMatch, IfNoneMatch
from app.kit.pagination import Page, PageQuery
from app.security import CurrentPrincipal
from app.series.deps import SeriesOrganiser, SeriesRapporteur
from app.series.schemas import MemberCreate, MemberRead, SeriesCreate, SeriesRead, SeriesUpdate
from app.series.service import SeriesService

router = APIRouter(prefix="/series", tags=["series"])

_SERIES_EXAMPLE: dict[str, Any] = {
    "id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0b12",
    "slug": "afghan-peace",
    "title": "Regional and International Support for Afghan Peace",
    "description": "Online forums of scholars and former diplomats.",
    "organiser": "Heart of Asia Society",
    "partners": ["Center for Conflict and Humanitarian Studies"],
    "timezone": "Asia/Kabul",
    "default_regime": "chatham_house",
    "strapline": "Building Peace and Connectivity through Research and Dialogue",
    "title_prefix": "HAS Track 2 Dialogue Series",
    "dateline": "KABUL",
    "closing": "",
    "report_request_policy": "review",
    "paper": "a4",
    "created_at": "2026-01-15T09:30:00Z",
    "updated_at": "2026-01-20T11:00:00Z",
}
_MEMBER_EXAMPLE: dict[str, Any] = {
    "user_id": "0192e0a4-5b1c-7d2e-8f3a-4b5c6d7e8f90",
    "email": "rapporteur@example.org",
    "display_name": "Rapporteur",
    "role": "rapporteur",
    "created_at": "2026-01-15T09:35:00Z",
}
SeriesUpdateBody = Annotated[
    SeriesUpdate,
    Body(
        openapi_examples={
            "retitle": {
                "summary": "A new title and partners",
                "value": {
                    "title": "Regional Support for Afghan Peace",
                    "partners": ["Center for International Cooperation at New York University"],
                },
            }
        }
    ),
]
MemberCreateBody = Annotated[
    MemberCreate,
    Body(
        openapi_examples={
            "rapporteur": {
                "summary": "Add a rapporteur",
                "value": {"user_id": "0192e0a4-5b1c-7d2e-8f3a-4b5c6d7e8f90", "role": "rapporteur"},
            }
        }
    ),
]


def _page_example(item: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {"application/json": {"example": {"items": [item], "next_cursor": None}}}}
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SeriesRead,
    operation_id="create_series",
    summary="Create a series",
    responses=problem_responses(401, 409, 422, extra=etag.documented(201, _SERIES_EXAMPLE)),
)
async def create_series(
    data: SeriesCreate, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Create a dialogue series. The caller becomes its first organiser.

    The slug must be unique across the installation (409 otherwise). The answer carries the
    series' `ETag`.
    """
    settings: Settings = request.app.state.settings
    series = await SeriesService(session).create_series(principal, data, settings.default_timezone)
    return etag.etag_response(SeriesRead.model_validate(series), status_code=201)


@router.get(
    "",
    response_model=Page[SeriesRead],
    operation_id="list_series",
    summary="List series",
    responses=problem_responses(401, 422, extra=_page_example(_SERIES_EXAMPLE)),
)
async def list_series(
    session: DbSession, principal: CurrentPrincipal, page: PageQuery
) -> Page[SeriesRead]:
    """The series the caller is a member of (administrators: all), oldest first."""
    rows, cursor = await SeriesService(session).list_series(principal, page)
    return Page(items=[SeriesRead.model_validate(s) for s in rows], next_cursor=cursor)


@router.get(
    "/{series_id}",
    response_model=SeriesRead,
    operation_id="get_series",
    summary="Get a series",
    responses=problem_responses(304, 401, 404, 422, extra=etag.documented(200, _SERIES_EXAMPLE)),
)
async def get_series(access: SeriesRapporteur, if_none_match: IfNoneMatch = None) -> Response:
    """One series, for its members and administrators; 404 for everyone else. The answer
    carries the series' `ETag`; `If-None-Match` answers 304 when unchanged."""
    return etag.respond(SeriesRead.model_validate(access.series), if_none_match=if_none_match)


@router.patch(
    "/{series_id}",
    response_model=SeriesRead,
    operation_id="update_series",
    summary="Update a series",
    responses=problem_responses(
        401, 403, 404, 409, 412, 422, extra=etag.documented(200, _SERIES_EXAMPLE)
    ),
)
async def update_series(
    data: SeriesUpdateBody,
    access: SeriesRapporteur,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Change a series' fields (organisers only); absent fields stay as they are. With
    `If-Match`, only if the series is unchanged since that `ETag` (412 otherwise); the answer
    carries the new `ETag`."""
    access.require_manage()
    etag.check_if_match(if_match, SeriesRead.model_validate(access.series))
    series = await SeriesService(session).update_series(access, data)
    return etag.etag_response(SeriesRead.model_validate(series))


@router.delete(
    "/{series_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_series",
    summary="Delete a series",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def delete_series(
    access: SeriesRapporteur, session: DbSession, if_match: IfMatch = None
) -> Response:
    """Delete a series and its memberships (organisers only); a series with sessions stays
    (409). With `If-Match`, only if the series is unchanged since that `ETag` (412)."""
    access.require_manage()
    etag.check_if_match(if_match, SeriesRead.model_validate(access.series))
    await SeriesService(session).delete_series(access)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{series_id}/members",
    response_model=Page[MemberRead],
    operation_id="list_series_members",
    summary="List a series' members",
    responses=problem_responses(401, 404, 422, extra=_page_example(_MEMBER_EXAMPLE)),
)
async def list_members(
    access: SeriesRapporteur, session: DbSession, page: PageQuery
) -> Page[MemberRead]:
    """The organisers and rapporteurs of a series."""
    items, cursor = await SeriesService(session).list_members(access, page)
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/{series_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberRead,
    operation_id="add_series_member",
    summary="Add a member or change a role",
    responses=problem_responses(
        401,
        403,
        404,
        409,
        422,
        extra={
            200: {
                "description": "An existing member's role changed",
                "model": MemberRead,
                "content": {"application/json": {"example": _MEMBER_EXAMPLE}},
            },
            201: {"content": {"application/json": {"example": _MEMBER_EXAMPLE}}},
        },
    ),
)
async def add_member(
    data: MemberCreateBody, access: SeriesOrganiser, session: DbSession, response: Response
) -> MemberRead:
    """Make a user an organiser or rapporteur of the series (organisers only).

    Answers 201 for a new member and 200 when an existing member's role changed. The last
    organiser cannot be made a rapporteur (409).
    """
    member, created = await SeriesService(session).set_member(access, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return member


@router.delete(
    "/{series_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="remove_series_member",
    summary="Remove a member",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def remove_member(
    user_id: uuid.UUID, access: SeriesOrganiser, session: DbSession
) -> Response:
    """Remove a user from the series (organisers only); the last organiser stays (409)."""
    await SeriesService(session).remove_member(access, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
