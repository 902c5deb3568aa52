"""Rules about reports: building them from the records, the publication gate, immutable
versions, public reading, requests for detailed reports and their delivery.

The only roster-derived data a report may contain comes from here, deliberately: the
aggregate composition (``PeopleService.composition``) and, for on-record agenda parts, the
name and position of each person who consented to be named for that part and attended.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditService
from app.confidentiality.checker import Finding
from app.confidentiality.gate import BeingRevised, ClearedDocument, Directory, Gate, Text
from app.config import Settings
from app.errors import Conflict, DomainError, NotFound
from app.kit.clock import as_utc, utcnow
from app.kit.documents import Version
from app.kit.pagination import PageParams
from app.kit.ratelimit import RateLimited, address_key, limit
from app.outbox.events import emit
from app.people.models import AttendanceStatus, Person
from app.people.service import PeopleService
from app.reports import delivery, locales
from app.reports.builder import (
    DigestSource,
    GuestFacts,
    PartFacts,
    PointFacts,
    SeriesFacts,
    SessionFacts,
    SessionSource,
    build_digest,
    build_session_report,
)
from app.reports.events import report_data, report_request_data
from app.reports.guard import Down, admitted_report, taken_down_items
from app.reports.links import BadDownloadLink, DownloadLinks
from app.reports.model import (
    SeriesDigest,
    SessionReport,
    canonical_json,
    content_sha256,
    session_report_from_json,
)
from app.reports.models import (
    PendingReason,
    ReportDownload,
    ReportKind,
    ReportRequest,
    ReportVersion,
    RequestStatus,
)
from app.reports.repository import LatestSummary, ReportRepository
from app.reports.schemas import (
    DownloadRead,
    PublicEditionRef,
    PublicReportRef,
    PublicSeries,
    PublicSession,
    ReportRequestCreate,
    ReportRequestRead,
    ReportVersionRead,
    Republished,
    RequestDecision,
    TakedownsRead,
    TakenDownRead,
)
from app.reports.text import local_date, long_date
from app.series.events import series_data
from app.series.models import DialogueSeries, DisclosureRegime, ReportRequestPolicy
from app.series.service import SeriesAccess, SeriesService, public_series_texts
from app.sessions.calendar import ordinal_word
from app.sessions.events import session_data
from app.sessions.models import AgendaPart, DialogueSession, SessionStatus
from app.sessions.service import SessionAccess, SessionService
from app.users.service import Principal

REPORT_NOT_FOUND = "No such report"
REQUEST_NOT_FOUND = "No such report request"
# A report describes a meeting that took place.
PUBLISHABLE = frozenset({SessionStatus.HELD, SessionStatus.CLOSED})
PUBLIC_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.HELD, SessionStatus.CLOSED)
_HOUR = 3600


class ReportNotPublishable(DomainError):
    """The session cannot have a report (yet)."""

    status = 409
    slug = "report-not-publishable"
    title = "This report cannot be published"


class PublicationBlocked(DomainError):
    """The non-attribution checker found something that would identify a participant."""

    status = 409
    slug = "report-attribution-blocked"
    title = "The report would identify a participant"


class RepublishBlocked(DomainError):
    """Something taken down would still identify someone; nothing was republished."""

    status = 409
    slug = "republish-blocked"
    title = "Still identifies someone; nothing was republished"


class ReportWithdrawn(DomainError):
    """The organisers withdrew this version: it is gone for good, not merely missing."""

    status = 410
    slug = "report-withdrawn"
    title = "This report was withdrawn"


class ReportUnchanged(DomainError):
    """Publishing would make a version identical to the latest one."""

    status = 409
    slug = "report-unchanged"
    title = "Nothing changed since the latest version"


@dataclass(frozen=True, slots=True)
class Delivered:
    """A delivered copy: the stored report, its version, and the recipient marking."""

    report: SessionReport
    version: ReportVersion
    marking: str
    stamp: str


def guest_name(person: Person) -> str:
    """'H.E. Dr. Mutlaq bin Majed al-Qahtani': the only way a name enters a report."""
    return " ".join(p for p in (person.honorific, person.given_name, person.family_name) if p)


def series_facts(series: DialogueSeries) -> SeriesFacts:
    return SeriesFacts(
        title=series.title,
        slug=series.slug,
        organiser=series.organiser,
        partners=tuple(series.partners),
        timezone=series.timezone,
        strapline=series.strapline,
        title_prefix=series.title_prefix,
        dateline=series.dateline,
        closing=series.closing,
        paper=series.paper.value,
    )


def session_facts(session: DialogueSession) -> SessionFacts:
    return SessionFacts(
        id=session.id,
        number=session.number,
        title=session.title,
        starts_at=session.starts_at,
        status=session.status.value,
        format=session.format.value,
        context=session.context,
        default_regime=session.default_regime.value,
    )


def version_stamp(version: ReportVersion, timezone: str) -> str:
    kind = "Summary" if version.kind is ReportKind.SUMMARY else "Detailed report"
    day = long_date(local_date(version.published_at, timezone))
    return f"{kind}, version {version.number}, published {day}"


PUBLIC_FORMATS = ("html", "md", "pdf", "docx", "json")


def public_links(
    base_url: str, report_id: uuid.UUID, language: str | None = None
) -> tuple[str, dict[str, str]]:
    """A public summary's page and its download address per format; with ``language`` (not
    English) those of its edition in that language (``?lang=``)."""
    lang = f"lang={language}" if language and language != "en" else ""
    page = f"{base_url}/reports/{report_id}" + (f"?{lang}" if lang else "")
    api = f"{base_url}/api/v1/public/reports/{report_id}?format="
    return page, {f: api + f + (f"&{lang}" if lang else "") for f in PUBLIC_FORMATS}


def public_edition_ref(
    base_url: str,
    report_id: uuid.UUID,
    version: int,
    language: str,
    number: int,
    published_at: datetime,
) -> PublicEditionRef:
    """A published summary's edition as the public may know it: its language (and that
    language's own name and direction), its label n.m and its addresses."""
    lang = locales.language(language)
    page, formats = public_links(base_url, report_id, language)
    return PublicEditionRef(
        language=language,  # type: ignore[arg-type]  # editions exist in LANGUAGES only
        name=lang.name,
        direction="rtl" if lang.rtl else "ltr",
        version=f"{version}.{number}",
        published_at=as_utc(published_at),
        url=page,
        formats=formats,
    )


