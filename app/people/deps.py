"""People permissions as types: ``PersonRapporteur`` or ``PersonOrganiser`` in a signature.

Both resolve ``person_id`` from the path and the caller's role in the person's series. A
person of a series the caller is not in answers 404 exactly like a missing one; members
without the needed role get 403.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.db import DbSession
from app.people.service import PeopleService, PersonAccess
from app.security import CurrentPrincipal


async def _person_member(
    person_id: uuid.UUID, db: DbSession, principal: CurrentPrincipal
) -> PersonAccess:
    return await PeopleService(db).person_access(principal, person_id)


async def _person_organiser(
    access: Annotated[PersonAccess, Depends(_person_member)],
) -> PersonAccess:
    access.series_access.require_manage()
    return access


PersonRapporteur = Annotated[PersonAccess, Depends(_person_member)]
"""Any member of the person's series (rapporteur or organiser) or an administrator."""

PersonOrganiser = Annotated[PersonAccess, Depends(_person_organiser)]
"""An organiser of the person's series or an administrator."""
