"""Every SQL statement about sessions and agenda parts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import for_write, lock_parent
from app.kit.documents import Version, read_version
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.series.models import DialogueSeries, MemberRole, SeriesMember
from app.sessions.models import AgendaPart, DialogueSession, SessionStatus


class SessionRepository:
    """Sessions (scoped to the caller's series) and their agenda parts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_with_series_and_role(
        self, session_id: uuid.UUID, user_id: uuid.UUID, *, is_admin: bool
    ) -> tuple[DialogueSession, DialogueSeries, MemberRole | None] | None:
        """The session, its series and the caller's role there, in one query; None if hidden.
        The session row is locked when the request writes (PostgreSQL)."""
        stmt = (
            select(DialogueSession, DialogueSeries, SeriesMember.role)
            .join(DialogueSeries, DialogueSeries.id == DialogueSession.dialogue_series_id)
            .outerjoin(
                SeriesMember,
                and_(
                    SeriesMember.dialogue_series_id == DialogueSeries.id,
                    SeriesMember.app_user_id == user_id,
                ),
            )
            .where(DialogueSession.id == session_id)
        )
        stmt = for_write(stmt, self.session, DialogueSession)
        row = (await self.session.execute(stmt)).first()
        if row is None or (row[2] is None and not is_admin):
            return None
        return row[0], row[1], row[2]

    async def get_public(
        self, session_id: uuid.UUID, statuses: Sequence[SessionStatus]
    ) -> tuple[DialogueSession, DialogueSeries] | None:
        """A session in one of the public statuses, with its series (no caller scoping)."""
        stmt = (
            select(DialogueSession, DialogueSeries)
            .join(DialogueSeries, DialogueSeries.id == DialogueSession.dialogue_series_id)
            .where(
                DialogueSession.id == session_id,
                DialogueSession.status.in_(statuses),
                DialogueSession.public_since.is_not(None),
            )
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def list_for_series(
        self, series_id: uuid.UUID, params: PageParams
    ) -> tuple[list[DialogueSession], str | None]:
        stmt = select(DialogueSession).where(DialogueSession.dialogue_series_id == series_id)
        stmt = apply_keyset(stmt, [DialogueSession.number], [int], params)
        rows = (await self.session.execute(stmt)).scalars().all()
        return split_page(rows, params, lambda s: (s.number,))

    async def public_for_series(
        self, series_id: uuid.UUID, statuses: Sequence[SessionStatus]
    ) -> Sequence[DialogueSession]:
        stmt = (
            select(DialogueSession)
            .where(
                DialogueSession.dialogue_series_id == series_id,
                DialogueSession.status.in_(statuses),
                DialogueSession.public_since.is_not(None),
            )
            .order_by(DialogueSession.number)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def next_number(self, series_id: uuid.UUID) -> int:
        stmt = select(func.coalesce(func.max(DialogueSession.number), 0)).where(
            DialogueSession.dialogue_series_id == series_id
        )
        return int((await self.session.execute(stmt)).scalar_one()) + 1

    async def overlapping(
        self,
        series_id: uuid.UUID,
        starts_at: datetime,
        ends_at: datetime,
        *,
        excluding: uuid.UUID | None,
    ) -> Sequence[DialogueSession]:
        """Sessions of the series (not cancelled) whose time overlaps [starts_at, ends_at)."""
        stmt = select(DialogueSession).where(
            DialogueSession.dialogue_series_id == series_id,
            DialogueSession.status != SessionStatus.CANCELLED,
            DialogueSession.starts_at < ends_at,
            DialogueSession.ends_at > starts_at,
        )
        if excluding is not None:
            stmt = stmt.where(DialogueSession.id != excluding)
        return (await self.session.execute(stmt.order_by(DialogueSession.number))).scalars().all()

    async def add(self, obj: DialogueSession | AgendaPart) -> None:
        self.session.add(obj)
        await self.session.flush()

    async def parts(self, session_id: uuid.UUID) -> Sequence[AgendaPart]:
        stmt = (
            select(AgendaPart)
            .where(AgendaPart.dialogue_session_id == session_id)
            .order_by(AgendaPart.position, AgendaPart.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def get_part_with_session(
        self, part_id: uuid.UUID
    ) -> tuple[AgendaPart, uuid.UUID] | None:
        """A part and the id of its session (to resolve permissions). A write request locks
        the session first (parent before child), then the part."""
        await lock_parent(
            self.session,
            DialogueSession,
            select(AgendaPart.dialogue_session_id).where(AgendaPart.id == part_id),
        )
        stmt = for_write(
            select(AgendaPart).where(AgendaPart.id == part_id), self.session, AgendaPart
        )
        part = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if part is None else (part, part.dialogue_session_id)

    async def delete_part(self, part: AgendaPart) -> None:
        await self.session.delete(part)
        await self.session.flush()

    async def public_version(
        self, *, session_id: uuid.UUID | None = None, series_id: uuid.UUID | None = None
    ) -> Version | None:
        """The public version of a session's (or a series') series; None if there is none."""
        stmt = select(DialogueSeries.public_version)
        if session_id is not None:
            stmt = stmt.join(
                DialogueSession, DialogueSession.dialogue_series_id == DialogueSeries.id
            ).where(DialogueSession.id == session_id)
        else:
            stmt = stmt.where(DialogueSeries.id == series_id)
        return await read_version(await self.session.connection(), stmt)
