"""HTTP routes for people, attendance and the aggregate composition.

Everything here but the composition is roster data: members of the series only, 404 for
everyone else.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status

from app.config import AppSettings
from app.db import DbSession
from app.errors import NotFound, problem_responses
from app.kit import etag
from app.kit.etag import IfMatch, IfNoneMatch
from app.kit.pagination import Page, PageQuery
from app.kit.types import NoNul
from app.people.csv_import import CSV_MEDIA_TYPE, parse_people_csv, require_csv
from app.people.deps import PersonOrganiser, PersonRapporteur
from app.people.schemas import (
    AttendanceCreate,
    AttendanceRead,
    AttendanceUpdate,
    AttendanceWritten,
    CompositionPublic,
    PeopleImported,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    PersonWritten,
)
from app.people.service import ATTENDANCE_NOT_FOUND, PeopleService, attendance_read, person_read
from app.series.deps import SeriesOrganiser, SeriesRapporteur
from app.sessions.deps import SessionOrganiser, SessionRapporteur
from app.sessions.service import SessionAccess, takedown_warnings

router = APIRouter(tags=["people"])

NameQuery = Annotated[
    Annotated[str, NoNul] | None,
    Query(
        min_length=1,
        max_length=100,
        description="Only people whose name contains this text (case-insensitive).",
    ),
]

_PERSON_EXAMPLE: dict[str, Any] = {
    "id": "0192e0a9-4061-7273-9e8f-9a0b1c2d3e45",
    "series_id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0b12",
    "honorific": "Dr",
    "given_name": "Farida",
    "family_name": "Rahimi",
    "aliases": ["F. Rahimi"],
    "position": "Senior Fellow",
    "affiliation": "Kabul Policy Institute",
    "affiliation_acronym": "KPI",
    "affiliation_aliases": ["انستیتوت پالیسی کابل"],
    "country": "AF",
    "sector": "scholar",
    "email": "farida.rahimi@example.org",
    "notes": "Prefers to be invited through her institute.",
    "created_at": "2026-01-16T10:00:00Z",
    "updated_at": "2026-01-16T10:00:00Z",
}
_ATTENDANCE_EXAMPLE: dict[str, Any] = {
    "person_id": "0192e0a9-4061-7273-9e8f-9a0b1c2d3e45",
    "session_id": "0192e0a7-2e4f-7051-9c6d-7e8f9a0b1c23",
    "person": {"honorific": "Dr", "given_name": "Farida", "family_name": "Rahimi"},
    "role": "speaker",
    "status": "confirmed",
    "on_record_part_ids": ["0192e0a8-3f50-7162-8d7e-8f9a0b1c2d34"],
    "created_at": "2026-01-16T10:05:00Z",
    "updated_at": "2026-01-17T09:00:00Z",
}
_COMPOSITION_EXAMPLE: dict[str, Any] = {
    "suppressed": False,
    "basis": "attended",
    "total": 24,
    "countries": 7,
    "by_sector": {"scholar": 9, "former_diplomat": 8, "other": 7},
    "by_country": {"AF": 10, "PK": 5, "other": 9},
}
PersonUpdateBody = Annotated[
    PersonUpdate,
    Body(
        openapi_examples={
            "move": {
                "summary": "A new position and affiliation",
                "value": {"position": "Director", "affiliation": "Afghan Policy Forum"},
            },
            "clear": {"summary": "Clear the e-mail address", "value": {"email": None}},
        }
    ),
]
AttendanceCreateBody = Annotated[
    AttendanceCreate,
    Body(
        openapi_examples={
            "speaker": {
                "summary": "A speaker who may be named in an on-record part",
                "value": {
                    "person_id": "0192e0a9-4061-7273-9e8f-9a0b1c2d3e45",
                    "role": "speaker",
                    "status": "confirmed",
                    "on_record_part_ids": ["0192e0a8-3f50-7162-8d7e-8f9a0b1c2d34"],
                },
            }
        }
    ),
]
AttendanceUpdateBody = Annotated[
    AttendanceUpdate,
    Body(
        openapi_examples={
            "attended": {"summary": "Mark as attended", "value": {"status": "attended"}},
            "withdraw": {"summary": "Withdraw every consent", "value": {"on_record_part_ids": []}},
        }
    ),
]


def _example(status_code: int, example: Any) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"content": {"application/json": {"example": example}}}}


async def _current_attendance(
    db: DbSession, access: SessionAccess, person_id: uuid.UUID
) -> AttendanceRead:
    # The roster of one session is small; its members' view is the attendance's canonical
    # representation (the one its ETag hashes), read under the session's row lock.
    for member in await PeopleService(db).session_roster(access.session.id):
        if member.person.id == person_id:
            return attendance_read(member.attendance, member.person, member.on_record_part_ids)
    raise NotFound(ATTENDANCE_NOT_FOUND)


_CSV_EXAMPLE = (
    "honorific,given_name,family_name,aliases,position,affiliation,affiliation_acronym,"
    "country,sector,email\n"
    "Dr,Farida,Rahimi,F. Rahimi;Farida R.,Senior Fellow,Kabul Policy Institute,KPI,AF,"
    "scholar,farida.rahimi@example.org\n"
)


@router.get(
    "/series/{series_id}/people",
    response_model=Page[PersonRead],
    operation_id="list_people",
    summary="List a series' people",
    responses=problem_responses(
        401, 404, 422, extra=_example(200, {"items": [_PERSON_EXAMPLE], "next_cursor": None})
    ),
)
async def list_people(
    access: SeriesRapporteur, db: DbSession, page: PageQuery, q: NameQuery = None
) -> Page[PersonRead]:
    """The series' directory of people, oldest first (members only; 404 for others)."""
    rows, cursor = await PeopleService(db).list_people(access, page, q)
    return Page(items=[person_read(p) for p in rows], next_cursor=cursor)


