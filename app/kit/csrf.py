"""CSRF protection of the console's forms: a token tied to the browser's session, checked by
a dependency of every console route (FastAPI's own mechanism).

The console is the only part of Track2 with ambient authority (its web-session cookie). Its
forms carry a token that is an HMAC, under the secret key, of the session cookie (or, before
sign-in, of a random ``csrftoken`` cookie this middleware sets): a page of another site can
neither read it nor compute it. :func:`require_csrf` refuses any unsafe request whose token
(form field ``csrftoken``, or header ``X-CSRFToken``, which htmx sends from the page body's
``hx-headers``) is missing or wrong, and any whose ``Origin`` or ``Sec-Fetch-Site`` says it
came from another site. The sign-in forms are protected too, so a cross-site page cannot sign
a browser in to someone else's account.

``asgi-csrf`` was tried first; its multipart path does not run with current python-multipart
(the CSV import), and reading bodies in a middleware is what the route already does, so the
check lives where the form is read. The API (bearer tokens) and the public pages (signed
tokens in their forms) have no ambient authority and are not involved.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Forbidden

CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "csrftoken"
CSRF_HEADER = "X-CSRFToken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where the console's cookie means something.
PROTECTED_PREFIXES = ("/console", "/sign-in", "/sign-out", "/invitations")


class CsrfRefused(Forbidden):
    """A console form without the page's token, or sent from another site."""

    slug = "csrf-refused"
    title = "This form was refused"


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header: as if there were none
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


class CsrfMiddleware:
    """Work out each console request's token (``request.state.csrf_token``) and give a
    browser without a session its random ``csrftoken`` cookie."""

    def __init__(
        self, app: ASGIApp, *, secret: str, session_cookie: str, secure_cookie: bool
    ) -> None:
        self.app = app
        self.key = hashlib.sha256(("track2.csrf:" + secret).encode()).digest()
        self.session_cookie = session_cookie
        self.secure_cookie = secure_cookie

    def token_for(self, seed: str) -> str:
        return hmac.new(self.key, seed.encode(), hashlib.sha256).hexdigest()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(PROTECTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        session = cookies.get(self.session_cookie)
        anonymous = cookies.get(CSRF_COOKIE)
        new_cookie = None
        if session:
            seed = "session:" + session
        else:
            if not anonymous:
                anonymous = new_cookie = secrets.token_urlsafe(24)
            seed = "browser:" + anonymous
        scope.setdefault("state", {})["csrf_token"] = self.token_for(seed)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and new_cookie is not None:
                cookie = f"{CSRF_COOKIE}={new_cookie}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure_cookie:
                    cookie += "; Secure"
                MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def csrf_token(request: Request) -> str:
    """The token to put in this page's forms."""
    return str(getattr(request.state, "csrf_token", ""))


def _same_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


async def require_csrf(request: Request) -> None:
    """Refuse an unsafe console request without the page's token (a dependency of every
    console route; safe methods pass)."""
    if request.method in SAFE_METHODS:
        return
    expected = csrf_token(request)
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form(max_files=1, max_fields=1000)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not _same_origin(request) or not expected or not sent:
        raise CsrfRefused(_REFUSED)
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused(_REFUSED)


_REFUSED = (
    "The form has expired or was sent from another site. Go back, reload the page and send "
    "it again."
)
