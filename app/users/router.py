"""HTTP routes for users and their API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response, status

from app.db import DbSession
from app.errors import NotFound, problem_responses
from app.kit import etag
from app.kit.etag import IfMatch, IfNoneMatch
from app.kit.pagination import Page, PageQuery
from app.security import AdminPrincipal, CurrentPrincipal, Principal
from app.users.schemas import TokenCreate, TokenIssued, TokenRead, UserCreate, UserRead, UserUpdate
from app.users.service import UserService

router = APIRouter(prefix="/users", tags=["users"])

_USER_EXAMPLE: dict[str, Any] = {
    "id": "0192e0a4-5b1c-7d2e-8f3a-4b5c6d7e8f90",
    "email": "organiser@example.org",
    "display_name": "Programme Officer",
    "is_admin": False,
    "is_active": True,
    "created_at": "2026-01-15T09:30:00Z",
}
_TOKEN_EXAMPLE: dict[str, Any] = {
    "id": "0192e0a5-0c2d-7e3f-9a4b-5c6d7e8f9a01",
    "user_id": "0192e0a4-5b1c-7d2e-8f3a-4b5c6d7e8f90",
    "name": "CRM integration",
    "prefix": "t2_3Jm0xK9a",
    "created_at": "2026-01-15T09:31:00Z",
    "expires_at": "2027-01-15T00:00:00Z",
    "revoked_at": None,
    "last_used_at": None,
    "read_only": False,
}
UserCreateBody = Annotated[
    UserCreate,
    Body(
        openapi_examples={
            "organiser": {
                "summary": "An organiser",
                "value": {"email": "organiser@example.org", "display_name": "Programme Officer"},
            },
            "administrator": {
                "summary": "Another administrator",
                "value": {"email": "it@example.org", "display_name": "IT", "is_admin": True},
            },
        }
    ),
]
UserUpdateBody = Annotated[
    UserUpdate,
    Body(
        openapi_examples={
            "deactivate": {"summary": "Deactivate a user", "value": {"is_active": False}},
            "rename": {"summary": "Rename", "value": {"display_name": "Senior Programme Officer"}},
        }
    ),
]
TokenCreateBody = Annotated[
    TokenCreate,
    Body(
        openapi_examples={
            "expiring": {
                "summary": "A token that expires",
                "value": {"name": "CRM integration", "expires_at": "2027-01-15T00:00:00Z"},
            },
            "lasting": {"summary": "A token until revoked", "value": {"name": "Laptop"}},
            "read_only": {
                "summary": "A read-only token for a mirroring website",
                "value": {"name": "Website mirror", "read_only": True},
            },
        }
    ),
]


def _self_or_admin(principal: Principal, user_id: uuid.UUID) -> None:
    # Another user's tokens are invisible rather than forbidden, so ids leak nothing.
    if not principal.is_admin and principal.user_id != user_id:
        raise NotFound("No such user")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    operation_id="create_user",
    summary="Create a user",
    responses=problem_responses(401, 403, 409, 422, extra=etag.documented(201, _USER_EXAMPLE)),
)
async def create_user(data: UserCreateBody, session: DbSession, _admin: AdminPrincipal) -> Response:
    """Create an organiser, rapporteur or administrator account (administrators only).

    The new user has no token yet; issue one with `POST /api/v1/users/{user_id}/tokens`.
    The answer carries the user's `ETag`.
    """
    user = await UserService(session).create_user(data)
    return etag.etag_response(UserRead.model_validate(user), status_code=201)


@router.get(
    "",
    response_model=Page[UserRead],
    operation_id="list_users",
    summary="List users",
    responses=problem_responses(
        401,
        403,
        422,
        extra={
            200: {
                "content": {
                    "application/json": {"example": {"items": [_USER_EXAMPLE], "next_cursor": None}}
                }
            }
        },
    ),
)
async def list_users(session: DbSession, _admin: AdminPrincipal, page: PageQuery) -> Page[UserRead]:
    """All users, oldest first, a page at a time (administrators only)."""
    users, cursor = await UserService(session).list_users(page)
    return Page(items=[UserRead.model_validate(u) for u in users], next_cursor=cursor)


@router.get(
    "/me",
    response_model=UserRead,
    operation_id="get_current_user",
    summary="Who am I",
    responses=problem_responses(304, 401, 422, extra=etag.documented(200, _USER_EXAMPLE)),
)
async def get_current_user(
    session: DbSession, principal: CurrentPrincipal, if_none_match: IfNoneMatch = None
) -> Response:
    """The user the bearer token belongs to, with its `ETag` (the same as
    `GET /api/v1/users/{user_id}` gives); `If-None-Match` answers 304 when unchanged."""
    user = await UserService(session).get_user(principal.user_id)
    return etag.respond(UserRead.model_validate(user), if_none_match=if_none_match)


@router.get(
    "/{user_id:uuid}",
    response_model=UserRead,
    operation_id="get_user",
    summary="Get a user",
    responses=problem_responses(304, 401, 404, 422, extra=etag.documented(200, _USER_EXAMPLE)),
)
async def get_user(
    user_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One user, with its `ETag` (administrators, or the user themself; 404 for others).
    `If-None-Match` answers 304 when unchanged."""
    _self_or_admin(principal, user_id)
    user = await UserService(session).get_user(user_id)
    return etag.respond(UserRead.model_validate(user), if_none_match=if_none_match)