@router.post(
    "/series/{series_id}/people",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonWritten,
    operation_id="create_person",
    summary="Add a person",
    responses=problem_responses(
        401, 403, 404, 409, 422, extra=etag.documented(201, _PERSON_EXAMPLE)
    ),
)
async def create_person(data: PersonCreate, access: SeriesOrganiser, db: DbSession) -> Response:
    """Add a person to the series' directory (organisers only).

    `country` is an ISO 3166-1 alpha-2 code; the e-mail address, if given, is stored in lower
    case and must be unique within the series (409 otherwise). The answer carries the
    person's `ETag` (of the representation without warnings).

    Everything public in the series is checked against the whole directory: whatever the
    newcomer's names, aliases, affiliation (and its other names), acronym, e-mail or position
    now make identify them is taken down at once (410 "being revised"), listed in `warnings`
    (`published_text_taken_down`), and the organisers are e-mailed.
    """
    person = await PeopleService(db).create_person(access, data)
    item = person_read(person)
    written = PersonWritten(**item.model_dump(), warnings=takedown_warnings(db))
    return etag.etag_response(written, etag=etag.etag_of(item), status_code=201)


@router.post(
    "/series/{series_id}/people/import",
    status_code=status.HTTP_201_CREATED,
    response_model=PeopleImported,
    operation_id="import_people",
    summary="Import people from a CSV file",
    responses=problem_responses(
        401,
        403,
        404,
        413,
        415,
        422,
        extra=_example(201, {"created": 1, "items": [_PERSON_EXAMPLE]}),
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                CSV_MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": _CSV_EXAMPLE,
                }
            },
        }
    },
)
async def import_people(access: SeriesOrganiser, request: Request, db: DbSession) -> PeopleImported:
    """Add many people at once from a UTF-8 CSV file (organisers only); all rows or none.

    The header row names the columns, which are the fields of a person: `given_name` and
    `family_name` are required, the others optional, unknown columns refused. `aliases` and
    `affiliation_aliases` separate names with `;`. Any bad cell, an e-mail address used twice
    in the file or already used in the series: 422 with one `errors` entry per problem, located as
    `row N` (the header is row 1), and nothing is stored.
    """
    require_csv(request.headers.get("content-type"))
    rows = parse_people_csv(await request.body())
    people = await PeopleService(db).import_people(access, rows)
    return PeopleImported(created=len(people), items=[person_read(p) for p in people])


