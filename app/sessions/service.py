"""Rules about sessions: numbering, times and zones, the lifecycle, agenda parts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditService
from app.confidentiality.gate import Cleared, Gate, Text, field_errors
from app.confidentiality.recheck import directory_changed, taken_down_in
from app.errors import Conflict, DomainError, InvalidRequest, NotFound
from app.kit.clock import as_utc, utcnow
from app.kit.documents import Version
from app.kit.ordering import place
from app.kit.pagination import PageParams
from app.outbox.events import emit
from app.series.models import DialogueSeries, DisclosureRegime
from app.series.service import SeriesAccess, SeriesService
from app.sessions.events import session_data
from app.sessions.models import AgendaPart, DialogueSession, SessionStatus
from app.sessions.repository import SessionRepository
from app.sessions.schemas import (
    PartCreate,
    PartUpdate,
    SchedulingWarning,
    SessionCreate,
    SessionRead,
    SessionUpdate,
    StatusChange,
    ZonedTimes,
    check_times,
)
from app.users.service import Principal

NOT_FOUND = "No such session"

TRANSITIONS: dict[SessionStatus, tuple[SessionStatus, ...]] = {
    SessionStatus.DRAFT: (SessionStatus.SCHEDULED, SessionStatus.CANCELLED),
    SessionStatus.SCHEDULED: (
        SessionStatus.HELD,
        SessionStatus.POSTPONED,
        SessionStatus.CANCELLED,
    ),
    SessionStatus.POSTPONED: (SessionStatus.SCHEDULED, SessionStatus.CANCELLED),
    SessionStatus.HELD: (SessionStatus.CLOSED,),
    SessionStatus.CLOSED: (),
    SessionStatus.CANCELLED: (),
}


class SessionTextBlocked(DomainError):
    """A session cannot become public while its title or context names a participant."""

    status = 409
    slug = "session-attribution-blocked"
    title = "The session's public texts would identify a participant"


NEEDS_REASON = frozenset({SessionStatus.POSTPONED, SessionStatus.CANCELLED})
# Once a session has taken place (or will not), its time is history, not a plan.
TIME_FROZEN = frozenset({SessionStatus.HELD, SessionStatus.CLOSED, SessionStatus.CANCELLED})
# What public calendars may show; drafts never appear anywhere public.
PUBLIC_STATUSES = (
    SessionStatus.SCHEDULED,
    SessionStatus.POSTPONED,
    SessionStatus.HELD,
    SessionStatus.CLOSED,
    SessionStatus.CANCELLED,
)


@dataclass(frozen=True, slots=True)
class SessionAccess:
    """A session, its series, and what the caller may do there."""

    session: DialogueSession
    series_access: SeriesAccess

    @property
    def series(self) -> DialogueSeries:
        return self.series_access.series

    @property
    def principal(self) -> Principal:
        return self.series_access.principal


def _offset(dt: datetime) -> str:
    delta = dt.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zoned_times(starts_at: datetime, ends_at: datetime, timezone: str) -> ZonedTimes:
    """Render a UTC interval in an IANA zone (daylight-saving changes included)."""
    zone = ZoneInfo(timezone)
    start = as_utc(starts_at).astimezone(zone)
    end = as_utc(ends_at).astimezone(zone)
    return ZonedTimes(
        timezone=timezone,
        starts_at=start,
        ends_at=end,
        starts_utc_offset=_offset(start),
        ends_utc_offset=_offset(end),
        abbreviation=start.tzname() or timezone,
    )


def session_read(session: DialogueSession, tz: str | None = None) -> SessionRead:
    """The members' view of a session, with times in its own zone and optionally another."""
    return SessionRead(
        id=session.id,
        series_id=session.dialogue_series_id,
        number=session.number,
        title=session.title,
        context=session.context,
        starts_at=as_utc(session.starts_at),
        ends_at=as_utc(session.ends_at),
        timezone=session.timezone,
        local=zoned_times(session.starts_at, session.ends_at, session.timezone),
        requested=zoned_times(session.starts_at, session.ends_at, tz) if tz else None,
        format=session.format,
        venue=session.venue,
        meeting_url=session.meeting_url,
        default_regime=session.default_regime,
        status=session.status,
        status_reason=session.status_reason,
        calendar_sequence=session.calendar_sequence,
        allowed_transitions=list(TRANSITIONS[session.status]),
        created_at=session.created_at,
        updated_at=session.updated_at,
    )


