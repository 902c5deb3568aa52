"""Every SQL statement of the reports domain.

Report building reads approved key points, themes, sessions and agenda parts in a few set
queries (a digest of 100 sessions is four statements, not a loop); it never reads the roster
(the service gets the aggregate and the consenting on-record names from the people service).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.key_points.models import KeyPoint, KeyPointStatus, KeyPointTheme
from app.kit.documents import Version, read_version
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.reports.builder import PointFacts, ThemeFacts
from app.reports.models import (
    EditionStatus,
    PendingReason,
    ReportDownload,
    ReportEdition,
    ReportKind,
    ReportRequest,
    ReportVersion,
    RequestStatus,
)
from app.series.models import DialogueSeries, MemberRole, SeriesMember, Theme
from app.sessions.models import DialogueSession, SessionStatus
from app.users.models import User

# SQLite allows 32766 bound parameters per statement; stay well below it.
_IN_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class PublishedEdition:
    """An edition in force of a summary: its language, its number m (of n.m), when."""

    language: str
    number: int
    published_at: datetime


@dataclass(frozen=True, slots=True)
class LatestSummary:
    """A session's latest published summary and its editions in force, by language."""

    report_id: uuid.UUID
    number: int
    published_at: datetime
    editions: list[PublishedEdition]


class ReportRepository:
    """Reads for report building; versions, requests and downloads."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- building -------------------------------------------------------------------------

    async def themes(self, series_id: uuid.UUID) -> list[ThemeFacts]:
        stmt = (
            select(Theme.slug, Theme.label)
            .where(Theme.dialogue_series_id == series_id)
            .order_by(Theme.position, Theme.id)
        )
        return [ThemeFacts(slug, label) for slug, label in await self.session.execute(stmt)]

    async def approved_points(
        self, *, session_id: uuid.UUID | None = None, series_id: uuid.UUID | None = None
    ) -> list[PointFacts]:
        """Approved points of one session or of a whole series, with their theme slugs."""
        stmt = select(
            KeyPoint.id,
            KeyPoint.dialogue_session_id,
            KeyPoint.position,
            KeyPoint.text,
            KeyPoint.agenda_part_id,
        ).where(KeyPoint.status == KeyPointStatus.APPROVED)
        themes = select(KeyPointTheme.key_point_id, Theme.slug).join(
            Theme, Theme.id == KeyPointTheme.theme_id
        )
        if session_id is not None:
            stmt = stmt.where(KeyPoint.dialogue_session_id == session_id)
            themes = themes.join(KeyPoint, KeyPoint.id == KeyPointTheme.key_point_id).where(
                KeyPoint.dialogue_session_id == session_id,
                KeyPoint.status == KeyPointStatus.APPROVED,
            )
        elif series_id is not None:
            stmt = stmt.join(
                DialogueSession, DialogueSession.id == KeyPoint.dialogue_session_id
            ).where(DialogueSession.dialogue_series_id == series_id)
            themes = themes.where(Theme.dialogue_series_id == series_id).join(
                KeyPoint,
                (KeyPoint.id == KeyPointTheme.key_point_id)
                & (KeyPoint.status == KeyPointStatus.APPROVED),
            )
        else:
            raise ValueError("approved_points needs a session or a series")
        slugs: dict[uuid.UUID, list[str]] = defaultdict(list)
        for point_id, slug in await self.session.execute(themes):
            slugs[point_id].append(slug)
        rows = await self.session.execute(stmt.order_by(KeyPoint.position, KeyPoint.id))
        return [
            PointFacts(
                id=pid,
                session_id=sid,
                position=position,
                text=text,
                part_id=part_id,
                themes=tuple(sorted(slugs.get(pid, ()))),
            )
            for pid, sid, position, text, part_id in rows
        ]

    async def sessions_of_series(
        self, series_id: uuid.UUID, statuses: Collection[SessionStatus] | None = None
    ) -> Sequence[DialogueSession]:
        stmt = select(DialogueSession).where(DialogueSession.dialogue_series_id == series_id)
        if statuses is not None:
            stmt = stmt.where(DialogueSession.status.in_(statuses))
        return (await self.session.execute(stmt.order_by(DialogueSession.number))).scalars().all()

    # -- versions -------------------------------------------------------------------------

    async def next_number(self, session_id: uuid.UUID, kind: ReportKind) -> int:
        stmt = select(func.coalesce(func.max(ReportVersion.number), 0)).where(
            ReportVersion.dialogue_session_id == session_id, ReportVersion.kind == kind
        )
        found = (await self.session.execute(stmt)).scalar_one()
        return int(found or 0) + 1

    async def add(self, obj: ReportVersion | ReportRequest | ReportDownload) -> None:
        self.session.add(obj)
        await self.session.flush()

    async def latest(
        self, session_id: uuid.UUID, kind: ReportKind, *, usable: bool = False
    ) -> ReportVersion | None:
        """The newest version of this kind; ``usable``: the newest one, unless it was
        withdrawn or taken down by the guard (then None: an earlier version is never put
        forward in its place)."""
        stmt = (
            select(ReportVersion)
            .where(ReportVersion.dialogue_session_id == session_id, ReportVersion.kind == kind)
            .order_by(ReportVersion.number.desc())
            .limit(1)
        )
        version = (await self.session.execute(stmt)).scalar_one_or_none()
        if (
            usable
            and version is not None
            and (version.withdrawn_at is not None or version.taken_down_at is not None)
        ):
            return None
        return version

    async def in_force_up_to(
        self, session_id: uuid.UUID, kind: ReportKind, number: int
    ) -> Sequence[ReportVersion]:
        """Versions of this kind numbered up to ``number`` that are not withdrawn."""
        stmt = (
            select(ReportVersion)
            .where(
                ReportVersion.dialogue_session_id == session_id,
                ReportVersion.kind == kind,
                ReportVersion.number <= number,
                ReportVersion.withdrawn_at.is_(None),
            )
            .order_by(ReportVersion.number)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def versions(self, session_id: uuid.UUID) -> Sequence[ReportVersion]:
        stmt = (
            select(ReportVersion)
            .where(ReportVersion.dialogue_session_id == session_id)
            .order_by(ReportVersion.kind, ReportVersion.number)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def in_force_of_series(self, series_id: uuid.UUID) -> Sequence[ReportVersion]:
        """The series' versions that are public (or delivered) now: neither withdrawn nor
        taken down."""
        stmt = (
            select(ReportVersion)
            .where(
                ReportVersion.dialogue_series_id == series_id,
                ReportVersion.withdrawn_at.is_(None),
                ReportVersion.taken_down_at.is_(None),
            )
            .order_by(ReportVersion.dialogue_session_id, ReportVersion.kind, ReportVersion.number)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def taken_down(self, series_id: uuid.UUID) -> Sequence[ReportVersion]:
        """The series' versions the guard took down and no one republished or withdrew."""
        stmt = (
            select(ReportVersion)
            .where(
                ReportVersion.dialogue_series_id == series_id,
                ReportVersion.taken_down_at.is_not(None),
                ReportVersion.withdrawn_at.is_(None),
            )
            .order_by(ReportVersion.dialogue_session_id, ReportVersion.kind, ReportVersion.number)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def version_with_directory(
        self, report_id: uuid.UUID
    ) -> tuple[ReportVersion, int] | None:
        """A version and its series' directory version, in one statement (public reads)."""
        stmt = (
            select(ReportVersion, DialogueSeries.directory_version)
            .join(DialogueSeries, DialogueSeries.id == ReportVersion.dialogue_series_id)
            .where(ReportVersion.id == report_id)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], int(row[1]))

    async def in_force(self, session_id: uuid.UUID) -> Sequence[ReportVersion]:
        """The session's versions not withdrawn, of both kinds."""
        stmt = (
            select(ReportVersion)
            .where(
                ReportVersion.dialogue_session_id == session_id,
                ReportVersion.withdrawn_at.is_(None),
            )
            .order_by(ReportVersion.kind, ReportVersion.number)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def organiser_contacts(self, series_id: uuid.UUID) -> list[tuple[str, str]]:
        """(e-mail, display name) of the series' active organisers."""
        stmt = (
            select(User.email, User.display_name)
            .join(SeriesMember, SeriesMember.app_user_id == User.id)
            .where(
                SeriesMember.dialogue_series_id == series_id,
                SeriesMember.role == MemberRole.ORGANISER,
                User.is_active.is_(True),
            )
        )
        return [(email, name) for email, name in (await self.session.execute(stmt)).all()]

    async def get_version(self, report_id: uuid.UUID) -> ReportVersion | None:
        return await self.session.get(ReportVersion, report_id)

    async def latest_summaries(
        self, session_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, LatestSummary]:
        """session id -> its latest published summary, with the editions of it in force
        (published, not withdrawn), in one statement per thousand sessions."""
        out: dict[uuid.UUID, LatestSummary] = {}
        ids = list(session_ids)
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            newest = (
                select(
                    ReportVersion.dialogue_session_id.label("sid"),
                    func.max(ReportVersion.number).label("n"),
                )
                .where(
                    ReportVersion.kind == ReportKind.SUMMARY,
                    ReportVersion.dialogue_session_id.in_(chunk),
                )
                .group_by(ReportVersion.dialogue_session_id)
                .subquery()
            )
            # The newest summary, unless it was withdrawn or taken down: never an earlier one
            # instead. Its editions in force come along (an outer join: none is a null row).
            stmt = (
                select(
                    ReportVersion.dialogue_session_id,
                    ReportVersion.id,
                    ReportVersion.number,
                    ReportVersion.published_at,
                    ReportEdition.language,
                    ReportEdition.number,
                    ReportEdition.published_at,
                )
                .join(
                    newest,
                    (newest.c.sid == ReportVersion.dialogue_session_id)
                    & (newest.c.n == ReportVersion.number)
                    & (ReportVersion.kind == ReportKind.SUMMARY),
                )
                .outerjoin(
                    ReportEdition,
                    (ReportEdition.report_version_id == ReportVersion.id)
                    & (ReportEdition.status == EditionStatus.PUBLISHED)
                    & ReportEdition.withdrawn_at.is_(None),
                )
                .where(ReportVersion.withdrawn_at.is_(None), ReportVersion.taken_down_at.is_(None))
                .order_by(ReportEdition.language)
            )
            for sid, rid, number, published_at, lang, m, m_at in await self.session.execute(stmt):
                found = out.setdefault(sid, LatestSummary(rid, number, published_at, []))
                if lang is not None and m is not None and m_at is not None:
                    found.editions.append(PublishedEdition(lang, m, m_at))
        return out

    # -- public series --------------------------------------------------------------------

    async def series_by_slug(self, slug: str) -> DialogueSeries | None:
        stmt = select(DialogueSeries).where(DialogueSeries.slug == slug)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_series(self, params: PageParams) -> tuple[list[DialogueSeries], str | None]:
        """Listed series (published at least once), unless taken down."""
        stmt = apply_keyset(
            select(DialogueSeries).where(
                DialogueSeries.listed_at.is_not(None), DialogueSeries.taken_down_at.is_(None)
            ),
            [DialogueSeries.id],
            [uuid.UUID],
            params,
        )
        rows = (await self.session.execute(stmt)).scalars().all()
        return split_page(rows, params, lambda s: (s.id,))

    async def public_sessions(
        self, series_ids: Sequence[uuid.UUID], statuses: Collection[SessionStatus]
    ) -> dict[uuid.UUID, list[DialogueSession]]:
        out: dict[uuid.UUID, list[DialogueSession]] = defaultdict(list)
        if not series_ids:
            return out
        stmt = (
            select(DialogueSession)
            .where(
                DialogueSession.dialogue_series_id.in_(list(series_ids)),
                DialogueSession.status.in_(statuses),
                DialogueSession.public_since.is_not(None),
                DialogueSession.taken_down_at.is_(None),
            )
            .order_by(DialogueSession.dialogue_series_id, DialogueSession.number)
        )
        for session in (await self.session.execute(stmt)).scalars():
            out[session.dialogue_series_id].append(session)
        return out

    async def session_by_number(self, series_id: uuid.UUID, number: int) -> DialogueSession | None:
        stmt = select(DialogueSession).where(
            DialogueSession.dialogue_series_id == series_id, DialogueSession.number == number
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # -- requests -------------------------------------------------------------------------

    async def pending_request(self, session_id: uuid.UUID, email: str) -> ReportRequest | None:
        stmt = (
            select(ReportRequest)
            .where(
                ReportRequest.dialogue_session_id == session_id,
                ReportRequest.email == email,
                ReportRequest.status == RequestStatus.PENDING,
            )
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def waiting_for_detailed(self, session_id: uuid.UUID) -> Sequence[ReportRequest]:
        stmt = (
            select(ReportRequest)
            .where(
                ReportRequest.dialogue_session_id == session_id,
                ReportRequest.status == RequestStatus.PENDING,
                ReportRequest.pending_reason == PendingReason.NO_DETAILED_REPORT,
            )
            .order_by(ReportRequest.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def get_request(self, request_id: uuid.UUID) -> ReportRequest | None:
        return await self.session.get(ReportRequest, request_id)

    def _requests(self, series_id: uuid.UUID) -> Select[ReportRequest, int]:
        return (
            select(ReportRequest, DialogueSession.number)
            .join(DialogueSession, DialogueSession.id == ReportRequest.dialogue_session_id)
            .where(ReportRequest.dialogue_series_id == series_id)
        )

    async def list_requests(
        self, series_id: uuid.UUID, params: PageParams, status: RequestStatus | None
    ) -> tuple[list[tuple[ReportRequest, int]], str | None]:
        stmt = self._requests(series_id)
        if status is not None:
            stmt = stmt.where(ReportRequest.status == status)
        stmt = apply_keyset(stmt, [ReportRequest.id], [uuid.UUID], params)
        rows = [(r[0], r[1]) for r in (await self.session.execute(stmt)).all()]
        return split_page(rows, params, lambda pair: (pair[0].id,))

    async def session_number(self, session_id: uuid.UUID) -> int:
        stmt = select(DialogueSession.number).where(DialogueSession.id == session_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def downloads(
        self, request_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[tuple[ReportDownload, int]]]:
        out: dict[uuid.UUID, list[tuple[ReportDownload, int]]] = defaultdict(list)
        if not request_ids:
            return out
        stmt = (
            select(ReportDownload, ReportVersion.number)
            .join(ReportVersion, ReportVersion.id == ReportDownload.report_version_id)
            .where(ReportDownload.report_request_id.in_(list(request_ids)))
            .order_by(ReportDownload.id)
        )
        for download, number in await self.session.execute(stmt):
            out[download.report_request_id].append((download, number))
        return out

    # -- editions -------------------------------------------------------------------------

    async def editions(self, version_id: uuid.UUID) -> Sequence[ReportEdition]:
        stmt = (
            select(ReportEdition)
            .where(ReportEdition.report_version_id == version_id)
            .order_by(ReportEdition.language)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def edition(self, version_id: uuid.UUID, language: str) -> ReportEdition | None:
        stmt = select(ReportEdition).where(
            ReportEdition.report_version_id == version_id, ReportEdition.language == language
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def published_editions(
        self, version_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[ReportEdition]]:
        """version id -> its published editions in force, by language."""
        out: dict[uuid.UUID, list[ReportEdition]] = {}
        ids = list(version_ids)
        for start in range(0, len(ids), _IN_CHUNK):
            stmt = (
                select(ReportEdition)
                .where(
                    ReportEdition.report_version_id.in_(ids[start : start + _IN_CHUNK]),
                    ReportEdition.status == EditionStatus.PUBLISHED,
                    ReportEdition.withdrawn_at.is_(None),
                )
                .order_by(ReportEdition.language)
            )
            for edition in (await self.session.execute(stmt)).scalars():
                out.setdefault(edition.report_version_id, []).append(edition)
        return out

    async def edition_translators(self, edition_id: uuid.UUID) -> set[uuid.UUID]:
        """Everyone who ever saved a text of the edition (from the audit trail)."""
        stmt = select(AuditEvent.app_user_id).where(
            AuditEvent.subject_type == "report_edition",
            AuditEvent.subject_id == edition_id,
            AuditEvent.action == "report_edition.saved",
        )
        return {row for row in (await self.session.execute(stmt)).scalars() if row is not None}

    async def next_edition_number(self, version_id: uuid.UUID) -> int:
        stmt = select(func.coalesce(func.max(ReportEdition.number), 0)).where(
            ReportEdition.report_version_id == version_id
        )
        found = (await self.session.execute(stmt)).scalar_one()
        return int(found or 0) + 1

    async def add_edition(self, edition: ReportEdition) -> None:
        self.session.add(edition)
        await self.session.flush()

    async def public_version(
        self, *, slug: str | None = None, report_id: uuid.UUID | None = None
    ) -> Version | None:
        """The public version of a series (by slug) or of a report version's series."""
        stmt = select(DialogueSeries.public_version)
        if report_id is not None:
            stmt = stmt.join(
                ReportVersion, ReportVersion.dialogue_series_id == DialogueSeries.id
            ).where(ReportVersion.id == report_id)
        else:
            stmt = stmt.where(DialogueSeries.slug == slug)
        return await read_version(await self.session.connection(), stmt)
