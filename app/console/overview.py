"""The console's read model: what a member's series need from them, in a few statements.

Reads only, scoped by membership in the query itself (an administrator sees every series).
Five statements whatever the number and size of the series: the series with the member's
role, their coming sessions, their submitted points, their pending report requests and what
the guard took down in them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import ScalarSelect, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.key_points.models import KeyPoint, KeyPointStatus
from app.kit.clock import utcnow
from app.newsletter.models import Subscription, SubscriptionStatus
from app.people.models import Person
from app.reports.guard import KIND_NAMES
from app.reports.models import ReportRequest, ReportVersion, RequestStatus
from app.series.models import DialogueSeries, MemberRole, SeriesMember
from app.sessions.models import DialogueSession, SessionStatus
from app.users.service import Principal

# Sessions still ahead (or under way): what "upcoming" means on the overview.
OPEN_STATUSES = (SessionStatus.DRAFT, SessionStatus.SCHEDULED, SessionStatus.POSTPONED)
MAX_SERIES = 200
UPCOMING_PER_SERIES = 5


@dataclass
class SeriesOverview:
    """One series on the overview."""

    series: DialogueSeries
    role: MemberRole | None
    upcoming: list[DialogueSession] = field(default_factory=list)
    # session id -> number of submitted points waiting for review
    waiting: dict[uuid.UUID, int] = field(default_factory=dict)
    waiting_sessions: list[DialogueSession] = field(default_factory=list)
    pending_requests: int = 0
    # What the guard took down while it is revised ("the title and context of session 2").
    taken_down: list[str] = field(default_factory=list)

    @property
    def can_manage(self) -> bool:
        return self.role is MemberRole.ORGANISER or self.role is None

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())


@dataclass(frozen=True, slots=True)
class SeriesCounts:
    """The numbers on a series' page."""

    people: int
    members: int
    confirmed_subscribers: int
    pending_subscribers: int
    pending_requests: int
    taken_down: int = 0  # sessions and report versions the guard took down


