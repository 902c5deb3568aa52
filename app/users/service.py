"""Rules about users and tokens: who may create them, how tokens are made and checked."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, InvalidRequest, NotFound, ReadOnlyToken, Unauthenticated
from app.kit.clock import as_utc, utcnow
from app.kit.pagination import PageParams
from app.users.models import ApiToken, User
from app.users.repository import UserRepository
from app.users.schemas import TokenCreate, UserCreate, UserUpdate
from app.users.tokens import KnownToken, TokenCache

TOKEN_SCHEME = "t2_"
_PREFIX_LENGTH = len(TOKEN_SCHEME) + 8


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user behind a valid token."""

    user_id: uuid.UUID
    email: str
    is_admin: bool
    token_id: uuid.UUID
    # The token may only read; ``require_write`` refuses it anything else.
    read_only: bool = False

    def require_write(self) -> None:
        """Refuse a read-only token a request that would change something (403)."""
        if self.read_only:
            raise ReadOnlyToken(
                "This token is read-only: it may read (GET) but not change anything; "
                "use a token created without read_only"
            )


def hash_token(token: str) -> str:
    """SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token_secret() -> str:
    """A fresh token: the scheme prefix and 256 random bits, URL-safe."""
    return TOKEN_SCHEME + secrets.token_urlsafe(32)


def check_token_state(
    revoked_at: datetime | None, expires_at: datetime | None, is_active: bool, now: datetime
) -> None:
    """Refuse a revoked or expired token, or one whose user is deactivated (401)."""
    if revoked_at is not None:
        raise Unauthenticated("The token has been revoked")
    if expires_at is not None and as_utc(expires_at) <= now:
        raise Unauthenticated("The token has expired")
    if not is_active:
        raise Unauthenticated("The token's user is deactivated")


def needs_touch(last_used_at: datetime | None, now: datetime, interval: timedelta) -> bool:
    """Whether last_used_at is old enough to be written again."""
    return last_used_at is None or now - as_utc(last_used_at) >= interval


class UserService:
    """Creating users, issuing and revoking tokens, authenticating bearer tokens."""

    def __init__(self, session: AsyncSession) -> None:
        self.repo = UserRepository(session)

    async def create_user(self, data: UserCreate) -> User:
        email = data.email.lower()
        if await self.repo.get_by_email(email) is not None:
            raise Conflict("A user with this e-mail address already exists")
        return await self.repo.add(
            User(email=email, display_name=data.display_name, is_admin=data.is_admin)
        )

    async def ensure_admin(self, email: str, display_name: str | None = None) -> User:
        """Return the user with this address, made an active admin (created if missing)."""
        user = await self.repo.get_by_email(email.lower())
        if user is None:
            return await self.repo.add(
                User(
                    email=email.lower(),
                    display_name=display_name or email.split("@")[0],
                    is_admin=True,
                )
            )
        user.is_admin = True
        user.is_active = True
        return user

    async def get_user(self, user_id: uuid.UUID) -> User:
        user = await self.repo.get(user_id)
        if user is None:
            raise NotFound("No such user")
        return user

    async def list_users(self, params: PageParams) -> tuple[list[User], str | None]:
        return await self.repo.list_users(params)

    async def update_user(self, user_id: uuid.UUID, data: UserUpdate) -> User:
        user = await self.get_user(user_id)
        changes = data.model_dump(exclude_unset=True)
        demoting = changes.get("is_admin") is False or changes.get("is_active") is False
        if demoting and user.is_admin and user.is_active and await self.repo.count_admins() <= 1:
            raise Conflict("This is the last active administrator; appoint another one first")
        for key, value in changes.items():
            if value is not None:
                setattr(user, key, value)
        if changes.get("is_active") is False:
            # A deactivated user's console sessions end now, not at their next request.
            await self.repo.revoke_web_sessions(user.id, utcnow())
        return user

    async def issue_token(self, user_id: uuid.UUID, data: TokenCreate) -> tuple[ApiToken, str]:
        """Create a token; the plain secret is returned once and never stored."""
        user = await self.get_user(user_id)
        now = utcnow()
        expires_at = None
        if data.expires_at is not None:
            if data.expires_at.tzinfo is None:
                raise InvalidRequest.single("expires_at", "Give the time with an offset or Z")
            expires_at = as_utc(data.expires_at)
            if expires_at <= now:
                raise InvalidRequest.single("expires_at", "Must be in the future")
        secret = new_token_secret()
        token = ApiToken(
            app_user_id=user.id,
            name=data.name,
            prefix=secret[:_PREFIX_LENGTH],
            token_hash=hash_token(secret),
            created_at=now,
            expires_at=expires_at,
            read_only=data.read_only,
        )
        await self.repo.add_token(token)
        return token, secret

    async def list_tokens(
        self, user_id: uuid.UUID, params: PageParams
    ) -> tuple[list[ApiToken], str | None]:
        await self.get_user(user_id)
        return await self.repo.list_tokens(user_id, params)

    async def revoke_token(self, user_id: uuid.UUID, token_id: uuid.UUID) -> ApiToken:
        token = await self.repo.get_token(user_id, token_id)
        if token is None:
            raise NotFound("No such token")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
        return token

    async def authenticate(
        self, secret: str, touch_interval: timedelta | None, tokens: TokenCache | None = None
    ) -> Principal:
        """Resolve a bearer token to its principal, or raise 401 with a reason.

        One statement when ``tokens`` (the application's) knows the token at the current
        authentication version (``app.users.tokens``), two when it is read again. The token's
        last use is written once per ``touch_interval``; None writes nothing (a look-up ahead
        of the route, which writes it)."""
        tokens = tokens if tokens is not None else TokenCache(size=1)
        token_hash = hash_token(secret)
        version = await self.repo.auth_version()
        if version is None:
            # No version row, so no trigger can tell a change: trust nothing cached.
            tokens, version = TokenCache(size=1), -1
        now = utcnow()
        entry = tokens.known(token_hash, version)
        if entry is None:
            found = await self.repo.find_token_with_user(token_hash)
            if found is None:
                raise Unauthenticated("The token is not valid")
            token, user = found
            try:
                check_token_state(token.revoked_at, token.expires_at, user.is_active, now)
            except Unauthenticated:
                tokens.forget(token_hash)
                raise
            principal = Principal(
                user_id=user.id,
                email=user.email,
                is_admin=user.is_admin,
                token_id=token.id,
                read_only=token.read_only,
            )
            entry = KnownToken(version, principal, token.expires_at, token.last_used_at)
        elif entry.expires_at is not None and as_utc(entry.expires_at) <= now:
            tokens.forget(token_hash)
            raise Unauthenticated("The token has expired")
        if touch_interval is not None and needs_touch(entry.last_used_at, now, touch_interval):
            await self.repo.touch_token(entry.principal.token_id, now)
            entry = KnownToken(version, entry.principal, entry.expires_at, now)
        tokens.remember(token_hash, entry)
        return entry.principal