def off_record_finding(
    message: str = "The point belongs to an off-the-record part; nothing from it may be published",
) -> dict[str, Any]:
    """A blocking finding for a point whose agenda part is off the record (publication's gate
    and the re-check of published versions)."""
    return {
        "severity": "block",
        "kind": "regime",
        "start": 0,
        "end": 0,
        "excerpt": "",
        "message": message,
        "code": "off-record",
    }


SubscriberCheck = Callable[[AsyncSession, str, uuid.UUID], Awaitable[bool]]
"""Whether an address is a confirmed subscriber of a series. The newsletter domain answers
it (it sits above this one, so this one cannot import it); the composition root registers
it (:func:`provide_subscriber_check`, called by ``app.wiring.wire``)."""

_subscriber_check: SubscriberCheck | None = None


def provide_subscriber_check(check: SubscriberCheck) -> None:
    """Register who answers "is this address a confirmed subscriber of the series?"."""
    global _subscriber_check
    _subscriber_check = check


@dataclass(frozen=True, slots=True)
class ReportAccess:
    """A report version of a series the caller is a member of, with the caller's access to
    that series (``ReportMember`` in a route's signature)."""

    version: ReportVersion
    series_access: SeriesAccess

    @property
    def principal(self) -> Principal:
        return self.series_access.principal

    @property
    def id(self) -> uuid.UUID:
        return self.version.id


