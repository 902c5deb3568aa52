"""My series: the console's first page after sign-in.

For each series the member is in: its next sessions, the points waiting for review and the
report requests waiting for a decision, read for all of the member's series at once (a fixed
number of statements whatever the number or size of the series).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.console.overview import SeriesOverviewService
from app.console.rendering import page
from app.console.routing import console_router, not_found_page
from app.db import DbSession
from app.security import PagePrincipal

router = console_router(tags=["console"])


@router.get("/console")
async def my_series(request: Request, principal: PagePrincipal, db: DbSession) -> HTMLResponse:
    """Every series I am in, with what needs me in each."""
    overview = await SeriesOverviewService(db).for_member(principal)
    return page(request, "console/home.html", {"overview": overview, "nav": "home"})


# Included last: any other /console address is the console's 404 page, not a problem+json.
fallback = console_router(tags=["console"])


@fallback.get("/console/{rest:path}")
async def unknown_console_page(request: Request, _principal: PagePrincipal) -> HTMLResponse:
    """Nothing here: the same page as an object outside the caller's series."""
    return not_found_page(request)
