"""Every SQL statement about users and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import locks_rows
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.users.models import ApiToken, User


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
