"""Console pages for signing in and out, and the account page (web sessions).

``/sign-in`` asks for an address and always answers the same page (after at least
``MIN_SIGN_IN_SECONDS``), whatever the address; ``/sign-in/link`` shows a button for the
e-mailed link (a GET changes nothing: mail scanners follow links) and the button's POST starts
the web session. Expired, used or altered links get a page that says which, with the form for
a new link.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import EmailStr, TypeAdapter, ValidationError

from app.config import AppSettings, Environment, Settings
from app.console.rendering import page
from app.console.routing import PageResponse, console_router
from app.db import DbSession
from app.kit.ratelimit import RateLimited, address_key, client_ip, limit
from app.security import PagePrincipal
from app.users.signin import (
    SESSION_COOKIE,
    BadSignInLink,
    SignInService,
    StartedSession,
    safe_next,
)

router = console_router(tags=["console"])

# Every sign-in request takes at least this long, whatever the address: the answer's timing
# says nothing about whether the address has an account.
MIN_SIGN_IN_SECONDS = 0.35
_EMAIL = TypeAdapter(EmailStr)
_WINDOW = 3600

_LINK_PROBLEMS = {
    "expired": (
        "This sign-in link has expired",
        "Sign-in links work for a few minutes only. Ask for a new one below.",
    ),
    "used": (
        "This sign-in link was already used",
        "Each link signs in once. If that was not you, sign in again and use "
        "“Sign out everywhere” on your account page. Ask for a new link below.",
    ),
    "invalid": (
        "This sign-in link does not work",
        "The link is incomplete or has been changed. Ask for a new one below.",
    ),
}


async def _even_timing() -> AsyncIterator[None]:
    started = time.perf_counter()
    yield
    remaining = MIN_SIGN_IN_SECONDS - (time.perf_counter() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)


# Before DbSession in a signature: torn down after the commit, so the wait covers it.
EvenTiming = Annotated[None, Depends(_even_timing, scope="function")]


def secure_cookies(settings: Settings) -> bool:
    """Cookies are ``Secure`` outside development, and whenever the site is served over
    HTTPS."""
    return settings.environment is Environment.PRODUCTION or settings.base_url.startswith("https:")


def set_session_cookie(response: Response, started: StartedSession, settings: Settings) -> None:
    """The opaque session cookie: HttpOnly, SameSite=Lax, Secure outside development."""
    response.set_cookie(
        SESSION_COOKIE,
        started.cookie,
        max_age=settings.console.session_absolute_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )


def _clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(settings)
    )


def _sign_in_form(
    request: Request,
    *,
    email: str = "",
    error: str = "",
    next_path: str = "/console",
    notice: str = "",
    status_code: int = 200,
    heading: str = "Sign in",
    text: str = "",
) -> HTMLResponse:
    return page(
        request,
        "console/sign_in.html",
        {
            "email": email,
            "errors": {"email": error} if error else {},
            "next": next_path,
            "notice": notice,
            "heading": heading,
            "text": text,
        },
        status_code=status_code,
    )


@router.get("/sign-in")
async def sign_in_page(
    request: Request,
    next: Annotated[str, Query(max_length=500)] = "/console",
    ended: Annotated[str, Query(max_length=5)] = "",
    signed_out: Annotated[str, Query(max_length=5)] = "",
) -> HTMLResponse:
    """The sign-in form: an e-mail address, nothing else."""
    notice = ""
    if ended:
        notice = "Your session has ended. Sign in again to continue."
    elif signed_out:
        notice = "You are signed out."
    return _sign_in_form(request, next_path=safe_next(next), notice=notice)


@router.post("/sign-in")
async def sign_in_submit(
    request: Request,
    _timing: EvenTiming,
    db: DbSession,
    settings: AppSettings,
    email: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form(max_length=500)] = "/console",
) -> HTMLResponse:
    """Sends one e-mail and answers "check your inbox", whether or not the address has an
    account."""
    email = email.strip()
    next_path = safe_next(next)
    try:
        address = str(_EMAIL.validate_python(email))
    except ValidationError:
        raise PageResponse(
            _sign_in_form(
                request,
                email=email,
                error="Enter your e-mail address, like name@example.org.",
                next_path=next_path,
                status_code=422,
            )
        ) from None
    console = settings.console
    try:
        await limit(
            db, f"sign-in:ip:{client_ip(request)}", console.sign_in_per_ip_per_hour, _WINDOW
        )
        key = address_key(settings.secret_key.get_secret_value(), address)
        await limit(db, f"sign-in:addr:{key}", console.sign_in_per_address_per_hour, _WINDOW)
    except RateLimited as exc:
        raise PageResponse(
            _sign_in_form(
                request,
                email=email,
                error=f"Too many sign-in requests. Wait {exc.retry_after // 60 + 1} minutes "
                "and try again.",
                next_path=next_path,
                status_code=429,
            )
        ) from None
    await SignInService(db, settings).request_link(address, next_path)
    return page(
        request,
        "console/sign_in_sent.html",
        {"email": address, "minutes": console.sign_in_link_minutes},
    )


@router.get("/sign-in/link")
async def sign_in_link_page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    token: Annotated[str, Query(max_length=1000)] = "",
) -> HTMLResponse:
    """The page an e-mailed link opens: a button that signs in. Changes nothing."""
    service = SignInService(db, settings)
    try:
        _, next_path = service.read_link(token)
    except BadSignInLink as exc:
        return _bad_link(request, exc)
    return page(request, "console/sign_in_link.html", {"token": token, "next": next_path})


def _bad_link(request: Request, exc: BadSignInLink) -> HTMLResponse:
    heading, text = _LINK_PROBLEMS[exc.reason]
    return _sign_in_form(request, heading=heading, text=text, status_code=400)


@router.post("/sign-in/link")
async def sign_in_link_submit(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    token: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Use the link once: a new web session, a new cookie, then where the person was going."""
    service = SignInService(db, settings)
    try:
        _, next_path = service.read_link(token)
        started = await service.redeem(
            token,
            request.headers.get("user-agent", ""),
            request.cookies.get(SESSION_COOKIE),
        )
    except BadSignInLink as exc:
        raise PageResponse(_bad_link(request, exc)) from None
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, started, settings)
    return response


@router.post("/sign-out")
async def sign_out(
    principal: PagePrincipal, db: DbSession, settings: AppSettings
) -> RedirectResponse:
    """End this browser's session."""
    await SignInService(db, settings).sign_out(principal)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    _clear_cookie(response, settings)
    return response


@router.post("/sign-out/everywhere")
async def sign_out_everywhere(
    principal: PagePrincipal, db: DbSession, settings: AppSettings
) -> RedirectResponse:
    """End every session of this user, in every browser (this one too)."""
    await SignInService(db, settings).sign_out_everywhere(principal.user_id)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    _clear_cookie(response, settings)
    return response


@router.get("/console/account")
async def account_page(
    request: Request, principal: PagePrincipal, db: DbSession, settings: AppSettings
) -> HTMLResponse:
    """Who I am and where I am signed in."""
    sessions = await SignInService(db, settings).live_sessions(principal.user_id)
    return page(
        request,
        "console/account.html",
        {"sessions": sessions, "current": principal.token_id, "nav": "account"},
    )
