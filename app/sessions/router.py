"""HTTP routes for sessions, their lifecycle, agenda parts and public calendars."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.db import DbSession
from app.errors import problem_responses
from app.kit.pagination import Page, PageQuery
from app.kit.types import TimeZoneName
from app.security import CurrentPrincipal
from app.series.deps import SeriesRapporteur
from app.sessions.calendar import CALENDAR_MEDIA_TYPE, render_calendar
from app.sessions.deps import SessionOrganiser, SessionRapporteur
from app.sessions.schemas import (
    PartCreate,
    PartRead,
    PartUpdate,
    SessionCreate,
    SessionRead,
    SessionUpdate,
    SessionWritten,
    StatusChange,
)
from app.sessions.service import SessionService, session_read

router = APIRouter(tags=["sessions"])
public_router = APIRouter(tags=["calendars"])

TzQuery = Annotated[
    TimeZoneName | None,
    Query(description="Also render times in this IANA zone, e.g. America/New_York."),
]


@router.get(
    "/series/{series_id}/sessions",
    response_model=Page[SessionRead],
    operation_id="list_sessions",
    summary="List a series' sessions",
    responses=problem_responses(401, 404, 422),
)
async def list_sessions(
    access: SeriesRapporteur, db: DbSession, page: PageQuery, tz: TzQuery = None
) -> Page[SessionRead]:
    """The series' sessions in order of their number, any status."""
    rows, cursor = await SessionService(db).list_sessions(access, page)
    return Page(items=[session_read(s, tz) for s in rows], next_cursor=cursor)


@router.post(
    "/series/{series_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionWritten,
    operation_id="schedule_session",
    summary="Create a session",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def schedule_session(
    data: SessionCreate, access: SeriesRapporteur, db: DbSession
) -> SessionWritten:
    """Create a draft session (organisers only), numbered after the series' last session.

    Times are accepted with any offset and stored in UTC; `timezone` (defaulting to the
    series') is the zone the session is shown in. An overlap with another session of the
    series is allowed and reported in `warnings`.
    """
    session, warnings = await SessionService(db).schedule_session(access, data)
    return SessionWritten(**session_read(session).model_dump(), warnings=warnings)


@router.get(
    "/sessions/{session_id}",
    response_model=SessionRead,
    operation_id="get_session",
    summary="Get a session",
    responses=problem_responses(401, 404, 422),
)
async def get_session(access: SessionRapporteur, tz: TzQuery = None) -> SessionRead:
    """One session, with its times in UTC, in its own zone, and in `?tz=` if given."""
    return session_read(access.session, tz)


@router.patch(
    "/sessions/{session_id}",
    response_model=SessionWritten,
    operation_id="update_session",
    summary="Update a session",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_session(
    data: SessionUpdate, access: SessionRapporteur, db: DbSession
) -> SessionWritten:
    """Change a session (organisers only). A new time bumps its calendar sequence and
    reports overlaps in `warnings`; held, closed and cancelled sessions keep their time."""
    session, warnings = await SessionService(db).update_session(access, data)
    return SessionWritten(**session_read(session).model_dump(), warnings=warnings)


@router.post(
    "/sessions/{session_id}/status",
    response_model=SessionRead,
    operation_id="change_session_status",
    summary="Move a session through its lifecycle",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def change_session_status(
    data: StatusChange, access: SessionRapporteur, db: DbSession
) -> SessionRead:
    """draft -> scheduled -> held -> closed; scheduled <-> postponed; draft, scheduled or
    postponed -> cancelled. Postponing and cancelling need a `reason`. Any other move is a
    409 problem whose `allowed` member lists the moves open from the current status."""
    session = await SessionService(db).change_status(access, data)
    return session_read(session)


@router.get(
    "/sessions/{session_id}/parts",
    response_model=list[PartRead],
    operation_id="list_agenda_parts",
    summary="List a session's agenda parts",
    responses=problem_responses(401, 404),
)
async def list_parts(access: SessionRapporteur, db: DbSession) -> list[PartRead]:
    """The agenda in order (an agenda is short, so it is not paginated)."""
    parts = await SessionService(db).list_parts(access.session.id)
    return [PartRead.model_validate(p) for p in parts]


@router.post(
    "/sessions/{session_id}/parts",
    status_code=status.HTTP_201_CREATED,
    response_model=PartRead,
    operation_id="add_agenda_part",
    summary="Add an agenda part",
    responses=problem_responses(401, 403, 404, 422),
)
async def add_part(data: PartCreate, access: SessionOrganiser, db: DbSession) -> PartRead:
    """Add a part (organisers only): appended, or inserted at `position`. Its regime
    defaults to the session's default regime."""
    part = await SessionService(db).add_part(access, data)
    return PartRead.model_validate(part)


@router.patch(
    "/parts/{part_id}",
    response_model=PartRead,
    operation_id="update_agenda_part",
    summary="Update or move an agenda part",
    responses=problem_responses(401, 403, 404, 422),
)
async def update_part(
    part_id: uuid.UUID, data: PartUpdate, principal: CurrentPrincipal, db: DbSession
) -> PartRead:
    """Change a part (organisers only); a new `position` reorders the agenda. Regime
    changes are recorded in the audit trail."""
    service = SessionService(db)
    part, access = await service.get_part(principal, part_id)
    access.series_access.require_manage()
    part = await service.update_part(access, part, data)
    return PartRead.model_validate(part)


@router.delete(
    "/parts/{part_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_agenda_part",
    summary="Delete an agenda part",
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_part(part_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> Response:
    """Remove a part (organisers only); the remaining parts close up."""
    service = SessionService(db)
    part, access = await service.get_part(principal, part_id)
    await service.delete_part(access, part)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


_ICS_RESPONSES = {
    200: {"content": {CALENDAR_MEDIA_TYPE: {}}, "description": "An iCalendar document"},
} | problem_responses(404)


@public_router.get(
    "/sessions/{session_id}/calendar.ics",
    response_class=Response,
    operation_id="get_session_calendar",
    summary="A session's calendar entry (public)",
    responses=_ICS_RESPONSES,
)
async def get_session_calendar(session_id: uuid.UUID, request: Request, db: DbSession) -> Response:
    """An iCalendar file for one session, without a token, for any session that is not a
    draft. It names no one: no participant, speaker, affiliation, role, venue or meeting link,
    only the series and session titles, the time with its zone, and the public context."""
    session, series = await SessionService(db).public_session(session_id)
    body = render_calendar(series, [session], request.app.state.settings.base_url)
    return _ics(body, f"session-{session.number}.ics")


@public_router.get(
    "/series/{series_id}/calendar.ics",
    response_class=Response,
    operation_id="get_series_calendar",
    summary="A series' calendar feed (public)",
    responses=_ICS_RESPONSES,
)
async def get_series_calendar(series_id: uuid.UUID, request: Request, db: DbSession) -> Response:
    """A subscribable feed of the series' sessions (drafts never appear; cancelled sessions
    appear as cancelled so calendars remove them). Names no one, like the session file."""
    service = SessionService(db)
    series = await service.public_series(series_id)
    sessions = await service.public_sessions(series.id)
    body = render_calendar(series, sessions, request.app.state.settings.base_url)
    return _ics(body, f"{series.slug}.ics")


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=CALENDAR_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "public, max-age=300",
        },
    )
