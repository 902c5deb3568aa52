"""Console pages of a series: create, overview, settings and policy, members and invitations,
and accepting an invitation.

A second face on ``SeriesService`` and ``InvitationService`` with the API's permission types
(``SeriesRapporteurPage`` / ``SeriesOrganiserPage``): what the API refuses, these refuse.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import EmailStr, TypeAdapter, ValidationError

from app.confidentiality.gate import Gate
from app.config import AppSettings
from app.console.choices import FORMATS, MEMBER_ROLES, POLICIES, REGIMES
from app.console.findings import ACK_FIELD, Guard, acknowledged, finding_view, refusal
from app.console.forms import domain_errors, parse, read_form, text, values
from app.console.overview import SeriesOverviewService
from app.console.rendering import page
from app.console.routing import PageResponse, console_router
from app.console.takedowns import TAKEN_DOWN_NOTICE, takedown_views
from app.db import DbSession
from app.errors import Conflict, DomainError, InvalidRequest
from app.kit.pagination import MAX_LIMIT, PageParams
from app.security import PagePrincipal
from app.series.deps import SeriesOrganiserPage, SeriesRapporteurPage
from app.series.invitations import BadInvitation, InvitationService
from app.series.models import MemberRole
from app.series.schemas import MemberCreate, SeriesCreate, SeriesUpdate
from app.series.service import SeriesAccess, SeriesService, series_text_list
from app.sessions.service import SessionService
from app.users.pages import set_session_cookie
from app.users.signin import SESSION_COOKIE, SignInService

router = console_router(tags=["console"])
_EMAIL = TypeAdapter(EmailStr)

SERIES_FIELDS = (
    "title",
    "slug",
    "description",
    "organiser",
    "timezone",
    "default_regime",
    "strapline",
    "title_prefix",
    "dateline",
    "closing",
    "report_request_policy",
)
_INVITATION_PROBLEMS = {
    "expired": "This invitation has expired. Ask the organiser who invited you for a new one.",
    "used": "This invitation was already accepted. Sign in with your e-mail address instead.",
    "withdrawn": "The organisers withdrew this invitation. Ask them for a new one.",
    "invalid": "The link is incomplete or has been changed. Ask for a new invitation.",
    "inactive": "The account of this address is deactivated. Ask an administrator.",
}


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    """IANA zone names for the zone pickers."""
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def series_context(access: SeriesAccess, tab: str, **extra: Any) -> dict[str, Any]:
    """What every series page's header and sub-navigation need."""
    return {"access": access, "series": access.series, "tab": tab, **extra}


# -- create ---------------------------------------------------------------------------------


def _series_form(
    request: Request,
    template: str,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    guard: Guard | None = None,
    **context: Any,
) -> HTMLResponse:
    return page(
        request,
        template,
        {
            "form": form,
            "errors": errors,
            "guard": guard or {},
            "acknowledged": form.get(ACK_FIELD, []),
            "regimes": REGIMES,
            "policies": POLICIES,
            "zones": time_zones(),
            **context,
        },
        status_code=status_code,
    )


@router.get("/console/series/new")
async def new_series_page(
    request: Request, principal: PagePrincipal, settings: AppSettings
) -> HTMLResponse:
    """The form for a new series; whoever creates it becomes its first organiser."""
    form = {"timezone": settings.default_timezone, "default_regime": "chatham_house"}
    return _series_form(request, "console/series_new.html", form, {}, nav="home")


@router.post("/console/series/new")
async def create_series(
    request: Request, principal: PagePrincipal, db: DbSession, settings: AppSettings
) -> Response:
    """Create the series (``POST /api/v1/series``) and open it."""
    raw = await read_form(request)
    data = values(raw, SERIES_FIELDS, lists=("partners",))
    data[ACK_FIELD] = acknowledged(raw)
    form = {**data, "partners": text(raw, "partners")}
    created, errors = parse(SeriesCreate, data)
    guard: Guard = {}
    if created is not None:
        try:
            series = await SeriesService(db).create_series(
                principal, created, settings.default_timezone
            )
        except DomainError as exc:
            errors, guard = refusal(exc)
        else:
            return RedirectResponse(f"/console/series/{series.id}", status_code=303)
    raise PageResponse(
        _series_form(request, "console/series_new.html", form, errors, 422, guard=guard, nav="home")
    )


# -- overview -------------------------------------------------------------------------------