def takedown_warnings(db: AsyncSession) -> list[SchedulingWarning]:
    """A warning for each public item this transaction's change made the guard take down."""
    out = []
    for taken in taken_down_in(db):
        item = taken.item
        out.append(
            SchedulingWarning(
                code="published_text_taken_down",
                message=f"{item.label[:1].upper()}{item.label[1:]} now names someone in the "
                "series' directory and was taken down: its public addresses answer 410 "
                "'being revised', and the organisers were e-mailed. Fix the text (or the "
                f"directory), then republish: POST /api/v1/series/{taken.series_id}/republish.",
                session_id=item.id if item.kind == "session" else None,
                report_id=item.id if item.kind == "report" else None,
                findings=list(taken.as_dict()["fields"]),
            )
        )
    return out


class PartConsents(Protocol):
    """The on-record consents given for an agenda part. They belong to the roster (the
    people domain, above this one), which registers itself here (``app.wiring.wire``)."""

    async def consenting(self, db: AsyncSession, part_id: uuid.UUID) -> list[uuid.UUID]:
        """Who consented to be named in the part."""
        ...

    async def forget(self, db: AsyncSession, part_id: uuid.UUID) -> None:
        """Drop every consent given for the part."""
        ...


_part_consents: PartConsents | None = None


def provide_part_consents(consents: PartConsents) -> None:
    """Register who keeps the consents of agenda parts (the latest registration wins)."""
    global _part_consents
    _part_consents = consents


def _consents() -> PartConsents:
    if _part_consents is None:
        raise RuntimeError("app.wiring.wire() registers the part consents at start-up")
    return _part_consents


