"""Every SQL statement about users and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import for_write, locks_rows
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.users.models import ApiToken, AuthVersion, SignInLink, User, WebSession

_AUTH_VERSION = select(AuthVersion.version).where(AuthVersion.id == 1)


class UserRepository:
    """Users and tokens."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        """A user; locked (and reloaded) when the request writes on PostgreSQL."""
        lock = locks_rows(self.session)
        return await self.session.get(
            User, user_id, with_for_update=True if lock else None, populate_existing=lock
        )

    async def get_by_email(self, email: str) -> User | None:
        result = await self.session.execute(select(User).where(User.email == email.lower()))
        return result.scalar_one_or_none()

    async def list_users(self, params: PageParams) -> tuple[list[User], str | None]:
        stmt = apply_keyset(select(User), [User.id], [uuid.UUID], params)
        rows = (await self.session.execute(stmt)).scalars().all()
        return split_page(rows, params, lambda u: (u.id,))

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user

    async def count_admins(self) -> int:
        stmt = select(func.count()).select_from(User).where(User.is_admin, User.is_active)
        return int((await self.session.execute(stmt)).scalar_one())

    async def add_token(self, token: ApiToken) -> ApiToken:
        self.session.add(token)
        await self.session.flush()
        return token

    async def get_token(self, user_id: uuid.UUID, token_id: uuid.UUID) -> ApiToken | None:
        stmt = select(ApiToken).where(ApiToken.id == token_id, ApiToken.app_user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_tokens(
        self, user_id: uuid.UUID, params: PageParams
    ) -> tuple[list[ApiToken], str | None]:
        stmt = apply_keyset(
            select(ApiToken).where(ApiToken.app_user_id == user_id),
            [ApiToken.id],
            [uuid.UUID],
            params,
        )
        rows = (await self.session.execute(stmt)).scalars().all()
        return split_page(rows, params, lambda t: (t.id,))

    async def auth_version(self) -> int | None:
        """The authentication version (bumped by the database; migration 0080), or None if
        its row is gone (a wiped database): then nothing cached may be trusted."""
        # On the connection: a Core row, without the ORM session's execution path.
        connection = await self.session.connection()
        version = (await connection.execute(_AUTH_VERSION)).scalar_one_or_none()
        return None if version is None else int(version)

    async def find_token_with_user(self, token_hash: str) -> tuple[ApiToken, User] | None:
        """One round trip: the token row and its user, by the token's hash."""
        stmt = (
            select(ApiToken, User)
            .join(User, User.id == ApiToken.app_user_id)
            .where(ApiToken.token_hash == token_hash)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def touch_token(self, token_id: uuid.UUID, when: datetime) -> None:
        await self.session.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when)
        )

    # -- console sign-in ------------------------------------------------------------------

    async def add_sign_in_link(self, link: SignInLink) -> None:
        self.session.add(link)
        await self.session.flush()

    async def find_sign_in_link(self, token_hash: str) -> tuple[SignInLink, User] | None:
        """The link and its user (locked when the request writes on PostgreSQL, so two
        clicks of one link cannot both sign in)."""
        stmt = for_write(
            select(SignInLink, User)
            .join(User, User.id == SignInLink.app_user_id)
            .where(SignInLink.token_hash == token_hash),
            self.session,
            SignInLink,
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def use_sign_in_link(self, link_id: uuid.UUID, when: datetime) -> bool:
        """Mark the link used; False when another request used it first."""
        result = await self.session.execute(
            update(SignInLink)
            .where(SignInLink.id == link_id, SignInLink.used_at.is_(None))
            .values(used_at=when)
        )
        return bool(getattr(result, "rowcount", 0))

    async def add_web_session(self, web_session: WebSession) -> None:
        self.session.add(web_session)
        await self.session.flush()

    async def find_web_session(self, token_hash: str) -> tuple[WebSession, User] | None:
        """One round trip: the web session and its user, by the cookie's hash."""
        stmt = (
            select(WebSession, User)
            .join(User, User.id == WebSession.app_user_id)
            .where(WebSession.token_hash == token_hash)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def touch_web_session(self, session_id: uuid.UUID, when: datetime) -> None:
        await self.session.execute(
            update(WebSession).where(WebSession.id == session_id).values(last_seen_at=when)
        )

    async def revoke_web_sessions(
        self, user_id: uuid.UUID, when: datetime, *, only: uuid.UUID | None = None
    ) -> int:
        """Revoke the user's live web sessions (or just one); returns how many."""
        stmt = update(WebSession).where(
            WebSession.app_user_id == user_id, WebSession.revoked_at.is_(None)
        )
        if only is not None:
            stmt = stmt.where(WebSession.id == only)
        result = await self.session.execute(stmt.values(revoked_at=when))
        return int(getattr(result, "rowcount", 0) or 0)

    async def live_web_sessions(self, user_id: uuid.UUID, now: datetime) -> list[WebSession]:
        stmt = (
            select(WebSession)
            .where(
                WebSession.app_user_id == user_id,
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > now,
            )
            .order_by(WebSession.created_at.desc())
            .limit(50)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def purge_sign_in(self, before: datetime) -> int:
        """Forget links and web sessions that stopped working before ``before``."""
        links = await self.session.execute(delete(SignInLink).where(SignInLink.expires_at < before))
        sessions = await self.session.execute(
            delete(WebSession).where(WebSession.expires_at < before)
        )
        return int(getattr(links, "rowcount", 0) or 0) + int(getattr(sessions, "rowcount", 0) or 0)
