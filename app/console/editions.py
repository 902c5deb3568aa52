"""Console screens of editions: a version's editions, and one edition's form (enter the
translation beside the records' texts, submit, approve or return, publish).

A face on ``EditionService`` (the same calls as ``/api/v1/reports/{id}/editions``): every
text passes the guard when it is saved, a block is shown at its field, a warning is shown
with a box to acknowledge it, and four eyes are the service's. The screens live here, not
in ``app/reports/console_pages.py``, only to keep them apart from the report screen's forms.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.confidentiality.gate import AttributionBlocked, UnacknowledgedWarnings
from app.console.forms import read_form, text
from app.console.rendering import NO_STORE, page
from app.console.routing import PageResponse, console_router
from app.errors import DomainError, FieldError, InvalidRequest, NotFound
from app.kit.security_headers import INLINE_STYLE_POLICY
from app.reports import locales
from app.reports.deps import Editions, ReportMemberPage
from app.reports.editions import LANGUAGES, EditionBlocked, EditionService
from app.reports.render import Format, render
from app.reports.schemas import (
    EditionRead,
    EditionReview,
    EditionTextsIn,
    EditionWrite,
    GuestTextsIn,
    PartTextsIn,
    SeriesTextsIn,
    SessionTextsIn,
)
from app.reports.service import ReportAccess

router = console_router(tags=["console"])

STATUS_WORDS = {
    "draft": "Draft",
    "submitted": "Submitted for review",
    "approved": "Approved, not yet published",
    "published": "Published",
}


def _rows(source: EditionTextsIn, current: EditionTextsIn | None) -> list[dict[str, Any]]:
    """Each text of the form: its field name, what it translates, its translation now."""
    rows: list[dict[str, Any]] = []

    def add(name: str, label: str, english: str | None, value: str | None, long: bool) -> None:
        if english:
            rows.append(
                {
                    "name": name,
                    "label": label,
                    "source": english,
                    "value": value or "",
                    "long": long,
                }
            )

    s, c = source.series, current.series if current else None
    add("series.title", "Series title", s.title, c.title if c else "", False)
    add("series.organiser", "Organiser", s.organiser, c.organiser if c else "", False)
    for i, partner in enumerate(s.partners):
        value = c.partners[i] if c and i < len(c.partners) else ""
        add(f"series.partners.{i}", f"Partner {i + 1}", partner, value, False)
    add("series.strapline", "Strapline", s.strapline, c.strapline if c else "", False)
    add("series.title_prefix", "Title prefix", s.title_prefix, c.title_prefix if c else "", False)
    add("series.dateline", "Dateline", s.dateline, c.dateline if c else "", False)
    add("series.closing", "Closing paragraph", s.closing, c.closing if c else "", True)
    for n, (sid, session) in enumerate(source.sessions.items(), start=1):
        found = current.sessions.get(sid) if current else None
        add(
            f"sessions.{sid}.title",
            f"Session title ({n})",
            session.title,
            found.title if found else "",
            False,
        )
        add(
            f"sessions.{sid}.context",
            f"Session context ({n})",
            session.context,
            found.context if found else "",
            True,
        )
    for n, (pid, part) in enumerate(source.parts.items(), start=1):
        got = current.parts.get(pid) if current else None
        add(
            f"parts.{pid}.title",
            f"Agenda part {n}: title",
            part.title,
            got.title if got else "",
            False,
        )
        add(
            f"parts.{pid}.topic",
            f"Agenda part {n}: topic",
            part.topic,
            got.topic if got else "",
            False,
        )
    for n, (point_id, point) in enumerate(source.points.items(), start=1):
        add(
            f"points.{point_id}",
            f"Point {n}",
            point,
            current.points.get(point_id) if current else "",
            True,
        )
    for slug, label in source.themes.items():
        add(
            f"themes.{slug}",
            f"Theme: {label}",
            label,
            current.themes.get(slug) if current else "",
            False,
        )
    for n, (name, guest) in enumerate(source.guests.items(), start=1):
        g = current.guests.get(name) if current else None
        add(
            f"guests.{n}.name", f"On-record guest {n}: name", guest.name, g.name if g else "", False
        )
        add(
            f"guests.{n}.position",
            f"On-record guest {n}: position",
            guest.position,
            g.position if g else "",
            False,
        )
    return rows


def _texts(form: FormData, source: EditionTextsIn) -> EditionTextsIn:
    """The posted translation, keyed like the source (empty fields left out)."""

    def get(name: str) -> str:
        return text(form, name)

    return EditionTextsIn(
        series=SeriesTextsIn(
            title=get("series.title"),
            organiser=get("series.organiser"),
            partners=[get(f"series.partners.{i}") for i in range(len(source.series.partners))],
            strapline=get("series.strapline"),
            title_prefix=get("series.title_prefix"),
            dateline=get("series.dateline"),
            closing=get("series.closing"),
        ),
        sessions={
            sid: SessionTextsIn(
                title=get(f"sessions.{sid}.title"), context=get(f"sessions.{sid}.context")
            )
            for sid in source.sessions
            if get(f"sessions.{sid}.title")
        },
        parts={
            pid: PartTextsIn(
                title=get(f"parts.{pid}.title"), topic=get(f"parts.{pid}.topic") or None
            )
            for pid in source.parts
            if get(f"parts.{pid}.title")
        },
        points={pid: get(f"points.{pid}") for pid in source.points if get(f"points.{pid}")},
        themes={slug: get(f"themes.{slug}") for slug in source.themes if get(f"themes.{slug}")},
        guests={
            name: GuestTextsIn(
                name=get(f"guests.{n}.name"), position=get(f"guests.{n}.position") or None
            )
            for n, name in enumerate(source.guests, start=1)
            if get(f"guests.{n}.name")
        },
    )


def _field_of(api_field: str, source: EditionTextsIn) -> str:
    """The form field of an API field name (``texts.guests.<name>.name`` -> ``guests.1.name``)."""
    name = api_field.removeprefix("texts.")
    if name.startswith("guests."):
        for n, guest in enumerate(source.guests, start=1):
            prefix = f"guests.{guest}."
            if name.startswith(prefix):
                return f"guests.{n}.{name.removeprefix(prefix)}"
    return name


async def _edition_page(
    request: Request,
    service: EditionService,
    report: ReportAccess,
    language: str,
    *,
    errors: dict[str, str] | None = None,
    warnings: list[dict[str, Any]] | None = None,
    posted: EditionTextsIn | None = None,
    note: str = "",
    notice: str = "",
    problem: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    principal, report_id = report.principal, report.id
    version, access, session = await service.version_context(principal, report_id)
    if language not in LANGUAGES:
        raise NotFound("No such edition")
    source = await service.source(principal, report_id)
    edition: EditionRead | None = None
    try:
        edition = await service.get(principal, report_id, language)
    except DomainError as exc:
        if exc.status != 404:
            raise
    lang = locales.LANGUAGES[language]
    current = posted or (edition.texts if edition else None)
    me = principal.user_id
    return page(
        request,
        "console/edition.html",
        {
            "series": access.series,
            "session": session,
            "version": version,
            "edition": edition,
            "status_words": STATUS_WORDS,
            "language": language,
            "language_name": lang.name,
            "direction": "rtl" if lang.rtl else "ltr",
            "rows": _rows(source.texts, current),
            "current": source.current,
            "can_manage": access.can_manage,
            "is_translator": edition is not None and edition.translated_by_id == me,
            "errors": errors or {},
            "warnings": warnings or [],
            "note": note,
            "notice": notice,
            "problem": problem,
            "calendar": edition.calendar if edition else "gregorian",
            "solar": language in locales.SOLAR_MONTHS,
        },
        status_code=status_code,
    )


async def _editions_page(
    request: Request,
    service: EditionService,
    report: ReportAccess,
    *,
    published: list[str] | None = None,
    problem: str = "",
    problem_language: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    version, access, session = await service.version_context(report.principal, report.id)
    found: dict[str, EditionRead] = {
        e.language: e for e in await service.all(report.principal, report.id)
    }
    languages = [
        {"tag": tag, "name": locales.LANGUAGES[tag].name, "edition": found.get(tag)}
        for tag in LANGUAGES
    ]
    approved = [t for t in LANGUAGES if t in found and found[t].status == "approved"]
    return page(
        request,
        "console/editions.html",
        {
            "series": access.series,
            "session": session,
            "version": version,
            "languages": languages,
            "approved": approved,
            "can_manage": access.can_manage,
            "status_words": STATUS_WORDS,
            "published": published or [],
            "problem": problem,
            "problem_language": locales.LANGUAGES[problem_language].name
            if problem_language in LANGUAGES
            else "",
        },
        status_code=status_code,
    )


@router.get("/console/reports/{report_id}/editions")
async def editions_page(
    request: Request, report: ReportMemberPage, service: Editions
) -> HTMLResponse:
    """A version's editions: each language, its state, what it lacks; for organisers, the
    button that publishes every approved edition at once."""
    published = [t for t in request.query_params.getlist("published")[:10] if t in LANGUAGES]
    return await _editions_page(request, service, report, published=published)


@router.post("/console/reports/{report_id}/editions/publish")
async def publish_editions(
    request: Request, report: ReportMemberPage, service: Editions
) -> Response:
    """Publish every approved edition together (the API's ``POST .../editions/publish``):
    all of them or none; a refusal shows the editions again with the reason and the
    language refused, none published."""
    try:
        published = await service.publish_approved(report.principal, report.id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        raise PageResponse(
            await _editions_page(
                request,
                service,
                report,
                problem=exc.detail,
                problem_language=str(exc.extensions.get("language", "")),
                status_code=exc.status,
            )
        ) from None
    query = "&".join(f"published={e.language}" for e in published)
    return RedirectResponse(f"/console/reports/{report.id}/editions?{query}", status_code=303)


@router.get("/console/reports/{report_id}/editions/{language}")
async def edition_page(
    request: Request, report: ReportMemberPage, language: str, service: Editions
) -> HTMLResponse:
    """One edition's form (a new one when there is none in this language yet)."""
    notices = {
        "saved": "Saved. Every text passed the guard.",
        "submitted": "Submitted for review.",
        "approved": "Approved.",
        "returned": "Returned to the translator.",
        "published": "Published.",
    }
    done = request.query_params.get("done", "")[:20]
    return await _edition_page(
        request, service, report, language[:16], notice=notices.get(done, "")
    )


def _invalid(exc: ValidationError) -> InvalidRequest:
    """A form's values refused by the API's schema, as the API would name them."""
    return InvalidRequest(
        [
            FieldError(
                location="body",
                field=".".join(str(p) for p in e["loc"]),
                reason=str(e["msg"]),
            )
            for e in exc.errors()
        ]
    )


def _findings(
    exc: DomainError, source: EditionTextsIn
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """A refusal's findings at the form's fields: (errors, warnings to acknowledge)."""
    blocked = isinstance(exc, (AttributionBlocked, EditionBlocked))
    errors = {
        _field_of(str(e.get("field", "")), source): str(
            e.get("reason") or ("names someone" if blocked else "")
        )
        for e in exc.extensions.get("errors", [])
    }
    warnings: list[dict[str, Any]] = []
    for item in exc.extensions.get("fields", []):
        field = _field_of(str(item.get("field", "")), source)
        if isinstance(exc, UnacknowledgedWarnings):
            warnings.append({"field": field, "findings": item.get("findings", [])})
        elif blocked:
            errors.setdefault(field, "This text would identify a participant.")
    return errors, warnings


@router.post("/console/reports/{report_id}/editions/{language}")
async def edition_action(
    request: Request, report: ReportMemberPage, language: str, service: Editions
) -> Response:
    """Save, submit, approve, return or publish (the API's rules, the API's errors)."""
    form = await read_form(request)
    action = text(form, "action")
    principal, report_id = report.principal, report.id
    language = language[:16]
    acknowledged = [str(v)[:300] for v in form.getlist("acknowledge")][:50]
    note = text(form, "note")[:2000]
    source = (await service.source(principal, report_id)).texts
    posted: EditionTextsIn | None = None
    try:
        if action == "save":
            try:
                posted = _texts(form, source)
                write = EditionWrite(
                    calendar="solar_hijri"
                    if text(form, "calendar") == "solar_hijri"
                    else "gregorian",
                    texts=posted,
                    acknowledge_warnings=acknowledged,
                )
            except ValidationError as exc:
                raise _invalid(exc) from None
            await service.put(principal, report_id, language, write)
            done = "saved"
        elif action == "submit":
            await service.submit(principal, report_id, language)
            done = "submitted"
        elif action in ("approve", "return"):
            try:
                review = EditionReview(
                    action=action,  # type: ignore[arg-type]  # one of the two, just above
                    note=note or None,
                    acknowledge_warnings=acknowledged,
                )
            except ValidationError as exc:
                raise _invalid(exc) from None
            await service.review(principal, report_id, language, review)
            done = "approved" if action == "approve" else "returned"
        elif action == "publish":
            await service.publish(principal, report_id, language)
            done = "published"
        else:
            return RedirectResponse(f"/console/reports/{report_id}/editions/{language}", 303)
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors, warnings = _findings(exc, source)
        raise PageResponse(
            await _edition_page(
                request,
                service,
                report,
                language,
                errors=errors,
                warnings=warnings,
                posted=posted,
                note=note,
                problem=exc.detail,
                status_code=exc.status,
            )
        ) from None
    return RedirectResponse(
        f"/console/reports/{report_id}/editions/{language}?done={done}", status_code=303
    )


@router.get("/console/reports/{report_id}/editions/{language}/download")
async def edition_download(
    request: Request, report: ReportMemberPage, language: str, service: Editions
) -> Response:
    """An edition in one format, for members (a draft is built from the records now)."""
    try:
        fmt = Format(request.query_params.get("format", "pdf").lower()[:8])
    except ValueError:
        fmt = Format.PDF
    document, version, edition, canonical = await service.member_document(
        report.principal, report.id, language[:16]
    )
    rendered = await render(document, fmt, canonical=canonical)
    name = (
        f"{document.series.slug}-session-{document.session.number}-{version.kind.value}-"
        f"v{version.number}{'.' + str(edition.number) if edition.number else '-draft'}-"
        f"{edition.language}"
    )
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'}
    if fmt is Format.HTML:
        headers["Content-Security-Policy"] = INLINE_STYLE_POLICY
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)
