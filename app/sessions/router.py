"""HTTP routes for sessions, their lifecycle, agenda parts and public calendars."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status

from app.confidentiality.gate import BeingRevised
from app.config import AppSettings
from app.db import DbSession
from app.errors import problem_responses
from app.kit import etag
from app.kit.documents import CALENDAR, serve, variant
from app.kit.etag import IfMatch, IfNoneMatch
from app.kit.pagination import Page, PageQuery
from app.kit.types import TimeZoneName
from app.security import CurrentPrincipal
from app.series.deps import SeriesRapporteur
from app.series.service import public_series_texts
from app.sessions.calendar import CALENDAR_MEDIA_TYPE, render_calendar
from app.sessions.deps import SessionOrganiser, SessionRapporteur
from app.sessions.schemas import (
    PartCreate,
    PartRead,
    PartUpdate,
    PartWritten,
    SessionCreate,
    SessionRead,
    SessionUpdate,
    SessionWritten,
    StatusChange,
)
from app.sessions.service import SessionService, session_read, takedown_warnings

router = APIRouter(tags=["sessions"])
public_router = APIRouter(tags=["calendars"])

TzQuery = Annotated[
    TimeZoneName | None,
    Query(description="Also render times in this IANA zone, e.g. America/New_York."),
]

_ZONED = {
    "timezone": "Asia/Kabul",
    "starts_at": "2020-06-29T14:00:00+04:30",
    "ends_at": "2020-06-29T16:30:00+04:30",
    "starts_utc_offset": "+04:30",
    "ends_utc_offset": "+04:30",
    "abbreviation": "+0430",
}
_SESSION_EXAMPLE: dict[str, Any] = {
    "id": "0192e0a7-2e4f-7051-9c6d-7e8f9a0b1c23",
    "series_id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0b12",
    "number": 3,
    "title": "While Doha Prepares to Host the IAN, What Are the Challenges Ahead?",
    "context": "Afghanistan has seen a resurgence of violence ...",
    "starts_at": "2020-06-29T09:30:00Z",
    "ends_at": "2020-06-29T12:00:00Z",
    "timezone": "Asia/Kabul",
    "local": _ZONED,
    "format": "hybrid",
    "venue": "Serena Hotel, Kabul",
    "meeting_url": "https://meet.example.org/has-track2-3",
    "default_regime": "chatham_house",
    "status": "postponed",
    "status_reason": "The speakers cannot travel.",
    "calendar_sequence": 2,
    "allowed_transitions": ["scheduled", "cancelled"],
    "created_at": "2020-06-01T08:00:00Z",
    "updated_at": "2020-06-02T08:00:00Z",
}
_WRITTEN_EXAMPLE: dict[str, Any] = _SESSION_EXAMPLE | {"warnings": []}
_PART_EXAMPLE: dict[str, Any] = {
    "id": "0192e0a8-3f50-7162-8d7e-8f9a0b1c2d34",
    "session_id": "0192e0a7-2e4f-7051-9c6d-7e8f9a0b1c23",
    "position": 2,
    "title": "Perspectives from Europe",
    "kind": "presentation",
    "topic": "Perspectives from Europe",
    "regime": "on_record",
    "created_at": "2020-06-01T08:05:00Z",
    "updated_at": "2020-06-01T08:05:00Z",
}
SessionUpdateBody = Annotated[
    SessionUpdate,
    Body(
        openapi_examples={
            "reschedule": {
                "summary": "Move the session by a day",
                "value": {
                    "starts_at": "2020-06-30T14:00:00+04:30",
                    "ends_at": "2020-06-30T16:30:00+04:30",
                },
            }
        }
    ),
]
StatusChangeBody = Annotated[
    StatusChange,
    Body(
        openapi_examples={
            "schedule": {"summary": "Publish a draft", "value": {"status": "scheduled"}},
            "postpone": {
                "summary": "Postpone",
                "value": {"status": "postponed", "reason": "The speakers cannot travel."},
            },
        }
    ),
]
PartCreateBody = Annotated[
    PartCreate,
    Body(
        openapi_examples={
            "panel": {
                "summary": "An on-record panel",
                "value": {
                    "title": "Perspectives from Europe",
                    "kind": "presentation",
                    "topic": "Perspectives from Europe",
                    "regime": "on_record",
                },
            }
        }
    ),
]
PartUpdateBody = Annotated[
    PartUpdate,
    Body(
        openapi_examples={
            "move": {"summary": "Move to the top", "value": {"position": 1}},
            "regime": {"summary": "Take off the record", "value": {"regime": "off_record"}},
        }
    ),
]


def _example(status_code: int, example: Any) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"content": {"application/json": {"example": example}}}}


@router.get(
    "/series/{series_id}/sessions",
    response_model=Page[SessionRead],
    operation_id="list_sessions",
    summary="List a series' sessions",
    responses=problem_responses(
        401, 404, 422, extra=_example(200, {"items": [_SESSION_EXAMPLE], "next_cursor": None})
    ),
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
    responses=problem_responses(
        401, 403, 404, 409, 422, extra=etag.documented(201, _WRITTEN_EXAMPLE)
    ),
)
async def schedule_session(
    data: SessionCreate, access: SeriesRapporteur, db: DbSession
) -> Response:
    """Create a draft session (organisers only), numbered after the series' last session.

    Times are accepted with any offset and stored in UTC; `timezone` (defaulting to the
    series') is the zone the session is shown in. An overlap with another session of the
    series is allowed and reported in `warnings`. The `ETag` is that of the session as
    `GET /api/v1/sessions/{session_id}` shows it (without the warnings).
    """
    session, warnings = await SessionService(db).schedule_session(access, data)
    canonical = session_read(session)
    written = SessionWritten(**canonical.model_dump(), warnings=warnings)
    return etag.etag_response(written, etag=etag.etag_of(canonical), status_code=201)


@router.get(
    "/sessions/{session_id}",
    response_model=SessionRead,
    operation_id="get_session",
    summary="Get a session",
    responses=problem_responses(304, 401, 404, 422, extra=etag.documented(200, _SESSION_EXAMPLE)),
)
async def get_session(
    access: SessionRapporteur, tz: TzQuery = None, if_none_match: IfNoneMatch = None
) -> Response:
    """One session, with its times in UTC, in its own zone, and in `?tz=` if given.

    The answer carries an `ETag`; with `?tz=` it is the ETag of that variant (for
    `If-None-Match`), while `If-Match` on writes compares with the ETag of the plain
    representation. `If-None-Match` answers 304 when unchanged."""
    body = session_read(access.session, tz)
    return etag.respond(body, if_none_match=if_none_match, etag=etag.etag_of(body, tz=tz))


@router.patch(
    "/sessions/{session_id}",
    response_model=SessionWritten,
    operation_id="update_session",
    summary="Update a session",
    responses=problem_responses(
        401, 403, 404, 409, 412, 422, extra=etag.documented(200, _WRITTEN_EXAMPLE)
    ),
)
async def update_session(
    data: SessionUpdateBody, access: SessionRapporteur, db: DbSession, if_match: IfMatch = None
) -> Response:
    """Change a session (organisers only). A new time bumps its calendar sequence and
    reports overlaps in `warnings`; held, closed and cancelled sessions keep their time.

    With `If-Match`, only if the session is unchanged since that `ETag` (412 otherwise); the
    answer carries the new `ETag` (of the representation without warnings)."""
    access.series_access.require_manage()
    etag.check_if_match(if_match, session_read(access.session))
    session, warnings = await SessionService(db).update_session(access, data)
    canonical = session_read(session)
    written = SessionWritten(**canonical.model_dump(), warnings=warnings)
    return etag.etag_response(written, etag=etag.etag_of(canonical))


@router.post(
    "/sessions/{session_id}/status",
    response_model=SessionRead,
    operation_id="change_session_status",
    summary="Move a session through its lifecycle",
    responses=problem_responses(
        401, 403, 404, 409, 412, 422, extra=etag.documented(200, _SESSION_EXAMPLE)
    ),
)
async def change_session_status(
    data: StatusChangeBody, access: SessionRapporteur, db: DbSession, if_match: IfMatch = None
) -> Response:
    """draft -> scheduled -> held -> closed; scheduled <-> postponed; draft, scheduled or
    postponed -> cancelled. Postponing and cancelling need a `reason`. Any other move is a
    409 problem whose `allowed` member lists the moves open from the current status.

    With `If-Match`, only if the session is unchanged since that `ETag` (412 otherwise); the
    answer carries the new `ETag`."""
    access.series_access.require_manage()
    etag.check_if_match(if_match, session_read(access.session))
    session = await SessionService(db).change_status(access, data)
    return etag.etag_response(session_read(session))


@router.get(
    "/sessions/{session_id}/parts",
    response_model=list[PartRead],
    operation_id="list_agenda_parts",
    summary="List a session's agenda parts",
    responses=problem_responses(401, 404, 422, extra=_example(200, [_PART_EXAMPLE])),
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
    responses=problem_responses(401, 403, 404, 409, 422, extra=etag.documented(201, _PART_EXAMPLE)),
)
async def add_part(data: PartCreateBody, access: SessionOrganiser, db: DbSession) -> Response:
    """Add a part (organisers only): appended, or inserted at `position`. Its regime
    defaults to the session's default regime. The answer carries the part's `ETag`."""
    part = await SessionService(db).add_part(access, data)
    return etag.etag_response(PartRead.model_validate(part), status_code=201)


@router.get(
    "/parts/{part_id}",
    response_model=PartRead,
    operation_id="get_agenda_part",
    summary="Get an agenda part",
    responses=problem_responses(304, 401, 404, 422, extra=etag.documented(200, _PART_EXAMPLE)),
)
async def get_part(
    part_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One agenda part, for members of its series, with its `ETag`; `If-None-Match`
    answers 304 when unchanged."""
    part, _ = await SessionService(db).get_part(principal, part_id)
    return etag.respond(PartRead.model_validate(part), if_none_match=if_none_match)


@router.patch(
    "/parts/{part_id}",
    response_model=PartWritten,
    operation_id="update_agenda_part",
    summary="Update or move an agenda part",
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        extra=etag.documented(200, _PART_EXAMPLE | {"warnings": []}),
    ),
)
async def update_part(
    part_id: uuid.UUID,
    data: PartUpdateBody,
    principal: CurrentPrincipal,
    db: DbSession,
    settings: AppSettings,
    if_match: IfMatch = None,
) -> Response:
    """Change a part (organisers only); a new `position` reorders the agenda. Regime
    changes are recorded in the audit trail. With `If-Match`, only if the part is unchanged
    since that `ETag` (412 otherwise); the answer carries the new `ETag` (of the
    representation without warnings).

    A part taken off the record withdraws the consents to be named in it: anything
    published that names someone there, or holds a point of a part now off the record, is
    taken down at once (410 "being revised"), listed in `warnings`
    (`published_text_taken_down`), and the series' organisers are e-mailed; republish it
    after the fix with `POST /api/v1/series/{series_id}/republish`."""
    service = SessionService(db)
    part, access = await service.get_part(principal, part_id)
    access.series_access.require_manage()
    etag.check_if_match(if_match, PartRead.model_validate(part))
    part = await service.update_part(access, part, data)
    warnings = takedown_warnings(db)
    item = PartRead.model_validate(part)
    written = PartWritten(**item.model_dump(), warnings=warnings)
    return etag.etag_response(written, etag=etag.etag_of(item))