class SeriesOverviewService:
    """The overview of every series a member is in."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def for_member(self, principal: Principal) -> list[SeriesOverview]:
        series_stmt = select(DialogueSeries, SeriesMember.role).outerjoin(
            SeriesMember,
            and_(
                SeriesMember.dialogue_series_id == DialogueSeries.id,
                SeriesMember.app_user_id == principal.user_id,
            ),
        )
        if not principal.is_admin:
            series_stmt = series_stmt.where(SeriesMember.id.is_not(None))
        series_stmt = series_stmt.order_by(DialogueSeries.title).limit(MAX_SERIES)
        rows = (await self.db.execute(series_stmt)).all()
        overviews = {s.id: SeriesOverview(series=s, role=role) for s, role in rows}
        if not overviews:
            return []
        ids = list(overviews)
        since = utcnow() - timedelta(days=1)
        # The next few sessions of each series, in one statement (a window per series).
        ranked = (
            select(
                DialogueSession.id,
                func.row_number()
                .over(
                    partition_by=DialogueSession.dialogue_series_id,
                    order_by=DialogueSession.starts_at,
                )
                .label("rank"),
            )
            .where(
                DialogueSession.dialogue_series_id.in_(ids),
                DialogueSession.status.in_(OPEN_STATUSES),
                DialogueSession.ends_at >= since,
            )
            .subquery()
        )
        upcoming = (
            await self.db.execute(
                select(DialogueSession)
                .join(ranked, ranked.c.id == DialogueSession.id)
                .where(ranked.c.rank <= UPCOMING_PER_SERIES)
                .order_by(DialogueSession.starts_at)
            )
        ).scalars()
        for session in upcoming:
            overviews[session.dialogue_series_id].upcoming.append(session)
        waiting = (
            await self.db.execute(
                select(DialogueSession, func.count(KeyPoint.id))
                .join(KeyPoint, KeyPoint.dialogue_session_id == DialogueSession.id)
                .where(
                    DialogueSession.dialogue_series_id.in_(ids),
                    KeyPoint.status == KeyPointStatus.SUBMITTED,
                )
                .group_by(DialogueSession.id)
                .order_by(DialogueSession.number)
            )
        ).all()
        for session, count in waiting:
            overview = overviews[session.dialogue_series_id]
            overview.waiting[session.id] = int(count)
            overview.waiting_sessions.append(session)
        requests: defaultdict[uuid.UUID, int] = defaultdict(int)
        for series_id, count in (
            await self.db.execute(
                select(ReportRequest.dialogue_series_id, func.count())
                .where(
                    ReportRequest.dialogue_series_id.in_(ids),
                    ReportRequest.status == RequestStatus.PENDING,
                )
                .group_by(ReportRequest.dialogue_series_id)
            )
        ).all():
            requests[series_id] = int(count)
        for series_id, overview in overviews.items():
            overview.pending_requests = requests[series_id]
            if overview.series.taken_down_at is not None:
                overview.taken_down.append("the series' public texts")
        await self._taken_down(overviews)
        return list(overviews.values())

    async def _taken_down(self, overviews: dict[uuid.UUID, SeriesOverview]) -> None:
        """Sessions and report versions the guard took down, in one statement."""
        version_down = and_(
            ReportVersion.dialogue_session_id == DialogueSession.id,
            ReportVersion.taken_down_at.is_not(None),
            ReportVersion.withdrawn_at.is_(None),
        )
        rows = (
            await self.db.execute(
                select(
                    DialogueSession.dialogue_series_id,
                    DialogueSession.number,
                    DialogueSession.taken_down_at,
                    ReportVersion.number,
                    ReportVersion.kind,
                )
                .outerjoin(ReportVersion, version_down)
                .where(
                    DialogueSession.dialogue_series_id.in_(list(overviews)),
                    or_(
                        DialogueSession.taken_down_at.is_not(None),
                        ReportVersion.id.is_not(None),
                    ),
                )
                .order_by(DialogueSession.number, ReportVersion.number)
            )
        ).all()
        seen: set[tuple[uuid.UUID, int]] = set()
        for series_id, number, session_down, version, kind in rows:
            found = overviews[series_id].taken_down
            if session_down is not None and (series_id, number) not in seen:
                seen.add((series_id, number))
                found.append(f"the title and context of session {number}")
            if version is not None:
                found.append(f"version {version} of the {KIND_NAMES[kind]} of session {number}")

    async def counts(self, series_id: uuid.UUID) -> SeriesCounts:
        """People, members, subscribers and waiting requests of one series (one statement)."""

        def count(stmt: Select[int]) -> ScalarSelect[int]:
            return stmt.scalar_subquery()

        row = (
            await self.db.execute(
                select(
                    count(
                        select(func.count(Person.id)).where(Person.dialogue_series_id == series_id)
                    ),
                    count(
                        select(func.count(SeriesMember.id)).where(
                            SeriesMember.dialogue_series_id == series_id
                        )
                    ),
                    count(
                        select(func.count(Subscription.id)).where(
                            Subscription.dialogue_series_id == series_id,
                            Subscription.status == SubscriptionStatus.CONFIRMED,
                        )
                    ),
                    count(
                        select(func.count(Subscription.id)).where(
                            Subscription.dialogue_series_id == series_id,
                            Subscription.status == SubscriptionStatus.PENDING,
                        )
                    ),
                    count(
                        select(func.count(ReportRequest.id)).where(
                            ReportRequest.dialogue_series_id == series_id,
                            ReportRequest.status == RequestStatus.PENDING,
                        )
                    ),
                    count(
                        select(func.count(DialogueSession.id)).where(
                            DialogueSession.dialogue_series_id == series_id,
                            DialogueSession.taken_down_at.is_not(None),
                        )
                    ),
                    count(
                        select(func.count(ReportVersion.id)).where(
                            ReportVersion.dialogue_series_id == series_id,
                            ReportVersion.taken_down_at.is_not(None),
                            ReportVersion.withdrawn_at.is_(None),
                        )
                    ),
                )
            )
        ).one()
        people, members, confirmed, pending, requests, sessions_down, versions_down = (
            int(v or 0) for v in row
        )
        return SeriesCounts(
            people, members, confirmed, pending, requests, sessions_down + versions_down
        )