async def render_series_page(
    request: Request,
    access: SeriesAccess,
    db: DbSession,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
    guard: Guard | None = None,
    notice: str = "",
    republish_problems: list[str] | None = None,
) -> HTMLResponse:
    """The series page; with ``errors``, its new-session form as it was sent (and the
    guard's findings beside its fields). Organisers see first what the guard took down."""
    sessions, _ = await SessionService(db).list_sessions(
        access, PageParams(limit=MAX_LIMIT, cursor=None)
    )
    counts = await SeriesOverviewService(db).counts(access.series.id)
    takedowns = []
    if access.can_manage and (access.series.taken_down_at is not None or counts.taken_down):
        # Only when the guard took something down: what, where, why, and where to fix it.
        takedowns = await takedown_views(db, request.app.state.settings, access)
    return page(
        request,
        "console/series.html",
        series_context(
            access,
            "overview",
            sessions=sessions,
            counts=counts,
            takedowns=takedowns,
            republish_problems=republish_problems or [],
            notice=notice,
            errors=errors or {},
            guard=guard or {},
            acknowledged=(form or {}).get(ACK_FIELD, []),
            form=form or {"timezone": access.series.timezone, "format": "online"},
            regimes=REGIMES,
            formats=FORMATS,
            zones=time_zones(),
        ),
        status_code=status_code,
    )


