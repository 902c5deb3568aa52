"""Session permissions as types: ``SessionRapporteur`` / ``SessionOrganiser`` in a signature.

Both resolve ``session_id`` from the path together with the caller's role in the session's
series, in one query. Sessions of a series the caller is not in answer 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.db import DbSession
from app.security import CurrentPrincipal, PagePrincipal
from app.sessions.service import SessionAccess, SessionService


async def _session_member(
    session_id: uuid.UUID, db: DbSession, principal: CurrentPrincipal
) -> SessionAccess:
    return await SessionService(db).access(principal, session_id)


async def _session_organiser(
    access: Annotated[SessionAccess, Depends(_session_member)],
) -> SessionAccess:
    access.series_access.require_manage()
    return access


SessionRapporteur = Annotated[SessionAccess, Depends(_session_member)]
"""Any member of the session's series (rapporteur or organiser) or an administrator."""

SessionOrganiser = Annotated[SessionAccess, Depends(_session_organiser)]
"""An organiser of the session's series or an administrator."""


# The console's face of the same types (the caller from the web session cookie).


async def _session_member_page(
    session_id: uuid.UUID, db: DbSession, principal: PagePrincipal
) -> SessionAccess:
    return await SessionService(db).access(principal, session_id)


async def _session_organiser_page(
    access: Annotated[SessionAccess, Depends(_session_member_page)],
) -> SessionAccess:
    access.series_access.require_manage()
    return access


SessionRapporteurPage = Annotated[SessionAccess, Depends(_session_member_page)]
"""``SessionRapporteur`` for console pages."""

SessionOrganiserPage = Annotated[SessionAccess, Depends(_session_organiser_page)]
"""``SessionOrganiser`` for console pages."""