class ReportService:
    """Building, publishing, reading and delivering reports."""

    def __init__(self, db: AsyncSession, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.repo = ReportRepository(db)
        self.sessions = SessionService(db)
        self.people = PeopleService(db)
        self.audit = AuditService(db)
        # Accesses resolved in this unit of work: a route's dependency resolves the caller's
        # access to the report once, and the service it calls finds it here.
        self._accesses: dict[tuple[uuid.UUID, bool, uuid.UUID], ReportAccess] = {}

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def links(self) -> DownloadLinks:
        return DownloadLinks(
            self.settings.secret_key.get_secret_value(),
            days=self.settings.reports.download_link_days,
        )

    # -- building -------------------------------------------------------------------------

    async def _guests(
        self, session: DialogueSession, parts: Sequence[AgendaPart]
    ) -> dict[uuid.UUID, list[GuestFacts]]:
        """Consenting people of each on-record part, as name and position strings.

        Held and closed sessions name only those marked as attended; a preview of a session
        still to come names those who confirmed.
        """
        on_record = {p.id for p in parts if p.regime is DisclosureRegime.ON_RECORD}
        if not on_record:
            return {}
        present = (
            {AttendanceStatus.ATTENDED}
            if session.status in PUBLISHABLE
            else {AttendanceStatus.ATTENDED, AttendanceStatus.CONFIRMED}
        )
        found: dict[uuid.UUID, list[tuple[str, str, GuestFacts]]] = defaultdict(list)
        for member in await self.people.session_roster(session.id):
            if member.attendance.status not in present:
                continue
            person = member.person
            for part_id in member.on_record_part_ids & on_record:
                found[part_id].append(
                    (
                        person.family_name.lower(),
                        person.given_name.lower(),
                        GuestFacts(name=guest_name(person), position=person.position),
                    )
                )
        return {pid: [g for *_, g in sorted(gs, key=lambda t: t[:2])] for pid, gs in found.items()}

    async def _source(
        self, series: DialogueSeries, session: DialogueSession
    ) -> tuple[SessionSource, Sequence[AgendaPart]]:
        parts = await self.sessions.list_parts(session.id)
        guests = await self._guests(session, parts)
        earlier = [
            session_facts(s)
            for s in await self.repo.sessions_of_series(series.id, PUBLISHABLE)
            if s.number < session.number
        ]
        source = SessionSource(
            series=series_facts(series),
            session=session_facts(session),
            parts=tuple(
                PartFacts(
                    id=p.id,
                    position=p.position,
                    title=p.title,
                    kind=p.kind.value,
                    regime=p.regime.value,
                    topic=p.topic,
                    guests=tuple(guests.get(p.id, ())),
                )
                for p in parts
            ),
            points=tuple(await self.repo.approved_points(session_id=session.id)),
            themes=tuple(await self.repo.themes(series.id)),
            composition=await self.people.composition(session.id),
            earlier=tuple(earlier),
            base_url=self.base_url,
        )
        return source, parts

    async def preview(self, access: SessionAccess, kind: ReportKind) -> SessionReport:
        """The report as it would be published now (members only; nothing is stored)."""
        source, _ = await self._source(access.series, access.session)
        return build_session_report(source, "summary" if kind is ReportKind.SUMMARY else "detailed")

    async def digest(self, access: SeriesAccess) -> SeriesDigest:
        """The series digest over every session and approved point (members only)."""
        series = access.series
        sessions = await self.repo.sessions_of_series(series.id)
        return build_digest(
            DigestSource(
                series=series_facts(series),
                sessions=tuple(
                    session_facts(s)
                    for s in sessions
                    if s.status not in (SessionStatus.DRAFT, SessionStatus.CANCELLED)
                ),
                points=tuple(await self.repo.approved_points(series_id=series.id)),
                themes=tuple(await self.repo.themes(series.id)),
                base_url=self.base_url,
            )
        )

    # -- publication ----------------------------------------------------------------------

    async def _gate(
        self,
        session: DialogueSession,
        parts: Sequence[AgendaPart],
        points: Sequence[PointFacts],
    ) -> None:
        """Re-run the non-attribution checker over every approved point (and the session's
        own texts) against the current roster; any block finding refuses publication."""
        matcher = await Gate(self.db).directory(session.dialogue_series_id)
        by_id = {p.id: p for p in parts}
        blocked: list[dict[str, Any]] = []
        for point in points:
            part = by_id.get(point.part_id) if point.part_id else None
            regime = part.regime if part is not None else session.default_regime
            if regime is DisclosureRegime.OFF_RECORD:
                blocked.append({"point_id": str(point.id), "findings": [off_record_finding()]})
                continue
            found = self._blocks(matcher, part, point.text)
            if found:
                blocked.append({"point_id": str(point.id), "findings": found})
        fields: list[dict[str, Any]] = []
        texts: list[tuple[str, AgendaPart | None, str]] = [
            ("session.title", None, session.title),
            ("session.context", None, session.context),
        ]
        for part in parts:
            if part.regime is not DisclosureRegime.OFF_RECORD:
                texts.append((f"parts.{part.position}.title", part, part.title))
                if part.topic:
                    texts.append((f"parts.{part.position}.topic", part, part.topic))
        for field, part, text in texts:
            found = self._blocks(matcher, part, text)
            if found:
                fields.append({"field": field, "findings": found})
        if blocked or fields:
            raise PublicationBlocked(
                f"{len(blocked)} approved point(s) and {len(fields)} session text(s) would "
                "identify a participant on the current roster; edit them (points go back to "
                "review) and publish again",
                points=blocked,
                fields=fields,
            )

    @staticmethod
    def _blocks(matcher: Directory, part: AgendaPart | None, text: str) -> list[Any]:
        allowed: frozenset[str] = frozenset()
        if part is not None and part.regime is DisclosureRegime.ON_RECORD:
            allowed = matcher.snapshot.allowed([part.id])
        findings: list[Finding] = matcher.checker.check(text, allowed_person_ids=allowed)
        return [f.as_dict() for f in findings if f.severity == "block"]

    async def publish(
        self, access: SessionAccess, kind: ReportKind, changelog: str | None
    ) -> ReportVersion:
        """Freeze a new numbered version (organisers): only for a held or closed session
        with approved points, and only when the checker finds nothing that identifies
        anyone on the current roster."""
        access.series_access.require_manage()
        session, series = access.session, access.series
        if session.status not in PUBLISHABLE:
            raise ReportNotPublishable(
                f"A {session.status.value} session has no report; publish once it is held",
                current=session.status.value,
            )
        source, parts = await self._source(series, session)
        if not source.points:
            raise ReportNotPublishable(
                "The session has no approved key points; approve at least one first"
            )
        await self._gate(session, parts, source.points)
        report = build_session_report(
            source, "summary" if kind is ReportKind.SUMMARY else "detailed"
        )
        content = canonical_json(report)
        digest = content_sha256(content)
        latest = await self.repo.latest(session.id, kind)
        if latest is not None and latest.content_sha256 == digest:
            raise ReportUnchanged(
                f"Version {latest.number} already has exactly this content",
                report_id=str(latest.id),
            )
        version = ReportVersion(
            dialogue_series_id=series.id,
            dialogue_session_id=session.id,
            kind=kind,
            number=await self.repo.next_number(session.id, kind),
            content=content,
            content_sha256=digest,
            changelog=changelog,
            published_at=utcnow(),
            published_by_id=access.principal.user_id,
        )
        await self.repo.add(version)
        await self.audit.record(
            action="report.published",
            subject_type="report_version",
            subject_id=version.id,
            series_id=series.id,
            user_id=access.principal.user_id,
            data={
                "session_id": str(session.id),
                "kind": kind.value,
                "number": version.number,
                "sha256": digest,
            },
        )
        if series.listed_at is None:
            # The first publication lists the series: public listings and integrations
            # hear of it now.
            series.listed_at = utcnow()
            await self.db.flush()
            cleared = await public_series_texts(self.db, series)
            if cleared is not None:
                await emit(self.db, "series.created", series.id, series_data(series, cleared))
        await emit(self.db, "report.published", series.id, report_data(version))
        if kind is ReportKind.DETAILED:
            for request in await self.repo.waiting_for_detailed(session.id):
                await self._approve(request, series, session, version)
        return version

    def version_read(self, version: ReportVersion) -> ReportVersionRead:
        public = version.kind is ReportKind.SUMMARY and version.withdrawn_at is None
        return ReportVersionRead(
            id=version.id,
            series_id=version.dialogue_series_id,
            session_id=version.dialogue_session_id,
            kind=version.kind,
            number=version.number,
            published_at=as_utc(version.published_at),
            content_sha256=version.content_sha256,
            changelog=version.changelog,
            public_url=f"{self.base_url}/reports/{version.id}" if public else None,
            withdrawn_at=as_utc(version.withdrawn_at) if version.withdrawn_at else None,
            withdrawn_reason=version.withdrawn_reason,
        )

    async def versions(self, access: SessionAccess) -> list[ReportVersion]:
        """Summaries first, then detailed reports, each oldest first."""
        versions = await self.repo.versions(access.session.id)
        return sorted(versions, key=lambda v: (v.kind is not ReportKind.SUMMARY, v.number))

    async def report_access(self, principal: Principal, report_id: uuid.UUID) -> ReportAccess:
        """A version (and the caller's access to its series) for a member of that series;
        404 for anyone else, exactly like an unknown id. Every member route of a report
        version and its editions goes through here, once per unit of work."""
        key = (principal.user_id, principal.is_admin, report_id)
        found = self._accesses.get(key)
        if found is not None:
            return found
        version = await self.repo.get_version(report_id)
        if version is None:
            raise NotFound(REPORT_NOT_FOUND)
        try:
            access = await SeriesService(self.db).access(principal, version.dialogue_series_id)
        except NotFound:
            raise NotFound(REPORT_NOT_FOUND) from None
        found = self._accesses[key] = ReportAccess(version, access)
        return found

    async def member_version(self, principal: Principal, report_id: uuid.UUID) -> ReportVersion:
        """A version of a series the caller is a member of; 404 for anyone else."""
        return (await self.report_access(principal, report_id)).version

    async def withdraw(
        self, principal: Principal, report_id: uuid.UUID, reason: str
    ) -> list[ReportVersion]:
        """Withdraw a version and every earlier version of the same kind of its session
        (organisers): an earlier version is a draft of the same text, so it goes too. Public
        addresses answer 410 from now on, the public series shows no summary for the session
        until a new version is published, and download links of detailed versions stop
        working. The content stays readable to the series' members."""
        report = await self.report_access(principal, report_id)
        version, access = report.version, report.series_access
        access.require_manage()
        if version.withdrawn_at is not None:
            raise Conflict(f"Version {version.number} is already withdrawn")
        now = utcnow()
        taken = list(
            await self.repo.in_force_up_to(
                version.dialogue_session_id, version.kind, version.number
            )
        )
        for each in taken:
            each.withdrawn_at = now
            each.withdrawn_reason = reason
            each.withdrawn_by_id = principal.user_id
            await self._withdraw_editions(each, reason, now)
        await self.db.flush()
        await self.audit.record(
            action="report.withdrawn",
            subject_type="report_version",
            subject_id=version.id,
            series_id=version.dialogue_series_id,
            user_id=principal.user_id,
            data={
                "session_id": str(version.dialogue_session_id),
                "kind": version.kind.value,
                "numbers": [each.number for each in taken],
                "reason": reason,
            },
        )
        for each in taken:
            await emit(self.db, "report.withdrawn", each.dialogue_series_id, report_data(each))
        return taken

    async def _withdraw_editions(self, version: ReportVersion, reason: str, now: datetime) -> None:
        """A withdrawn version's editions go with it (they translate its content)."""
        for edition in await self.repo.editions(version.id):
            if edition.withdrawn_at is None:
                edition.withdrawn_at = now
                edition.withdrawn_reason = reason

    # -- taken down, and back -------------------------------------------------------------

    async def takedowns(self, access: SeriesAccess) -> TakedownsRead:
        """What the guard took down in the series, with what it finds in each now."""
        items = await taken_down_items(self.db, access.series)
        return TakedownsRead(items=[_down_read(d) for d in items])

    async def republish(self, access: SeriesAccess) -> Republished:
        """Put back everything the guard took down, in one action (organisers), once the
        fix is made: the series' and sessions' texts and report versions that pass the
        directory now are released as they were; a report version whose content still names
        someone is replaced by a new version published from the current records (which
        passes the publication gate, or nothing happens). All or nothing: if anything would
        still identify someone, nothing is republished (409 ``republish-blocked``)."""
        access.require_manage()
        series = access.series
        items = await taken_down_items(self.db, series)
        problems = [_down_read(d).model_dump(mode="json") for d in items if d.fields]
        released: list[TakenDownRead] = []
        published: list[ReportVersionRead] = []
        now = utcnow()
        # A version whose own texts pass, and only an edition of it names someone: the
        # version comes back, the edition is withdrawn (published editions never change;
        # its translators make a new one).
        in_editions = {
            d.id: {str(f["field"]).split(".")[1] for f in d.fields}
            for d in items
            if d.kind == "report"
            and d.fields
            and all(str(f["field"]).startswith("editions.") for f in d.fields)
        }
        replace = {d.id for d in items if d.kind == "report" and d.fields} - set(in_editions)
        problems = [p for p in problems if p["kind"] != "report"]
        for d in items:
            if d.kind == "series" and not d.fields:
                series.taken_down_at = None
                released.append(_down_read(d))
            elif d.kind == "session" and not d.fields:
                session = await self.db.get(DialogueSession, d.id)
                assert session is not None
                session.taken_down_at = None
                session.calendar_sequence += 1
                released.append(_down_read(d))
            elif d.kind == "report" and d.id not in replace:
                version = await self.db.get(ReportVersion, d.id)
                assert version is not None
                version.taken_down_at = None
                for edition in await self.repo.editions(version.id):
                    if edition.language in in_editions.get(d.id, ()) and not edition.withdrawn_at:
                        edition.withdrawn_at = now
                        edition.withdrawn_reason = (
                            "Withdrawn on republication: it named someone in the directory"
                        )
                released.append(_down_read(d))
        await self.db.flush()
        for d in items:
            if d.kind != "report" or d.id not in replace:
                continue
            old = await self.db.get(ReportVersion, d.id)
            assert old is not None
            session = await self.db.get(DialogueSession, old.dialogue_session_id)
            assert session is not None
            try:
                new = await self.publish(
                    SessionAccess(session=session, series_access=access),
                    old.kind,
                    f"Republished after version {old.number} was taken down for revision",
                )
            except (PublicationBlocked, ReportNotPublishable, ReportUnchanged) as exc:
                problems.append(_down_read(d).model_dump(mode="json") | {"publication": exc.detail})
                continue
            old.withdrawn_at = now
            old.withdrawn_reason = f"Replaced by version {new.number} after a takedown"
            old.withdrawn_by_id = access.principal.user_id
            await self._withdraw_editions(old, old.withdrawn_reason, now)
            published.append(self.version_read(new))
        if problems:
            raise RepublishBlocked(
                f"{len(problems)} item(s) would still identify someone in the series' "
                "directory; fix them (see `items`) and republish",
                items=problems,
            )
        await self.db.flush()
        await self._announce_republished(series, released)
        await self.audit.record(
            action="publication.republished",
            subject_type="series",
            subject_id=series.id,
            series_id=series.id,
            user_id=access.principal.user_id,
            data={
                "released": [r.model_dump(mode="json") for r in released],
                "published": [str(p.id) for p in published],
            },
        )
        return Republished(released=released, published=published)

    async def _announce_republished(
        self, series: DialogueSeries, released: Sequence[TakenDownRead]
    ) -> None:
        for item in released:
            if item.kind == "report":
                version = await self.db.get(ReportVersion, item.id)
                if version is not None:
                    await emit(self.db, "report.republished", series.id, report_data(version))
            elif item.kind == "session":
                session = await self.db.get(DialogueSession, item.id)
                if session is None:
                    continue
                texts = await self.sessions.public_texts(session)
                if texts is not None:
                    data = session_data(session, texts)
                    await emit(self.db, "session.updated", series.id, data)
            elif item.kind == "series" and series.listed_at is not None:
                cleared = await public_series_texts(self.db, series)
                if cleared is not None:
                    await emit(self.db, "series.updated", series.id, series_data(series, cleared))

    # -- public reading -------------------------------------------------------------------

    async def public_version(
        self, *, slug: str | None = None, report_id: uuid.UUID | None = None
    ) -> Version | None:
        """The version of a series' public documents, found by its slug or by one of its
        report versions (None: no such series or version)."""
        return await self.repo.public_version(slug=slug, report_id=report_id)

    async def public_summary(self, report_id: uuid.UUID) -> ClearedDocument[ReportVersion]:
        """A published summary, as the guard admits it against the series' directory now;
        detailed versions are never public (404, like no version); a withdrawn summary is
        gone (410 ``report-withdrawn``); one taken down, or that would name someone now, is
        being revised (410 ``being-revised``)."""
        found = await self.repo.version_with_directory(report_id)
        if found is None or found[0].kind is not ReportKind.SUMMARY:
            raise NotFound(REPORT_NOT_FOUND)
        version, directory_version = found
        if version.withdrawn_at is not None:
            raise ReportWithdrawn("The organisers withdrew this summary")
        cleared = None
        if version.taken_down_at is None:
            cleared = await admitted_report(self.db, version, directory_version)
        if cleared is None:
            raise BeingRevised("This summary is being revised; please come back later")
        return cleared

    async def _public_series(
        self,
        series: DialogueSeries,
        sessions: Sequence[DialogueSession],
        summaries: dict[uuid.UUID, LatestSummary],
    ) -> PublicSeries | None:
        """The series' public projection, with only the texts the guard admits now: None
        when the series' own texts are taken down or name someone; a session whose title
        does is left out."""
        texts = await public_series_texts(self.db, series)
        if texts is None:
            return None
        base = self.base_url
        out: list[PublicSession] = []
        for s in sessions:
            session_texts = await self.sessions.public_texts(s, series.directory_version)
            if session_texts is None:
                continue
            day = local_date(s.starts_at, series.timezone)
            ref = summaries.get(s.id)
            out.append(
                PublicSession(
                    number=s.number,
                    title=session_texts["title"],
                    date=day.isoformat(),
                    date_long=long_date(day),
                    starts_at=as_utc(s.starts_at),
                    ends_at=as_utc(s.ends_at),
                    timezone=s.timezone,
                    status=s.status.value,  # type: ignore[arg-type]  # PUBLIC_STATUSES only
                    summary=None if ref is None else self._summary_ref(ref),
                )
            )
        return PublicSeries(
            slug=texts["slug"],
            title=texts["title"],
            description=texts["description"],
            organiser=texts["organiser"],
            partners=[texts[f"partners.{i}"] for i in range(len(series.partners))],
            strapline=texts["strapline"],
            timezone=series.timezone,
            url=f"{base}/series/{series.slug}",
            subscribe_url=f"{base}/subscribe?series={series.slug}",
            sessions=out,
        )

    def _summary_ref(self, ref: LatestSummary) -> PublicReportRef:
        page, formats = public_links(self.base_url, ref.report_id)
        return PublicReportRef(
            report_id=ref.report_id,
            version=ref.number,
            published_at=as_utc(ref.published_at),
            url=page,
            formats=formats,
            editions=[
                public_edition_ref(
                    self.base_url, ref.report_id, ref.number, e.language, e.number, e.published_at
                )
                for e in ref.editions
            ],
        )

    async def _with_sessions(
        self, series_list: Sequence[DialogueSeries]
    ) -> list[PublicSeries | None]:
        sessions = await self.repo.public_sessions([s.id for s in series_list], PUBLIC_STATUSES)
        ids = [s.id for group in sessions.values() for s in group]
        summaries = await self.repo.latest_summaries(ids)
        return [
            await self._public_series(s, sessions.get(s.id, []), summaries) for s in series_list
        ]

    async def public_series_list(self, params: PageParams) -> tuple[list[PublicSeries], str | None]:
        """Every series with its public sessions and their latest summaries (3 statements)."""
        rows, cursor = await self.repo.list_series(params)
        # A series being revised is left out of the listing, as an unlisted one is.
        return [p for p in await self._with_sessions(rows) if p is not None], cursor

    async def public_series(self, slug: str) -> PublicSeries:
        """A series by its slug (listed or not: its address is its own), or 410 while it
        is being revised."""
        series = await self.repo.series_by_slug(slug)
        if series is None:
            raise NotFound("No such series")
        found = (await self._with_sessions([series]))[0]
        if found is None:
            raise BeingRevised("This series' public page is being revised")
        return found

    async def public_series_of(self, version: ReportVersion) -> PublicSeries:
        """The series of a version as it is now (its slug may have changed since)."""
        series = await self.db.get(DialogueSeries, version.dialogue_series_id)
        if series is None:
            raise NotFound("No such series")
        found = (await self._with_sessions([series]))[0]
        if found is None:
            raise BeingRevised("This series' public page is being revised")
        return found

    # -- report requests ------------------------------------------------------------------

    async def request_report(self, data: ReportRequestCreate, ip: str) -> None:
        """Record a request; its outcome never changes the answer (always the same 202).

        Over the per-IP limit is a 429; over the per-address limit is silently ignored, so
        the answer never depends on the address.
        """
        public = self.settings.public
        await limit(self.db, f"report-request:ip:{ip}", public.rate_limit_per_ip_per_hour, _HOUR)
        email = str(data.email).strip().lower()
        secret = self.settings.secret_key.get_secret_value()
        try:
            await limit(
                self.db,
                f"report-request:address:{address_key(secret, email)}",
                public.rate_limit_per_address_per_hour,
                _HOUR,
            )
        except RateLimited:
            return
        series = await self.repo.series_by_slug(data.series)
        if series is None:
            return
        session = await self.repo.session_by_number(series.id, data.session)
        if session is None or session.status not in PUBLISHABLE:
            return
        if await self.repo.pending_request(session.id, email) is not None:
            return
        request = ReportRequest(
            dialogue_series_id=series.id,
            dialogue_session_id=session.id,
            email=email,
            status=RequestStatus.PENDING,
            pending_reason=PendingReason.AWAITING_REVIEW,
            approved_by_policy=False,
        )
        await self.repo.add(request)
        if series.report_request_policy is ReportRequestPolicy.CONFIRMED_SUBSCRIBERS and (
            await self._is_confirmed_subscriber(email, series.id)
        ):
            request.approved_by_policy = True
            request.decided_at = utcnow()
            await self._approve(request, series, session)
        await self.db.flush()
        event = report_request_data(request, session.number)
        await emit(self.db, "report_request.created", series.id, event)

    async def _is_confirmed_subscriber(self, email: str, series_id: uuid.UUID) -> bool:
        if _subscriber_check is None:
            raise RuntimeError("app.wiring.wire() registers the subscriber check at start-up")
        return await _subscriber_check(self.db, email, series_id)

    async def _approve(
        self,
        request: ReportRequest,
        series: DialogueSeries,
        session: DialogueSession,
        version: ReportVersion | None = None,
    ) -> None:
        """Send the latest published detailed version; without one the request waits and is
        sent when one is published."""
        version = version or await self.repo.latest(session.id, ReportKind.DETAILED, usable=True)
        if version is None:
            request.pending_reason = PendingReason.NO_DETAILED_REPORT
            await self.db.flush()
            return
        request.status = RequestStatus.APPROVED
        request.pending_reason = None
        request.report_version_id = version.id
        await self.db.flush()
        token = self.links.make(request.id, version.id)
        url = f"{self.base_url}/reports/download?token={token}"
        days = self.settings.reports.download_link_days
        expires = long_date(local_date(utcnow() + timedelta(days=days), series.timezone))
        report = session_report_from_json(version.content)
        await delivery.send_download_link(
            self.db,
            request_id=request.id,
            version_id=version.id,
            to=request.email,
            context={
                "series_title": series.title,
                "ordinal": ordinal_word(session.number),
                "report_title": report.title,
                "pdf_url": url + "&format=pdf",
                "html_url": url + "&format=html",
                "expires_on": expires,
                "recipient": request.email,
                "organiser": series.organiser,
                "title": report.title,
            },
        )

    async def _request_access(
        self, principal: Principal, request_id: uuid.UUID
    ) -> tuple[ReportRequest, SeriesAccess]:
        request = await self.repo.get_request(request_id)
        if request is None:
            raise NotFound(REQUEST_NOT_FOUND)
        try:
            access = await SeriesService(self.db).access(principal, request.dialogue_series_id)
        except NotFound:
            raise NotFound(REQUEST_NOT_FOUND) from None
        return request, access

    async def decide(
        self, principal: Principal, request_id: uuid.UUID, data: RequestDecision
    ) -> ReportRequest:
        """Approve or decline a pending request (organisers of the series)."""
        request, access = await self._request_access(principal, request_id)
        access.require_manage()
        if request.status is not RequestStatus.PENDING:
            raise Conflict(
                f"The request is already {request.status.value}", current=request.status.value
            )
        session = await self.db.get(DialogueSession, request.dialogue_session_id)
        assert session is not None  # foreign key
        series = access.series
        if data.decision == "decline" and data.note:
            # The note goes to the requester, outside the series.
            await Gate(self.db).clear(
                series.id,
                [Text("note", data.note)],
                acknowledged=data.acknowledge_warnings,
                what="The decline note (e-mailed to the requester)",
            )
        request.decided_by_id = principal.user_id
        request.decided_at = utcnow()
        request.note = data.note
        if data.decision == "approve":
            await self._approve(request, series, session)
        else:
            request.status = RequestStatus.DECLINED
            request.pending_reason = None
            summary = await self.repo.latest(session.id, ReportKind.SUMMARY, usable=True)
            await delivery.send_decline(
                self.db,
                request_id=request.id,
                to=request.email,
                context={
                    "series_title": series.title,
                    "ordinal": ordinal_word(session.number),
                    "report_title": f"{series.title}, {ordinal_word(session.number)} session",
                    "note": data.note or "",
                    "summary_url": f"{self.base_url}/reports/{summary.id}"
                    if summary
                    else f"{self.base_url}/series/{series.slug}",
                    "subscribe_url": f"{self.base_url}/subscribe?series={series.slug}",
                    "organiser": series.organiser,
                    "title": series.title,
                },
            )
        await self.audit.record(
            action=f"report_request.{data.decision}d",
            subject_type="report_request",
            subject_id=request.id,
            series_id=series.id,
            user_id=principal.user_id,
            data={"status": request.status.value, "note": data.note},
        )
        await self.db.flush()
        event = report_request_data(request, session.number)
        await emit(self.db, "report_request.decided", series.id, event)
        return request

    async def list_requests(
        self, access: SeriesAccess, params: PageParams, status: RequestStatus | None
    ) -> tuple[list[ReportRequestRead], str | None]:
        """The series' requests, oldest first, with every download (organisers)."""
        access.require_manage()
        rows, cursor = await self.repo.list_requests(access.series.id, params, status)
        downloads = await self.repo.downloads([r.id for r, _ in rows])
        return [self.request_read(r, number, downloads.get(r.id, [])) for r, number in rows], cursor

    async def request_read_one(self, request: ReportRequest) -> ReportRequestRead:
        number = await self.repo.session_number(request.dialogue_session_id)
        downloads = await self.repo.downloads([request.id])
        return self.request_read(request, number, downloads.get(request.id, []))

    @staticmethod
    def request_read(
        request: ReportRequest, number: int, downloads: Sequence[tuple[ReportDownload, int]]
    ) -> ReportRequestRead:
        return ReportRequestRead(
            id=request.id,
            series_id=request.dialogue_series_id,
            session_id=request.dialogue_session_id,
            session_number=number,
            email=request.email,
            status=request.status,
            pending_reason=request.pending_reason,
            approved_by_policy=request.approved_by_policy,
            decided_at=as_utc(request.decided_at) if request.decided_at else None,
            note=request.note,
            report_id=request.report_version_id,
            created_at=as_utc(request.created_at),
            downloads=[
                DownloadRead(
                    at=as_utc(d.downloaded_at),
                    version=n,
                    report_id=d.report_version_id,
                    format=d.format,
                )
                for d, n in downloads
            ],
        )

    # -- delivery -------------------------------------------------------------------------

    async def open_download(self, token: str | None, fmt: str) -> Delivered:
        """Verify a download link, log the download, and give the marked copy's inputs."""
        link = self.links.read(token)
        request = await self.repo.get_request(link.request_id)
        if (
            request is None
            or request.status is not RequestStatus.APPROVED
            or request.report_version_id != link.version_id
        ):
            raise BadDownloadLink("invalid")
        version = await self.repo.get_version(link.version_id)
        if version is None:
            raise BadDownloadLink("invalid")
        if version.withdrawn_at is not None:
            raise BadDownloadLink("withdrawn", request.id)
        # A requester is outside the series: the detailed report passes the guard too.
        if version.taken_down_at is not None or await admitted_report(self.db, version) is None:
            raise BadDownloadLink("revised", request.id)
        report = session_report_from_json(version.content)
        tz = report.series.timezone
        today = long_date(local_date(utcnow(), tz))
        await self.repo.add(
            ReportDownload(
                report_request_id=request.id,
                report_version_id=version.id,
                email=request.email,
                format=fmt,
                downloaded_at=utcnow(),
            )
        )
        return Delivered(
            report=report,
            version=version,
            marking=f"Prepared for {request.email} on {today}. Not for circulation.",
            stamp=version_stamp(version, tz),
        )

    async def request_form_context(
        self, request_id: uuid.UUID | None
    ) -> tuple[DialogueSeries, int] | None:
        """The series and session number of a request, to offer a new one."""
        if request_id is None:
            return None
        request = await self.repo.get_request(request_id)
        if request is None:
            return None
        series = await self.db.get(DialogueSeries, request.dialogue_series_id)
        if series is None:
            return None
        return series, await self.repo.session_number(request.dialogue_session_id)


def _down_read(d: Down) -> TakenDownRead:
    return TakenDownRead(
        kind=d.kind,  # type: ignore[arg-type]  # series|session|report by construction
        id=d.id,
        label=d.label,
        taken_down_at=as_utc(d.taken_down_at),
        fields=d.fields,
    )