@router.get(
    "/people/{person_id}",
    response_model=PersonRead,
    operation_id="get_person",
    summary="Get a person",
    responses=problem_responses(304, 401, 404, 422, extra=etag.documented(200, _PERSON_EXAMPLE)),
)
async def get_person(access: PersonRapporteur, if_none_match: IfNoneMatch = None) -> Response:
    """One person, for members of the person's series; 404 for everyone else. The answer
    carries the person's `ETag`; `If-None-Match` answers 304 when unchanged."""
    return etag.respond(person_read(access.person), if_none_match=if_none_match)


@router.patch(
    "/people/{person_id}",
    response_model=PersonWritten,
    operation_id="update_person",
    summary="Update a person",
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        extra=etag.documented(200, _PERSON_EXAMPLE | {"warnings": []}),
    ),
)
async def update_person(
    data: PersonUpdateBody,
    access: PersonOrganiser,
    db: DbSession,
    settings: AppSettings,
    if_match: IfMatch = None,
) -> Response:
    """Change a person (organisers only). Absent fields stay as they are; `null` clears an
    optional field. With `If-Match`, only if the person is unchanged since that `ETag` (412
    otherwise); the answer carries the new `ETag` (of the representation without warnings).

    A new name, alias or affiliation can make something published in the series identify
    them: it is taken down at once (its public addresses answer 410 "being revised"),
    listed in `warnings` (`published_text_taken_down`), and the series' organisers are
    e-mailed; republish after the fix with `POST /api/v1/series/{series_id}/republish`."""
    etag.check_if_match(if_match, person_read(access.person))
    service = PeopleService(db)
    person = await service.update_person(access, data)
    warnings = takedown_warnings(db)
    item = person_read(person)
    written = PersonWritten(**item.model_dump(), warnings=warnings)
    return etag.etag_response(written, etag=etag.etag_of(item))


@router.delete(
    "/people/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_person",
    summary="Delete a person",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def delete_person(
    access: PersonOrganiser, db: DbSession, if_match: IfMatch = None
) -> Response:
    """Delete a person and their attendance (organisers only). A person on the roster of a
    held or closed session is kept (409): that record protects the session's key points.
    With `If-Match`, only if the person is unchanged since that `ETag` (412 otherwise)."""
    etag.check_if_match(if_match, person_read(access.person))
    await PeopleService(db).delete_person(access)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/sessions/{session_id}/attendance",
    response_model=Page[AttendanceRead],
    operation_id="list_attendance",
    summary="List a session's roster",
    responses=problem_responses(
        401, 404, 422, extra=_example(200, {"items": [_ATTENDANCE_EXAMPLE], "next_cursor": None})
    ),
)
async def list_attendance(
    access: SessionRapporteur, db: DbSession, page: PageQuery
) -> Page[AttendanceRead]:
    """Who is on the session's roster, with names, roles, statuses and on-record consents
    (members only; 404 for others)."""
    items, cursor = await PeopleService(db).list_attendance(access, page)
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/sessions/{session_id}/attendance",
    status_code=status.HTTP_201_CREATED,
    response_model=AttendanceWritten,
    operation_id="add_attendance",
    summary="Put a person on a session's roster",
    responses=problem_responses(
        401, 403, 404, 409, 422, extra=etag.documented(201, _ATTENDANCE_EXAMPLE | {"warnings": []})
    ),
)
async def add_attendance(
    data: AttendanceCreateBody, access: SessionOrganiser, db: DbSession, settings: AppSettings
) -> Response:
    """Put a person of the session's series on its roster (organisers only).

    `on_record_part_ids` lists the session's `on_record` agenda parts in which the person
    consented to be named. A person already on the roster is a 409. If the person (or
    someone with the same e-mail address in another series) is on the roster of an
    overlapping session, the attendance is still recorded and `warnings` says so, without
    describing a session of another series. The answer carries the attendance's `ETag` (of
    the representation without warnings).

    Anything published in the series that the change makes identify someone is taken down
    at once and listed in `warnings` (`published_text_taken_down`); the series' organisers
    are e-mailed.
    """
    item, warnings = await PeopleService(db).add_attendance(access, data)
    warnings += takedown_warnings(db)
    written = AttendanceWritten(**item.model_dump(), warnings=warnings)
    return etag.etag_response(written, etag=etag.etag_of(item), status_code=201)


