"""Series permissions as types: put ``SeriesRapporteur`` or ``SeriesOrganiser`` in a signature.

Both resolve ``series_id`` from the path. Callers outside the series get 404 (never 403), so
ids reveal nothing; members without the needed role get 403.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.db import DbSession
from app.security import CurrentPrincipal, PagePrincipal
from app.series.service import SeriesAccess, SeriesService


async def _series_member(
    series_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> SeriesAccess:
    return await SeriesService(session).access(principal, series_id)


async def _series_organiser(
    access: Annotated[SeriesAccess, Depends(_series_member)],
) -> SeriesAccess:
    access.require_manage()
    return access


SeriesRapporteur = Annotated[SeriesAccess, Depends(_series_member)]
"""Any member of the series (rapporteur or organiser) or an administrator."""

SeriesOrganiser = Annotated[SeriesAccess, Depends(_series_organiser)]
"""An organiser of the series or an administrator."""


# The console's face of the same types: the caller comes from the web session cookie, the
# access rules (and the 404s) are the same service call.


async def _series_member_page(
    series_id: uuid.UUID, session: DbSession, principal: PagePrincipal
) -> SeriesAccess:
    return await SeriesService(session).access(principal, series_id)


async def _series_organiser_page(
    access: Annotated[SeriesAccess, Depends(_series_member_page)],
) -> SeriesAccess:
    access.require_manage()
    return access


SeriesRapporteurPage = Annotated[SeriesAccess, Depends(_series_member_page)]
"""``SeriesRapporteur`` for console pages."""

SeriesOrganiserPage = Annotated[SeriesAccess, Depends(_series_organiser_page)]
"""``SeriesOrganiser`` for console pages."""
