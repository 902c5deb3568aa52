"""Request ids: accepted from ``X-Request-ID`` when sane, else generated; echoed back."""

from __future__ import annotations

import contextvars
import re
import secrets

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "track2_request_id", default=None
)
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return _request_id.get()


def accept_or_make(candidate: str | None) -> str:
    """Keep a client-supplied id only when it cannot smuggle anything into the logs."""
    if candidate and _SANE.match(candidate):
        return candidate
    return secrets.token_hex(8)


def set_request_id(value: str) -> contextvars.Token[str | None]:
    """Bind the id to the current context (the request's task)."""
    return _request_id.set(value)
