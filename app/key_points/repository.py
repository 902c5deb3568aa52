"""Every SQL statement about key points, revisions and themes."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    Uuid,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.db import for_write, lock_parent
from app.key_points.models import (
    KeyPoint,
    KeyPointRevision,
    KeyPointStatus,
    KeyPointTheme,
)
from app.kit.clock import as_utc
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.kit.sql import string_agg
from app.series.models import DialogueSeries, Theme
from app.sessions.models import AgendaPart, DialogueSession
from app.users.models import User


class KeyPointRepository:
    """Key points of a session, their themes and revisions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        """The database's dialect name (``sqlite``, ``postgresql``)."""
        return self.session.get_bind().dialect.name

    def _with_theme_slugs(self) -> Select[KeyPoint, str | None]:
        slugs = (
            select(string_agg(Theme.slug, self.dialect))
            .join(KeyPointTheme, KeyPointTheme.theme_id == Theme.id)
            .where(KeyPointTheme.key_point_id == KeyPoint.id)
            .correlate(KeyPoint)
            .scalar_subquery()
        )
        return select(KeyPoint, slugs)

    async def get_with_slugs(self, key_point_id: uuid.UUID) -> tuple[KeyPoint, list[str]] | None:
        """A point and its theme slugs. A write request locks the point's session first
        (parent before child: recording and deleting points renumber the session's points
        under that lock), then the point."""
        await lock_parent(
            self.session,
            DialogueSession,
            select(KeyPoint.dialogue_session_id).where(KeyPoint.id == key_point_id),
        )
        stmt = self._with_theme_slugs().where(KeyPoint.id == key_point_id)
        row = (await self.session.execute(for_write(stmt, self.session, KeyPoint))).first()
        return None if row is None else (row[0], _split(row[1]))

    async def list_for_session(
        self,
        session_id: uuid.UUID,
        params: PageParams,
        *,
        status: KeyPointStatus | None = None,
        part_id: uuid.UUID | None = None,
    ) -> tuple[list[tuple[KeyPoint, list[str]]], str | None]:
        """One statement: the page of points with their theme slugs."""
        stmt = self._with_theme_slugs().where(KeyPoint.dialogue_session_id == session_id)
        if status is not None:
            stmt = stmt.where(KeyPoint.status == status)
        if part_id is not None:
            stmt = stmt.where(KeyPoint.agenda_part_id == part_id)
        stmt = apply_keyset(stmt, [KeyPoint.position, KeyPoint.id], [int, uuid.UUID], params)
        rows = [(r[0], _split(r[1])) for r in (await self.session.execute(stmt)).all()]
        return split_page(rows, params, lambda pair: (pair[0].position, pair[0].id))

    async def last_position(self, session_id: uuid.UUID) -> int:
        stmt = select(func.coalesce(func.max(KeyPoint.position), 0)).where(
            KeyPoint.dialogue_session_id == session_id
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def bump_version(self, session_id: uuid.UUID) -> None:
        """Invalidate cached lists of the session's points (atomic in SQL, any process).
        Inserting a point needs no call: a trigger bumps the version (migration 0017)."""
        await self.session.execute(_bump_version(), {"session_id": session_id})

    async def bump_series_versions(self, series_id: uuid.UUID) -> None:
        """Invalidate cached lists of every session of a series (a theme went away)."""
        await self.session.execute(
            update(DialogueSession)
            .where(DialogueSession.dialogue_series_id == series_id)
            .values(
                key_points_version=DialogueSession.key_points_version + 1,
                updated_at=DialogueSession.updated_at,
            )
            .execution_options(synchronize_session=False)
        )

    async def points_of_session(self, session_id: uuid.UUID) -> Sequence[KeyPoint]:
        stmt = (
            select(KeyPoint)
            .where(KeyPoint.dialogue_session_id == session_id)
            .order_by(KeyPoint.position, KeyPoint.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def get_part(self, part_id: uuid.UUID) -> AgendaPart | None:
        return await self.session.get(AgendaPart, part_id)

    async def add(self, obj: KeyPoint | KeyPointRevision) -> None:
        self.session.add(obj)
        await self.session.flush()

    async def delete(self, point: KeyPoint) -> None:
        await self.session.delete(point)
        await self.session.flush()

    async def set_themes(self, key_point_id: uuid.UUID, theme_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(
            delete(KeyPointTheme).where(KeyPointTheme.key_point_id == key_point_id)
        )
        self.session.add_all(
            KeyPointTheme(key_point_id=key_point_id, theme_id=theme_id) for theme_id in theme_ids
        )
        await self.session.flush()

    async def revisions(self, key_point_id: uuid.UUID) -> Sequence[KeyPointRevision]:
        stmt = (
            select(KeyPointRevision)
            .where(KeyPointRevision.key_point_id == key_point_id)
            .order_by(KeyPointRevision.revision)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def authors(self, key_point_id: uuid.UUID) -> set[uuid.UUID]:
        """Everyone who wrote any version of the point's text (from the audit trail)."""
        stmt = select(AuditEvent.app_user_id).where(
            AuditEvent.subject_type == "key_point",
            AuditEvent.subject_id == key_point_id,
            AuditEvent.action.in_(("key_point.created", "key_point.text_edited")),
        )
        return {row for row in (await self.session.execute(stmt)).scalars() if row is not None}

    async def creator_and_approval(self, key_point_id: uuid.UUID) -> tuple[uuid.UUID | None, bool]:
        """Who created the point, and whether any revision of it was ever approved."""
        stmt = select(AuditEvent.action, AuditEvent.app_user_id).where(
            AuditEvent.subject_type == "key_point",
            AuditEvent.subject_id == key_point_id,
            AuditEvent.action.in_(("key_point.created", "key_point.approved")),
        )
        creator: uuid.UUID | None = None
        approved = False
        for action, user_id in (await self.session.execute(stmt)).all():
            if action == "key_point.created":
                creator = user_id
            else:
                approved = True
        return creator, approved

    async def history(self, key_point_id: uuid.UUID) -> Sequence[tuple[AuditEvent, str | None]]:
        stmt = (
            select(AuditEvent, User.email)
            .outerjoin(User, User.id == AuditEvent.app_user_id)
            .where(AuditEvent.subject_type == "key_point", AuditEvent.subject_id == key_point_id)
            .order_by(AuditEvent.id)
        )
        return [(r[0], r[1]) for r in (await self.session.execute(stmt)).all()]

    # -- themes ---------------------------------------------------------------------------

    async def themes(self, series_id: uuid.UUID) -> Sequence[Theme]:
        stmt = (
            select(Theme)
            .where(Theme.dialogue_series_id == series_id)
            .order_by(Theme.position, Theme.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def themes_by_slug(
        self, series_id: uuid.UUID, slugs: Sequence[str]
    ) -> dict[str, uuid.UUID]:
        if not slugs:
            return {}
        stmt = select(Theme.slug, Theme.id).where(
            Theme.dialogue_series_id == series_id, Theme.slug.in_(slugs)
        )
        return dict((await self.session.execute(stmt)).all())

    async def get_theme(self, theme_id: uuid.UUID) -> Theme | None:
        """A theme. A write request locks its series first (parent before child: adding and
        deleting themes renumber the series' themes under that lock), then the theme."""
        await lock_parent(
            self.session,
            DialogueSeries,
            select(Theme.dialogue_series_id).where(Theme.id == theme_id),
        )
        stmt = for_write(select(Theme).where(Theme.id == theme_id), self.session, Theme)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_theme(self, theme: Theme) -> None:
        self.session.add(theme)
        await self.session.flush()

    async def delete_theme(self, theme: Theme) -> None:
        await self.session.delete(theme)
        await self.session.flush()

    async def theme_counts(
        self, series_id: uuid.UUID
    ) -> tuple[Sequence[DialogueSession], dict[tuple[uuid.UUID, uuid.UUID], int]]:
        """The series' sessions, and approved points per (theme, session)."""
        sessions = (
            (
                await self.session.execute(
                    select(DialogueSession)
                    .where(DialogueSession.dialogue_series_id == series_id)
                    .order_by(DialogueSession.number)
                )
            )
            .scalars()
            .all()
        )
        stmt = (
            select(KeyPointTheme.theme_id, KeyPoint.dialogue_session_id, func.count())
            .join(KeyPoint, KeyPoint.id == KeyPointTheme.key_point_id)
            .join(DialogueSession, DialogueSession.id == KeyPoint.dialogue_session_id)
            .where(
                DialogueSession.dialogue_series_id == series_id,
                KeyPoint.status == KeyPointStatus.APPROVED,
            )
            .group_by(KeyPointTheme.theme_id, KeyPoint.dialogue_session_id)
        )
        counts = {
            (theme_id, session_id): int(n)
            for theme_id, session_id, n in (await self.session.execute(stmt)).all()
        }
        return sessions, counts

    # -- console reads (whole sessions, a fixed number of statements) ---------------------

    async def revisions_of(
        self, key_point_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[KeyPointRevision]]:
        """The earlier texts of many points, oldest first, in one statement."""
        out: dict[uuid.UUID, list[KeyPointRevision]] = {i: [] for i in key_point_ids}
        if not key_point_ids:
            return out
        stmt = (
            select(KeyPointRevision)
            .where(KeyPointRevision.key_point_id.in_(key_point_ids))
            .order_by(KeyPointRevision.key_point_id, KeyPointRevision.revision)
        )
        for revision in (await self.session.execute(stmt)).scalars():
            out[revision.key_point_id].append(revision)
        return out

    async def authors_of(
        self, key_point_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Everyone who wrote any version of each point's text, in one statement."""
        out: dict[uuid.UUID, set[uuid.UUID]] = {i: set() for i in key_point_ids}
        if not key_point_ids:
            return out
        stmt = select(AuditEvent.subject_id, AuditEvent.app_user_id).where(
            AuditEvent.subject_type == "key_point",
            AuditEvent.subject_id.in_(key_point_ids),
            AuditEvent.action.in_(("key_point.created", "key_point.text_edited")),
        )
        for subject_id, user_id in (await self.session.execute(stmt)).all():
            if user_id is not None:
                out[subject_id].add(user_id)
        return out


@functools.cache
def _bump_version() -> Any:
    """The statement of :meth:`KeyPointRepository.bump_version`, built once (see below)."""
    # On the table, not the entity: no ORM bulk-update bookkeeping (nothing in the identity
    # map needs synchronising; the version is read only by the list's gate).
    table = cast(Table, DialogueSession.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("session_id", type_=Uuid()))
        # Keep updated_at: the session itself did not change (its ETag and calendar
        # stamps must not move when a key point does).
        .values(key_points_version=table.c.key_points_version + 1, updated_at=table.c.updated_at)
    )


def _as_time(value: datetime | str | None) -> datetime | None:
    # Aggregates lose the column type on SQLite (a string comes back); compare as UTC.
    if value is None or isinstance(value, datetime):
        return None if value is None else as_utc(value)
    return as_utc(datetime.fromisoformat(value))


def _split(slugs: str | None) -> list[str]:
    return sorted(slugs.split(",")) if slugs else []
