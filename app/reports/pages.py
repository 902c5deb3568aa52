"""Server-rendered public pages for series and published summaries, and report downloads.

No JavaScript, no cookies: the request form posts ``application/x-www-form-urlencoded`` to
``/reports/request`` (the same rules as ``POST /api/v1/public/report-requests``: the same
answer whatever happens). Download links are signed and expire; a bad or expired link gets
a page that says so and offers a new request. Detailed reports are never shown here: their
ids answer the same 404 page as unknown ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import EmailStr, TypeAdapter, ValidationError

from app.confidentiality.gate import BeingRevised
from app.db import DbSession
from app.errors import NotFound
from app.kit.outline import embed_under
from app.kit.ratelimit import RateLimited, client_ip
from app.reports import locales
from app.reports.editions import ORIGINAL, EditionService, edition_label
from app.reports.links import BadDownloadLink
from app.reports.model import session_report_from_json
from app.reports.page_texts import PAGE_TEXTS
from app.reports.render import Format, render
from app.reports.render.html import render_html_fragment
from app.reports.render.templating import environment
from app.reports.router import EvenTiming
from app.reports.schemas import PublicSeries, ReportRequestAccepted, ReportRequestCreate
from app.reports.service import ReportService, ReportWithdrawn, version_stamp

router = APIRouter(tags=["pages"], include_in_schema=False)

_EMAIL = TypeAdapter(EmailStr)
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_DOWNLOAD_FORMATS = {"pdf": Format.PDF, "html": Format.HTML, "docx": Format.DOCX, "md": Format.MD}
_REQUESTABLE = ("held", "closed")


def _page(
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    html = environment().get_template(f"pages/reports/{name}").render(**context)
    return HTMLResponse(html, status_code=status_code, headers={**_NO_STORE, **(headers or {})})


# Why a download link does not work: heading and text of the page that says so.
_LINK_PROBLEMS: dict[str, tuple[str, str]] = {
    "expired": (
        "This link has expired",
        "Download links work for a limited time, and this one is too old. You can ask for the "
        "report again below.",
    ),
    "withdrawn": (
        "This report was withdrawn",
        "The organisers of the series have withdrawn this version of the report. You can ask "
        "for the report again below.",
    ),
    "revised": (
        "This report is being revised",
        "The organisers of the series are revising this report. You can ask for it again "
        "below once a new version is published.",
    ),
    "invalid": (
        "This link does not work",
        "The link is incomplete or has been changed. You can ask for the report again below.",
    ),
}


def _being_revised() -> HTMLResponse:
    """What the public sees of something the guard took down: that it is being revised,
    never why."""
    return _page(
        "message.html",
        {
            "heading": "Being revised",
            "text": "This page is being revised by the organisers of the series. Please come "
            "back later.",
            "is_error": True,
            "form": None,
        },
        status_code=410,
    )


def _not_found() -> HTMLResponse:
    return _page(
        "message.html",
        {
            "heading": "Not found",
            "text": "There is no public report or series at this address.",
            "is_error": True,
            "form": None,
        },
        status_code=404,
    )


def _service(request: Request, db: DbSession) -> ReportService:
    return ReportService(db, request.app.state.settings)


def _form(
    series: PublicSeries | None, session: int | None, *, email: str = "", error: str = ""
) -> dict[str, Any]:
    """The request form's context; without a series, the reader types the series' slug."""
    choices = [s for s in series.sessions if s.status in _REQUESTABLE] if series is not None else []
    return {
        "series": series,
        "choices": choices,
        "selected": session,
        "email": email,
        "error": error,
    }


LangQuery = Annotated[str | None, Query(max_length=16)]


def _language_links(base: str, path: str, languages: Sequence[str]) -> dict[str, Any]:
    """``hreflang`` alternates (absolute addresses, English as ``x-default``) and the
    visible language switcher of a page that exists in ``languages`` besides English."""
    if not languages:
        return {"alternates": [], "switcher": []}
    tags = [ORIGINAL, *sorted(languages)]
    sep = "&" if "?" in path else "?"
    href = {tag: path if tag == ORIGINAL else f"{path}{sep}lang={tag}" for tag in tags}
    alternates = [{"hreflang": tag, "href": base + href[tag]} for tag in tags]
    alternates.append({"hreflang": "x-default", "href": base + href[ORIGINAL]})
    switcher = [
        {
            "tag": tag,
            "name": locales.LANGUAGES[tag].name,
            "href": href[tag],
            "dir": "rtl" if locales.LANGUAGES[tag].rtl else "ltr",
        }
        for tag in tags
    ]
    return {"alternates": alternates, "switcher": switcher}


def _chrome(tag: str) -> dict[str, Any]:
    lang = locales.LANGUAGES[tag]
    return {
        "page_lang": tag,
        "page_dir": "rtl" if lang.rtl else "ltr",
        "ui": PAGE_TEXTS[tag],
        "lang": tag,
    }


async def _edition_or_none(editions: EditionService, report_id: uuid.UUID, tag: str) -> Any:
    try:
        return await editions.public_edition(report_id, tag)
    except (NotFound, BeingRevised, ReportWithdrawn):
        return None


@router.get("/series/{slug}", response_class=HTMLResponse)
async def series_page(
    slug: str,
    request: Request,
    db: DbSession,
    session: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    lang: LangQuery = None,
) -> HTMLResponse:
    """A series: its sessions, the latest published summary, the request form. With
    ``?lang=`` a language its summaries have editions in, the page is in that language
    (the series' texts, the sessions' titles and the latest summary from the editions);
    any other ``lang`` gives the English page, without an error."""
    service = _service(request, db)
    if "\x00" in slug:  # never a series' slug (and PostgreSQL cannot compare it)
        return _not_found()
    try:
        series = await service.public_series(slug.lower()[:80])
    except NotFound:
        return _not_found()
    except BeingRevised:
        return _being_revised()
    editions = EditionService(db, request.app.state.settings)
    ids = [s.summary.report_id for s in series.sessions if s.summary]
    by_version = await editions.languages(ids)
    languages = sorted({tag for tags in by_version.values() for tag in tags})
    tag = lang if lang in languages else ORIGINAL
    summarised = next((s for s in reversed(series.sessions) if s.summary), None)
    latest = summarised.summary if summarised is not None else None
    body = None
    if session is None and summarised is not None:
        session = summarised.number
    translated: dict[int, Any] = {}
    if tag != ORIGINAL:
        for item in series.sessions:
            if item.summary and tag in by_version.get(item.summary.report_id, []):
                found = await _edition_or_none(editions, item.summary.report_id, tag)
                if found is not None:
                    translated[item.number] = found.report
    if latest is not None:
        try:
            cleared = await service.public_summary(latest.report_id)
        except BeingRevised:
            latest = None
        else:
            report = session_report_from_json(cleared.value.content)
            if summarised is not None and summarised.number in translated:
                report = translated[summarised.number]
            # Under the page's "Latest summary" heading, once the page's own strapline is shown.
            body = embed_under(render_html_fragment(report), 2, drop_classes=("strapline",))
    # The series' own texts in the page's language: those its latest translated summary prints.
    heading = translated[max(translated)] if translated else None
    path = f"/series/{series.slug}"
    return _page(
        "series.html",
        {
            "s": series,
            "latest": latest,
            "body": body,
            "form": _form(series, session),
            "translated": translated,
            "heading": heading,
            **_chrome(tag),
            **_language_links(service.base_url, path, languages),
        },
        headers={"Content-Language": tag},
    )


@router.post("/reports/request", response_class=HTMLResponse)
async def request_submit(request: Request, _timing: EvenTiming, db: DbSession) -> Response:
    """The request form: the same thank-you page whatever happens to the request."""
    form = await request.form(max_files=0, max_fields=20)
    email = str(form.get("email") or "").strip()
    slug = str(form.get("series") or "").strip().lower()[:80]
    if "\x00" in slug:  # never a series' slug; answered like any unknown series
        slug = ""
    raw_number = str(form.get("session") or "").strip()
    service = _service(request, db)
    try:
        series: PublicSeries | None = await service.public_series(slug)
    except NotFound:
        series = None
    number = int(raw_number) if raw_number.isdigit() and len(raw_number) < 7 else None
    try:
        _EMAIL.validate_python(email)
    except ValidationError:
        return _page(
            "request.html",
            {"form": _form(series, number, email=email, error="Enter a valid e-mail address.")},
            status_code=400,
        )
    if number is None or number < 1:
        return _page(
            "request.html",
            {"form": _form(series, None, email=email, error="Choose a session.")},
            status_code=400,
        )
    try:
        await service.request_report(
            ReportRequestCreate(email=email, series=slug or "-", session=number),
            client_ip(request),
        )
    except RateLimited as exc:
        return _page(
            "message.html",
            {
                "heading": "Too many requests",
                "text": f"Please wait {exc.retry_after} seconds before trying again.",
                "is_error": True,
                "form": None,
            },
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    return _page(
        "message.html",
        {
            "heading": "Thank you",
            "text": ReportRequestAccepted().detail,
            "is_error": False,
            "form": None,
            "series": series,
        },
    )


@router.get("/reports/download", response_class=HTMLResponse)
async def download(
    request: Request,
    db: DbSession,
    token: Annotated[str | None, Query(max_length=2000)] = None,
    format: Annotated[str, Query(max_length=8)] = "pdf",
) -> Response:
    """A delivered detailed report, marked with its recipient on every page; every
    download is logged. Expired or altered links get a page saying so."""
    service = _service(request, db)
    fmt = _DOWNLOAD_FORMATS.get(format.lower(), Format.PDF)
    try:
        delivered = await service.open_download(token, fmt.value)
    except BadDownloadLink as exc:
        known = await service.request_form_context(exc.request_id)
        series = await service.public_series(known[0].slug) if known else None
        heading, text = _LINK_PROBLEMS.get(exc.reason, _LINK_PROBLEMS["invalid"])
        return _page(
            "message.html",
            {
                "heading": heading,
                "text": text,
                "is_error": True,
                "form": _form(series, known[1] if known else None),
            },
            status_code=410 if exc.reason in ("expired", "withdrawn", "revised") else 400,
        )
    rendered = await render(delivered.report, fmt, marking=delivered.marking, stamp=delivered.stamp)
    report = delivered.report
    name = (
        f"{report.series.slug}-session-{report.session.number}-detailed-v{delivered.version.number}"
    )
    extension = "docx" if fmt is Format.DOCX else fmt.value
    disposition = "inline" if fmt in (Format.PDF, Format.HTML) else "attachment"
    return Response(
        rendered.body,
        media_type=rendered.media_type,
        headers={
            **_NO_STORE,
            "Content-Disposition": f'{disposition}; filename="{name}.{extension}"',
            "X-Robots-Tag": "noindex",
        },
    )


@router.get("/reports/{report_id}", response_class=HTMLResponse)
async def report_page(
    report_id: str, request: Request, db: DbSession, lang: LangQuery = None
) -> HTMLResponse:
    """A published summary with the request form for its session and the newsletter; with
    ``?lang=`` one of its published editions. An edition that does not exist (or a language
    Track2 has no editions in) is the 404 page: the address names a document, and a link
    to a translation that is not there is a broken link, not a request for the English one."""
    try:
        rid = uuid.UUID(report_id)
    except ValueError:
        return _not_found()
    service = _service(request, db)
    try:
        cleared = await service.public_summary(rid)
    except NotFound:
        return _not_found()
    except BeingRevised:
        return _being_revised()
    except ReportWithdrawn:
        return _withdrawn()
    version = cleared.value
    editions = EditionService(db, request.app.state.settings)
    tag = ORIGINAL if lang in (None, ORIGINAL) else str(lang)
    stamp = None
    if tag == ORIGINAL:
        report = session_report_from_json(version.content)
        stamp = version_stamp(version, report.series.timezone)
    else:
        try:
            found = await editions.public_edition(rid, tag)
        except NotFound:
            return _not_found()
        except BeingRevised:
            return _being_revised()
        except ReportWithdrawn:
            return _withdrawn()
        report = found.report
        label = edition_label(version, found.edition) or str(version.number)
        stamp = f"{PAGE_TEXTS[tag]['version']} {locales.digits(label, report.edition.digits)}"
    try:
        series = await service.public_series_of(version)
    except BeingRevised:
        return _being_revised()
    languages = (await editions.languages([version.id])).get(version.id, [])
    query = "" if tag == ORIGINAL else f"&lang={tag}"
    return _page(
        "report.html",
        {
            "title": report.title,
            "body": render_html_fragment(report),
            "stamp": stamp,
            "report_id": version.id,
            "series": series,
            "series_title": report.series.title,
            "series_organiser": report.series.organiser,
            "form": _form(series, report.session.number),
            "query": query,
            **_chrome(tag),
            **_language_links(service.base_url, f"/reports/{version.id}", languages),
        },
        headers={"Cache-Control": "public, no-cache", "Content-Language": tag},
    )


def _withdrawn() -> HTMLResponse:
    return _page(
        "message.html",
        {
            "heading": "This summary was withdrawn",
            "text": "The organisers of the series have withdrawn this summary.",
            "is_error": True,
            "form": None,
        },
        status_code=410,
    )
