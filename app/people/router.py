"""HTTP routes for people, attendance and the aggregate composition.

Everything here but the composition is roster data: members of the series only, 404 for
everyone else.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.db import DbSession
from app.errors import problem_responses
from app.kit.pagination import Page, PageQuery
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
)
from app.people.service import PeopleService, person_read
from app.series.deps import SeriesOrganiser, SeriesRapporteur
from app.sessions.deps import SessionOrganiser, SessionRapporteur

router = APIRouter(tags=["people"])

NameQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="Only people whose name contains this text (case-insensitive).",
    ),
]

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
    responses=problem_responses(401, 404, 422),
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
    response_model=PersonRead,
    operation_id="create_person",
    summary="Add a person",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_person(data: PersonCreate, access: SeriesOrganiser, db: DbSession) -> PersonRead:
    """Add a person to the series' directory (organisers only).

    `country` is an ISO 3166-1 alpha-2 code; the e-mail address, if given, is stored in lower
    case and must be unique within the series (409 otherwise).
    """
    person = await PeopleService(db).create_person(access, data)
    return person_read(person)


@router.post(
    "/series/{series_id}/people/import",
    status_code=status.HTTP_201_CREATED,
    response_model=PeopleImported,
    operation_id="import_people",
    summary="Import people from a CSV file",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
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
    `family_name` are required, the others optional, unknown columns refused. `aliases`
    separates names with `;`. Any bad cell, an e-mail address used twice in the file or
    already used in the series: 422 with one `errors` entry per problem, located as
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
    responses=problem_responses(401, 404, 422),
)
async def get_person(access: PersonRapporteur) -> PersonRead:
    """One person, for members of the person's series; 404 for everyone else."""
    return person_read(access.person)


@router.patch(
    "/people/{person_id}",
    response_model=PersonRead,
    operation_id="update_person",
    summary="Update a person",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_person(data: PersonUpdate, access: PersonOrganiser, db: DbSession) -> PersonRead:
    """Change a person (organisers only). Absent fields stay as they are; `null` clears an
    optional field."""
    person = await PeopleService(db).update_person(access, data)
    return person_read(person)


@router.delete(
    "/people/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="delete_person",
    summary="Delete a person",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_person(access: PersonOrganiser, db: DbSession) -> Response:
    """Delete a person and their attendance (organisers only). A person on the roster of a
    held or closed session is kept (409): that record protects the session's key points."""
    await PeopleService(db).delete_person(access)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/sessions/{session_id}/attendance",
    response_model=Page[AttendanceRead],
    operation_id="list_attendance",
    summary="List a session's roster",
    responses=problem_responses(401, 404, 422),
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
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_attendance(
    data: AttendanceCreate, access: SessionOrganiser, db: DbSession
) -> AttendanceWritten:
    """Put a person of the session's series on its roster (organisers only).

    `on_record_part_ids` lists the session's `on_record` agenda parts in which the person
    consented to be named. A person already on the roster is a 409. If the person (or
    someone with the same e-mail address in another series) is on the roster of an
    overlapping session, the attendance is still recorded and `warnings` says so, without
    describing a session of another series.
    """
    item, warnings = await PeopleService(db).add_attendance(access, data)
    return AttendanceWritten(**item.model_dump(), warnings=warnings)


@router.patch(
    "/sessions/{session_id}/attendance/{person_id}",
    response_model=AttendanceWritten,
    operation_id="update_attendance",
    summary="Update an attendance",
    responses=problem_responses(401, 403, 404, 422),
)
async def update_attendance(
    person_id: uuid.UUID, data: AttendanceUpdate, access: SessionOrganiser, db: DbSession
) -> AttendanceWritten:
    """Change a role, a status, or the on-record consents, which a given
    `on_record_part_ids` replaces (organisers only)."""
    item, warnings = await PeopleService(db).update_attendance(access, person_id, data)
    return AttendanceWritten(**item.model_dump(), warnings=warnings)


@router.delete(
    "/sessions/{session_id}/attendance/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="remove_attendance",
    summary="Take a person off a session's roster",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def remove_attendance(
    person_id: uuid.UUID, access: SessionOrganiser, db: DbSession
) -> Response:
    """Remove an attendance and its consents (organisers only). The roster of a held or
    closed session is kept (409): set the status to `absent` instead."""
    await PeopleService(db).remove_attendance(access, person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/sessions/{session_id}/composition",
    response_model=CompositionPublic,
    operation_id="get_session_composition",
    summary="A session's aggregate composition",
    responses=problem_responses(401, 404, 422),
)
async def get_composition(access: SessionRapporteur, db: DbSession) -> CompositionPublic:
    """How many people took part, from how many countries, by sector and by country: the
    aggregate that reports and public pages may show. No group smaller than 3 is shown
    (smaller groups are counted under `other`); with fewer than 3 people, only
    `suppressed: true`. Held and closed sessions count who attended, others who confirmed."""
    return await PeopleService(db).composition(access.session.id)
