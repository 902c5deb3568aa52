"""Security headers on every response: a Content-Security-Policy without inline script,
framing refused, no MIME sniffing, a referrer policy.

Pure ASGI middleware that adds what the response did not set itself, so a route that needs a
stricter value (the public pages send ``Referrer-Policy: no-referrer``) keeps it. The policy
allows scripts and styles from Track2 itself only: the console's htmx and its own scripts are
files under ``/static``, and htmx is told not to inject its indicator styles. Two kinds of
pages get inline *styles* (never inline script): the standalone report documents, whose
stylesheet travels inside the file so that a saved copy keeps its layout, and the API
reference, whose Swagger UI sets style attributes.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BASE = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    # The report screen frames its preview, a page of Track2's own.
    "frame-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "manifest-src": "'self'",
}


def _policy(**changes: str) -> str:
    directives = {**_BASE, **{k.replace("_", "-"): v for k, v in changes.items()}}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


STRICT_POLICY = _policy()
INLINE_STYLE_POLICY = _policy(style_src="'self' 'unsafe-inline'")

_FIXED = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


class SecurityHeadersMiddleware:
    """Add the security headers a response lacks. ``inline_style_paths`` are path prefixes
    whose HTML may carry inline styles (see the module docstring).

    Every answer passes through here, the hot API reads included: the headers are encoded
    once, and a response's own header names are read in one pass."""

    def __init__(self, app: ASGIApp, inline_style_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.inline_style_paths = tuple(inline_style_paths)
        fixed = [(k.lower().encode(), v.encode()) for k, v in _FIXED]
        self._strict = [(b"content-security-policy", STRICT_POLICY.encode()), *fixed]
        self._inline = [(b"content-security-policy", INLINE_STYLE_POLICY.encode()), *fixed]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        wanted = self._inline if path.startswith(self.inline_style_paths) else self._strict

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in wanted if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
