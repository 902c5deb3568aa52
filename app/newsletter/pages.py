"""Server-rendered public pages: subscribe, confirm, unsubscribe, preferences.

They work without JavaScript and post ``application/x-www-form-urlencoded`` forms. No
cookies and no sessions: every form that changes something carries a signed token (confirm,
unsubscribe, preferences) or is a harmless double opt-in request (subscribe), so there is
no ambient authority for a cross-site request to borrow, and no CSRF token is needed.

A GET never changes anything (mail scanners follow links); the change happens when the
button on the page posts the form. Bad or expired links get a 400 page, never a 500.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import EmailStr, TypeAdapter, ValidationError
from starlette.datastructures import FormData

from app.config import AppSettings
from app.db import DbSession
from app.errors import problem_response
from app.kit.ratelimit import RateLimited, client_ip, limit
from app.newsletter.deps import (
    UNSUBSCRIBE_IP_FACTOR,
    WINDOW_SECONDS,
    EvenTiming,
    limit_public,
)
from app.newsletter.schemas import CONSENT_TEXT, SUBSCRIPTION_ACCEPTED_DETAIL
from app.newsletter.service import NewsletterService
from app.newsletter.tokens import BadLink, Purpose
from app.reports.locales import LANGUAGES

router = APIRouter(tags=["pages"], include_in_schema=False)

_EMAIL = TypeAdapter(EmailStr)
_MAX_SERIES = 20
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@lru_cache(maxsize=1)
def _templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("app", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def _page(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    response: HTMLResponse = _templates().TemplateResponse(
        request,
        f"pages/newsletter/{name}",
        context,
        status_code=status_code,
        headers={**_NO_STORE, **(headers or {})},
    )
    return response


def _message(
    request: Request,
    heading: str,
    text: str,
    *,
    status_code: int = 200,
    is_error: bool = False,
    offer_subscribe: bool = False,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "message.html",
        {
            "heading": heading,
            "text": text,
            "is_error": is_error,
            "offer_subscribe": offer_subscribe,
        },
        status_code=status_code,
        headers=headers,
    )


def _bad_link(request: Request, reason: str) -> HTMLResponse:
    if reason == "expired":
        return _message(
            request,
            "This link has expired",
            "Confirmation links work for a limited time, and this one is too old.",
            status_code=400,
            is_error=True,
            offer_subscribe=True,
        )
    return _message(
        request,
        "This link does not work",
        "The link is incomplete, has been changed, or no longer works.",
        status_code=400,
        is_error=True,
        offer_subscribe=True,
    )


def _too_many(request: Request, exc: RateLimited) -> Response:
    headers = {"Retry-After": str(exc.retry_after)}
    if "text/html" in request.headers.get("accept", ""):
        return _message(
            request,
            "Too many requests",
            f"Please wait {exc.retry_after} seconds before trying again.",
            status_code=429,
            is_error=True,
            headers=headers,
        )
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        headers=headers,
        retry_after=exc.retry_after,
    )


async def _form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=100)


def _first(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# -- subscribe ------------------------------------------------------------------------------


async def _subscribe_form(
    request: Request,
    db: DbSession,
    *,
    email: str = "",
    name: str = "",
    selected: list[str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    series = await NewsletterService(db).public_series()
    return _page(
        request,
        "subscribe.html",
        {
            "series": series,
            "selected": selected or [],
            "email": email,
            "name": name,
            "errors": errors or {},
            "consent_text": CONSENT_TEXT,
        },
        status_code=status_code,
    )


@router.get("/subscribe", response_class=HTMLResponse)
async def subscribe_page(request: Request, db: DbSession) -> HTMLResponse:
    """The subscription form: every series, an address, an optional name, the consent."""
    selected = [v for v in request.query_params.getlist("series") if isinstance(v, str)]
    return await _subscribe_form(request, db, selected=selected[:_MAX_SERIES])


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe_submit(
    _timing: EvenTiming, request: Request, db: DbSession, settings: AppSettings
) -> Response:
    """Answers "check your inbox" whatever happened, like the API."""
    form = await _form(request)
    email = _first(form, "email").strip()[:320]
    name = " ".join(_first(form, "name").split())[:200]
    selected = [v for v in form.getlist("series") if isinstance(v, str)]
    errors: dict[str, str] = {}
    if "\x00" in name:  # PostgreSQL cannot store it; SQLite must not keep it either
        errors["name"] = "Your name must not contain control characters."
        name = name.replace("\x00", "")
    try:
        email = str(_EMAIL.validate_python(email))
    except ValidationError:
        errors["email"] = "Enter an e-mail address, like name@example.org."
    if not selected:
        errors["series"] = "Choose at least one series."
    elif len(selected) > _MAX_SERIES:
        errors["series"] = f"Choose at most {_MAX_SERIES} series."
    if _first(form, "consent") != "yes":
        errors["consent"] = "Tick the consent box: we cannot subscribe you without it."
    if errors:
        return await _subscribe_form(
            request,
            db,
            email=email,
            name=name,
            selected=selected[:_MAX_SERIES],
            errors=errors,
            status_code=422,
        )
    try:
        await limit_public(db, request, settings, "subscribe", address=email)
    except RateLimited as exc:
        return _too_many(request, exc)
    await NewsletterService(db, settings).request_subscription(
        email, [s[:80] for s in selected], name or None
    )
    return _page(request, "subscribe_done.html", {"detail": SUBSCRIPTION_ACCEPTED_DETAIL})


# -- confirm --------------------------------------------------------------------------------


@router.get("/subscriptions/confirm", response_class=HTMLResponse)
async def confirm_page(
    request: Request, db: DbSession, settings: AppSettings, token: str = ""
) -> HTMLResponse:
    """Shows what the link confirms and a button; changes nothing."""
    try:
        series = await NewsletterService(db, settings).confirmation_view(token)
    except BadLink as exc:
        return _bad_link(request, exc.reason)
    return _page(
        request,
        "confirm.html",
        {"series": series, "token": token, "consent_text": CONSENT_TEXT},
    )


@router.post("/subscriptions/confirm", response_class=HTMLResponse)
async def confirm_submit(request: Request, db: DbSession, settings: AppSettings) -> Response:
    """Confirms the link's subscriptions, recording the consent."""
    form = await _form(request)
    token = _first(form, "token") or request.query_params.get("token", "")
    try:
        await limit_public(db, request, settings, "confirm")
    except RateLimited as exc:
        return _too_many(request, exc)
    service = NewsletterService(db, settings)
    try:
        series = await service.confirm(token, client_ip(request))
        subscriber_id = service.signer.read(Purpose.CONFIRM, token).subscriber_id
    except BadLink as exc:
        return _bad_link(request, exc.reason)
    return _page(
        request,
        "confirmed.html",
        {"series": series, "preferences_url": service.preferences_link(subscriber_id)},
    )