@router.delete(
    "/parts/{part_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_agenda_part",
    summary="Delete an agenda part",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def delete_part(
    part_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DbSession,
    settings: AppSettings,
    if_match: IfMatch = None,
) -> Response:
    """Remove a part (organisers only); the remaining parts close up. With `If-Match`, only
    if the part is unchanged since that `ETag` (412 otherwise).

    The consents to be named in the part go with it: anything published that named someone
    there is taken down at once and the series' organisers are e-mailed (see
    `published_text_taken_down` on the other agenda writes)."""
    service = SessionService(db)
    part, access = await service.get_part(principal, part_id)
    access.series_access.require_manage()
    etag.check_if_match(if_match, PartRead.model_validate(part))
    await service.delete_part(access, part)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


_ICS_RESPONSES = {
    200: {"content": {CALENDAR_MEDIA_TYPE: {}}, "description": "An iCalendar document"},
} | problem_responses(404, 410, 422)


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
    only the series and session titles, the time with its zone, and the public context.
    Rendered once per version of what the series publishes; strong `ETag`, 304 on
    `If-None-Match`."""
    service = SessionService(db)

    async def produce() -> Response:
        session, series = await service.public_session(session_id)
        series_texts = await public_series_texts(db, series)
        texts = await service.public_texts(session, series.directory_version)
        if series_texts is None or texts is None:
            raise BeingRevised("This session's calendar entry is being revised")
        body = render_calendar(series, series_texts, [(session, texts)], _base(request))
        return _ics(body, f"session-{session.number}.ics")

    version = await service.public_version(session_id=session_id)
    return await serve(request, variant(request), version, produce, CALENDAR)


@public_router.get(
    "/series/{series_id}/calendar.ics",
    response_class=Response,
    operation_id="get_series_calendar",
    summary="A series' calendar feed (public)",
    responses=_ICS_RESPONSES,
)
async def get_series_calendar(series_id: uuid.UUID, request: Request, db: DbSession) -> Response:
    """A subscribable feed of the series' sessions (drafts never appear; cancelled sessions
    appear as cancelled so calendars remove them). Names no one, like the session file.
    Cached and revalidated like the session file."""
    service = SessionService(db)

    async def produce() -> Response:
        series = await service.public_series(series_id)
        series_texts = await public_series_texts(db, series)
        if series_texts is None:
            raise BeingRevised("This series' calendar is being revised")
        events = []
        for session in await service.public_sessions(series.id):
            # A session being revised leaves the feed: calendar clients remove the event.
            texts = await service.public_texts(session, series.directory_version)
            if texts is not None:
                events.append((session, texts))
        body = render_calendar(series, series_texts, events, _base(request))
        return _ics(body, f"{series.slug}.ics")

    version = await service.public_version(series_id=series_id)
    return await serve(request, variant(request), version, produce, CALENDAR)


def _base(request: Request) -> str:
    base: str = request.app.state.settings.base_url
    return base


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=CALENDAR_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
        },
    )