@router.get("/console/series/{series_id}")
async def series_page(
    request: Request,
    access: SeriesRapporteurPage,
    db: DbSession,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """A series: what the guard took down (organisers), its sessions, its numbers, and a new
    session for organisers."""
    notices = {
        "republished": "Republished: its public addresses show it again.",
        "taken-down": TAKEN_DOWN_NOTICE,
    }
    return await render_series_page(request, access, db, notice=notices.get(done, ""))


# -- settings and policy --------------------------------------------------------------------


@router.get("/console/series/{series_id}/settings")
async def settings_page(
    request: Request, access: SeriesOrganiserPage, db: DbSession
) -> HTMLResponse:
    """Everything about the series that organisers set, the report policy included."""
    series = access.series
    form = {name: getattr(series, name) for name in SERIES_FIELDS}
    form["partners"] = "\n".join(series.partners)
    guard: Guard = {}
    if series.taken_down_at is not None:
        # Taken down by the guard: what it finds now, beside the fields to fix.
        review = await Gate(db).review(series.id, series_text_list(series))
        for ff in review.fields:
            found = guard.setdefault(ff.field.split(".")[0], [])
            found.extend(finding_view(f.as_dict()) for f in ff.findings)
    return _series_form(
        request,
        "console/series_settings.html",
        form,
        {},
        guard=guard,
        **series_context(access, "settings"),
    )


@router.post("/console/series/{series_id}/settings")
async def save_settings(request: Request, access: SeriesOrganiserPage, db: DbSession) -> Response:
    """``PATCH /api/v1/series/{id}`` from the form."""
    raw = await read_form(request)
    data = values(
        raw,
        SERIES_FIELDS,
        lists=("partners",),
        keep_empty=("description", "strapline", "title_prefix", "dateline", "closing"),
    )
    data[ACK_FIELD] = acknowledged(raw)
    form = {**data, "partners": text(raw, "partners")}
    update, errors = parse(SeriesUpdate, data)
    guard: Guard = {}
    if update is not None:
        try:
            await SeriesService(db).update_series(access, update)
        except DomainError as exc:
            errors, guard = refusal(exc)
        else:
            return RedirectResponse(
                f"/console/series/{access.series.id}/settings?saved=1", status_code=303
            )
    raise PageResponse(
        _series_form(
            request,
            "console/series_settings.html",
            form,
            errors,
            422,
            guard=guard,
            **series_context(access, "settings"),
        )
    )


# -- members and invitations ----------------------------------------------------------------


async def _members_page(
    request: Request,
    access: SeriesAccess,
    db: DbSession,
    settings: AppSettings,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    members, _ = await SeriesService(db).list_members(
        access, PageParams(limit=MAX_LIMIT, cursor=None)
    )
    invitations = await InvitationService(db, settings).pending(access) if access.can_manage else []
    return page(
        request,
        "console/series_members.html",
        series_context(
            access,
            "members",
            members=members,
            invitations=invitations,
            roles=MEMBER_ROLES,
            errors=errors or {},
            form=form or {"role": "rapporteur"},
            notice=notice,
            organisers=sum(1 for m in members if m.role is MemberRole.ORGANISER),
        ),
        status_code=status_code,
    )


@router.get("/console/series/{series_id}/members")
async def members_page(
    request: Request,
    access: SeriesRapporteurPage,
    db: DbSession,
    settings: AppSettings,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """Members and their roles; organisers also see pending invitations and invite."""
    notices = {
        "invited": "The invitation is on its way.",
        "role": "The role is changed.",
        "removed": "The member is removed.",
        "withdrawn": "The invitation is withdrawn; its link no longer works.",
    }
    return await _members_page(request, access, db, settings, notice=notices.get(done, ""))


@router.post("/console/series/{series_id}/invitations")
async def invite(
    request: Request,
    access: SeriesOrganiserPage,
    principal: PagePrincipal,
    db: DbSession,
    settings: AppSettings,
) -> Response:
    """Invite an address with a role; the e-mail goes through the outbox."""
    raw = await read_form(request)
    email, role = text(raw, "email"), text(raw, "role")
    form = {"email": email, "role": role}
    errors: dict[str, str] = {}
    member_role: MemberRole | None = None
    try:
        member_role = MemberRole(role)
    except ValueError:
        errors["role"] = "Choose organiser or rapporteur."
    try:
        email = str(_EMAIL.validate_python(email))
    except ValidationError:
        errors["email"] = "Enter an e-mail address, like name@example.org."
    if not errors and member_role is not None:
        try:
            await InvitationService(db, settings).invite(
                access, email, member_role, principal.email
            )
        except DomainError as exc:
            errors = domain_errors(exc, "email")
        else:
            return RedirectResponse(
                f"/console/series/{access.series.id}/members?done=invited", status_code=303
            )
    raise PageResponse(
        await _members_page(
            request, access, db, settings, errors=errors, form=form, status_code=422
        )
    )


@router.post("/console/series/{series_id}/invitations/{invitation_id}/withdraw")
async def withdraw_invitation(
    invitation_id: uuid.UUID, access: SeriesOrganiserPage, db: DbSession, settings: AppSettings
) -> RedirectResponse:
    """Withdraw a pending invitation."""
    await InvitationService(db, settings).withdraw(access, invitation_id)
    return RedirectResponse(
        f"/console/series/{access.series.id}/members?done=withdrawn", status_code=303
    )


@router.post("/console/series/{series_id}/members/{user_id}/role")
async def change_role(
    request: Request,
    user_id: uuid.UUID,
    access: SeriesOrganiserPage,
    db: DbSession,
    settings: AppSettings,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Change a member's role (``POST /api/v1/series/{id}/members``); never the last
    organiser's."""
    parsed, _ = parse(MemberCreate, {"user_id": str(user_id), "role": role})
    try:
        if parsed is None:
            raise InvalidRequest.single("role", "Choose organiser or rapporteur")
        members, _ = await SeriesService(db).list_members(
            access, PageParams(limit=MAX_LIMIT, cursor=None)
        )
        if all(m.user_id != user_id for m in members):
            raise Conflict("This person is not a member of the series")
        await SeriesService(db).set_member(access, parsed)
    except DomainError as exc:
        if exc.status == 404:
            raise
        raise PageResponse(
            await _members_page(
                request, access, db, settings, errors={"members": exc.detail}, status_code=409
            )
        ) from None
    return RedirectResponse(f"/console/series/{access.series.id}/members?done=role", 303)


@router.post("/console/series/{series_id}/members/{user_id}/remove")
async def remove_member(
    request: Request,
    user_id: uuid.UUID,
    access: SeriesOrganiserPage,
    db: DbSession,
    settings: AppSettings,
) -> Response:
    """Remove a member (``DELETE .../members/{user_id}``); never the last organiser."""
    try:
        await SeriesService(db).remove_member(access, user_id)
    except Conflict as exc:
        raise PageResponse(
            await _members_page(
                request, access, db, settings, errors={"members": exc.detail}, status_code=409
            )
        ) from None
    return RedirectResponse(f"/console/series/{access.series.id}/members?done=removed", 303)


# -- accepting an invitation ----------------------------------------------------------------


def _bad_invitation(request: Request, exc: BadInvitation) -> HTMLResponse:
    return page(
        request,
        "console/error.html",
        {
            "heading": "This invitation does not work",
            "text": _INVITATION_PROBLEMS[exc.reason],
            "status": 400,
        },
        status_code=400,
    )


@router.get("/invitations/accept")
async def invitation_page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    token: Annotated[str, Query(max_length=1000)] = "",
) -> HTMLResponse:
    """What the invitation is for, and a button that accepts it. Changes nothing."""
    try:
        invitation, series, user = await InvitationService(db, settings).open(token)
    except BadInvitation as exc:
        return _bad_invitation(request, exc)
    return page(
        request,
        "console/invitation.html",
        {
            "invitation": invitation,
            "invited_series": series,
            "has_account": user is not None,
            "token": token,
            "errors": {},
            "name": "",
        },
    )


@router.post("/invitations/accept")
async def accept_invitation(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    token: Annotated[str, Form(max_length=1000)] = "",
    display_name: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Accept: account (if new), membership, and a new web session."""
    service = InvitationService(db, settings)
    name = " ".join(display_name.split())
    try:
        invitation, series, user = await service.open(token)
        if user is None and not 1 <= len(name) <= 200:
            raise PageResponse(
                page(
                    request,
                    "console/invitation.html",
                    {
                        "invitation": invitation,
                        "invited_series": series,
                        "has_account": False,
                        "token": token,
                        "name": name,
                        "errors": {"display_name": "Enter your name as colleagues know it."},
                    },
                    status_code=422,
                )
            )
        accepted = await service.accept(token, name or invitation.email.split("@")[0])
    except BadInvitation as exc:
        raise PageResponse(_bad_invitation(request, exc)) from None
    started = await SignInService(db, settings).start_session(
        accepted.user, request.headers.get("user-agent", ""), request.cookies.get(SESSION_COOKIE)
    )
    response = RedirectResponse(f"/console/series/{accepted.series.id}", status_code=303)
    set_session_cookie(response, started, settings)
    return response
