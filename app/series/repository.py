"""Every SQL statement about series and members. Scoping by the caller happens here."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import for_write
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.series.models import DialogueSeries, MemberRole, SeriesInvitation, SeriesMember
from app.users.models import User


class SeriesRepository:
    """Series, scoped to what a user may see, and their members."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, series_id: uuid.UUID) -> DialogueSeries | None:
        return await self.session.get(DialogueSeries, series_id)

    async def get_with_role(
        self, series_id: uuid.UUID, user_id: uuid.UUID, *, is_admin: bool
    ) -> tuple[DialogueSeries, MemberRole | None] | None:
        """The series and the user's role in it; None when the user may not see it. The
        series row is locked when the request writes (PostgreSQL)."""
        stmt = (
            select(DialogueSeries, SeriesMember.role)
            .outerjoin(
                SeriesMember,
                and_(
                    SeriesMember.dialogue_series_id == DialogueSeries.id,
                    SeriesMember.app_user_id == user_id,
                ),
            )
            .where(DialogueSeries.id == series_id)
        )
        stmt = for_write(stmt, self.session, DialogueSeries)
        row = (await self.session.execute(stmt)).first()
        if row is None or (row[1] is None and not is_admin):
            return None
        return row[0], row[1]

    async def list_visible(
        self, user_id: uuid.UUID, *, is_admin: bool, params: PageParams
    ) -> tuple[list[DialogueSeries], str | None]:
        stmt = select(DialogueSeries)
        if not is_admin:
            stmt = stmt.join(
                SeriesMember,
                and_(
                    SeriesMember.dialogue_series_id == DialogueSeries.id,
                    SeriesMember.app_user_id == user_id,
                ),
            )
        stmt = apply_keyset(stmt, [DialogueSeries.id], [uuid.UUID], params)
        rows = (await self.session.execute(stmt)).scalars().all()
        return split_page(rows, params, lambda s: (s.id,))

    async def slug_taken(self, slug: str, *, excluding: uuid.UUID | None = None) -> bool:
        stmt = select(DialogueSeries.id).where(DialogueSeries.slug == slug)
        if excluding is not None:
            stmt = stmt.where(DialogueSeries.id != excluding)
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def add(self, series: DialogueSeries) -> DialogueSeries:
        self.session.add(series)
        await self.session.flush()
        return series

    async def delete(self, series: DialogueSeries) -> bool:
        """Delete the series with its members, or return False (nothing deleted) when rows
        of its history refer to it: sessions and report versions reference a series with
        ``ON DELETE RESTRICT``, so the database itself decides, whoever holds those rows."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    delete(SeriesMember).where(SeriesMember.dialogue_series_id == series.id)
                )
                await self.session.delete(series)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def list_members(
        self, series_id: uuid.UUID, params: PageParams
    ) -> tuple[list[tuple[SeriesMember, User]], str | None]:
        stmt = (
            select(SeriesMember, User)
            .join(User, User.id == SeriesMember.app_user_id)
            .where(SeriesMember.dialogue_series_id == series_id)
        )
        stmt = apply_keyset(stmt, [SeriesMember.id], [uuid.UUID], params)
        rows = [(r[0], r[1]) for r in (await self.session.execute(stmt)).all()]
        return split_page(rows, params, lambda pair: (pair[0].id,))

    async def get_member(self, series_id: uuid.UUID, user_id: uuid.UUID) -> SeriesMember | None:
        stmt = select(SeriesMember).where(
            SeriesMember.dialogue_series_id == series_id, SeriesMember.app_user_id == user_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_member(self, member: SeriesMember) -> SeriesMember:
        self.session.add(member)
        await self.session.flush()
        return member

    async def remove_member(self, member: SeriesMember) -> None:
        await self.session.delete(member)
        await self.session.flush()

    async def count_organisers(self, series_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            SeriesMember.dialogue_series_id == series_id,
            SeriesMember.role == MemberRole.ORGANISER,
        )
        return int((await self.session.execute(stmt)).scalar_one())


class InvitationRepository:
    """Invitations to a series."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, invitation: SeriesInvitation) -> None:
        self.session.add(invitation)
        await self.session.flush()

    async def withdraw_pending(self, series_id: uuid.UUID, email: str, when: datetime) -> None:
        """Withdraw the address's pending invitations to the series (a new one replaces them)."""
        await self.session.execute(
            update(SeriesInvitation)
            .where(
                SeriesInvitation.dialogue_series_id == series_id,
                SeriesInvitation.email == email,
                SeriesInvitation.accepted_at.is_(None),
                SeriesInvitation.revoked_at.is_(None),
            )
            .values(revoked_at=when)
        )

    async def pending(self, series_id: uuid.UUID, now: datetime) -> list[SeriesInvitation]:
        stmt = (
            select(SeriesInvitation)
            .where(
                SeriesInvitation.dialogue_series_id == series_id,
                SeriesInvitation.accepted_at.is_(None),
                SeriesInvitation.revoked_at.is_(None),
                SeriesInvitation.expires_at > now,
            )
            .order_by(SeriesInvitation.created_at.desc())
            .limit(200)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def withdraw(
        self, series_id: uuid.UUID, invitation_id: uuid.UUID, when: datetime
    ) -> bool:
        result = await self.session.execute(
            update(SeriesInvitation)
            .where(
                SeriesInvitation.id == invitation_id,
                SeriesInvitation.dialogue_series_id == series_id,
                SeriesInvitation.accepted_at.is_(None),
            )
            .values(revoked_at=when)
        )
        return bool(getattr(result, "rowcount", 0))

    async def by_hash(self, token_hash: str) -> tuple[SeriesInvitation, DialogueSeries] | None:
        """The invitation and its series (locked when the request writes on PostgreSQL)."""
        stmt = for_write(
            select(SeriesInvitation, DialogueSeries)
            .join(DialogueSeries, DialogueSeries.id == SeriesInvitation.dialogue_series_id)
            .where(SeriesInvitation.token_hash == token_hash),
            self.session,
            SeriesInvitation,
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])
