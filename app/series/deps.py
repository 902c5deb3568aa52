"""Series permissions as types: put ``SeriesRapporteur`` or ``SeriesOrganiser`` in a signature.

Both resolve ``series_id`` from the path. Callers outside the series get 404 (never 403), so
ids reveal nothing; members without the needed role get 403.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.db import DbSession
from app.security import CurrentPrincipal
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
