"""Rules about key points: the non-attribution checker on every write, disclosure regimes,
the four-eyes review, revisions, and the theme taxonomy.

Who wrote or approved a point is recorded in the audit trail only (never on the point).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditService
from app.confidentiality.checker import Finding
from app.confidentiality.gate import (
    AttributionBlocked,
    Directory,
    Gate,
    Text,
    UnacknowledgedWarnings,
)
from app.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidRequest,
    NotFound,
)
from app.key_points.models import KeyPoint, KeyPointRevision, KeyPointStatus
from app.key_points.repository import KeyPointRepository
from app.key_points.schemas import (
    Acknowledgement,
    HistoryEvent,
    KeyPointCreate,
    KeyPointHistory,
    KeyPointRead,
    KeyPointUpdate,
    ReviewAction,
    RevisionRead,
    ThemeCreate,
    ThemeMatrix,
    ThemeRead,
    ThemeSessionRef,
    ThemeUpdate,
)
from app.key_points.schemas import (
    Finding as FindingRead,
)
from app.kit.clock import utcnow
from app.kit.ids import uuid7
from app.kit.ordering import place
from app.kit.pagination import PageParams
from app.people.service import PeopleService
from app.series.models import DisclosureRegime, Theme
from app.series.service import SeriesAccess, SeriesService
from app.sessions.models import AgendaPart, DialogueSession, SessionStatus
from app.sessions.service import SessionAccess, SessionService
from app.users.service import (
    Principal,
)

NOT_FOUND = "No such key point"
# A closed session's record is final; a cancelled one never took place.
NO_RECORDING = frozenset({SessionStatus.CLOSED, SessionStatus.CANCELLED})


_REVIEW_EVENTS = {
    "submit": "key_point.submitted",
    "approve": "key_point.approved",
    "return": "key_point.returned",
}


class OffRecord(DomainError):
    """Nothing may be recorded from an off-the-record part."""

    status = 409
    slug = "off-record"
    title = "This part is off the record"


def finding_dicts(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [dict(f.as_dict()) for f in findings]


def key_point_read(point: KeyPoint, themes: Sequence[str]) -> KeyPointRead:
    return KeyPointRead(
        id=point.id,
        session_id=point.dialogue_session_id,
        part_id=point.agenda_part_id,
        position=point.position,
        text=point.text,
        themes=list(themes),
        status=point.status,
        warnings=[FindingRead.model_validate(w) for w in point.warnings],
        acknowledged_warnings=list(point.acknowledged_warnings),
        review_note=point.review_note,
        revision=point.revision,
        approved_at=point.approved_at,
        created_at=point.created_at,
        updated_at=point.updated_at,
    )


class KeyPointService:
    """Recording, checking, reviewing and classifying key points."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.repo = KeyPointRepository(db)
        self.sessions = SessionService(db)
        self.people = PeopleService(db)
        self.audit = AuditService(db)

    # -- the checker ----------------------------------------------------------------------

    async def directory(
        self, session: DialogueSession, directory_version: int | None = None
    ) -> Directory:
        """The guard's matcher for the session's series (the whole directory), built once
        per directory version (pass the version if this request already read it)."""
        return await Gate(self.db).directory(session.dialogue_series_id, directory_version)

    async def _part(self, session: DialogueSession, part_id: uuid.UUID | None) -> AgendaPart | None:
        if part_id is None:
            return None
        part = await self.repo.get_part(part_id)
        if part is None or part.dialogue_session_id != session.id:
            raise InvalidRequest.single("part_id", "Not an agenda part of this session")
        return part

    async def check_text(
        self,
        session: DialogueSession,
        part: AgendaPart | None,
        text: str,
        directory_version: int | None = None,
    ) -> list[Finding]:
        """Run the checker against the series' whole directory under the regime of the part
        (or the session's default): consent to be named counts only in its on-record part."""
        regime = part.regime if part is not None else session.default_regime
        if regime is DisclosureRegime.OFF_RECORD:
            raise OffRecord(
                "Nothing said in an off-the-record part may be recorded"
                if part is not None
                else "The session is off the record by default; choose an agenda part"
            )
        directory = await self.directory(session, directory_version)
        allowed: frozenset[str] = frozenset()
        if part is not None and regime is DisclosureRegime.ON_RECORD:
            allowed = directory.snapshot.allowed([part.id])
        return directory.checker.check(text, allowed_person_ids=allowed)

    async def dry_run(
        self, access: SessionAccess, text: str, part_id: uuid.UUID | None
    ) -> list[Finding]:
        """The findings for a text as if it were recorded now in the part (nothing stored)."""
        part = await self._part(access.session, part_id)
        return await self.check_text(access.session, part, text)

    @staticmethod
    def _refuse_blocks(findings: Sequence[Finding]) -> list[Finding]:
        blocks = [f for f in findings if f.severity == "block"]
        if blocks:
            raise AttributionBlocked(
                f"{len(blocks)} finding(s) would identify a participant; rephrase without "
                "names, affiliations or acronyms of anyone on the roster",
                findings=finding_dicts(findings),
                errors=[
                    {"location": "body", "field": "text", "reason": f.message, "code": f.code}
                    for f in blocks
                ],
                fields=[{"field": "text", "findings": finding_dicts(blocks)}],
            )
        return [f for f in findings if f.severity == "warn"]

    # -- reading --------------------------------------------------------------------------

    async def access(
        self, principal: Principal, key_point_id: uuid.UUID
    ) -> tuple[KeyPoint, list[str], SessionAccess]:
        """A point with its themes and its session's access; 404 outside the caller's series."""
        found = await self.repo.get_with_slugs(key_point_id)
        if found is None:
            raise NotFound(NOT_FOUND)
        point, themes = found
        try:
            access = await self.sessions.access(principal, point.dialogue_session_id)
        except NotFound:
            raise NotFound(NOT_FOUND) from None
        return point, themes, access

    # -- writing --------------------------------------------------------------------------

    def _ensure_recordable(self, session: DialogueSession) -> None:
        if session.status in NO_RECORDING:
            raise Conflict(f"A {session.status.value} session takes no more key points")

    async def _theme_ids(self, series_id: uuid.UUID, slugs: Sequence[str]) -> list[uuid.UUID]:
        unique = list(dict.fromkeys(slugs))
        found = await self.repo.themes_by_slug(series_id, unique)
        missing = [i for i, slug in enumerate(slugs) if slug not in found]
        if missing:
            raise InvalidRequest(
                [
                    _field_error(f"themes.{i}", f"No theme {slugs[i]!r} in this series")
                    for i in missing
                ]
            )
        return [found[slug] for slug in unique]

    async def record(
        self, access: SessionAccess, data: KeyPointCreate
    ) -> tuple[KeyPoint, list[str], list[Finding]]:
        """Store a point whose text passes the checker (blocks refuse, warnings are kept)."""
        session = access.session
        self._ensure_recordable(session)
        part = await self._part(session, data.part_id)
        warnings = self._refuse_blocks(await self.check_text(session, part, data.text))
        theme_ids = await self._theme_ids(session.dialogue_series_id, data.themes)
        # Appending (the usual case) needs only the last position, not every point.
        points = (
            list(await self.repo.points_of_session(session.id)) if data.position is not None else []
        )
        last = await self.repo.last_position(session.id)
        point = KeyPoint(
            id=uuid7(),
            dialogue_session_id=session.id,
            agenda_part_id=part.id if part else None,
            position=last + 1,
            text=data.text,
            status=KeyPointStatus.DRAFT,
            warnings=finding_dicts(warnings),
            acknowledged_warnings=[],
            revision=1,
        )
        self.db.add(point)
        if theme_ids or data.position is not None:
            await self.db.flush()
            if theme_ids:
                await self.repo.set_themes(point.id, theme_ids)
            if data.position is not None:
                place(points, point, data.position)
        # The point and its audit event go out in one flush (one unit of work). The INSERT
        # bumps the session's key_points_version itself (a trigger, migration 0017), which
        # invalidates cached pages of the list.
        self._audit_staged(access, point, "key_point.created", {"revision": 1})
        await self.db.flush()
        return point, sorted(data.themes), warnings

    async def update(
        self, access: SessionAccess, point: KeyPoint, themes: list[str], data: KeyPointUpdate
    ) -> tuple[KeyPoint, list[str], list[Finding]]:
        session = access.session
        self._ensure_recordable(session)
        changes = data.model_dump(exclude_unset=True)
        new_text = changes.get("text")
        part_given = "part_id" in changes
        part = (
            await self._part(session, data.part_id)
            if part_given
            else await self._part(session, point.agenda_part_id)
        )
        content_changed = (new_text is not None and new_text != point.text) or (
            part_given and data.part_id != point.agenda_part_id
        )
        findings: list[Finding] = []
        if content_changed:
            text = new_text if new_text is not None else point.text
            findings = self._refuse_blocks(await self.check_text(session, part, text))
            await self.repo.add(
                KeyPointRevision(
                    key_point_id=point.id,
                    revision=point.revision,
                    text=point.text,
                    agenda_part_id=point.agenda_part_id,
                    status=point.status,
                    created_at=utcnow(),
                )
            )
            was_approved = point.status is KeyPointStatus.APPROVED
            point.text = text
            point.agenda_part_id = part.id if part else None
            point.revision += 1
            point.warnings = finding_dicts(findings)
            point.acknowledged_warnings = []
            if was_approved or point.status is KeyPointStatus.SUBMITTED:
                point.status = KeyPointStatus.DRAFT
                point.approved_at = None
            await self._audit(
                access,
                point,
                "key_point.text_edited",
                {"revision": point.revision, "returned_to_draft": was_approved},
            )
        if data.themes is not None:
            await self.repo.set_themes(
                point.id, await self._theme_ids(session.dialogue_series_id, data.themes)
            )
            themes = sorted(set(data.themes))
            await self._audit(access, point, "key_point.themes_changed", {"themes": themes})
        if data.acknowledged_warnings is not None:
            # Four eyes: the approving organiser acknowledges warnings, in the approval, having
            # seen them; an author's (or anyone's) acknowledgement on an edit does not count.
            raise Forbidden(
                "Warnings are acknowledged by the approving organiser, who did not write or "
                "edit the point, in the approval itself: POST /api/v1/key-points/{id}/review "
                'with {"action": "approve", "acknowledge": [codes]}'
            )
        if data.position is not None and data.position != point.position:
            others = [p for p in await self.repo.points_of_session(session.id) if p.id != point.id]
            place(others, point, data.position)
        await self.db.flush()
        await self.repo.bump_version(session.id)
        return point, themes, findings

    async def delete(self, access: SessionAccess, point: KeyPoint) -> None:
        """Organisers delete any point; a rapporteur only one they created that was never
        approved (editing someone's approved point back to draft does not make it theirs)."""
        self._ensure_recordable(access.session)
        if not access.series_access.can_manage:
            creator, ever_approved = await self.repo.creator_and_approval(point.id)
            if (
                point.status is KeyPointStatus.APPROVED
                or ever_approved
                or creator != access.principal.user_id
            ):
                raise Forbidden(
                    "Only organisers, or the rapporteur who created a point never approved, "
                    "delete it"
                )
        await self._audit(access, point, "key_point.deleted", {"text": point.text})
        session_id = point.dialogue_session_id
        await self.repo.delete(point)
        await self.repo.bump_version(session_id)
        place(list(await self.repo.points_of_session(session_id)), None, None)
        await self.db.flush()

    # -- review ---------------------------------------------------------------------------

    async def review(self, access: SessionAccess, point: KeyPoint, data: ReviewAction) -> KeyPoint:
        """submit (members), approve and return (organisers who did not write the point)."""
        self._ensure_recordable(access.session)
        status = point.status
        if data.action == "submit":
            self._require_status(
                point, data.action, (KeyPointStatus.DRAFT, KeyPointStatus.RETURNED)
            )
            point.status = KeyPointStatus.SUBMITTED
        else:
            if not access.series_access.can_manage:
                raise Forbidden(f"Only an organiser may {data.action} a key point")
            self._require_status(point, data.action, (KeyPointStatus.SUBMITTED,))
            if access.principal.user_id in await self.repo.authors(point.id):
                raise Forbidden(
                    f"Four eyes: you wrote this point, so another organiser must {data.action} it"
                )
            if data.action == "return":
                if not data.note:
                    raise InvalidRequest.single("note", "Say why the point is returned")
                point.status = KeyPointStatus.RETURNED
                point.review_note = data.note
            else:
                await self._approve(access, point, data)
        await self._audit(
            access,
            point,
            _REVIEW_EVENTS[data.action],
            {"from": status.value, "to": point.status.value, "note": data.note},
        )
        await self.db.flush()
        await self.repo.bump_version(point.dialogue_session_id)
        return point

    async def _approve(self, access: SessionAccess, point: KeyPoint, data: ReviewAction) -> None:
        part = await self._part(access.session, point.agenda_part_id)
        # The roster may have changed since the point was written: check again.
        warnings = self._refuse_blocks(await self.check_text(access.session, part, point.text))
        point.warnings = finding_dicts(warnings)
        # Only what the approver acknowledges now counts: nothing carried over from an
        # earlier edit, and the approver is never an author or editor (checked above).
        acknowledged = self._resolve_acknowledgements(point, data.acknowledge)
        point.acknowledged_warnings = sorted(acknowledged)
        pending = [f for f in warnings if f.code not in acknowledged]
        if pending:
            raise UnacknowledgedWarnings(
                f"{len(pending)} warning(s) not acknowledged; acknowledge them by code or "
                "index, or change the text",
                findings=finding_dicts(pending),
            )
        point.status = KeyPointStatus.APPROVED
        point.approved_at = utcnow()
        point.review_note = data.note

    @staticmethod
    def _require_status(point: KeyPoint, action: str, allowed: Sequence[KeyPointStatus]) -> None:
        if point.status not in allowed:
            raise Conflict(
                f"A {point.status.value} point cannot be {_REVIEW_EVENTS[action].split('.')[1]}",
                current=point.status.value,
                allowed_from=[s.value for s in allowed],
            )

    @staticmethod
    def _resolve_acknowledgements(
        point: KeyPoint, acknowledgements: Sequence[Acknowledgement]
    ) -> set[str]:
        codes = [str(w["code"]) for w in point.warnings]
        resolved: set[str] = set()
        errors = []
        for i, ack in enumerate(acknowledgements):
            if isinstance(ack, int):
                if 0 <= ack < len(codes):
                    resolved.add(codes[ack])
                else:
                    errors.append(_field_error(f"acknowledge.{i}", f"No warning at index {ack}"))
            elif ack in codes:
                resolved.add(ack)
            else:
                errors.append(_field_error(f"acknowledge.{i}", f"No current warning {ack!r}"))
        if errors:
            raise InvalidRequest(errors)
        return resolved

    async def history(self, access: SessionAccess, point: KeyPoint) -> KeyPointHistory:
        """The audit trail of a point: organisers only."""
        access.series_access.require_manage()
        events = await self.repo.history(point.id)
        revisions = await self.repo.revisions(point.id)
        return KeyPointHistory(
            events=[
                HistoryEvent(
                    action=event.action,
                    at=event.created_at,
                    user_id=event.app_user_id,
                    user_email=email,
                    data=event.data,
                )
                for event, email in events
            ],
            revisions=[RevisionRead.model_validate(r) for r in revisions],
        )

    async def _audit(
        self, access: SessionAccess, point: KeyPoint, action: str, data: dict[str, Any]
    ) -> None:
        self._audit_staged(access, point, action, data)
        await self.db.flush()

    def _audit_staged(
        self, access: SessionAccess, point: KeyPoint, action: str, data: dict[str, Any]
    ) -> None:
        self.audit.stage(
            action=action,
            subject_type="key_point",
            subject_id=point.id,
            series_id=access.series.id,
            user_id=access.principal.user_id,
            data=data,
        )

    # -- themes ---------------------------------------------------------------------------

    async def themes(self, access: SeriesAccess) -> list[ThemeRead]:
        return [ThemeRead.model_validate(t) for t in await self.repo.themes(access.series.id)]

    async def theme_matrix(self, access: SeriesAccess) -> ThemeMatrix:
        themes = await self.repo.themes(access.series.id)
        sessions, counts = await self.repo.theme_counts(access.series.id)
        rows = [[counts.get((t.id, s.id), 0) for s in sessions] for t in themes]
        return ThemeMatrix(
            themes=[ThemeRead.model_validate(t) for t in themes],
            sessions=[ThemeSessionRef(id=s.id, number=s.number, title=s.title) for s in sessions],
            counts=rows,
            totals=[sum(row) for row in rows],
        )

    async def add_theme(self, access: SeriesAccess, data: ThemeCreate) -> Theme:
        access.require_manage()
        await Gate(self.db).clear(
            access.series.id,
            [Text("slug", data.slug), Text("label", data.label)],
            acknowledged=data.acknowledge_warnings,
            what="The theme's label or slug (public in reports)",
        )
        themes = list(await self.repo.themes(access.series.id))
        if any(t.slug == data.slug for t in themes):
            raise Conflict("The series already has a theme with this slug", field="slug")
        theme = Theme(
            dialogue_series_id=access.series.id,
            slug=data.slug,
            label=data.label,
            position=len(themes) + 1,
        )
        await self.repo.add_theme(theme)
        if data.position is not None:
            place(themes, theme, data.position)
        await self.db.flush()
        return theme

    async def theme_access(
        self, principal: Principal, theme_id: uuid.UUID
    ) -> tuple[Theme, SeriesAccess]:
        theme = await self.repo.get_theme(theme_id)
        if theme is None:
            raise NotFound("No such theme")
        try:
            access = await SeriesService(self.db).access(principal, theme.dialogue_series_id)
        except NotFound:
            raise NotFound("No such theme") from None
        return theme, access

    async def update_theme(self, access: SeriesAccess, theme: Theme, data: ThemeUpdate) -> Theme:
        access.require_manage()
        if data.label is not None:
            await Gate(self.db).clear(
                access.series.id,
                [Text("label", data.label)],
                acknowledged=data.acknowledge_warnings,
                what="The theme's label (public in reports)",
            )
            theme.label = data.label
        if data.position is not None:
            others = [t for t in await self.repo.themes(access.series.id) if t.id != theme.id]
            place(others, theme, data.position)
        await self.db.flush()
        return theme

    async def delete_theme(self, access: SeriesAccess, theme: Theme) -> None:
        """Remove a theme; points keep their text and lose only the tag."""
        access.require_manage()
        await self.repo.delete_theme(theme)
        await self.repo.bump_series_versions(access.series.id)
        place(list(await self.repo.themes(access.series.id)), None, None)
        await self.db.flush()


