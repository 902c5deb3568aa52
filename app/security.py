"""Authentication: bearer tokens resolved to a Principal, and the admin requirement.

Every route is authenticated by default (the API router depends on ``get_principal``);
public routes live on their own router. Series-level permissions are types in signatures,
defined beside the series domain (``app.series.deps``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.config import Settings
from app.db import DbSession
from app.errors import Forbidden, Unauthenticated
from app.users.service import Principal, UserService
from app.users.signin import SESSION_COOKIE, SessionEnded, SignInService

__all__ = [
    "CHALLENGE",
    "AdminPrincipal",
    "CurrentPrincipal",
    "PagePrincipal",
    "Principal",
    "bearer_scheme",
    "bearer_secret",
    "get_principal",
]

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="An API token: `Authorization: Bearer t2_...`. Create one with "
    "`track2 create-admin` or `POST /api/v1/users/{user_id}/tokens`.",
)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="track2"'}
# What a read-only token may do: read (GET; HEAD and OPTIONS, which change nothing either).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_secret(credentials: HTTPAuthorizationCredentials | None) -> str:
    """The token from `Authorization: Bearer <token>`, or a 401 problem."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated(
            "Send an API token as `Authorization: Bearer <token>`", headers=CHALLENGE
        )
    return credentials.credentials


async def get_principal(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The caller behind the bearer token, or a 401 problem saying what is wrong."""
    secret = bearer_secret(credentials)
    settings: Settings = request.app.state.settings
    interval = settings.security.token_touch_interval
    try:
        principal = await UserService(session).authenticate(
            secret, interval, request.app.state.tokens
        )
    except Unauthenticated as exc:
        exc.extensions["headers"] = CHALLENGE
        raise
    if request.method not in SAFE_METHODS:
        principal.require_write()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def require_admin(principal: CurrentPrincipal) -> Principal:
    """Only administrators pass."""
    if not principal.is_admin:
        raise Forbidden("This needs an administrator")
    return principal


AdminPrincipal = Annotated[Principal, Depends(require_admin)]


async def get_page_principal(request: Request, session: DbSession) -> Principal:
    """The console's caller: the same Principal as ``get_principal``, from the web session
    cookie instead of a bearer token (``token_id`` is the web session's id). Console routes
    turn the 401 into the sign-in page."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise SessionEnded("Sign in to continue")
    settings: Settings = request.app.state.settings
    principal = await SignInService(session, settings).authenticate(cookie)
    request.state.principal = principal
    return principal


PagePrincipal = Annotated[Principal, Depends(get_page_principal)]
"""The signed-in console user (a web session), or the sign-in page."""
