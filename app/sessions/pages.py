"""Console pages of a session: its details and times (in the session's zone and the
viewer's), the lifecycle with the reasons it needs, the agenda parts and their regimes, the
roster as a grid of people x parts with on-record consent per part, and the invitations.

A second face on ``SessionService``, ``PeopleService`` and ``NewsletterService`` with the
API's permission types (``SessionRapporteurPage`` / ``SessionOrganiserPage``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.confidentiality.gate import Gate, Text
from app.config import AppSettings
from app.console.choices import (
    ATTENDANCE_ROLES,
    ATTENDANCE_STATUSES,
    FORMATS,
    KINDS,
    REGIMES,
)
from app.console.findings import ACK_FIELD, Guard, acknowledged, finding_view, refusal
from app.console.forms import domain_errors, parse, read_form, text, values
from app.console.rendering import page
from app.console.routing import PageResponse, console_router
from app.console.takedowns import after_change
from app.db import DbSession
from app.errors import DomainError, NotFound
from app.kit.clock import as_utc
from app.kit.pagination import PageParams
from app.newsletter.service import NewsletterService
from app.people.schemas import AttendanceCreate, AttendanceUpdate
from app.people.service import PeopleService, RosterMember
from app.series.deps import SeriesOrganiserPage
from app.series.models import DisclosureRegime
from app.series.pages import render_series_page, time_zones
from app.sessions.deps import SessionOrganiserPage, SessionRapporteurPage
from app.sessions.models import AgendaPart, SessionStatus
from app.sessions.schemas import PartCreate, PartUpdate, SessionCreate, SessionUpdate, StatusChange
from app.sessions.service import NEEDS_REASON, TRANSITIONS, SessionAccess, SessionService

router = console_router(tags=["console"])

STATUS_VERBS = {
    SessionStatus.SCHEDULED: "Schedule (makes it public)",
    SessionStatus.HELD: "Mark as held",
    SessionStatus.CLOSED: "Close (the record is final)",
    SessionStatus.POSTPONED: "Postpone",
    SessionStatus.CANCELLED: "Cancel",
}
SESSION_FIELDS = (
    "title",
    "context",
    "timezone",
    "format",
    "venue",
    "meeting_url",
    "default_regime",
)
FIND_LIMIT = 20


def _aware(local: str, zone: str) -> str | None:
    """``2026-12-10T14:00`` read on the clock of ``zone``, as an ISO time with its offset."""
    if not local:
        return None
    try:
        naive = datetime.fromisoformat(local)
        return naive.replace(tzinfo=ZoneInfo(zone)).isoformat()
    except (ValueError, ZoneInfoNotFoundError):
        return local  # the schema says what is wrong with it


def _local_input(value: datetime, zone: str) -> str:
    return as_utc(value).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def session_form_data(raw: FormData, default_zone: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the schema reads, what the form shows again) of a session form."""
    data = values(raw, SESSION_FIELDS, keep_empty=("context",))
    zone = data.get("timezone") or default_zone
    starts, ends = text(raw, "starts_local"), text(raw, "ends_local")
    data["starts_at"], data["ends_at"] = _aware(starts, zone), _aware(ends, zone)
    data = {k: v for k, v in data.items() if v is not None}
    shown = {**data, "starts_local": starts, "ends_local": ends}
    return data, shown


def _time_errors(errors: dict[str, str]) -> dict[str, str]:
    """The schema's starts_at/ends_at errors on the inputs people typed in."""
    for api, field in (("starts_at", "starts_local"), ("ends_at", "ends_local")):
        if api in errors:
            errors[field] = errors.pop(api)
    return errors


# -- create ---------------------------------------------------------------------------------


@router.post("/console/series/{series_id}/sessions")
async def create_session(request: Request, access: SeriesOrganiserPage, db: DbSession) -> Response:
    """A draft session (``POST /api/v1/series/{id}/sessions``), then its page."""
    raw = await read_form(request)
    data, shown = session_form_data(raw, access.series.timezone)
    data[ACK_FIELD] = shown[ACK_FIELD] = acknowledged(raw)
    created, errors = parse(SessionCreate, data)
    guard: Guard = {}
    if created is not None:
        try:
            session, warnings = await SessionService(db).schedule_session(access, created)
        except DomainError as exc:
            errors, guard = refusal(exc)
        else:
            suffix = "?overlap=1" if warnings else ""
            return RedirectResponse(f"/console/sessions/{session.id}{suffix}", status_code=303)
    raise PageResponse(
        await render_series_page(
            request,
            access,
            db,
            errors=_time_errors(errors),
            form=shown,
            status_code=422,
            guard=guard,
        )
    )


# -- the session page -----------------------------------------------------------------------


