"""Console pages of a series' directory of people: search, add, edit, delete, and CSV import
with its errors shown row by row (nothing is stored unless every row is right).

A second face on ``PeopleService`` with the API's permission types; the directory is
confidential to the series' organisers and rapporteurs, like the API's.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from app.console.forms import domain_errors, parse, text, values
from app.console.rendering import page
from app.console.routing import PageResponse, console_router
from app.console.takedowns import after_change
from app.db import DbSession
from app.errors import DomainError, InvalidRequest
from app.kit.pagination import PageParams
from app.people.csv_import import COLUMNS, parse_people_csv
from app.people.models import Person, Sector
from app.people.schemas import PersonCreate, PersonUpdate
from app.people.service import PeopleService, PersonAccess
from app.security import PagePrincipal
from app.series.deps import SeriesOrganiserPage, SeriesRapporteurPage
from app.series.pages import series_context
from app.series.service import SeriesAccess

router = console_router(tags=["console"])

PAGE_SIZE = 50
MAX_CSV_BYTES = 1024 * 1024
PERSON_FIELDS = (
    "honorific",
    "given_name",
    "family_name",
    "position",
    "affiliation",
    "affiliation_acronym",
    "country",
    "sector",
    "email",
    "notes",
)
_LIST_FIELDS = ("aliases", "affiliation_aliases")
SECTORS = [(s.value, s.value.replace("_", " ").capitalize()) for s in Sector]


def _person_form(person: Person | None) -> dict[str, Any]:
    if person is None:
        return {"sector": Sector.OTHER.value}
    form = {name: getattr(person, name) or "" for name in PERSON_FIELDS}
    form["sector"] = person.sector.value
    form["aliases"] = "\n".join(person.aliases)
    form["affiliation_aliases"] = "\n".join(person.affiliation_aliases or ())
    return form


async def _people_page(
    request: Request,
    access: SeriesAccess,
    db: DbSession,
    *,
    q: str = "",
    cursor: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    import_errors: list[dict[str, str]] | None = None,
    notice: str = "",
    status_code: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    people, next_cursor = await PeopleService(db).list_people(
        access, PageParams(limit=PAGE_SIZE, cursor=cursor), name=q or None
    )
    return page(
        request,
        "console/people.html",
        series_context(
            access,
            "people",
            people=people,
            q=q,
            next_cursor=next_cursor,
            form=form or _person_form(None),
            errors=errors or {},
            import_errors=import_errors or [],
            notice=notice,
            sectors=SECTORS,
            columns=COLUMNS,
        ),
        status_code=status_code,
        block=block,
    )


_NOTICES = {
    "added": "The person is in the directory.",
    "saved": "Saved.",
    "deleted": "The person is deleted.",
}


@router.get("/console/series/{series_id}/people")
async def people_page(
    request: Request,
    access: SeriesRapporteurPage,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    done: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """The directory, searchable by name (htmx swaps the results as you type)."""
    notice = _NOTICES.get(done, "")
    if done.startswith("imported-"):
        notice = f"{done.removeprefix('imported-')} people imported."
    block = "results" if request.headers.get("HX-Request") == "true" else None
    return await _people_page(
        request, access, db, q=q.strip(), cursor=cursor, notice=notice, block=block
    )


def _person_data(raw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = values(raw, PERSON_FIELDS, lists=_LIST_FIELDS, keep_empty=("notes",))
    if "country" in data:
        data["country"] = data["country"].upper()
    shown = {name: text(raw, name) for name in (*PERSON_FIELDS, *_LIST_FIELDS)}
    return data, shown


@router.post("/console/series/{series_id}/people")
async def add_person(request: Request, access: SeriesOrganiserPage, db: DbSession) -> Response:
    """Add one person (``POST /api/v1/series/{id}/people``)."""
    data, shown = _person_data(await request.form(max_files=0, max_fields=50))
    created, errors = parse(PersonCreate, data)
    if created is not None:
        try:
            await PeopleService(db).create_person(access, created)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            series_id = access.series.id
            return after_change(db, series_id, f"/console/series/{series_id}/people?done=added")
    raise PageResponse(
        await _people_page(request, access, db, form=shown, errors=errors, status_code=422)
    )


@router.post("/console/series/{series_id}/people/import")
async def import_people(request: Request, access: SeriesOrganiserPage, db: DbSession) -> Response:
    """Import a CSV file (``POST .../people/import``): every row or none, each row's errors
    listed."""
    form = await request.form(max_files=1, max_fields=5)
    try:
        problems, imported = await _import(access, db, form.get("file"))
    finally:
        await form.close()
    if imported is not None:
        series_id = access.series.id
        return after_change(
            db, series_id, f"/console/series/{series_id}/people?done=imported-{imported}"
        )
    raise PageResponse(
        await _people_page(request, access, db, import_errors=problems, status_code=422)
    )


async def _import(
    access: SeriesAccess, db: DbSession, upload: object
) -> tuple[list[dict[str, str]], int | None]:
    """(problems, None) or ([], how many people were imported)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return [{"where": "file", "field": "file", "reason": "Choose a CSV file."}], None
    body = await upload.read(MAX_CSV_BYTES + 1)
    if len(body) > MAX_CSV_BYTES:
        return [{"where": "file", "field": "file", "reason": "The file is over 1 MB."}], None
    try:
        rows = parse_people_csv(body)
        people = await PeopleService(db).import_people(access, rows)
    except InvalidRequest as exc:
        problems = [
            {
                "where": str(e.get("location", "")),
                "field": str(e.get("field", "")),
                "reason": str(e.get("reason", "")),
            }
            for e in exc.extensions.get("errors", [])
        ]
        return problems or [{"where": "file", "field": "file", "reason": exc.detail}], None
    return [], len(people)


