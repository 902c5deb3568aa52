"""Report permissions as types: ``ReportMember`` / ``ReportMemberPage`` in a signature.

Both resolve ``report_id`` from the path into the version and the caller's access to its
series, once per request (``ReportService.report_access``): a version of a series the caller
is not in answers 404, exactly like an unknown id. Every member route of a version and of
its editions is written with them; the services they call find the access already resolved.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from app.db import DbSession
from app.reports.editions import EditionService
from app.reports.service import ReportAccess, ReportService
from app.security import CurrentPrincipal, PagePrincipal


async def _reports(request: Request, db: DbSession) -> ReportService:
    return ReportService(db, request.app.state.settings)


Reports = Annotated[ReportService, Depends(_reports)]
"""The request's report service (one per request, shared by the dependencies below)."""


async def _editions(request: Request, db: DbSession, reports: Reports) -> EditionService:
    return EditionService(db, request.app.state.settings, reports=reports)


Editions = Annotated[EditionService, Depends(_editions)]
"""The request's editions service, on the same report service."""


async def _report_member(
    report_id: uuid.UUID, principal: CurrentPrincipal, reports: Reports
) -> ReportAccess:
    return await reports.report_access(principal, report_id)


ReportMember = Annotated[ReportAccess, Depends(_report_member)]
"""A report version of a series the caller is a member of (rapporteur, organiser, or an
administrator); organisers' rules are the services' (``require_manage``)."""


async def _report_member_page(
    report_id: uuid.UUID, principal: PagePrincipal, reports: Reports
) -> ReportAccess:
    return await reports.report_access(principal, report_id)


ReportMemberPage = Annotated[ReportAccess, Depends(_report_member_page)]
"""``ReportMember`` for console pages (the caller from the web session)."""