class SessionService:
    """Scheduling sessions, moving them through their lifecycle, and their agenda parts."""

    def __init__(self, db: AsyncSession) -> None:
        self.repo = SessionRepository(db)
        self.audit = AuditService(db)

    # -- access ---------------------------------------------------------------------------

    async def access(self, principal: Principal, session_id: uuid.UUID) -> SessionAccess:
        """The session as the caller may see it; 404 outside the caller's series."""
        found = await self.repo.get_with_series_and_role(
            session_id, principal.user_id, is_admin=principal.is_admin
        )
        if found is None:
            raise NotFound(NOT_FOUND)
        session, series, role = found
        return SessionAccess(
            session=session,
            series_access=SeriesAccess(series=series, role=role, principal=principal),
        )

    # -- sessions -------------------------------------------------------------------------

    async def list_sessions(
        self, access: SeriesAccess, params: PageParams
    ) -> tuple[list[DialogueSession], str | None]:
        return await self.repo.list_for_series(access.series.id, params)

    async def schedule_session(
        self, access: SeriesAccess, data: SessionCreate
    ) -> tuple[DialogueSession, list[SchedulingWarning]]:
        """Create a draft session numbered after the series' last one."""
        access.require_manage()
        series = access.series
        await Gate(self.repo.session).clear(
            series.id,
            [Text("title", data.title), Text("context", data.context)],
            acknowledged=data.acknowledge_warnings,
            what="The session's title or context (public in calendars and reports)",
        )
        session = DialogueSession(
            dialogue_series_id=series.id,
            number=await self.repo.next_number(series.id),
            title=data.title,
            context=data.context,
            starts_at=as_utc(data.starts_at),
            ends_at=as_utc(data.ends_at),
            timezone=data.timezone or series.timezone,
            format=data.format,
            venue=data.venue,
            meeting_url=str(data.meeting_url) if data.meeting_url else None,
            default_regime=data.default_regime or series.default_regime,
            status=SessionStatus.DRAFT,
            calendar_sequence=0,
        )
        await self.repo.add(session)
        # A draft is private: integrations hear of it (session.created) once it is scheduled.
        return session, await self._overlap_warnings(session)

    async def update_session(
        self, access: SessionAccess, data: SessionUpdate
    ) -> tuple[DialogueSession, list[SchedulingWarning]]:
        access.series_access.require_manage()
        session = access.session
        changes = data.model_dump(exclude_unset=True)
        acknowledged = changes.pop("acknowledge_warnings", [])
        texts = [
            Text(k, v) for k, v in changes.items() if k in ("title", "context") and v is not None
        ]
        if texts:
            await Gate(self.repo.session).clear(
                session.dialogue_series_id,
                texts,
                acknowledged=acknowledged,
                what="The session's title or context (public in calendars and reports)",
            )
        for nullable in ("venue", "meeting_url"):
            if nullable in changes and changes[nullable] is not None:
                changes[nullable] = str(changes[nullable])
        changes = {
            k: v for k, v in changes.items() if v is not None or k in ("venue", "meeting_url")
        }
        starts_at = as_utc(changes.get("starts_at", session.starts_at))
        ends_at = as_utc(changes.get("ends_at", session.ends_at))
        time_changed = starts_at != as_utc(session.starts_at) or ends_at != as_utc(session.ends_at)
        if time_changed and session.status in TIME_FROZEN:
            raise Conflict(
                f"A {session.status.value} session's time cannot change",
                current=session.status.value,
            )
        problem = check_times(starts_at, ends_at)
        if problem:
            raise InvalidRequest.single("ends_at", problem)
        for key, value in changes.items():
            if key in ("starts_at", "ends_at"):
                continue
            setattr(session, key, value)
        warnings: list[SchedulingWarning] = []
        if time_changed:
            session.starts_at, session.ends_at = starts_at, ends_at
            session.calendar_sequence += 1
            warnings = await self._overlap_warnings(session)
        await self.repo.session.flush()
        if session.public_since is not None:
            cleared = await self.public_texts(session)
            if cleared is not None:
                await emit(
                    self.repo.session,
                    "session.updated",
                    session.dialogue_series_id,
                    session_data(session, cleared),
                )
        return session, warnings

    async def change_status(self, access: SessionAccess, data: StatusChange) -> DialogueSession:
        """Apply one lifecycle move, or refuse it with the moves that are allowed."""
        access.series_access.require_manage()
        session = access.session
        allowed = TRANSITIONS[session.status]
        if data.status not in allowed:
            raise Conflict(
                f"A {session.status.value} session cannot become {data.status.value}",
                current=session.status.value,
                allowed=[s.value for s in allowed],
            )
        if data.status in NEEDS_REASON and not data.reason:
            raise InvalidRequest.single(
                "reason", f"Required when the session is {data.status.value}"
            )
        previous = session.status
        # Only scheduling makes a session public; a draft cancelled before that stays private.
        becoming_public = session.public_since is None and data.status is SessionStatus.SCHEDULED
        if becoming_public:
            # The directory may have grown since the texts were written: check again.
            review = await Gate(self.repo.session).review(
                session.dialogue_series_id,
                [Text("title", session.title), Text("context", session.context)],
            )
            blocked = review.blocks()
            if blocked:
                raise SessionTextBlocked(
                    "Scheduling makes the session's title and context public (calendars, the "
                    "public series, webhooks), and they would identify someone in the series' "
                    "directory; rephrase them first",
                    fields=review.as_fields("block"),
                    errors=field_errors(blocked),
                )
        session.status = data.status
        session.status_reason = data.reason
        session.calendar_sequence += 1
        if becoming_public:
            session.public_since = utcnow()
        await self.audit.record(
            action="session.status_changed",
            subject_type="session",
            subject_id=session.id,
            series_id=session.dialogue_series_id,
            user_id=access.principal.user_id,
            data={"from": previous.value, "to": data.status.value, "reason": data.reason},
        )
        await self.repo.session.flush()
        series_id = session.dialogue_series_id
        cleared = await self.public_texts(session) if session.public_since is not None else None
        if cleared is not None:
            if becoming_public:
                event = session_data(session, cleared)
                await emit(self.repo.session, "session.created", series_id, event)
            event = session_data(session, cleared, previous_status=previous.value)
            await emit(self.repo.session, "session.status_changed", series_id, event)
        return session

    async def _overlap_warnings(self, session: DialogueSession) -> list[SchedulingWarning]:
        others = await self.repo.overlapping(
            session.dialogue_series_id, session.starts_at, session.ends_at, excluding=session.id
        )
        return [
            SchedulingWarning(
                code="session_overlap",
                message=f"Overlaps session {other.number} of this series ({other.title})",
                session_id=other.id,
                number=other.number,
            )
            for other in others
        ]

    # -- public ---------------------------------------------------------------------------

    async def public_texts(
        self, session: DialogueSession, version: int | None = None
    ) -> dict[str, Cleared] | None:
        """The session's public texts as the guard admits them now: None while it is taken
        down or one of them names someone in the series' directory."""
        if session.taken_down_at is not None:
            return None
        return await Gate(self.repo.session).admit(
            session.dialogue_series_id,
            [Text("title", session.title), Text("context", session.context)],
            version=version,
        )

    async def public_session(self, session_id: uuid.UUID) -> tuple[DialogueSession, DialogueSeries]:
        """A session that may appear in public calendars (never a draft); 404 otherwise."""
        found = await self.repo.get_public(session_id, PUBLIC_STATUSES)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    async def public_series(self, series_id: uuid.UUID) -> DialogueSeries:
        """A series as the public may know it (its calendar feed); 404 if unknown."""
        return await SeriesService(self.repo.session).public_series(series_id)

    async def public_version(
        self, *, session_id: uuid.UUID | None = None, series_id: uuid.UUID | None = None
    ) -> Version | None:
        """The version of the series' public documents (None: no such session or series)."""
        return await self.repo.public_version(session_id=session_id, series_id=series_id)

    async def public_sessions(self, series_id: uuid.UUID) -> Sequence[DialogueSession]:
        """A series' sessions that may appear in public calendars, by number."""
        return await self.repo.public_for_series(series_id, PUBLIC_STATUSES)

    # -- agenda parts ---------------------------------------------------------------------

    async def list_parts(self, session_id: uuid.UUID) -> Sequence[AgendaPart]:
        return await self.repo.parts(session_id)

    async def get_part(
        self, principal: Principal, part_id: uuid.UUID
    ) -> tuple[AgendaPart, SessionAccess]:
        """A part with its session's access; 404 outside the caller's series."""
        found = await self.repo.get_part_with_session(part_id)
        if found is None:
            raise NotFound("No such agenda part")
        part, session_id = found
        try:
            access = await self.access(principal, session_id)
        except NotFound:
            raise NotFound("No such agenda part") from None
        return part, access

    async def add_part(self, access: SessionAccess, data: PartCreate) -> AgendaPart:
        session = access.session
        await Gate(self.repo.session).clear(
            session.dialogue_series_id,
            [Text("title", data.title), Text("topic", data.topic or "")],
            acknowledged=data.acknowledge_warnings,
            what="The agenda part's title or topic (public in reports)",
        )
        parts = list(await self.repo.parts(session.id))
        part = AgendaPart(
            dialogue_session_id=session.id,
            position=len(parts) + 1,
            title=data.title,
            kind=data.kind,
            topic=data.topic,
            regime=data.regime or session.default_regime,
        )
        await self.repo.add(part)
        place(parts, part, data.position)
        await self.repo.session.flush()
        return part

    async def update_part(
        self, access: SessionAccess, part: AgendaPart, data: PartUpdate
    ) -> AgendaPart:
        changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
        acknowledged = changes.pop("acknowledge_warnings", [])
        # An on-record part's title may name the people who consented to be named in it.
        on_record = changes.get("regime", part.regime) is DisclosureRegime.ON_RECORD
        texts = [
            Text(k, changes[k], parts=frozenset({part.id}) if on_record else frozenset())
            for k in ("title", "topic")
            if k in changes
        ]
        if texts:
            await Gate(self.repo.session).clear(
                access.series.id,
                texts,
                acknowledged=acknowledged,
                what="The agenda part's title or topic (public in reports)",
            )
        new_regime = changes.get("regime")
        if new_regime is not None and new_regime != part.regime:
            await self._change_regime(access, part, new_regime)
        for key in ("title", "kind", "topic"):
            if key in changes:
                setattr(part, key, changes[key])
        if "position" in changes:
            others = [p for p in await self.repo.parts(part.dialogue_session_id) if p.id != part.id]
            place(others, part, changes["position"])
        await self.repo.session.flush()
        return part

    async def delete_part(self, access: SessionAccess, part: AgendaPart) -> None:
        access.series_access.require_manage()
        session_id = part.dialogue_session_id
        consenting = await _consents().consenting(self.repo.session, part.id)
        await self.repo.delete_part(part)
        # Published texts may have named them under this part's consent.
        await directory_changed(self.repo.session, access.series.id, consenting)
        place(list(await self.repo.parts(session_id)), None, None)
        await self.repo.session.flush()

    async def _change_regime(self, access: SessionAccess, part: AgendaPart, regime: object) -> None:
        # Every regime change is audited: it decides what may be recorded and named.
        await self.audit.record(
            action="agenda_part.regime_changed",
            subject_type="agenda_part",
            subject_id=part.id,
            series_id=access.series.id,
            user_id=access.principal.user_id,
            data={"from": part.regime.value, "to": str(regime)},
        )
        consenting: list[uuid.UUID] = []
        if regime != DisclosureRegime.ON_RECORD:
            # Consent to be named was given for this part on record; if the part leaves the
            # record, the consent goes too, so putting it back on record names no one until
            # people consent again.
            consenting = await _consents().consenting(self.repo.session, part.id)
            await _consents().forget(self.repo.session, part.id)
        part.regime = regime  # type: ignore[assignment]
        await self.repo.session.flush()
        # What was published may have named them under this part's consent, or came from a
        # part that is now off the record.
        await directory_changed(self.repo.session, access.series.id, consenting, regimes=True)
