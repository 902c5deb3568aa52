"""The front door: ``GET /`` (the public series index) and the offline API reference.

``/`` lists the series that have published summaries, newest first, each linking its public
page, with the subscribe and sign-in links. ``/api/docs`` is Swagger UI served by Track2 from
the pip-installed ``swagger-ui-bundle-v2`` package (mounted at ``/static/swagger-ui``), started
by a script file of ours: it works without internet and without inline script.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.console.rendering import environment
from app.db import DbSession
from app.kit.pagination import MAX_LIMIT, PageParams
from app.reports.schemas import PublicSeries, PublicSession
from app.reports.service import ReportService

router = APIRouter(include_in_schema=False)

OPENAPI_URL = "/api/v1/openapi.json"


def _published_at(session: PublicSession) -> datetime:
    return (
        session.summary.published_at
        if session.summary is not None
        else datetime.min.replace(tzinfo=UTC)
    )


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request, db: DbSession) -> HTMLResponse:
    """Series with published summaries, newest first; subscribe and sign-in links."""
    service = ReportService(db, request.app.state.settings)
    rows, _ = await service.public_series_list(PageParams(limit=MAX_LIMIT, cursor=None))
    entries: list[tuple[PublicSeries, PublicSession]] = []
    for series in rows:
        summarised = [s for s in series.sessions if s.summary is not None]
        if summarised:
            entries.append((series, max(summarised, key=_published_at)))
    entries.sort(key=lambda pair: _published_at(pair[1]), reverse=True)
    html = environment().get_template("pages/index.html").render(entries=entries)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """Swagger UI, from Track2's own files."""
    html = environment().get_template("pages/api_docs.html").render(openapi_url=OPENAPI_URL)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