@router.get(
    "/sessions/{session_id}/attendance/{person_id}",
    response_model=AttendanceRead,
    operation_id="get_attendance",
    summary="Get an attendance",
    responses=problem_responses(
        304, 401, 404, 422, extra=etag.documented(200, _ATTENDANCE_EXAMPLE)
    ),
)
async def get_attendance(
    person_id: uuid.UUID,
    access: SessionRapporteur,
    db: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One person's attendance of the session (members only; 404 for others and for a
    person not on the roster), with its `ETag`; `If-None-Match` answers 304 when unchanged."""
    current = await _current_attendance(db, access, person_id)
    return etag.respond(current, if_none_match=if_none_match)


@router.patch(
    "/sessions/{session_id}/attendance/{person_id}",
    response_model=AttendanceWritten,
    operation_id="update_attendance",
    summary="Update an attendance",
    responses=problem_responses(
        401,
        403,
        404,
        412,
        422,
        extra=etag.documented(200, _ATTENDANCE_EXAMPLE | {"warnings": []}),
    ),
)
async def update_attendance(
    person_id: uuid.UUID,
    data: AttendanceUpdateBody,
    access: SessionOrganiser,
    db: DbSession,
    settings: AppSettings,
    if_match: IfMatch = None,
) -> Response:
    """Change a role, a status, or the on-record consents, which a given
    `on_record_part_ids` replaces (organisers only). With `If-Match`, only if the attendance
    is unchanged since that `ETag` (412 otherwise); the answer carries the new `ETag` (of the
    representation without warnings). A withdrawn consent can make something published name
    the person: it is taken down at once; see `warnings`, as for adding an attendance."""
    if if_match is not None:
        etag.check_if_match(if_match, await _current_attendance(db, access, person_id))
    item, warnings = await PeopleService(db).update_attendance(access, person_id, data)
    warnings += takedown_warnings(db)
    written = AttendanceWritten(**item.model_dump(), warnings=warnings)
    return etag.etag_response(written, etag=etag.etag_of(item))


@router.delete(
    "/sessions/{session_id}/attendance/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="remove_attendance",
    summary="Take a person off a session's roster",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def remove_attendance(
    person_id: uuid.UUID, access: SessionOrganiser, db: DbSession, if_match: IfMatch = None
) -> Response:
    """Remove an attendance and its consents (organisers only). The roster of a held or
    closed session is kept (409): set the status to `absent` instead. With `If-Match`, only
    if the attendance is unchanged since that `ETag` (412 otherwise)."""
    if if_match is not None:
        etag.check_if_match(if_match, await _current_attendance(db, access, person_id))
    await PeopleService(db).remove_attendance(access, person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/sessions/{session_id}/composition",
    response_model=CompositionPublic,
    operation_id="get_session_composition",
    summary="A session's aggregate composition",
    responses=problem_responses(401, 404, 422, extra=_example(200, _COMPOSITION_EXAMPLE)),
)
async def get_composition(access: SessionRapporteur, db: DbSession) -> CompositionPublic:
    """How many people took part, from how many countries, by sector and by country: the
    aggregate that reports and public pages may show. No group smaller than 3 is shown
    (smaller groups are counted under `other`); with fewer than 3 people, only
    `suppressed: true`. Held and closed sessions count who attended, others who confirmed."""
    return await PeopleService(db).composition(access.session.id)
