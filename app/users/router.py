"""HTTP routes for users and their API tokens."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.db import DbSession
from app.errors import NotFound, problem_responses
from app.kit.pagination import Page, PageQuery
from app.security import AdminPrincipal, CurrentPrincipal, Principal
from app.users.schemas import TokenCreate, TokenIssued, TokenRead, UserCreate, UserRead, UserUpdate
from app.users.service import UserService

router = APIRouter(prefix="/users", tags=["users"])


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
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(data: UserCreate, session: DbSession, _admin: AdminPrincipal) -> UserRead:
    """Create an organiser, rapporteur or administrator account (administrators only).

    The new user has no token yet; issue one with `POST /api/v1/users/{user_id}/tokens`.
    """
    user = await UserService(session).create_user(data)
    return UserRead.model_validate(user)


@router.get(
    "",
    response_model=Page[UserRead],
    operation_id="list_users",
    summary="List users",
    responses=problem_responses(401, 403, 422),
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
    responses=problem_responses(401),
)
async def get_current_user(session: DbSession, principal: CurrentPrincipal) -> UserRead:
    """The user the bearer token belongs to."""
    user = await UserService(session).get_user(principal.user_id)
    return UserRead.model_validate(user)


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    operation_id="update_user",
    summary="Update a user",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_user(
    user_id: uuid.UUID, data: UserUpdate, session: DbSession, _admin: AdminPrincipal
) -> UserRead:
    """Rename, promote, demote or deactivate a user (administrators only).

    The last active administrator cannot be demoted or deactivated.
    """
    user = await UserService(session).update_user(user_id, data)
    return UserRead.model_validate(user)


@router.post(
    "/{user_id}/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenIssued,
    operation_id="issue_token",
    summary="Issue an API token",
    responses=problem_responses(401, 404, 422),
)
async def issue_token(
    user_id: uuid.UUID, data: TokenCreate, session: DbSession, principal: CurrentPrincipal
) -> TokenIssued:
    """Issue a token for a user (administrators, or the user for themself).

    The answer carries the token once, in `token`; only its SHA-256 is stored.
    """
    _self_or_admin(principal, user_id)
    token, secret = await UserService(session).issue_token(user_id, data)
    return TokenIssued(**TokenRead.model_validate(token).model_dump(), token=secret)


@router.get(
    "/{user_id}/tokens",
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
    "/{user_id}/tokens/{token_id}",
    response_model=TokenRead,
    operation_id="revoke_token",
    summary="Revoke a token",
    responses=problem_responses(401, 404),
)
async def revoke_token(
    user_id: uuid.UUID, token_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> TokenRead:
    """Revoke a token at once; requests with it answer 401 from then on. Idempotent."""
    _self_or_admin(principal, user_id)
    token = await UserService(session).revoke_token(user_id, token_id)
    return TokenRead.model_validate(token)