@router.patch(
    "/{user_id:uuid}",
    response_model=UserRead,
    operation_id="update_user",
    summary="Update a user",
    responses=problem_responses(
        401, 403, 404, 409, 412, 422, extra=etag.documented(200, _USER_EXAMPLE)
    ),
)
async def update_user(
    user_id: uuid.UUID,
    data: UserUpdateBody,
    session: DbSession,
    _admin: AdminPrincipal,
    if_match: IfMatch = None,
) -> Response:
    """Rename, promote, demote or deactivate a user (administrators only).

    The last active administrator cannot be demoted or deactivated. With `If-Match`, the
    change applies only if the user is unchanged since that `ETag` (412 otherwise); the
    answer carries the new `ETag`.
    """
    service = UserService(session)
    etag.check_if_match(if_match, UserRead.model_validate(await service.get_user(user_id)))
    user = await service.update_user(user_id, data)
    return etag.etag_response(UserRead.model_validate(user))


@router.post(
    "/{user_id:uuid}/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenIssued,
    operation_id="issue_token",
    summary="Issue an API token",
    responses=problem_responses(
        401,
        404,
        422,
        extra={
            201: {
                "content": {
                    "application/json": {"example": _TOKEN_EXAMPLE | {"token": "t2_3Jm0xK9a..."}}
                }
            }
        },
    ),
)
async def issue_token(
    user_id: uuid.UUID, data: TokenCreateBody, session: DbSession, principal: CurrentPrincipal
) -> TokenIssued:
    """Issue a token for a user (administrators, or the user for themself).

    The answer carries the token once, in `token`; only its SHA-256 is stored.
    """
    _self_or_admin(principal, user_id)
    token, secret = await UserService(session).issue_token(user_id, data)
    return TokenIssued(**TokenRead.model_validate(token).model_dump(), token=secret)


@router.get(
    "/{user_id:uuid}/tokens",
    response_model=Page[TokenRead],
    operation_id="list_tokens",
    summary="List a user's tokens",
    responses=problem_responses(401, 404, 422),
)
async def list_tokens(
    user_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: PageQuery
) -> Page[TokenRead]:
    """A user's tokens with their prefix, expiry, revocation and last use; never the secret."""
    _self_or_admin(principal, user_id)
    tokens, cursor = await UserService(session).list_tokens(user_id, page)
    return Page(items=[TokenRead.model_validate(t) for t in tokens], next_cursor=cursor)


@router.delete(
    "/{user_id:uuid}/tokens/{token_id}",
    response_model=TokenRead,
    operation_id="revoke_token",
    summary="Revoke a token",
    responses=problem_responses(
        401,
        404,
        422,
        extra={
            200: {
                "content": {
                    "application/json": {
                        "example": _TOKEN_EXAMPLE
                        | {
                            "revoked_at": "2026-03-01T12:00:00Z",
                            "last_used_at": "2026-02-28T17:45:00Z",
                        }
                    }
                }
            }
        },
    ),
)
async def revoke_token(
    user_id: uuid.UUID, token_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> TokenRead:
    """Revoke a token at once; requests with it answer 401 from then on. Idempotent."""
    _self_or_admin(principal, user_id)
    token = await UserService(session).revoke_token(user_id, token_id)
    return TokenRead.model_validate(token)