def _field_error(field: str, reason: str) -> FieldError:
    return FieldError(location="body", field=field, reason=reason)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A submitted point as its reviewer sees it: text, themes, earlier texts, and whether
    the reviewer wrote or edited it (then four eyes forbid them to approve it)."""

    point: KeyPoint
    themes: list[str]
    revisions: list[KeyPointRevision]
    reviewer_is_author: bool


async def session_points(
    db: AsyncSession, access: SessionAccess, status: KeyPointStatus | None = None
) -> list[tuple[KeyPoint, list[str]]]:
    """Every point of the session in order, with its theme slugs (one statement), for the
    console's recording and review screens."""
    rows, _ = await KeyPointRepository(db).list_for_session(
        access.session.id, PageParams(limit=_SESSION_POINTS_LIMIT, cursor=None), status=status
    )
    return rows


async def review_queue(db: AsyncSession, access: SessionAccess) -> list[ReviewItem]:
    """The session's submitted points with their revisions and authors (three statements)."""
    repo = KeyPointRepository(db)
    rows = await session_points(db, access, KeyPointStatus.SUBMITTED)
    ids = [point.id for point, _ in rows]
    revisions = await repo.revisions_of(ids)
    authors = await repo.authors_of(ids)
    me = access.principal.user_id
    return [
        ReviewItem(point, themes, revisions[point.id], me in authors[point.id])
        for point, themes in rows
    ]


_SESSION_POINTS_LIMIT = 2000
