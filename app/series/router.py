"""HTTP routes for dialogue series and their members."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from app.config import Settings
from app.db import DbSession
from app.errors import problem_responses
from app.kit.pagination import Page, PageQuery
from app.security import CurrentPrincipal
from app.series.deps import SeriesOrganiser, SeriesRapporteur
from app.series.schemas import MemberCreate, MemberRead, SeriesCreate, SeriesRead, SeriesUpdate
from app.series.service import SeriesService

router = APIRouter(prefix="/series", tags=["series"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SeriesRead,
    operation_id="create_series",
    summary="Create a series",
    responses=problem_responses(401, 409, 422),
)
async def create_series(
    data: SeriesCreate, request: Request, session: DbSession, principal: CurrentPrincipal
) -> SeriesRead:
    """Create a dialogue series. The caller becomes its first organiser.

    The slug must be unique across the installation (409 otherwise).
    """
    settings: Settings = request.app.state.settings
    series = await SeriesService(session).create_series(principal, data, settings.default_timezone)
    return SeriesRead.model_validate(series)


@router.get(
    "",
    response_model=Page[SeriesRead],
    operation_id="list_series",
    summary="List series",
    responses=problem_responses(401, 422),
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
    responses=problem_responses(401, 404),
)
async def get_series(access: SeriesRapporteur) -> SeriesRead:
    """One series, for its members and administrators; 404 for everyone else."""
    return SeriesRead.model_validate(access.series)


@router.patch(
    "/{series_id}",
    response_model=SeriesRead,
    operation_id="update_series",
    summary="Update a series",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_series(
    data: SeriesUpdate, access: SeriesRapporteur, session: DbSession
) -> SeriesRead:
    """Change a series' fields (organisers only); absent fields stay as they are."""
    series = await SeriesService(session).update_series(access, data)
    return SeriesRead.model_validate(series)


@router.delete(
    "/{series_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_series",
    summary="Delete a series",
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_series(access: SeriesRapporteur, session: DbSession) -> Response:
    """Delete a series and its memberships (organisers only)."""
    await SeriesService(session).delete_series(access)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{series_id}/members",
    response_model=Page[MemberRead],
    operation_id="list_series_members",
    summary="List a series' members",
    responses=problem_responses(401, 404, 422),
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
        extra={200: {"description": "An existing member's role changed", "model": MemberRead}},
    ),
)
async def add_member(
    data: MemberCreate, access: SeriesOrganiser, session: DbSession, response: Response
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
    responses=problem_responses(401, 403, 404, 409),
)
async def remove_member(
    user_id: uuid.UUID, access: SeriesOrganiser, session: DbSession
) -> Response:
    """Remove a user from the series (organisers only); the last organiser stays (409)."""
    await SeriesService(session).remove_member(access, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
