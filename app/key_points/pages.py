"""Console pages of key points: the rapporteur's live recording screen, the four-eyes review
queue, and the series' themes.

The recording screen works without JavaScript (plain forms, Post/Redirect/Get) and much
better with it (``app/static/js/record.js``): the checker runs as the rapporteur types and
marks the words it found, Enter saves and readies the next point, drafts save themselves,
points move by keyboard and by drag, themes are tagged by typing. Its script asks for JSON
(``Accept: application/json``); the same routes answer a form with a redirect or the page.

Every write is the API's service call with the API's permission types: the live check is
``KeyPointService.dry_run`` (the work of ``POST .../key-points/check``), saving is
``record``/``update`` (blocks refused with 422, warnings kept on the point), review is
``review`` (four eyes enforced by the service).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.confidentiality.checker import Finding
from app.console.diff import word_diff
from app.console.findings import (
    ACK_FIELD,
    Guard,
    acknowledged,
    finding_view,
    refusal,
)
from app.console.forms import domain_errors, parse, read_form, text
from app.console.rendering import page, render
from app.console.routing import PageResponse, console_router
from app.db import DbSession
from app.errors import DomainError, Forbidden, InvalidRequest, NotFound
from app.key_points.models import KeyPoint, KeyPointStatus
from app.key_points.schemas import KeyPointCreate, KeyPointUpdate, ReviewAction, ThemeCreate
from app.key_points.schemas import ThemeUpdate as ThemeChange
from app.key_points.service import (
    KeyPointService,
    OffRecord,
    review_queue,
    session_points,
)
from app.security import PagePrincipal
from app.series.deps import SeriesOrganiserPage, SeriesRapporteurPage
from app.series.models import DisclosureRegime, Theme
from app.series.pages import series_context
from app.sessions.deps import SessionOrganiserPage, SessionRapporteurPage
from app.sessions.models import AgendaPart
from app.sessions.service import SessionAccess, SessionService

router = console_router(tags=["console"])


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _views(findings: Sequence[Finding] | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    raw = [f if isinstance(f, dict) else dict(f.as_dict()) for f in findings]
    return [finding_view(f) for f in raw]


# -- the recording screen -------------------------------------------------------------------


async def _record_context(
    db: DbSession, access: SessionAccess, part_param: str | None
) -> dict[str, Any]:
    session = access.session
    parts = list(await SessionService(db).list_parts(session.id))
    themes = list(await KeyPointService(db).repo.themes(access.series.id))
    points = await session_points(db, access)
    selected = _selected_part(parts, part_param)
    return {
        "access": access,
        "session": session,
        "series": access.series,
        "tab": "record",
        "parts": parts,
        "parts_by_id": {p.id: p for p in parts},
        "themes": themes,
        "theme_labels": {t.slug: t.label for t in themes},
        "points": [(p, t, _views(p.warnings)) for p, t in points],
        "selected": selected,
        "session_regime": session.default_regime.value,
        "off_record": DisclosureRegime.OFF_RECORD,
        "recordable": session.status.value not in ("closed", "cancelled"),
        "drafts": sum(1 for p, _ in points if p.status in _SUBMITTABLE),
    }


_SUBMITTABLE = (KeyPointStatus.DRAFT, KeyPointStatus.RETURNED)


def _selected_part(parts: list[AgendaPart], value: str | None) -> AgendaPart | None:
    if value:
        for part in parts:
            if str(part.id) == value:
                return part
    return next((p for p in parts if p.regime is not DisclosureRegime.OFF_RECORD), None)


@router.get("/console/sessions/{session_id}/record")
async def record_page(
    request: Request,
    access: SessionRapporteurPage,
    db: DbSession,
    part: Annotated[str | None, Query(max_length=40)] = None,
    edit: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """The rapporteur's live screen: the session's points and the composer (with a point
    in it when ``edit`` names one)."""
    context = await _record_context(db, access, part)
    form: dict[str, Any] = {}
    for point, themes, _ in context["points"]:
        if edit and str(point.id) == edit:
            form = {
                "text": point.text,
                "part_id": str(point.agenda_part_id or ""),
                "themes": themes,
                "editing": str(point.id),
            }
    return page(request, "console/record.html", {**context, "form": form, "errors": {}})


def _point_html(
    request: Request, context: dict[str, Any], point: KeyPoint, themes: list[str]
) -> str:
    return render(
        request,
        "console/_point.html",
        {**context, "p": point, "themes": themes, "warnings": _views(point.warnings)},
        None,
    )


async def _list_html(request: Request, db: DbSession, access: SessionAccess) -> str:
    context = await _record_context(db, access, None)
    return render(request, "console/_points.html", context, None)


def _point_data(raw: FormData) -> dict[str, Any]:
    part = text(raw, "part_id")
    themes = [v.strip() for v in raw.getlist("themes") if isinstance(v, str) and v.strip()]
    return {
        "text": text(raw, "text"),
        "part_id": part or None,
        "themes": list(dict.fromkeys(themes)),
    }


def _refusal(request: Request, exc: DomainError) -> JSONResponse:
    findings = _views(exc.extensions.get("findings") or [])
    return JSONResponse(
        {
            "ok": False,
            "message": exc.detail,
            "findings": findings,
            "errors": domain_errors(exc, "text"),
            "off_record": isinstance(exc, OffRecord),
        },
        status_code=exc.status,
    )


@router.post("/console/sessions/{session_id}/record/check")
async def live_check(request: Request, access: SessionRapporteurPage, db: DbSession) -> Response:
    """The live check as the rapporteur types: the findings for the text under the part's
    regime (``KeyPointService.dry_run``, the dry-run endpoint's work). Nothing is stored."""
    raw = await read_form(request)
    value = raw.get("text")
    # Not stripped: the findings' offsets must match the text as it stands in the editor.
    body = value[:2000] if isinstance(value, str) else ""
    part_value = text(raw, "part_id")
    try:
        part_id = uuid.UUID(part_value) if part_value else None
    except ValueError:
        return JSONResponse({"ok": False, "message": "Choose an agenda part"}, status_code=422)
    try:
        findings = await KeyPointService(db).dry_run(access, body, part_id)
    except DomainError as exc:
        return _refusal(request, exc)
    views = _views(findings)
    return JSONResponse(
        {
            "ok": True,
            "text": body,
            "findings": views,
            "blocked": any(f["severity"] == "block" for f in views),
        }
    )


async def _point_in_session(
    db: DbSession, access: SessionAccess, point_id: uuid.UUID
) -> tuple[KeyPoint, list[str], SessionAccess]:
    point, themes, point_access = await KeyPointService(db).access(access.principal, point_id)
    if point.dialogue_session_id != access.session.id:
        raise NotFound("No such key point")
    return point, themes, point_access


async def _answer_write(
    request: Request,
    db: DbSession,
    access: SessionAccess,
    point: KeyPoint,
    themes: list[str],
    message: str,
) -> Response:
    if wants_json(request):
        context = await _record_context(db, access, None)
        return JSONResponse(
            {
                "ok": True,
                "id": str(point.id),
                "position": point.position,
                "status": point.status.value,
                "warnings": _views(point.warnings),
                "html": _point_html(request, context, point, themes),
                "message": message,
            }
        )
    part = f"?part={point.agenda_part_id}" if point.agenda_part_id else ""
    return RedirectResponse(
        f"/console/sessions/{access.session.id}/record{part}#composer", status_code=303
    )


async def _form_failure(
    request: Request,
    db: DbSession,
    access: SessionAccess,
    data: dict[str, Any],
    exc: DomainError,
    editing: uuid.UUID | None = None,
) -> PageResponse:
    """The page again, the text as typed, the reasons by the field (non-JS path)."""
    context = await _record_context(db, access, data.get("part_id"))
    findings = _views(exc.extensions.get("findings") or [])
    return PageResponse(
        page(
            request,
            "console/record.html",
            {
                **context,
                "form": {**data, "editing": str(editing) if editing else ""},
                "errors": domain_errors(exc, "text"),
                "findings": findings,
                "message": exc.detail,
            },
            status_code=exc.status,
        )
    )


@router.post("/console/sessions/{session_id}/record/points")
async def save_new_point(
    request: Request, access: SessionRapporteurPage, db: DbSession
) -> Response:
    """Record a point (``POST /api/v1/sessions/{id}/key-points``): blocks refused, warnings
    kept with the point, stored as a draft."""
    data = _point_data(await read_form(request))
    created, errors = parse(KeyPointCreate, data)
    try:
        if created is None:
            raise InvalidRequest.single(next(iter(errors)), next(iter(errors.values())))
        point, themes, _ = await KeyPointService(db).record(access, created)
    except DomainError as exc:
        if exc.status == 404:
            raise
        if wants_json(request):
            raise PageResponse(_refusal(request, exc)) from None
        raise await _form_failure(request, db, access, data, exc) from None
    return await _answer_write(
        request, db, access, point, themes, f"Point {point.position} saved as a draft."
    )


@router.post("/console/sessions/{session_id}/record/points/{point_id}")
async def save_point(
    request: Request, point_id: uuid.UUID, access: SessionRapporteurPage, db: DbSession
) -> Response:
    """Change a point's text, part or themes (``PATCH /api/v1/key-points/{id}``): autosave
    and edits. A changed text is checked again and returns the point to draft."""
    point, themes, point_access = await _point_in_session(db, access, point_id)
    data = _point_data(await read_form(request))
    update, errors = parse(KeyPointUpdate, data)
    try:
        if update is None:
            raise InvalidRequest.single(next(iter(errors)), next(iter(errors.values())))
        point, themes, _ = await KeyPointService(db).update(point_access, point, themes, update)
    except DomainError as exc:
        if exc.status == 404:
            raise
        if wants_json(request):
            raise PageResponse(_refusal(request, exc)) from None
        raise await _form_failure(request, db, access, data, exc, point_id) from None
    return await _answer_write(
        request,
        db,
        access,
        point,
        themes,
        f"Point {point.position} saved.",
    )


@router.post("/console/sessions/{session_id}/record/points/{point_id}/move")
async def move_point(
    request: Request, point_id: uuid.UUID, access: SessionRapporteurPage, db: DbSession
) -> Response:
    """Move a point to another place (keyboard, buttons or drag)."""
    point, themes, point_access = await _point_in_session(db, access, point_id)
    raw = await read_form(request)
    direction, position = text(raw, "direction"), text(raw, "position")
    target = point.position
    if direction in ("up", "down"):
        target += -1 if direction == "up" else 1
    elif position.isdigit():
        target = int(position)
    target = max(1, target)
    await KeyPointService(db).update(point_access, point, themes, KeyPointUpdate(position=target))
    if wants_json(request):
        return JSONResponse(
            {
                "ok": True,
                "html": await _list_html(request, db, access),
                "message": f"Point moved to position {point.position}.",
                "id": str(point.id),
            }
        )
    return RedirectResponse(f"/console/sessions/{access.session.id}/record#points", 303)


@router.post("/console/sessions/{session_id}/record/points/{point_id}/delete")
async def delete_point(
    request: Request, point_id: uuid.UUID, access: SessionRapporteurPage, db: DbSession
) -> Response:
    """Delete a point (organisers, or the author of an unapproved point)."""
    point, _, point_access = await _point_in_session(db, access, point_id)
    await KeyPointService(db).delete(point_access, point)
    if wants_json(request):
        return JSONResponse(
            {"ok": True, "html": await _list_html(request, db, access), "message": "Deleted."}
        )
    return RedirectResponse(f"/console/sessions/{access.session.id}/record#points", 303)


@router.post("/console/sessions/{session_id}/record/submit")
async def submit_batch(request: Request, access: SessionRapporteurPage, db: DbSession) -> Response:
    """Submit the ticked drafts for review in one action (each ``review: submit``)."""
    raw = await read_form(request)
    ids = []
    for value in raw.getlist("ids"):
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    service = KeyPointService(db)
    submitted = 0
    for point_id in dict.fromkeys(ids):
        point, _, point_access = await _point_in_session(db, access, point_id)
        if point.status not in _SUBMITTABLE:
            continue
        await service.review(point_access, point, ReviewAction(action="submit"))
        submitted += 1
    message = f"{submitted} point{'s' if submitted != 1 else ''} submitted for review."
    if wants_json(request):
        return JSONResponse(
            {"ok": True, "html": await _list_html(request, db, access), "message": message}
        )
    return RedirectResponse(
        f"/console/sessions/{access.session.id}/record?submitted={submitted}#points", 303
    )


# -- review (four eyes) ---------------------------------------------------------------------


def _review_items(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        point = item.point
        # Each change, newest first: revision n-1 -> n, ..., revision 1 -> 2.
        texts = [r.text for r in item.revisions] + [point.text]
        changes = [
            (number + 2, word_diff(texts[number], texts[number + 1]))
            for number in range(len(texts) - 1)
        ][::-1]
        out.append(
            {
                "point": point,
                "themes": item.themes,
                "warnings": _views(point.warnings),
                "acknowledged": set(point.acknowledged_warnings),
                "revisions": item.revisions,
                "changes": changes,
                "own": item.reviewer_is_author,
            }
        )
    return out


async def _review_page(
    request: Request,
    db: DbSession,
    access: SessionAccess,
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    items = _review_items(await review_queue(db, access))
    parts = {p.id: p for p in await SessionService(db).list_parts(access.session.id)}
    themes = {t.slug: t.label for t in await KeyPointService(db).repo.themes(access.series.id)}
    return page(
        request,
        "console/review.html",
        {
            "access": access,
            "session": access.session,
            "series": access.series,
            "tab": "review",
            "items": items,
            "parts_by_id": parts,
            "theme_labels": themes,
            "errors": errors or {},
            "notice": notice,
            "bulk_ready": [i for i in items if not i["warnings"] and not i["own"]],
        },
        status_code=status_code,
    )


@router.get("/console/sessions/{session_id}/review")
async def review_page(
    request: Request,
    access: SessionOrganiserPage,
    db: DbSession,
    done: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """Submitted points, each with its warnings and its changes as a word diff."""
    notices = {"approved": "Approved.", "returned": "Returned to the rapporteurs."}
    notice = notices.get(done, "")
    if done.startswith("bulk-"):
        notice = f"{done.removeprefix('bulk-')} points approved."
    return await _review_page(request, db, access, notice=notice)


@router.post("/console/sessions/{session_id}/review/{point_id}")
async def review_point(
    request: Request, point_id: uuid.UUID, access: SessionOrganiserPage, db: DbSession
) -> Response:
    """Approve (acknowledging its warnings) or return (with a note) one point."""
    point, _, point_access = await _point_in_session(db, access, point_id)
    raw = await read_form(request)
    action = text(raw, "action")
    note = text(raw, "note") or None
    acknowledge = [v for v in raw.getlist("acknowledge") if isinstance(v, str)]
    review, errors = parse(
        ReviewAction, {"action": action, "note": note, "acknowledge": acknowledge}
    )
    try:
        if review is None:
            raise InvalidRequest.single(next(iter(errors)), next(iter(errors.values())))
        await KeyPointService(db).review(point_access, point, review)
    except DomainError as exc:
        if exc.status == 404:
            raise
        raise PageResponse(
            await _review_page(
                request, db, access, errors={str(point_id): exc.detail}, status_code=exc.status
            )
        ) from None
    done = "approved" if action == "approve" else "returned"
    return RedirectResponse(f"/console/sessions/{access.session.id}/review?done={done}", 303)


@router.post("/console/sessions/{session_id}/review-bulk")
async def approve_many(request: Request, access: SessionOrganiserPage, db: DbSession) -> Response:
    """Approve the ticked points at once: only points without warnings (a warning must be
    read and acknowledged one point at a time)."""
    raw = await read_form(request)
    ids = [v for v in raw.getlist("ids") if isinstance(v, str)]
    service = KeyPointService(db)
    chosen = []
    try:
        for value in dict.fromkeys(ids):
            try:
                point_id = uuid.UUID(value)
            except ValueError:
                continue
            point, _, point_access = await _point_in_session(db, access, point_id)
            if point.warnings:
                raise Forbidden(
                    f"Point {point.position} has warnings: approve it on its own, after "
                    "reading and acknowledging them"
                )
            chosen.append((point, point_access))
        # Every ticked point is checked before any is approved.
        for point, point_access in chosen:
            await service.review(point_access, point, ReviewAction(action="approve"))
    except DomainError as exc:
        if exc.status == 404:
            raise
        raise PageResponse(
            await _review_page(
                request, db, access, errors={"bulk": exc.detail}, status_code=exc.status
            )
        ) from None
    approved = len(chosen)
    return RedirectResponse(
        f"/console/sessions/{access.session.id}/review?done=bulk-{approved}", 303
    )


# -- themes ---------------------------------------------------------------------------------


def _slugify(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:80]


async def _themes_page(
    request: Request,
    access: Any,
    db: DbSession,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
    guard: Guard | None = None,
    codes: list[str] | None = None,
) -> HTMLResponse:
    themes = await KeyPointService(db).themes(access)
    return page(
        request,
        "console/themes.html",
        series_context(
            access,
            "themes",
            themes=themes,
            form=form or {},
            errors=errors or {},
            notice=notice,
            guard=guard or {},
            acknowledged=codes or [],
        ),
        status_code=status_code,
    )


@router.get("/console/series/{series_id}/themes")
async def themes_page(
    request: Request, access: SeriesRapporteurPage, db: DbSession
) -> HTMLResponse:
    """The series' taxonomy of themes, in order; organisers add, rename, move, remove."""
    return await _themes_page(request, access, db)


@router.post("/console/series/{series_id}/themes")
async def add_theme(request: Request, access: SeriesOrganiserPage, db: DbSession) -> Response:
    """Add a theme (``POST /api/v1/series/{id}/themes``); the slug follows the label."""
    raw = await read_form(request)
    label = text(raw, "label")
    slug = text(raw, "slug") or _slugify(label)
    codes = acknowledged(raw)
    created, errors = parse(ThemeCreate, {"label": label, "slug": slug, ACK_FIELD: codes})
    guard: Guard = {}
    if created is not None:
        try:
            await KeyPointService(db).add_theme(access, created)
        except DomainError as exc:
            # A short name left empty is made from the label: its findings are the label's.
            typed_slug = bool(text(raw, "slug"))
            errors, guard = refusal(
                exc, "label", key=lambda f: f if typed_slug or f != "slug" else "label"
            )
        else:
            return RedirectResponse(f"/console/series/{access.series.id}/themes", 303)
    raise PageResponse(
        await _themes_page(
            request,
            access,
            db,
            form={"label": label, "slug": text(raw, "slug")},
            errors=errors,
            status_code=422,
            guard=guard,
            codes=codes,
        )
    )


async def _theme(
    db: DbSession, principal: Any, series_id: uuid.UUID, theme_id: uuid.UUID
) -> tuple[Theme, Any]:
    theme, access = await KeyPointService(db).theme_access(principal, theme_id)
    if access.series.id != series_id:
        raise NotFound("No such theme")
    return theme, access


@router.post("/console/series/{series_id}/themes/{theme_id}")
async def change_theme(
    request: Request,
    series_id: uuid.UUID,
    theme_id: uuid.UUID,
    principal: PagePrincipal,
    db: DbSession,
) -> Response:
    """Rename or move a theme."""
    theme, access = await _theme(db, principal, series_id, theme_id)
    raw = await read_form(request)
    move = text(raw, "move")
    codes = acknowledged(raw)
    data: dict[str, Any] = (
        {"position": max(1, theme.position + (-1 if move == "up" else 1))}
        if move in ("up", "down")
        else {"label": text(raw, "label"), ACK_FIELD: codes}
    )
    change, errors = parse(ThemeChange, data)
    try:
        if change is None:
            raise InvalidRequest.single("label", next(iter(errors.values())))
        await KeyPointService(db).update_theme(access, theme, change)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        # The rename's findings (and what was typed) show beside its input.
        messages, guard = refusal(exc, "label", key=lambda _: str(theme_id))
        raise PageResponse(
            await _themes_page(
                request,
                access,
                db,
                form={f"rename-{theme_id}": text(raw, "label")} if "label" in data else {},
                errors={str(theme_id): next(iter(messages.values()), exc.detail)},
                status_code=422,
                guard=guard,
                codes=codes,
            )
        ) from None
    return RedirectResponse(f"/console/series/{series_id}/themes", 303)


@router.post("/console/series/{series_id}/themes/{theme_id}/delete")
async def delete_theme(
    series_id: uuid.UUID, theme_id: uuid.UUID, principal: PagePrincipal, db: DbSession
) -> RedirectResponse:
    """Remove a theme; points keep their text and lose the tag."""
    theme, access = await _theme(db, principal, series_id, theme_id)
    await KeyPointService(db).delete_theme(access, theme)
    return RedirectResponse(f"/console/series/{series_id}/themes", 303)
