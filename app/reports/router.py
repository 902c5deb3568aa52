"""HTTP routes for report previews, publication, versions and report requests.

``router`` is mounted under the authenticated /api/v1; ``public_router`` under /api/v1 with
no token (published summaries, the series listing, report requests).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor

from app.errors import problem_responses
from app.kit.documents import PUBLIC, serve, variant
from app.kit.pagination import Page, PageQuery
from app.kit.ratelimit import client_ip
from app.reports import examples
from app.reports.deps import Editions, ReportMember, Reports
from app.reports.editions import ORIGINAL, EditionDocument, edition_label
from app.reports.model import SeriesDigest, SessionReport, session_report_from_json
from app.reports.models import ReportKind, ReportVersion, RequestStatus
from app.reports.negotiation import choose_format
from app.reports.render import MEDIA_TYPES, Format, Rendered, render
from app.reports.schemas import (
    EditionRead,
    EditionReview,
    EditionSource,
    EditionWrite,
    PublicSeries,
    PublishRequest,
    ReportRequestAccepted,
    ReportRequestCreate,
    ReportRequestRead,
    ReportVersionRead,
    Republished,
    RequestDecision,
    TakedownsRead,
    Withdrawal,
    WithdrawRequest,
)
from app.reports.service import public_links, version_stamp
from app.security import CurrentPrincipal
from app.series.deps import SeriesOrganiser, SeriesRapporteur
from app.sessions.deps import SessionOrganiser, SessionRapporteur

router = APIRouter(tags=["reports"])
public_router = APIRouter(tags=["public"])

# Every report request takes at least this long, whatever happened to it, so the time of
# the answer says nothing about the address either.
MIN_REQUEST_SECONDS = 0.3

FormatQuery = Annotated[
    str | None,
    Query(
        max_length=16,
        description="md, html, pdf, docx or json. Overrides `Accept`; anything else is a 406.",
    ),
]
_EXTENSIONS = {Format.MD: "md", Format.HTML: "html", Format.PDF: "pdf", Format.DOCX: "docx"}


def _document_responses(
    model: type[Any], example: dict[str, Any], *, public: bool = False
) -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {MEDIA_TYPES[f]: {} for f in Format if f is not Format.JSON}
    content[MEDIA_TYPES[Format.JSON]] = {"example": example}
    statuses = (404, 406, 410, 422) if public else (401, 404, 406, 422)
    return problem_responses(
        *statuses,
        extra={
            200: {
                "model": model,
                "description": "The report, in the negotiated format. The JSON format is the "
                "canonical report model (schema below); every other format is rendered from it.",
                "content": content,
            }
        },
    )


# One report service per request, shared by ``ReportMember`` and the editions service.
Service = Reports


def _document(
    rendered: Rendered,
    filename: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    disposition = "attachment" if rendered.format is Format.DOCX else "inline"
    extension = _EXTENSIONS.get(rendered.format, "json")
    return Response(
        rendered.body,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}.{extension}"',
            "Vary": "Accept",
            **(headers or {}),
        },
    )


async def _version_document(
    request: Request, version: ReportVersion, fmt: Format, *, cache: str, revalidate: bool = True
) -> Response:
    """A published version, rendered from its stored canonical JSON only (``revalidate``:
    answer a matching ``If-None-Match`` here with 304)."""
    etag = f'"{version.content_sha256}-{fmt.value}"'
    headers = {
        "ETag": etag,
        "Cache-Control": cache,
        "X-Report-Version": str(version.number),
        "X-Report-SHA256": version.content_sha256,
    }
    if revalidate and etag in request.headers.get("if-none-match", ""):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    report = session_report_from_json(version.content)
    rendered = await render(
        report,
        fmt,
        stamp=version_stamp(version, report.series.timezone),
        canonical=version.content,
    )
    name = (
        f"{report.series.slug}-session-{report.session.number}-"
        f"{version.kind.value}-v{version.number}"
    )
    return _document(rendered, name, headers=headers)


# -- members ------------------------------------------------------------------------------


@router.get(
    "/sessions/{session_id}/report",
    response_class=Response,
    operation_id="preview_report",
    summary="Preview a session's report",
    responses=_document_responses(SessionReport, examples.SESSION_REPORT),
)
async def preview_report(
    request: Request,
    access: SessionRapporteur,
    service: Service,
    kind: Annotated[Literal["summary", "detailed"], Query()] = "summary",
    format: FormatQuery = None,
) -> Response:
    """The summary or detailed report as it would be published now, from the approved key
    points (series members). Nothing is stored and the checker is not run: publish to
    freeze a version. The format comes from `?format=` or the `Accept` header (JSON by
    default)."""
    fmt = choose_format(format, request.headers.get("accept"))
    report = await service.preview(access, ReportKind(kind))
    rendered = await render(report, fmt)
    name = f"{report.series.slug}-session-{report.session.number}-{kind}-preview"
    return _document(rendered, name, headers={"Cache-Control": "no-store"})


@router.get(
    "/series/{series_id}/report",
    response_class=Response,
    operation_id="get_series_digest",
    summary="Get a series digest",
    responses=_document_responses(SeriesDigest, examples.SERIES_DIGEST),
)
async def get_series_digest(
    request: Request,
    access: SeriesRapporteur,
    service: Service,
    kind: Annotated[Literal["digest"], Query()] = "digest",
    format: FormatQuery = None,
) -> Response:
    """Every session of the series, the theme x session matrix (a table and a chart) and
    every approved point grouped by theme (series members)."""
    fmt = choose_format(format, request.headers.get("accept"))
    report = await service.digest(access)
    rendered = await render(report, fmt)
    return _document(
        rendered, f"{report.series.slug}-digest", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/sessions/{session_id}/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportVersionRead,
    operation_id="publish_report",
    summary="Publish a report version",
    responses=problem_responses(
        401,
        403,
        404,
        409,
        422,
        extra={201: {"content": {"application/json": {"example": examples.REPORT_VERSION}}}},
    ),
)
async def publish_report(
    data: PublishRequest, access: SessionOrganiser, service: Service
) -> ReportVersionRead:
    """Freeze a new numbered version of the summary or the detailed report (organisers).

    Only a held or closed session with at least one approved key point can be published
    (409 `report-not-publishable`). Every approved point is checked again against the
    current roster first; any block finding refuses publication (409
    `report-attribution-blocked`, listing them by point id). The version stores the
    canonical JSON and its SHA-256; it renders the same forever, whatever happens to the
    records. Publishing a detailed report sends it to requests that were waiting for one.
    """
    version = await service.publish(access, data.kind, data.changelog)
    return service.version_read(version)


@router.get(
    "/series/{series_id}/takedowns",
    response_model=TakedownsRead,
    operation_id="list_takedowns",
    summary="What the guard took down in a series",
    responses=problem_responses(401, 404, 422),
)
async def list_takedowns(access: SeriesRapporteur, service: Service) -> TakedownsRead:
    """Everything of the series the guard took down because a change to the directory (a
    person, an attendance, a consent, a part's regime) made it identify someone: the
    series' texts, a public session's title and context, published report versions. Each
    with the findings it has now; an empty `fields` means it can be republished (members)."""
    return await service.takedowns(access)


@router.post(
    "/series/{series_id}/republish",
    response_model=Republished,
    operation_id="publish_series_again",
    summary="Republish what the guard took down",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def republish_series(access: SeriesRapporteur, service: Service) -> Republished:
    """One action after the fix (organisers): everything taken down that passes the guard
    now is put back as it was (webhooks `report.republished`, `session.updated`,
    `series.updated`; calendars get the event back), and a report version whose content
    still names someone is replaced by a new version published from the current records.
    If anything would still identify someone, nothing changes (409 `republish-blocked`,
    with the `items` still to fix)."""
    return await service.republish(access)


@router.get(
    "/sessions/{session_id}/reports",
    response_model=list[ReportVersionRead],
    operation_id="list_report_versions",
    summary="List a session's published versions",
    responses=problem_responses(401, 404, 422),
)
async def list_report_versions(
    access: SessionRapporteur, service: Service
) -> list[ReportVersionRead]:
    """Every published version of the session, summaries then detailed, oldest first."""
    return [service.version_read(v) for v in await service.versions(access)]


@router.get(
    "/reports/{report_id}",
    response_class=Response,
    operation_id="get_report_version",
    summary="Get a published version",
    responses=_document_responses(SessionReport, examples.SESSION_REPORT),
)
async def get_report_version(
    report: ReportMember, request: Request, format: FormatQuery = None
) -> Response:
    """A published version in any format (members of its series; 404 for anyone else).

    `?format=json` answers the stored canonical JSON byte for byte: its SHA-256 is the
    version's `content_sha256` (also in `X-Report-SHA256` and the `ETag`).
    """
    fmt = choose_format(format, request.headers.get("accept"))
    return await _version_document(request, report.version, fmt, cache="private, max-age=3600")


@router.post(
    "/reports/{report_id}/withdraw",
    response_model=Withdrawal,
    operation_id="withdraw_report",
    summary="Withdraw a published version",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def withdraw_report(
    report: ReportMember, data: WithdrawRequest, service: Service
) -> Withdrawal:
    """Take a published version back (organisers), with the earlier versions of the same
    kind: an earlier version is a draft of the same text. From now on its public page and
    `GET /public/reports/{id}` answer 410, the public series shows no summary for the
    session until a new version is published, download links of a withdrawn detailed
    report stop working, and `report.withdrawn` is sent to webhooks so that copies
    elsewhere can be deleted. Members can still read it. The reason is kept for members
    only. Withdrawing a version already withdrawn is a 409."""
    taken = await service.withdraw(report.principal, report.id, data.reason)
    return Withdrawal(withdrawn=[service.version_read(v) for v in taken])


@router.get(
    "/series/{series_id}/report-requests",
    response_model=Page[ReportRequestRead],
    operation_id="list_report_requests",
    summary="List requests for detailed reports",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_report_requests(
    access: SeriesOrganiser,
    service: Service,
    page: PageQuery,
    status: Annotated[RequestStatus | None, Query(description="Only this status.")] = None,
) -> Page[ReportRequestRead]:
    """Requests for the series' detailed reports, oldest first, with why a pending request
    waits and every download of a delivered one (organisers)."""
    items, cursor = await service.list_requests(access, page, status)
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/report-requests/{request_id}/decision",
    response_model=ReportRequestRead,
    operation_id="decide_report_request",
    summary="Approve or decline a request",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def decide_report_request(
    request_id: uuid.UUID, data: RequestDecision, principal: CurrentPrincipal, service: Service
) -> ReportRequestRead:
    """Approve (e-mail a signed link to the latest published detailed version, valid
    `TRACK2_REPORTS__DOWNLOAD_LINK_DAYS` days) or decline (a polite e-mail) a pending
    request. Approving when no detailed report is published yet keeps the request pending
    (`pending_reason: no_detailed_report`); it is sent when one is published."""
    decided = await service.decide(principal, request_id, data)
    return await service.request_read_one(decided)


# -- public -------------------------------------------------------------------------------


@public_router.get(
    "/public/series",
    response_model=Page[PublicSeries],
    operation_id="list_public_series",
    summary="Series and their published summaries",
    responses=problem_responses(422),
)
async def list_public_series(service: Service, page: PageQuery) -> Response:
    """Every listed series (one that has published at least once) with its scheduled, held
    and closed sessions (public fields only: no venue, no meeting link, no one's name) and
    the latest published summary of each. Texts are those the guard admits now; a series or
    session being revised is left out. No token needed."""
    items, cursor = await service.public_series_list(page)
    return _public_json(Page(items=items, next_cursor=cursor))


@public_router.get(
    "/public/series/{slug}",
    response_model=PublicSeries,
    operation_id="get_public_series",
    summary="Get a series and its published summaries",
    responses=problem_responses(
        404,
        410,
        422,
        extra={200: {"content": {"application/json": {"example": examples.PUBLIC_SERIES}}}},
    ),
)
async def get_public_series(
    slug: Annotated[str, Path(max_length=80)], request: Request, service: Service
) -> Response:
    """One series by its slug, as `GET /public/series` shows it (410 `being-revised` while
    the guard has it taken down). No token needed. Strong `ETag`; 304 on `If-None-Match`."""

    async def produce() -> Response:
        return _public_json(await service.public_series(slug.lower()))

    version = None if "\x00" in slug else await service.public_version(slug=slug.lower())
    return await serve(request, variant(request, "lang"), version, produce, PUBLIC)


def _public_json(body: BaseModel) -> Response:
    # Serialised once, here: a public projection holds texts only the guard can make, so it
    # is never rebuilt from plain strings on the way out.
    return Response(body.model_dump_json().encode(), media_type="application/json")


@public_router.get(
    "/public/reports/{report_id}",
    response_class=Response,
    operation_id="get_public_report",
    summary="Get a published summary",
    responses=_document_responses(SessionReport, examples.SESSION_REPORT, public=True),
)
async def get_public_report(
    report_id: uuid.UUID,
    request: Request,
    service: Service,
    editions: Editions,
    format: FormatQuery = None,
    lang: Annotated[
        str | None,
        Query(
            max_length=16,
            description="An edition: `fa-AF`, `ps` or `ar` (`en`, or none, is the version "
            "itself). A language the summary has no published edition in is a 404.",
        ),
    ] = None,
) -> Response:
    """A published public summary in any format, or one of its editions (`?lang=`).
    Detailed reports are never public: their ids answer 404 here exactly like unknown ids;
    a withdrawn summary answers 410 `report-withdrawn`, and one the guard took down (or
    that would name someone now) 410 `being-revised`, without saying why. The editions'
    languages are in the `Link` header (`rel="alternate"; hreflang=...`). No token needed."""
    fmt = choose_format(format, request.headers.get("accept"))

    async def produce() -> Response:
        if lang is not None and lang != ORIGINAL:
            found = await editions.public_edition(report_id, lang)
            response = await _edition_document(request, found, fmt, cache=PUBLIC, revalidate=False)
        else:
            cleared = await service.public_summary(report_id)
            response = await _version_document(
                request, cleared.value, fmt, cache=PUBLIC, revalidate=False
            )
        languages = (await editions.languages([report_id])).get(report_id, [])
        if languages:
            response.headers["Link"] = _alternates(service.base_url, report_id, fmt, languages)
        return response

    version = await service.public_version(report_id=report_id)
    return await serve(request, (*variant(request, "lang"), fmt), version, produce, PUBLIC)


def _alternates(base_url: str, report_id: uuid.UUID, fmt: Format, languages: list[str]) -> str:
    """RFC 8288 ``Link`` alternates of a public summary in this format: the version itself
    (``en``) and each of its published editions (``hreflang``)."""
    links = []
    for tag in (ORIGINAL, *languages):
        _, formats = public_links(base_url, report_id, tag)
        links.append(f'<{formats[fmt.value]}>; rel="alternate"; hreflang="{tag}"')
    return ", ".join(links)


async def _even_timing() -> AsyncIterator[None]:
    started = time.perf_counter()
    yield
    remaining = MIN_REQUEST_SECONDS - (time.perf_counter() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)


EvenTiming = Annotated[None, Depends(_even_timing, scope="function")]


@public_router.post(
    "/public/report-requests",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReportRequestAccepted,
    operation_id="request_report",
    summary="Request a session's detailed report",
    responses=problem_responses(422, 429),
)
async def request_report(
    data: ReportRequestCreate, request: Request, _timing: EvenTiming, service: Service
) -> ReportRequestAccepted:
    """Ask for a session's detailed report by e-mail. The answer is the same 202 whatever
    happens (unknown series or session, already requested, approved at once, left for
    review), and takes the same time. The series' policy decides: `confirmed_subscribers`
    approves confirmed subscribers of the series automatically; otherwise an organiser
    decides. Rate-limited per IP (429) and per address (silently)."""
    await service.request_report(data, client_ip(request))
    return ReportRequestAccepted()


# -- editions -----------------------------------------------------------------------------


async def _edition_document(
    request: Request, found: EditionDocument, fmt: Format, *, cache: str, revalidate: bool = True
) -> Response:
    """A published edition, rendered from its stored canonical JSON only (``revalidate``:
    answer a matching ``If-None-Match`` here with 304)."""
    edition, version = found.edition, found.version
    assert edition.content is not None
    assert edition.content_sha256 is not None
    label = edition_label(version, edition) or str(version.number)
    etag = f'"{edition.content_sha256}-{fmt.value}"'
    headers = {
        "ETag": etag,
        "Cache-Control": cache,
        "Content-Language": edition.language,
        "X-Report-Version": label,
        "X-Report-SHA256": edition.content_sha256,
    }
    if revalidate and etag in request.headers.get("if-none-match", ""):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    rendered = await render(found.report, fmt, canonical=edition.content)
    name = (
        f"{found.report.series.slug}-session-{found.report.session.number}-"
        f"{version.kind.value}-v{label}-{edition.language}"
    )
    return _document(rendered, name, headers=headers)


class _EditionLanguage(Convertor[str]):
    """An edition's language in a path: any segment except the editions collection's own
    actions, so that `GET .../editions/publish` is answered 405 (the path exists, for POST)
    and not routed as an edition in a language called "publish"."""

    regex = r"(?!(?:publish|source)(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("edition_language", _EditionLanguage())


LanguagePath = Annotated[
    str,
    Path(
        max_length=16,
        description="The edition's language: `fa-AF` (Dari), `ps` (Pashto) or `ar` (Arabic); "
        "the version itself is the English one. Any other is a 404.",
    ),
]


@router.get(
    "/reports/{report_id}/editions/source",
    response_model=EditionSource,
    operation_id="get_edition_source",
    summary="The texts an edition translates",
    responses=problem_responses(401, 404, 422),
)
async def get_edition_source(report: ReportMember, editions: Editions) -> EditionSource:
    """The version's public texts in the records' language, keyed exactly as an edition's
    `texts` (series members): translate each value and `PUT` the result. `current` is false
    when the records changed since the version was published; an edition of it can then no
    longer be published (publish a new version and translate that)."""
    return await editions.source(report.principal, report.id)


@router.get(
    "/reports/{report_id}/editions",
    response_model=list[EditionRead],
    operation_id="list_editions",
    summary="List a version's editions",
    responses=problem_responses(401, 404, 422),
)
async def list_editions(report: ReportMember, editions: Editions) -> list[EditionRead]:
    """Every edition of the version, by language, with its status and what it still lacks
    (series members)."""
    return await editions.all(report.principal, report.id)


@router.post(
    "/reports/{report_id}/editions/publish",
    response_model=list[EditionRead],
    operation_id="publish_editions",
    summary="Publish every approved edition together",
    responses=problem_responses(401, 403, 404, 409, 410, 422),
)
async def publish_editions(report: ReportMember, editions: Editions) -> list[EditionRead]:
    """Publish all the version's approved editions at once (organisers), each as `n.m`
    under the rules of `POST .../{language}/publish`; if any is refused, none is published.
    409 when none is approved."""
    return await editions.publish_approved(report.principal, report.id)


@router.get(
    "/reports/{report_id}/editions/{language:edition_language}",
    response_class=Response,
    operation_id="get_edition",
    summary="Get an edition",
    responses=problem_responses(
        401,
        404,
        406,
        422,
        extra={200: {"model": EditionRead, "description": "The edition, or its document."}},
    ),
)
async def get_edition(
    report: ReportMember,
    language: LanguagePath,
    editions: Editions,
    format: Annotated[
        str | None,
        Query(
            max_length=16,
            description="Without it: the edition's record (JSON, with its texts). With "
            "`md`, `html`, `pdf`, `docx` or `json`: the edition as a report document (a "
            "draft is built from the records now; 422 naming what it lacks if incomplete).",
        ),
    ] = None,
) -> Response:
    """An edition (series members)."""
    if format is None:
        read = await editions.get(report.principal, report.id, language)
        return Response(read.model_dump_json().encode(), media_type="application/json")
    fmt = choose_format(format, None)
    document, version, edition, canonical = await editions.member_document(
        report.principal, report.id, language
    )
    rendered = await render(document, fmt, canonical=canonical)
    label = edition_label(version, edition) or f"{version.number}-draft"
    name = (
        f"{document.series.slug}-session-{document.session.number}-{version.kind.value}-"
        f"v{label}-{edition.language}"
    )
    return _document(rendered, name, headers={"Cache-Control": "no-store"})


@router.put(
    "/reports/{report_id}/editions/{language:edition_language}",
    response_model=EditionRead,
    operation_id="update_edition",
    summary="Enter or replace an edition's translation",
    responses=problem_responses(401, 403, 404, 409, 410, 422),
)
async def put_edition(
    report: ReportMember,
    language: LanguagePath,
    data: EditionWrite,
    response: Response,
    editions: Editions,
) -> EditionRead:
    """Save the translation (members who may write; 201 when the edition is new). Every
    text passes the guard first: a text that names a participant, their affiliation or
    acronym, in any script or transliteration, is a 422 naming the field
    (`texts.points.<id>` ...) and nothing is stored; a warning is a 409
    `unacknowledged-warnings` until its code is in `acknowledge_warnings`. A draft may be
    partial (`missing` lists what it lacks). Saving makes the edition a draft again; a
    published edition cannot change (409). Keys must be those of
    `GET /reports/{id}/editions/source` (422 `unknown-key`)."""
    read, created = await editions.put(report.principal, report.id, language, data)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return read


@router.post(
    "/reports/{report_id}/editions/{language:edition_language}/submit",
    response_model=EditionRead,
    operation_id="request_edition_review",
    summary="Submit an edition for review",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit_edition(
    report: ReportMember, language: LanguagePath, editions: Editions
) -> EditionRead:
    """Hand a draft over for review (members who may write): only a complete translation
    (422 naming each text still missing)."""
    return await editions.submit(report.principal, report.id, language)


@router.post(
    "/reports/{report_id}/editions/{language:edition_language}/review",
    response_model=EditionRead,
    operation_id="review_edition",
    summary="Approve or return an edition",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def review_edition(
    report: ReportMember, language: LanguagePath, data: EditionReview, editions: Editions
) -> EditionRead:
    """Four eyes (organisers other than the translator; the translator gets 403). `approve`
    checks every text against the directory again (422 on a block; 409 until the reviewer
    acknowledges each warning); `return` needs a `note` and makes it a draft again."""
    return await editions.review(report.principal, report.id, language, data)


@router.post(
    "/reports/{report_id}/editions/{language:edition_language}/publish",
    response_model=EditionRead,
    operation_id="publish_edition",
    summary="Publish an approved edition",
    responses=problem_responses(401, 403, 404, 409, 410, 422),
)
async def publish_edition(
    report: ReportMember, language: LanguagePath, editions: Editions
) -> EditionRead:
    """Publish an approved edition as version `n.m` (organisers): `n` the version's number,
    `m` the edition's. The report is built again from the records in the edition's
    language, only if the records still give version `n` byte for byte (409
    `edition-source-changed`) and nothing in it would identify anyone (409
    `edition-attribution-blocked`, naming the fields). Its content is then frozen with its
    SHA-256 like a version's; withdrawing the version withdraws it."""
    return await editions.publish(report.principal, report.id, language)