# -- unsubscribe (RFC 8058) -----------------------------------------------------------------


@router.get("/subscriptions/unsubscribe", response_class=HTMLResponse)
async def unsubscribe_page(
    request: Request, db: DbSession, settings: AppSettings, token: str = ""
) -> HTMLResponse:
    """Shows a button that unsubscribes; changes nothing."""
    try:
        series = await NewsletterService(db, settings).unsubscribe_view(token)
    except BadLink as exc:
        return _bad_link(request, exc.reason)
    return _page(request, "unsubscribe.html", {"series": series, "token": token})


@router.post("/subscriptions/unsubscribe", response_class=HTMLResponse)
async def unsubscribe_submit(request: Request, db: DbSession, settings: AppSettings) -> Response:
    """One-click unsubscribe (RFC 8058): the link's token in the query string, the body
    ``List-Unsubscribe=One-Click``; no cookie, no login. Idempotent; answers 200."""
    form = await _form(request)
    token = request.query_params.get("token") or _first(form, "token")
    try:
        await limit_public(db, request, settings, "unsubscribe", ip_factor=UNSUBSCRIBE_IP_FACTOR)
    except RateLimited as exc:
        return _too_many(request, exc)
    try:
        series = await NewsletterService(db, settings).unsubscribe(token)
    except BadLink as exc:
        return _bad_link(request, exc.reason)
    return _page(request, "unsubscribed.html", {"series": series})


# -- preferences, export, erasure -----------------------------------------------------------


async def _preferences(
    request: Request,
    service: NewsletterService,
    token: str,
    message: str | None = None,
) -> HTMLResponse:
    view, choices = await service.preferences_view(token)
    return _page(
        request,
        "preferences.html",
        {
            "subscriber": view.subscriber,
            "choices": choices,
            "token": token,
            "message": message,
            "consent_text": CONSENT_TEXT,
            "languages": [(tag, lang.name) for tag, lang in LANGUAGES.items()],
        },
    )


@router.get("/subscriptions/preferences", response_class=HTMLResponse)
async def preferences_page(
    request: Request, db: DbSession, settings: AppSettings, token: str = ""
) -> HTMLResponse:
    """The subscriber's series, name, and the export and erase buttons; changes nothing."""
    try:
        return await _preferences(request, NewsletterService(db, settings), token)
    except BadLink as exc:
        return _bad_link(request, exc.reason)


@router.post("/subscriptions/preferences", response_class=HTMLResponse)
async def preferences_submit(request: Request, db: DbSession, settings: AppSettings) -> Response:
    """Save the choice of series, mail the subscriber's data, or erase it."""
    form = await _form(request)
    token = _first(form, "token")
    action = _first(form, "action")
    service = NewsletterService(db, settings)
    try:
        await limit_public(db, request, settings, "preferences")
        link = service.signer.read(Purpose.PREFERENCES, token)
        if action == "export":
            # Each export is an e-mail: limit them per subscriber as well.
            await limit(
                db,
                f"export:subscriber:{link.subscriber_id}",
                settings.public.rate_limit_per_address_per_hour,
                WINDOW_SECONDS,
            )
            await service.export_data(token)
            return await _preferences(
                request, service, token, "We have e-mailed your data to your address."
            )
        if action == "erase":
            if _first(form, "confirm_erase") != "yes":
                return await _preferences(
                    request, service, token, "Tick the box to confirm that we should erase it."
                )
            await service.erase(token)
            return _message(
                request,
                "Your data is erased",
                "We have deleted your address, your name and your subscriptions.",
                offer_subscribe=False,
            )
        series_ids = [_uuid(v) for v in form.getlist("series") if isinstance(v, str)]
        await service.update_preferences(
            token,
            {i for i in series_ids if i is not None},
            " ".join(_first(form, "name").split())[:200],
            client_ip(request),
            _first(form, "language")[:16] or None,
        )
        return await _preferences(request, service, token, "Your choices are saved.")
    except RateLimited as exc:
        return _too_many(request, exc)
    except BadLink as exc:
        return _bad_link(request, exc.reason)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