async def _session_page(
    request: Request,
    access: SessionAccess,
    db: DbSession,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    notice: str = "",
    status_code: int = 200,
    find: str = "",
    edit_open: bool = False,
    guard: Guard | None = None,
    part_form: dict[str, str] | None = None,
    acknowledged_codes: list[str] | None = None,
    reasons: dict[str, str] | None = None,
    grid: dict[str, dict[str, Any]] | None = None,
) -> HTMLResponse:
    session = access.session
    parts = list(await SessionService(db).list_parts(session.id))
    roster = await PeopleService(db).session_roster(session.id)
    if form is None:
        form = {name: getattr(session, name) for name in SESSION_FIELDS}
        form["format"] = session.format.value
        form["default_regime"] = session.default_regime.value
        form["starts_local"] = _local_input(session.starts_at, session.timezone)
        form["ends_local"] = _local_input(session.ends_at, session.timezone)
    candidates = (
        await _candidates(access, db, roster, find) if access.series_access.can_manage else []
    )
    return page(
        request,
        "console/session.html",
        {
            "access": access,
            "session": session,
            "series": access.series,
            "parts": parts,
            "roster": roster,
            "transitions": [
                (s, STATUS_VERBS[s], s in NEEDS_REASON) for s in TRANSITIONS[session.status]
            ],
            "errors": errors or {},
            "form": form,
            "notice": notice,
            "formats": FORMATS,
            "regimes": REGIMES,
            "kinds": KINDS,
            "roles": ATTENDANCE_ROLES,
            "statuses": ATTENDANCE_STATUSES,
            "zones": time_zones(),
            "candidates": candidates,
            "find": find,
            "on_record": DisclosureRegime.ON_RECORD,
            "edit_open": edit_open,
            "guard": guard or {},
            "acknowledged": acknowledged_codes or [],
            "part_form": part_form or {},
            "reasons": reasons or {},
            "grid": grid or {},
        },
        status_code=status_code,
    )


async def _candidates(
    access: SessionAccess, db: DbSession, roster: list[RosterMember], find: str
) -> list[Any]:
    """People of the directory not yet on the roster whose name contains ``find``."""
    if not find:
        return []
    on_roster = {m.person.id for m in roster}
    people, _ = await PeopleService(db).list_people(
        access.series_access, PageParams(limit=100, cursor=None), name=find
    )
    return [p for p in people if p.id not in on_roster][:FIND_LIMIT]


_NOTICES = {
    "saved": "The session is saved.",
    "status": "The status is changed.",
    "part": "The agenda is saved.",
    "roster": "The roster is saved.",
    "added": "The person is on the roster.",
    "removed": "The person is off the roster.",
}


@router.get("/console/sessions/{session_id}")
async def session_page(
    request: Request,
    access: SessionRapporteurPage,
    db: DbSession,
    done: Annotated[str, Query(max_length=20)] = "",
    overlap: Annotated[str, Query(max_length=5)] = "",
    find: Annotated[str, Query(max_length=200)] = "",
    edit: Annotated[str, Query(max_length=5)] = "",
) -> HTMLResponse:
    """A session: times, status, agenda, roster grid, invitations. Taken down by the guard,
    its form opens with the findings beside the title and context (``edit`` opens it too)."""
    notice = _NOTICES.get(done, "")
    if overlap:
        notice = "Created. It overlaps another session of this series; check the times."
    guard: Guard = {}
    session = access.session
    if session.taken_down_at is not None and access.series_access.can_manage:
        review = await Gate(db).review(
            session.dialogue_series_id,
            [Text("title", session.title), Text("context", session.context)],
        )
        for ff in review.fields:
            guard[ff.field] = [finding_view(f.as_dict()) for f in ff.findings]
    return await _session_page(
        request,
        access,
        db,
        notice=notice,
        find=find.strip(),
        edit_open=bool(edit) or bool(guard),
        guard=guard,
    )


