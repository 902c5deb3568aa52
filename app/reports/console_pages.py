"""Console pages of reports: a session's report screen (the public summary previewed exactly
as it will be published, the publication gate's findings in words, publish, each format of
each version, withdraw with a reason) and the series' report requests (decide).

A second face on ``ReportService``; the documents come from the existing render functions
(``app.reports.render``), the preview through the same builder the publication uses.
(``app/reports/pages.py`` is the public face: series pages, summaries, downloads by link.)
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.console.findings import ACK_FIELD, KIND_WORDS, Guard, acknowledged, refusal
from app.console.forms import parse, read_form, text
from app.console.rendering import NO_STORE, page
from app.console.routing import PageResponse, console_router
from app.db import DbSession
from app.errors import DomainError, InvalidRequest, NotFound
from app.key_points.service import session_points
from app.kit.pagination import PageParams
from app.kit.security_headers import INLINE_STYLE_POLICY
from app.reports.model import session_report_from_json
from app.reports.models import ReportKind, RequestStatus
from app.reports.render import Format, render
from app.reports.schemas import RequestDecision
from app.reports.service import (
    PublicationBlocked,
    ReportService,
    RepublishBlocked,
    version_stamp,
)
from app.security import PagePrincipal
from app.series.deps import SeriesOrganiserPage
from app.series.pages import render_series_page, series_context
from app.sessions.deps import SessionOrganiserPage
from app.sessions.service import SessionAccess, SessionService

router = console_router(tags=["console"])

FORMATS = [("html", "HTML"), ("pdf", "PDF"), ("docx", "Word"), ("md", "Markdown"), ("json", "JSON")]
# The preview is framed by the report screen: this one page may be framed by Track2 itself.
PREVIEW_POLICY = INLINE_STYLE_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def _service(request: Request, db: DbSession) -> ReportService:
    return ReportService(db, request.app.state.settings)


def _words(findings: list[dict[str, Any]]) -> list[str]:
    out = []
    for f in findings:
        reason = KIND_WORDS.get(str(f.get("kind", "")), str(f.get("kind", "")))
        excerpt = f.get("excerpt")
        out.append(
            f"“{excerpt}”: {reason}. {f.get('message', '')}".strip()
            if excerpt
            else str(f.get("message", reason))
        )
    return out


async def _gate_findings(
    db: DbSession, access: SessionAccess, exc: PublicationBlocked
) -> list[dict[str, Any]]:
    """What the gate refused, by point and by session text, in words."""
    points = {str(p.id): p for p, _ in await session_points(db, access)}
    out: list[dict[str, Any]] = []
    for item in exc.extensions.get("points", []):
        point = points.get(str(item.get("point_id")))
        out.append(
            {
                "where": f"Approved point {point.position}" if point else "An approved point",
                "text": point.text if point else "",
                "reasons": _words(item.get("findings", [])),
            }
        )
    for item in exc.extensions.get("fields", []):
        out.append(
            {
                "where": f"The session's {str(item.get('field', '')).replace('.', ' ')}",
                "text": "",
                "reasons": _words(item.get("findings", [])),
            }
        )
    return out


async def _report_page(
    request: Request,
    db: DbSession,
    access: SessionAccess,
    *,
    errors: dict[str, str] | None = None,
    gate: list[dict[str, Any]] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    service = _service(request, db)
    versions = [service.version_read(v) for v in await service.versions(access)]
    approved = [p for p, _ in await session_points(db, access) if p.status.value == "approved"]
    return page(
        request,
        "console/report.html",
        {
            "access": access,
            "session": access.session,
            "series": access.series,
            "tab": "report",
            "versions": versions,
            "approved": len(approved),
            "formats": FORMATS,
            "errors": errors or {},
            "gate": gate or [],
            "notice": notice,
            "publishable": access.session.status.value in ("held", "closed"),
        },
        status_code=status_code,
    )


@router.get("/console/sessions/{session_id}/report")
async def report_page(
    request: Request,
    access: SessionOrganiserPage,
    db: DbSession,
    done: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """The report screen of a session."""
    notices = {"published": "Published.", "withdrawn": "Withdrawn."}
    return await _report_page(request, db, access, notice=notices.get(done, ""))


@router.get("/console/sessions/{session_id}/report/preview")
async def report_preview(
    request: Request,
    access: SessionOrganiserPage,
    db: DbSession,
    kind: Annotated[str, Query(max_length=10)] = "summary",
) -> Response:
    """The report as publishing it now would make it: the HTML document of the existing
    renderer, built by the same builder the publication uses."""
    report_kind = ReportKind.DETAILED if kind == "detailed" else ReportKind.SUMMARY
    try:
        report = await _service(request, db).preview(access, report_kind)
    except DomainError as exc:
        return HTMLResponse(
            f"<!doctype html><html lang=en><title>Preview</title><p>{exc.detail}</p></html>",
            status_code=exc.status,
            headers={"Content-Security-Policy": PREVIEW_POLICY, **NO_STORE},
        )
    rendered = await render(report, Format.HTML)
    return Response(
        rendered.body,
        media_type=rendered.media_type,
        headers={"Content-Security-Policy": PREVIEW_POLICY, **NO_STORE},
    )


@router.post("/console/sessions/{session_id}/report/publish")
async def publish(request: Request, access: SessionOrganiserPage, db: DbSession) -> Response:
    """Freeze a new version (``POST /api/v1/sessions/{id}/reports``); if the gate refuses,
    say what it found, point by point."""
    raw = await read_form(request)
    kind = ReportKind.DETAILED if text(raw, "kind") == "detailed" else ReportKind.SUMMARY
    changelog = text(raw, "changelog")[:2000] or None
    try:
        await _service(request, db).publish(access, kind, changelog)
    except PublicationBlocked as exc:
        gate = await _gate_findings(db, access, exc)
        raise PageResponse(
            await _report_page(
                request, db, access, errors={"publish": exc.detail}, gate=gate, status_code=409
            )
        ) from None
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        raise PageResponse(
            await _report_page(
                request, db, access, errors={"publish": exc.detail}, status_code=exc.status
            )
        ) from None
    return RedirectResponse(f"/console/sessions/{access.session.id}/report?done=published", 303)


@router.post("/console/sessions/{session_id}/report/{report_id}/withdraw")
async def withdraw(
    request: Request, report_id: uuid.UUID, access: SessionOrganiserPage, db: DbSession
) -> Response:
    """Withdraw a version and the earlier ones of its kind, with a reason."""
    raw = await read_form(request)
    reason = text(raw, "reason")
    service = _service(request, db)
    try:
        version = await service.member_version(access.principal, report_id)
        if version.dialogue_session_id != access.session.id:
            raise InvalidRequest.single("report_id", "Not a version of this session")
        if not reason:
            raise InvalidRequest.single("reason", "Say why the version is withdrawn")
        await service.withdraw(access.principal, report_id, reason[:2000])
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        raise PageResponse(
            await _report_page(
                request, db, access, errors={str(report_id): exc.detail}, status_code=exc.status
            )
        ) from None
    return RedirectResponse(f"/console/sessions/{access.session.id}/report?done=withdrawn", 303)


@router.get("/console/reports/{report_id}/download")
async def download(
    request: Request,
    report_id: uuid.UUID,
    principal: PagePrincipal,
    db: DbSession,
    format: Annotated[str, Query(max_length=8)] = "pdf",
) -> Response:
    """A published version in one format, for members of its series (404 for others)."""
    try:
        fmt = Format(format.lower())
    except ValueError:
        fmt = Format.PDF
    version = await _service(request, db).member_version(principal, report_id)
    report = session_report_from_json(version.content)
    rendered = await render(
        report, fmt, stamp=version_stamp(version, report.series.timezone), canonical=version.content
    )
    session_name = f"{report.series.slug}-session-{report.session.number}"
    name = f"{session_name}-{version.kind.value}-v{version.number}"
    extension = fmt.value
    headers = {
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="{name}.{extension}"',
    }
    if fmt is Format.HTML:
        headers["Content-Security-Policy"] = INLINE_STYLE_POLICY
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


# -- report requests ------------------------------------------------------------------------


async def _requests_page(
    request: Request,
    db: DbSession,
    access: Any,
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
    guard: Guard | None = None,
    notes: dict[str, str] | None = None,
    codes: list[str] | None = None,
) -> HTMLResponse:
    service = _service(request, db)
    pending, _ = await service.list_requests(
        access, PageParams(limit=100, cursor=None), RequestStatus.PENDING
    )
    recent, _ = await service.list_requests(access, PageParams(limit=100, cursor=None), None)
    sessions, _ = await SessionService(db).list_sessions(access, PageParams(limit=100, cursor=None))
    return page(
        request,
        "console/requests.html",
        series_context(
            access,
            "requests",
            pending=pending,
            decided=[r for r in recent if r.status is not RequestStatus.PENDING],
            sessions={s.id: s for s in sessions},
            errors=errors or {},
            notice=notice,
            guard=guard or {},
            notes=notes or {},
            acknowledged=codes or [],
        ),
        status_code=status_code,
    )


@router.get("/console/series/{series_id}/requests")
async def requests_page(
    request: Request,
    access: SeriesOrganiserPage,
    db: DbSession,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """Requests for detailed reports that wait for a decision, and the recent decisions."""
    notices = {"approve": "Approved: the link is on its way.", "decline": "Declined."}
    return await _requests_page(request, db, access, notice=notices.get(done, ""))


@router.post("/console/series/{series_id}/requests/{request_id}")
async def decide(
    request: Request,
    series_id: uuid.UUID,
    request_id: uuid.UUID,
    access: SeriesOrganiserPage,
    db: DbSession,
) -> Response:
    """Approve or decline one request (``POST /api/v1/report-requests/{id}/decision``)."""
    raw = await read_form(request)
    codes = acknowledged(raw)
    decision, errors = parse(
        RequestDecision,
        {"decision": text(raw, "decision"), "note": text(raw, "note") or None, ACK_FIELD: codes},
    )
    try:
        if decision is None:
            raise InvalidRequest.single("decision", next(iter(errors.values())))
        decided = await _service(request, db).decide(access.principal, request_id, decision)
        if decided.dialogue_series_id != series_id:
            raise NotFound("No such report request")  # rolled back with the page
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        # The note's findings (and the note as typed) show beside it.
        key = f"note-{request_id}"
        messages, guard = refusal(exc, "decision", key=lambda _: key)
        raise PageResponse(
            await _requests_page(
                request,
                db,
                access,
                errors={str(request_id): next(iter(messages.values()), exc.detail)},
                status_code=exc.status,
                guard=guard,
                notes={str(request_id): text(raw, "note")},
                codes=codes,
            )
        ) from None
    return RedirectResponse(
        f"/console/series/{series_id}/requests?done={decision.decision}", status_code=303
    )


# -- taken down, and back -------------------------------------------------------------------


@router.post("/console/series/{series_id}/republish")
async def republish(request: Request, access: SeriesOrganiserPage, db: DbSession) -> Response:
    """Put back everything the guard took down, once fixed (``POST
    /api/v1/series/{id}/republish``): all or nothing. While anything would still identify
    someone, the series page says what, and nothing changes."""
    try:
        await _service(request, db).republish(access)
    except RepublishBlocked as exc:
        problems = [
            f"{str(item.get('label', 'An item')).capitalize()}: "
            + (
                str(item["publication"])
                if item.get("publication")
                else "it would still identify someone"
            )
            for item in exc.extensions.get("items") or []
        ]
        raise PageResponse(
            await render_series_page(
                request, access, db, status_code=409, republish_problems=problems
            )
        ) from None
    return RedirectResponse(
        f"/console/series/{access.series.id}?done=republished#takedowns", status_code=303
    )
