"""CSRF protection for the console's forms, with ``asgi-csrf`` (a maintained library).

The console is the only part of Track2 with ambient authority (its web session cookie), so
its paths are the ones protected: every POST (or other unsafe method) under them must carry
the token of the browser's signed ``csrftoken`` cookie, as a form field ``csrftoken`` (the
first field of a multipart form) or as the ``X-CSRFToken`` header (htmx sends it from the
``hx-headers`` of the page body). The API authenticates with bearer tokens and the public
pages carry signed tokens in their forms; neither is touched. Sign-in paths are protected
even without cookies, so a cross-site page cannot sign a browser in to someone's account.

Templates get the token from :func:`csrf_token`; a refused request gets a short HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgi_csrf import asgi_csrf  # type: ignore[import-untyped]  # the package ships no types
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "csrftoken"
CSRF_HEADER = "X-CSRFToken"

# Where the console's cookie means something; everything else is left alone.
PROTECTED_PREFIXES = ("/console", "/sign-in", "/sign-out", "/invitations")
ALWAYS_PROTECTED = frozenset({"/sign-in/link", "/sign-out", "/invitations/accept"})

_REFUSED = (
    b"<!doctype html><html lang=en><head><meta charset=utf-8>"
    b'<meta name=viewport content="width=device-width, initial-scale=1">'
    b"<title>Form refused</title><link rel=stylesheet href=/static/css/console.css></head>"
    b'<body><main id="main" class="narrow"><h1>This form was refused</h1>'
    b"<p>The form has expired or was sent from another site. Go back, reload the page and "
    b'send it again.</p><p><a href="/console">Back to the console</a></p></main></body></html>'
)


def _skip(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return not path.startswith(PROTECTED_PREFIXES)


async def _refuse(scope: Scope, send: Send, _reason: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(_REFUSED)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _REFUSED})


class CsrfMiddleware:
    """Unsafe requests to the console's paths need the CSRF token (``app.add_middleware``)."""

    def __init__(self, app: ASGIApp, *, secret: str, secure_cookie: bool) -> None:
        self.app: ASGIApp = asgi_csrf(
            app,
            cookie_name=CSRF_COOKIE,
            http_header=CSRF_HEADER.lower(),
            signing_secret=secret + ":csrf",
            always_protect=ALWAYS_PROTECTED,
            skip_if_scope=_skip,
            cookie_secure=secure_cookie,
            cookie_samesite="Lax",
            send_csrf_failed=_refuse,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def csrf_token(request: Request) -> str:
    """The token to put in this page's forms (sets the cookie when the browser lacks it)."""
    getter: Callable[[], str] | None = request.scope.get("csrftoken")
    return getter() if getter is not None else ""