@router.get("/console/sessions/{session_id}/candidates")
async def roster_candidates(
    request: Request,
    access: SessionOrganiserPage,
    db: DbSession,
    find: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The search results of "add to the roster" (the fragment htmx swaps in)."""
    roster = await PeopleService(db).session_roster(access.session.id)
    candidates = await _candidates(access, db, roster, find.strip())
    return page(
        request,
        "console/session.html",
        {
            "access": access,
            "session": access.session,
            "candidates": candidates,
            "find": find.strip(),
            "roles": ATTENDANCE_ROLES,
            "statuses": ATTENDANCE_STATUSES,
        },
        block="candidates",
    )


@router.post("/console/sessions/{session_id}/edit")
async def save_session(request: Request, access: SessionOrganiserPage, db: DbSession) -> Response:
    """``PATCH /api/v1/sessions/{id}`` from the form."""
    raw = await read_form(request)
    data, shown = session_form_data(raw, access.session.timezone)
    if "venue" not in data:
        data["venue"] = None
    if "meeting_url" not in data:
        data["meeting_url"] = None
    codes = acknowledged(raw)
    data[ACK_FIELD] = codes
    update, errors = parse(SessionUpdate, data)
    guard: Guard = {}
    if update is not None:
        try:
            _, warnings = await SessionService(db).update_session(access, update)
        except DomainError as exc:
            errors, guard = refusal(exc)
        else:
            suffix = "overlap=1" if warnings else "done=saved"
            return RedirectResponse(f"/console/sessions/{access.session.id}?{suffix}", 303)
    raise PageResponse(
        await _session_page(
            request,
            access,
            db,
            errors=_time_errors(errors),
            form=shown,
            status_code=422,
            edit_open=True,
            guard=guard,
            acknowledged_codes=codes,
        )
    )


@router.post("/console/sessions/{session_id}/status")
async def change_status(request: Request, access: SessionOrganiserPage, db: DbSession) -> Response:
    """One lifecycle move (``POST /api/v1/sessions/{id}/status``), with its reason."""
    raw = await read_form(request)
    status = text(raw, "status")
    reason = text(raw, f"reason-{status}") or None
    change, errors = parse(StatusChange, {"status": status, "reason": reason})
    guard: Guard = {}
    if change is not None:
        try:
            await SessionService(db).change_status(access, change)
        except DomainError as exc:
            # Scheduling clears the title and context: their findings show beside them, in
            # the session's form (opened), where they are fixed.
            errors, guard = refusal(exc, "status")
        else:
            return RedirectResponse(f"/console/sessions/{access.session.id}?done=status", 303)
    if "reason" in errors:
        errors[f"reason-{status}"] = errors.pop("reason")
    raise PageResponse(
        await _session_page(
            request,
            access,
            db,
            errors=errors,
            status_code=422,
            guard=guard,
            edit_open=bool(guard),
            reasons={status: reason or ""},
        )
    )


# -- agenda parts ---------------------------------------------------------------------------


def _part_data(raw: FormData, prefix: str = "") -> dict[str, Any]:
    names = ("title", "kind", "topic", "regime")
    data = values(raw, tuple(prefix + n for n in names))
    return {k.removeprefix(prefix): v for k, v in data.items()}


@router.post("/console/sessions/{session_id}/parts")
async def add_part(request: Request, access: SessionOrganiserPage, db: DbSession) -> Response:
    """Append an agenda part (``POST /api/v1/sessions/{id}/parts``)."""
    raw = await read_form(request)
    data = _part_data(raw, "part-")
    codes = acknowledged(raw)
    created, errors = parse(PartCreate, {**data, ACK_FIELD: codes})
    guard: Guard = {}
    if created is not None:
        try:
            await SessionService(db).add_part(access, created)
        except DomainError as exc:
            errors, guard = refusal(exc)
        else:
            return after_change(
                db, access.series.id, f"/console/sessions/{access.session.id}?done=part#agenda"
            )
    raise PageResponse(
        await _session_page(
            request,
            access,
            db,
            errors={f"part-{k}": v for k, v in errors.items()},
            status_code=422,
            guard={f"part-{k}": v for k, v in guard.items()},
            part_form={f"part-{k}": str(v) for k, v in data.items()},
            acknowledged_codes=codes,
        )
    )


async def _own_part(access: SessionAccess, db: DbSession, part_id: uuid.UUID) -> AgendaPart:
    part, part_access = await SessionService(db).get_part(access.principal, part_id)
    if part_access.session.id != access.session.id:
        raise NotFound("No such agenda part")
    return part


@router.post("/console/sessions/{session_id}/parts/{part_id}")
async def save_part(
    request: Request, part_id: uuid.UUID, access: SessionOrganiserPage, db: DbSession
) -> Response:
    """Change a part, or move it up or down (``PATCH /api/v1/parts/{id}``)."""
    part = await _own_part(access, db, part_id)
    raw = await read_form(request)
    move = text(raw, "move")
    if move in ("up", "down"):
        data: dict[str, Any] = {"position": max(1, part.position + (-1 if move == "up" else 1))}
    else:
        data = _part_data(raw)
    codes = acknowledged(raw)
    update, errors = parse(PartUpdate, {**data, ACK_FIELD: codes})
    guard: Guard = {}
    if update is not None:
        try:
            await SessionService(db).update_part(access, part, update)
        except DomainError as exc:
            errors, guard = refusal(exc)
        else:
            return after_change(
                db, access.series.id, f"/console/sessions/{access.session.id}?done=part#agenda"
            )
    prefix = f"part-{part.id}-"
    raise PageResponse(
        await _session_page(
            request,
            access,
            db,
            errors={prefix + k: v for k, v in errors.items()},
            status_code=422,
            guard={prefix + k: v for k, v in guard.items()},
            part_form={prefix + k: str(v) for k, v in data.items()} | {prefix + "open": "1"},
            acknowledged_codes=codes,
        )
    )


@router.post("/console/sessions/{session_id}/parts/{part_id}/delete")
async def delete_part(
    part_id: uuid.UUID, access: SessionOrganiserPage, db: DbSession
) -> RedirectResponse:
    """Remove a part from the agenda."""
    part = await _own_part(access, db, part_id)
    await SessionService(db).delete_part(access, part)
    return after_change(
        db, access.series.id, f"/console/sessions/{access.session.id}?done=part#agenda"
    )


# -- roster ---------------------------------------------------------------------------------


@router.post("/console/sessions/{session_id}/roster")
async def add_to_roster(request: Request, access: SessionOrganiserPage, db: DbSession) -> Response:
    """Put a person of the directory on the roster (``POST .../attendance``)."""
    raw = await read_form(request)
    data = values(raw, ("person_id", "role", "status"))
    created, errors = parse(AttendanceCreate, data)
    if created is not None:
        try:
            await PeopleService(db).add_attendance(access, created)
        except DomainError as exc:
            errors = domain_errors(exc, "roster")
        else:
            return after_change(
                db, access.series.id, f"/console/sessions/{access.session.id}?done=added#roster"
            )
    message = next(iter(errors.values()), "The person could not be added.")
    raise PageResponse(
        await _session_page(request, access, db, errors={"roster": message}, status_code=422)
    )


@router.post("/console/sessions/{session_id}/roster/grid")
async def save_roster_grid(
    request: Request, access: SessionOrganiserPage, db: DbSession
) -> Response:
    """Save the grid: each row's role, status and on-record consent per part. Only rows that
    changed are written (``PATCH .../attendance/{person_id}`` each)."""
    raw = await read_form(request)
    people = PeopleService(db)
    errors: dict[str, str] = {}
    for member in await people.session_roster(access.session.id):
        pid = member.person.id
        role, status = text(raw, f"role-{pid}"), text(raw, f"status-{pid}")
        consents = sorted({v for v in raw.getlist(f"consent-{pid}") if isinstance(v, str)})
        changes: dict[str, Any] = {}
        if role and role != member.attendance.role.value:
            changes["role"] = role
        if status and status != member.attendance.status.value:
            changes["status"] = status
        if consents != sorted(str(p) for p in member.on_record_part_ids):
            changes["on_record_part_ids"] = consents
        if not changes:
            continue
        update, row_errors = parse(AttendanceUpdate, changes)
        try:
            if update is None:
                raise ValueError(next(iter(row_errors.values())))
            await people.update_attendance(access, pid, update)
        except (DomainError, ValueError) as exc:
            errors[f"row-{pid}"] = exc.detail if isinstance(exc, DomainError) else str(exc)
    if errors:
        # Nothing is kept (the request rolls back); the grid comes back as it was sent.
        sent = {
            str(member.person.id): {
                "role": text(raw, f"role-{member.person.id}"),
                "status": text(raw, f"status-{member.person.id}"),
                "consent": {
                    v for v in raw.getlist(f"consent-{member.person.id}") if isinstance(v, str)
                },
            }
            for member in await people.session_roster(access.session.id)
        }
        raise PageResponse(
            await _session_page(request, access, db, errors=errors, status_code=422, grid=sent)
        )
    return after_change(
        db, access.series.id, f"/console/sessions/{access.session.id}?done=roster#roster"
    )


@router.post("/console/sessions/{session_id}/roster/{person_id}/remove")
async def remove_from_roster(
    request: Request, person_id: uuid.UUID, access: SessionOrganiserPage, db: DbSession
) -> Response:
    """Take a person off the roster (not once the session was held)."""
    try:
        await PeopleService(db).remove_attendance(access, person_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        raise PageResponse(
            await _session_page(request, access, db, errors={"roster": exc.detail}, status_code=409)
        ) from None
    return after_change(
        db, access.series.id, f"/console/sessions/{access.session.id}?done=removed#roster"
    )


@router.post("/console/sessions/{session_id}/invitations")
async def send_invitations(
    request: Request, access: SessionOrganiserPage, db: DbSession, settings: AppSettings
) -> Response:
    """E-mail each invitee their invitation with the calendar attachment."""
    try:
        sent = await NewsletterService(db, settings).send_invitations(access)
    except DomainError as exc:
        raise PageResponse(
            await _session_page(
                request, access, db, errors={"invitations": exc.detail}, status_code=409
            )
        ) from None
    notice = (
        f"{sent.queued} invitation(s) queued; {sent.already_queued} already sent for this "
        f"version of the session; {sent.without_email} invitee(s) without an e-mail address."
    )
    return await _session_page(request, access, db, notice=notice)