# -- one person -----------------------------------------------------------------------------


async def _access(principal: PagePrincipal, db: DbSession, person_id: uuid.UUID) -> PersonAccess:
    return await PeopleService(db).person_access(principal, person_id)


def _person_page(
    request: Request,
    access: PersonAccess,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "console/person.html",
        series_context(
            access.series_access,
            "people",
            person=access.person,
            form=form,
            errors=errors,
            sectors=SECTORS,
        ),
        status_code=status_code,
    )


@router.get("/console/people/{person_id}")
async def person_page(
    request: Request, person_id: uuid.UUID, principal: PagePrincipal, db: DbSession
) -> HTMLResponse:
    """One person of the directory (members of the series only)."""
    access = await _access(principal, db, person_id)
    return _person_page(request, access, _person_form(access.person), {})


@router.post("/console/people/{person_id}")
async def save_person(
    request: Request, person_id: uuid.UUID, principal: PagePrincipal, db: DbSession
) -> Response:
    """``PATCH /api/v1/people/{id}`` from the form (organisers only)."""
    access = await _access(principal, db, person_id)
    access.series_access.require_manage()
    data, shown = _person_data(await request.form(max_files=0, max_fields=50))
    for name in ("honorific", "position", "affiliation", "affiliation_acronym", "country", "email"):
        data.setdefault(name, None)
    update, errors = parse(PersonUpdate, data)
    if update is not None:
        try:
            await PeopleService(db).update_person(access, update)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            series_id = access.series_access.series.id
            return after_change(db, series_id, f"/console/series/{series_id}/people?done=saved")
    raise PageResponse(_person_page(request, access, shown, errors, 422))


@router.post("/console/people/{person_id}/delete")
async def delete_person(
    request: Request, person_id: uuid.UUID, principal: PagePrincipal, db: DbSession
) -> Response:
    """Delete a person (organisers only; not someone on a held session's roster)."""
    access = await _access(principal, db, person_id)
    try:
        await PeopleService(db).delete_person(access)
    except DomainError as exc:
        if exc.status == 404:
            raise
        raise PageResponse(
            _person_page(request, access, _person_form(access.person), {"form": exc.detail}, 409)
        ) from None
    series_id = access.series_access.series.id
    return after_change(db, series_id, f"/console/series/{series_id}/people?done=deleted")
