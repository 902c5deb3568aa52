"""Console pages of a series' newsletter: the issues, composing one (Markdown with a live
preview and the live checker), sending a test to myself, sending, and the progress until
every copy is out.

A second face on ``NewsletterService``. (``app/newsletter/pages.py`` is the subscribers'
public face.) The preview renders the body with the same Markdown function the e-mail uses.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.config import AppSettings
from app.console.findings import ACK_FIELD, Guard, acknowledged, finding_view, refusal
from app.console.forms import parse, read_form, text
from app.console.rendering import page
from app.console.routing import PageResponse, console_router
from app.db import DbSession
from app.errors import DomainError
from app.kit.pagination import PageParams
from app.newsletter.emails import render_markdown
from app.newsletter.schemas import NewsletterCreate
from app.newsletter.service import IssueAccess, NewsletterService
from app.security import PagePrincipal
from app.series.deps import SeriesOrganiserPage
from app.series.pages import series_context
from app.series.service import SeriesAccess

router = console_router(tags=["console"])

FIELD_LABELS = {
    "subject": "Subject",
    "body_markdown": "Text",
    "text": "Text (as e-mailed)",
    "html": "Text (as e-mailed)",
}


def _gate_view(blocked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "field": FIELD_LABELS.get(str(b.get("field")), str(b.get("field"))),
            "findings": [finding_view(f) for f in b.get("findings", [])],
        }
        for b in blocked
    ]


async def _compose_page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    access: SeriesAccess,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    blocked: list[dict[str, Any]] | None = None,
    status_code: int = 200,
    guard: Guard | None = None,
    codes: list[str] | None = None,
) -> HTMLResponse:
    issues, _ = await NewsletterService(db, settings).list_issues(
        access, PageParams(limit=50, cursor=None)
    )
    form = form or {}
    return page(
        request,
        "console/newsletters.html",
        series_context(
            access,
            "newsletters",
            issues=issues,
            form=form,
            errors=errors or {},
            blocked=_gate_view(blocked or []),
            preview=render_markdown(form.get("body_markdown", "")),
            guard=guard or {},
            acknowledged=codes or [],
        ),
        status_code=status_code,
    )


@router.get("/console/series/{series_id}/newsletters")
async def newsletters_page(
    request: Request,
    access: SeriesOrganiserPage,
    db: DbSession,
    settings: AppSettings,
    copy: Annotated[uuid.UUID | None, Query()] = None,
) -> HTMLResponse:
    """The issues of the series, and the composer (``copy`` starts from an earlier issue)."""
    form: dict[str, str] = {}
    if copy is not None:
        source = await NewsletterService(db, settings).issue_access(access.principal, copy)
        if source.series.id == access.series.id:
            form = {"subject": source.issue.subject, "body_markdown": source.issue.body_markdown}
    return await _compose_page(request, db, settings, access, form=form)


@router.post("/console/series/{series_id}/newsletters/preview")
async def live_preview(
    request: Request, access: SeriesOrganiserPage, db: DbSession, settings: AppSettings
) -> HTMLResponse:
    """What htmx asks for as the organiser types: the rendered text and the checker's
    findings (nothing is stored)."""
    raw = await read_form(request)
    subject, body = text(raw, "subject")[:300], text(raw, "body_markdown")[:50_000]
    blocked = await NewsletterService(db, settings).check_issue_texts(access, subject, body)
    return page(
        request,
        "console/newsletters.html",
        series_context(
            access,
            "newsletters",
            preview=render_markdown(body),
            blocked=_gate_view(blocked),
            form={"subject": subject, "body_markdown": body},
        ),
        block="live",
    )


@router.post("/console/series/{series_id}/newsletters")
async def create_issue(
    request: Request, access: SeriesOrganiserPage, db: DbSession, settings: AppSettings
) -> Response:
    """Compose an issue (``POST /api/v1/series/{id}/newsletters``); refused while the gate
    finds someone in it."""
    raw = await read_form(request)
    form = {"subject": text(raw, "subject"), "body_markdown": text(raw, "body_markdown")}
    codes = acknowledged(raw)
    data, errors = parse(NewsletterCreate, {**form, ACK_FIELD: codes})
    blocked: list[dict[str, Any]] = []
    guard: Guard = {}
    if data is not None:
        try:
            issue = await NewsletterService(db, settings).create_issue(access, data)
        except DomainError as exc:
            errors, guard = refusal(exc, "body_markdown")
            blocked = [
                {"field": b.get("field"), "findings": found}
                for b in exc.extensions.get("fields") or []
                if (found := [f for f in b.get("findings", []) if f.get("severity") == "block"])
            ]
        else:
            return RedirectResponse(f"/console/newsletters/{issue.id}", status_code=303)
    raise PageResponse(
        await _compose_page(
            request,
            db,
            settings,
            access,
            form=form,
            errors=errors,
            blocked=blocked,
            status_code=422,
            guard=guard,
            codes=codes,
        )
    )


# -- one issue ------------------------------------------------------------------------------


async def _issue(
    db: DbSession, settings: AppSettings, principal: Any, issue_id: uuid.UUID
) -> tuple[IssueAccess, NewsletterService]:
    service = NewsletterService(db, settings)
    access = await service.issue_access(principal, issue_id)
    access.series_access.require_manage()
    return access, service


async def _issue_page(
    request: Request,
    access: IssueAccess,
    service: NewsletterService,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
    block: str | None = None,
    refused: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    read = await service.read_issue(access.issue)
    return page(
        request,
        "console/newsletter.html",
        series_context(
            access.series_access,
            "newsletters",
            issue=read,
            body=render_markdown(read.body_markdown),
            notice=notice,
            error=error,
            refused=_gate_view(refused or []),
            done=read.sent_at is not None and read.progress.queued == 0,
        ),
        status_code=status_code,
        block=block,
    )


@router.get("/console/newsletters/{issue_id}")
async def issue_page(
    request: Request,
    issue_id: uuid.UUID,
    principal: PagePrincipal,
    db: DbSession,
    settings: AppSettings,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """An issue: its text, the test and the send, and the progress of the sending."""
    access, service = await _issue(db, settings, principal, issue_id)
    notices = {"test": f"A test copy is on its way to {principal.email}.", "sent": "Sending."}
    block = "progress" if request.headers.get("HX-Request") == "true" else None
    return await _issue_page(request, access, service, notice=notices.get(done, ""), block=block)


@router.post("/console/newsletters/{issue_id}/test")
async def send_test(
    issue_id: uuid.UUID, principal: PagePrincipal, db: DbSession, settings: AppSettings
) -> RedirectResponse:
    """One copy to my own address."""
    access, service = await _issue(db, settings, principal, issue_id)
    await service.send_test(access)
    return RedirectResponse(f"/console/newsletters/{issue_id}?done=test", status_code=303)


@router.post("/console/newsletters/{issue_id}/send")
async def send(
    request: Request,
    issue_id: uuid.UUID,
    principal: PagePrincipal,
    db: DbSession,
    settings: AppSettings,
) -> Response:
    """One copy per confirmed subscriber, exactly once (through the outbox)."""
    access, service = await _issue(db, settings, principal, issue_id)
    try:
        await service.send_issue(access)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        # Refused by the guard (the directory grew since it was written): where and why.
        fields = exc.extensions.get("fields")
        raise PageResponse(
            await _issue_page(
                request,
                access,
                service,
                error=exc.detail,
                status_code=exc.status,
                refused=fields if isinstance(fields, list) else [],
            )
        ) from None
    return RedirectResponse(f"/console/newsletters/{issue_id}?done=sent", status_code=303)
