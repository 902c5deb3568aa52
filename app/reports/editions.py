"""Editions: a published version's translations into the readers' languages.

An edition of version ``n`` translates every public text that version prints (the series'
and sessions' texts, the agenda, the points, the themes, on-record guests, the closing). Its
life is the key points' one: a member enters it (``PUT``: every text passes the guard, a
block is a 422 naming the field, a warning needs acknowledging), submits it when complete,
another member who is an organiser approves it (four eyes: never its translator) or returns
it, and an organiser publishes it as version ``n.m``. Publication builds the report again
from the records in the edition's language, and only if the records still give version
``n``'s content byte for byte (its SHA-256): an edition always says what its version says.
Withdrawing a version withdraws its editions; the guard's re-check reads them with it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditService
from app.confidentiality.gate import BeingRevised, ClearedDocument, Gate, Text
from app.config import Settings
from app.errors import Conflict, DomainError, FieldError, Forbidden, InvalidRequest, NotFound
from app.kit.clock import as_utc, utcnow
from app.outbox.events import emit
from app.reports import locales
from app.reports.builder import (
    Edition,
    EditionTexts,
    GuestText,
    IncompleteEdition,
    PartText,
    SessionKind,
    SessionSource,
    build_session_report,
)
from app.reports.events import edition_data
from app.reports.guard import report_texts
from app.reports.model import (
    SessionReport,
    canonical_json,
    content_sha256,
    session_report_from_json,
)
from app.reports.models import EditionStatus, ReportEdition, ReportKind, ReportVersion
from app.reports.repository import ReportRepository
from app.reports.schemas import (
    EditionRead,
    EditionReview,
    EditionSource,
    EditionTextsIn,
    EditionWrite,
    GuestTextsIn,
    PartTextsIn,
    SeriesTextsIn,
    SessionTextsIn,
)
from app.reports.service import (
    ReportService,
    ReportWithdrawn,
    public_edition_ref,
)
from app.series.service import SeriesAccess
from app.sessions.models import AgendaPart, DialogueSession
from app.users.service import Principal

# The version itself is the edition in the records' language (English); editions translate
# it into the others.
ORIGINAL = "en"
LANGUAGES = tuple(tag for tag in locales.LANGUAGES if tag != ORIGINAL)
EDITION_NOT_FOUND = "No such edition"


class EditionSourceChanged(DomainError):
    """The records no longer give the version's content: an edition would not translate it."""

    status = 409
    slug = "edition-source-changed"
    title = "The records changed since this version was published"


class EditionBlocked(DomainError):
    """Something in the edition would identify a participant: it cannot be published."""

    status = 409
    slug = "edition-attribution-blocked"
    title = "The edition would identify a participant"


@dataclass(frozen=True, slots=True)
class EditionDocument:
    """A published edition with its version and its report, cleared for the public."""

    edition: ReportEdition
    version: ReportVersion
    report: SessionReport


def _kind(version: ReportVersion) -> SessionKind:
    return "summary" if version.kind is ReportKind.SUMMARY else "detailed"


def edition_label(version: ReportVersion, edition: ReportEdition) -> str | None:
    """'n.m' of a published edition (None before it is published)."""
    if edition.status is not EditionStatus.PUBLISHED or edition.number is None:
        return None
    return f"{version.number}.{edition.number}"


def texts_in(data: EditionTextsIn, calendar: str, language: str) -> Edition:
    """The builder's :class:`Edition` from a stored translation."""
    return Edition(
        language=language,
        calendar="solar_hijri" if calendar == "solar_hijri" else "gregorian",
        texts=EditionTexts(
            series_title=data.series.title,
            organiser=data.series.organiser,
            partners=tuple(data.series.partners),
            strapline=data.series.strapline,
            title_prefix=data.series.title_prefix,
            dateline=data.series.dateline,
            closing=data.series.closing,
            sessions={k: (v.title, v.context) for k, v in data.sessions.items()},
            parts={k: PartText(v.title, v.topic) for k, v in data.parts.items()},
            points=dict(data.points),
            themes=dict(data.themes),
            guests={k: GuestText(v.name, v.position) for k, v in data.guests.items()},
        ),
    )


def source_texts(source: SessionSource) -> EditionTextsIn:
    """The texts an edition of a report built from ``source`` translates, in the records'
    language (a template for the translator)."""
    series = source.series
    printed = [p for p in source.parts if p.regime != "off_record"]
    return EditionTextsIn(
        series=SeriesTextsIn(
            title=series.title,
            organiser=series.organiser,
            partners=list(series.partners),
            strapline=series.strapline,
            title_prefix=series.title_prefix,
            dateline=series.dateline,
            closing=series.closing,
        ),
        sessions={
            s.id: SessionTextsIn(title=s.title, context=s.context)
            for s in (*source.earlier, source.session)
        },
        parts={p.id: PartTextsIn(title=p.title, topic=p.topic) for p in printed},
        points={p.id: p.text for p in source.points},
        themes={t.slug: t.label for t in source.themes},
        guests={
            g.name: GuestTextsIn(name=g.name, position=g.position)
            for p in printed
            for g in p.guests
        },
    )


def _unknown_keys(data: EditionTextsIn, source: SessionSource) -> list[FieldError]:
    """Keys of the translation that name nothing the version prints."""
    expected = source_texts(source)
    out: list[FieldError] = []
    for name in ("sessions", "parts", "points", "themes", "guests"):
        known = getattr(expected, name)
        for key in getattr(data, name):
            if key not in known:
                out.append(
                    FieldError(
                        location="body",
                        field=f"texts.{name}.{key}",
                        reason=f"The version prints no such {name[:-1]}",
                        code="unknown-key",
                    )
                )
    return out


def gate_texts(data: EditionTextsIn, source: SessionSource) -> list[Text]:
    """Every text of the translation with the consent that applies to it: texts of an
    on-record part (its title, its points, its guests) may name who consented for it;
    nothing else may name anyone."""
    on_record = {p.id for p in source.parts if p.regime == "on_record"}
    part_of_point = {p.id: p.part_id for p in source.points}
    guest_parts: dict[str, set[uuid.UUID]] = {}
    for p in source.parts:
        for g in p.guests:
            if p.id in on_record:
                guest_parts.setdefault(g.name, set()).add(p.id)

    def consent(part_id: uuid.UUID | None) -> frozenset[uuid.UUID]:
        return frozenset({part_id}) if part_id in on_record and part_id else frozenset()

    s = data.series
    texts = [
        Text("texts.series.title", s.title),
        Text("texts.series.organiser", s.organiser),
        *(Text(f"texts.series.partners.{i}", p) for i, p in enumerate(s.partners)),
        Text("texts.series.strapline", s.strapline),
        Text("texts.series.title_prefix", s.title_prefix),
        Text("texts.series.dateline", s.dateline),
        Text("texts.series.closing", s.closing),
    ]
    for sid, session in data.sessions.items():
        texts.append(Text(f"texts.sessions.{sid}.title", session.title))
        texts.append(Text(f"texts.sessions.{sid}.context", session.context))
    for pid, part in data.parts.items():
        texts.append(Text(f"texts.parts.{pid}.title", part.title, parts=consent(pid)))
        if part.topic:
            texts.append(Text(f"texts.parts.{pid}.topic", part.topic, parts=consent(pid)))
    for point_id, text in data.points.items():
        texts.append(
            Text(f"texts.points.{point_id}", text, parts=consent(part_of_point.get(point_id)))
        )
    for slug, label in data.themes.items():
        texts.append(Text(f"texts.themes.{slug}", label))
    for name, guest in data.guests.items():
        allowed = frozenset(guest_parts.get(name, ()))
        texts.append(Text(f"texts.guests.{name}.name", guest.name, parts=allowed))
        if guest.position:
            texts.append(Text(f"texts.guests.{name}.position", guest.position, parts=allowed))
    return [t for t in texts if t.value]


def _missing_errors(missing: Sequence[str]) -> InvalidRequest:
    return InvalidRequest(
        [
            FieldError(
                location="body",
                field=f"texts.{m}",
                reason="Not translated yet: an edition translates every text",
                code="missing-translation",
            )
            for m in missing
        ],
        detail=f"The edition lacks {len(missing)} translation(s): {', '.join(missing[:10])}",
    )


class EditionService:
    """Entering, reviewing, publishing and reading editions."""

    def __init__(
        self, db: AsyncSession, settings: Settings, *, reports: ReportService | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        # Shared with a route's ``ReportMember``, which resolved the caller's access first.
        self.reports = reports or ReportService(db, settings)
        self.repo = ReportRepository(db)
        self.audit = AuditService(db)

    # -- access ---------------------------------------------------------------------------

    async def _version(
        self, principal: Principal, report_id: uuid.UUID
    ) -> tuple[ReportVersion, SeriesAccess, DialogueSession]:
        report = await self.reports.report_access(principal, report_id)
        version, access = report.version, report.series_access
        session = await self.db.get(DialogueSession, version.dialogue_session_id)
        assert session is not None  # foreign key
        return version, access, session

    async def version_context(
        self, principal: Principal, report_id: uuid.UUID
    ) -> tuple[ReportVersion, SeriesAccess, DialogueSession]:
        """A version of a series the caller is a member of, with the series access and the
        session (404 for anyone else)."""
        return await self._version(principal, report_id)

    @staticmethod
    def _language(language: str) -> str:
        if language not in LANGUAGES:
            raise NotFound(EDITION_NOT_FOUND)
        return language

    async def _edition(self, version: ReportVersion, language: str) -> ReportEdition:
        edition = await self.repo.edition(version.id, self._language(language))
        if edition is None:
            raise NotFound(EDITION_NOT_FOUND)
        return edition

    async def _source(self, access: SeriesAccess, session: DialogueSession) -> SessionSource:
        source, _ = await self.reports._source(access.series, session)
        return source

    @staticmethod
    def _current(source: SessionSource, version: ReportVersion) -> bool:
        report = build_session_report(source, _kind(version))
        return content_sha256(canonical_json(report)) == version.content_sha256

    # -- reading (members) ----------------------------------------------------------------

    def read(
        self,
        version: ReportVersion,
        edition: ReportEdition,
        source: SessionSource | None = None,
        *,
        with_texts: bool = False,
    ) -> EditionRead:
        data = EditionTextsIn.model_validate_json(edition.texts)
        missing: list[str] = []
        if source is not None:
            missing = self._missing(source, version, edition, data)
        public = (
            edition.status is EditionStatus.PUBLISHED
            and edition.withdrawn_at is None
            and version.kind is ReportKind.SUMMARY
        )
        lang = locales.language(edition.language)
        return EditionRead(
            id=edition.id,
            report_id=version.id,
            language=edition.language,  # type: ignore[arg-type]  # LANGUAGES only
            direction="rtl" if lang.rtl else "ltr",
            calendar=edition.calendar,
            status=edition.status.value,
            label=edition_label(version, edition),
            translated_by_id=edition.translated_by_id,
            reviewed_by_id=edition.reviewed_by_id,
            review_note=edition.review_note,
            acknowledged_warnings=json.loads(edition.acknowledged_warnings),
            content_sha256=edition.content_sha256,
            published_at=as_utc(edition.published_at) if edition.published_at else None,
            withdrawn_at=as_utc(edition.withdrawn_at) if edition.withdrawn_at else None,
            public_url=f"{self.settings.base_url}/reports/{version.id}?lang={edition.language}"
            if public
            else None,
            missing=missing,
            texts=data if with_texts else None,
        )

    @staticmethod
    def _missing(
        source: SessionSource,
        version: ReportVersion,
        edition: ReportEdition,
        data: EditionTextsIn,
    ) -> list[str]:
        kind = _kind(version)
        try:
            build_session_report(source, kind, texts_in(data, edition.calendar, edition.language))
        except IncompleteEdition as exc:
            return list(exc.missing)
        return []

    async def source(self, principal: Principal, report_id: uuid.UUID) -> EditionSource:
        """The version's texts in the records' language, keyed for translation."""
        version, access, session = await self._version(principal, report_id)
        source = await self._source(access, session)
        return EditionSource(
            report_id=version.id,
            number=version.number,
            current=self._current(source, version),
            texts=source_texts(source),
        )

    async def all(self, principal: Principal, report_id: uuid.UUID) -> list[EditionRead]:
        version, access, session = await self._version(principal, report_id)
        source = await self._source(access, session)
        return [self.read(version, e, source) for e in await self.repo.editions(version.id)]

    async def get(self, principal: Principal, report_id: uuid.UUID, language: str) -> EditionRead:
        version, access, session = await self._version(principal, report_id)
        edition = await self._edition(version, language)
        source = await self._source(access, session)
        return self.read(version, edition, source, with_texts=True)

    async def member_document(
        self, principal: Principal, report_id: uuid.UUID, language: str
    ) -> tuple[SessionReport, ReportVersion, ReportEdition, str | None]:
        """The edition as a report (members): the published content, or a draft built from
        the records now (``canonical`` None)."""
        version, access, session = await self._version(principal, report_id)
        edition = await self._edition(version, language)
        if edition.content is not None:
            return session_report_from_json(edition.content), version, edition, edition.content
        source = await self._source(access, session)
        data = EditionTextsIn.model_validate_json(edition.texts)
        kind = _kind(version)
        try:
            report = build_session_report(
                source, kind, texts_in(data, edition.calendar, edition.language)
            )
        except IncompleteEdition as exc:
            raise _missing_errors(exc.missing) from None
        return report, version, edition, None

    # -- writing --------------------------------------------------------------------------

    async def put(
        self, principal: Principal, report_id: uuid.UUID, language: str, data: EditionWrite
    ) -> tuple[EditionRead, bool]:
        """Enter or replace an edition's translation (members who may write). Every text
        passes the guard first: nothing is stored otherwise. The edition is a draft again,
        its review and acknowledgements cleared. A published edition is frozen (409)."""
        principal.require_write()
        version, access, session = await self._version(principal, report_id)
        self._language(language)
        if version.withdrawn_at is not None:
            raise ReportWithdrawn("The version was withdrawn; it can have no new edition")
        edition = await self.repo.edition(version.id, language)
        if (
            edition is not None
            and edition.status is EditionStatus.PUBLISHED
            and edition.withdrawn_at is None
        ):
            raise Conflict(
                f"Edition {edition_label(version, edition)} is published and cannot change; "
                "publish a new version of the report to correct it",
                current=edition.status.value,
            )
        source = await self._source(access, session)
        unknown = _unknown_keys(data.texts, source)
        if unknown:
            raise InvalidRequest(unknown)
        await Gate(self.db).clear(
            version.dialogue_series_id,
            gate_texts(data.texts, source),
            acknowledged=data.acknowledge_warnings,
            what=f"The {locales.language(language).name} edition",
        )
        created = edition is None
        if edition is not None and edition.status is EditionStatus.PUBLISHED:
            # A withdrawn edition of a version in force is translated again; it keeps its
            # number, so the next publication is n.(m+1), never a reused label.
            edition.content = None
            edition.content_sha256 = None
            edition.published_at = None
            edition.published_by_id = None
            edition.withdrawn_at = None
            edition.withdrawn_reason = None
        if edition is None:
            edition = ReportEdition(
                dialogue_series_id=version.dialogue_series_id,
                report_version_id=version.id,
                language=language,
                texts="",
            )
        edition.texts = data.texts.model_dump_json()
        edition.calendar = data.calendar
        edition.status = EditionStatus.DRAFT
        edition.acknowledged_warnings = json.dumps(sorted(set(data.acknowledge_warnings)))
        edition.translated_by_id = principal.user_id
        edition.submitted_at = None
        edition.reviewed_by_id = None
        edition.reviewed_at = None
        if created:
            await self.repo.add_edition(edition)
        await self.db.flush()
        await self._audit(access, version, edition, "report_edition.saved", {})
        return self.read(version, edition, source, with_texts=True), created

    async def submit(
        self, principal: Principal, report_id: uuid.UUID, language: str
    ) -> EditionRead:
        """Hand a complete draft over for review (members who may write)."""
        principal.require_write()
        version, access, session = await self._version(principal, report_id)
        edition = await self._edition(version, language)
        self._require(edition, "submitted", (EditionStatus.DRAFT,))
        source = await self._source(access, session)
        missing = self._missing(
            source, version, edition, EditionTextsIn.model_validate_json(edition.texts)
        )
        if missing:
            raise _missing_errors(missing)
        edition.status = EditionStatus.SUBMITTED
        edition.submitted_at = utcnow()
        await self.db.flush()
        await self._audit(access, version, edition, "report_edition.submitted", {})
        return self.read(version, edition, source)

    async def review(
        self, principal: Principal, report_id: uuid.UUID, language: str, data: EditionReview
    ) -> EditionRead:
        """Approve a submitted edition, or return it (organisers who never saved any of its
        texts: four eyes). Approval runs the guard again against the directory as it is now; the
        reviewer acknowledges the warnings themself."""
        version, access, session = await self._version(principal, report_id)
        edition = await self._edition(version, language)
        if not access.can_manage:
            raise Forbidden(f"Only an organiser may {data.action} an edition")
        self._require(edition, "reviewed", (EditionStatus.SUBMITTED,))
        if edition.translated_by_id == principal.user_id or (
            principal.user_id in await self.repo.edition_translators(edition.id)
        ):
            raise Forbidden(
                f"Four eyes: you translated this edition, so another organiser must "
                f"{data.action} it"
            )
        source = await self._source(access, session)
        if data.action == "return":
            if not data.note:
                raise InvalidRequest.single("note", "Say why the edition is returned")
            edition.status = EditionStatus.DRAFT
            edition.review_note = data.note
        else:
            texts = EditionTextsIn.model_validate_json(edition.texts)
            await Gate(self.db).clear(
                version.dialogue_series_id,
                gate_texts(texts, source),
                acknowledged=data.acknowledge_warnings,
                what=f"The {locales.language(language).name} edition",
            )
            edition.status = EditionStatus.APPROVED
            edition.review_note = data.note
            edition.acknowledged_warnings = json.dumps(sorted(set(data.acknowledge_warnings)))
        edition.reviewed_by_id = principal.user_id
        edition.reviewed_at = utcnow()
        await self.db.flush()
        action = "approved" if data.action == "approve" else "returned"
        await self._audit(access, version, edition, f"report_edition.{action}", {})
        return self.read(version, edition, source)

    async def publish(
        self, principal: Principal, report_id: uuid.UUID, language: str
    ) -> EditionRead:
        """Publish an approved edition as version ``n.m`` (organisers): only while the
        records still give version ``n`` exactly (409 ``edition-source-changed``), and only
        when the guard finds nothing that would identify anyone in it now (409
        ``edition-attribution-blocked``, naming the fields)."""
        version, access, session = await self._version(principal, report_id)
        access.require_manage()
        edition = await self._edition(version, language)
        self._require(edition, "published", (EditionStatus.APPROVED,))
        if version.withdrawn_at is not None:
            raise ReportWithdrawn("The version was withdrawn; its editions cannot be published")
        if version.taken_down_at is not None:
            raise EditionBlocked("The version is taken down for revision; republish it first")
        source = await self._source(access, session)
        if not self._current(source, version):
            raise EditionSourceChanged(
                f"The records no longer give version {version.number} (its points, agenda or "
                "texts changed); publish a new version and translate that one",
            )
        texts = EditionTextsIn.model_validate_json(edition.texts)
        directory = await Gate(self.db).directory(version.dialogue_series_id)
        blocked = [
            {"field": t.field, "findings": [f.as_dict() for f in found]}
            for t in gate_texts(texts, source)
            if (found := [f for f in directory.check(t) if f.severity == "block"])
        ]
        kind = _kind(version)
        try:
            report = build_session_report(
                source, kind, texts_in(texts, edition.calendar, edition.language)
            )
        except IncompleteEdition as exc:
            raise _missing_errors(exc.missing) from None
        parts = await self.reports.sessions.list_parts(session.id)
        english = session_report_from_json(version.content)
        for t in report_texts(report, parts, reference=english).texts:
            found = [f for f in directory.check(t) if f.severity == "block"] if t.value else []
            if found:
                blocked.append(
                    {"field": f"report.{t.field}", "findings": [f.as_dict() for f in found]}
                )
        if blocked:
            raise EditionBlocked(
                f"{len(blocked)} text(s) of the edition would identify a participant in the "
                "series' directory; correct the translation (it goes back to review)",
                fields=blocked,
            )
        content = canonical_json(report)
        edition.content = content
        edition.content_sha256 = content_sha256(content)
        edition.number = await self.repo.next_edition_number(version.id)
        edition.status = EditionStatus.PUBLISHED
        edition.published_at = utcnow()
        edition.published_by_id = principal.user_id
        await self.db.flush()
        await self._audit(
            access,
            version,
            edition,
            "report_edition.published",
            {"label": edition_label(version, edition), "sha256": edition.content_sha256},
        )
        ref = public_edition_ref(
            self.settings.base_url,
            version.id,
            version.number,
            edition.language,
            edition.number,
            edition.published_at,
        )
        await emit(
            self.db,
            "report.edition_published",
            version.dialogue_series_id,
            edition_data(version, edition, ref),
        )
        return self.read(version, edition, source)

    async def publish_approved(
        self, principal: Principal, report_id: uuid.UUID
    ) -> list[EditionRead]:
        """Publish every approved edition of the version together (organisers), in language
        order: all of them or none. The first refusal undoes the others (a savepoint, so a
        caller that goes on reading, such as a console page, sees none published) and names
        its ``language``."""
        version, access, _ = await self._version(principal, report_id)
        access.require_manage()
        approved = [
            e for e in await self.repo.editions(version.id) if e.status is EditionStatus.APPROVED
        ]
        if not approved:
            raise Conflict("No edition of this version is approved; approve one first")
        published: list[EditionRead] = []
        language = approved[0].language
        try:
            async with self.db.begin_nested():
                for edition in approved:
                    language = edition.language
                    published.append(await self.publish(principal, report_id, language))
        except DomainError as exc:
            exc.extensions.setdefault("language", language)
            raise
        return published

    @staticmethod
    def _require(edition: ReportEdition, what: str, allowed: Sequence[EditionStatus]) -> None:
        if edition.status not in allowed:
            raise Conflict(
                f"A {edition.status.value} edition cannot be {what}",
                current=edition.status.value,
                allowed_from=[s.value for s in allowed],
            )

    async def _audit(
        self,
        access: SeriesAccess,
        version: ReportVersion,
        edition: ReportEdition,
        action: str,
        data: dict[str, Any],
    ) -> None:
        await self.audit.record(
            action=action,
            subject_type="report_edition",
            subject_id=edition.id,
            series_id=version.dialogue_series_id,
            user_id=access.principal.user_id,
            data={
                "report_id": str(version.id),
                "language": edition.language,
                "status": edition.status.value,
                **data,
            },
        )

    # -- public reading -------------------------------------------------------------------

    async def public_edition(self, report_id: uuid.UUID, language: str) -> EditionDocument:
        """A published summary's edition, as the guard admits it now: the version's own
        rules first (404, 410 withdrawn, 410 being revised), then 404 for an edition that
        is not published in that language."""
        cleared = await self.reports.public_summary(report_id)
        version = cleared.value
        if language not in LANGUAGES:
            raise NotFound(EDITION_NOT_FOUND)
        edition = await self.repo.edition(version.id, language)
        if (
            edition is None
            or edition.status is not EditionStatus.PUBLISHED
            or edition.content is None
        ):
            raise NotFound(EDITION_NOT_FOUND)
        if edition.withdrawn_at is not None:
            raise ReportWithdrawn("The organisers withdrew this edition")
        admitted = await admitted_edition(self.db, version, edition)
        if admitted is None:
            raise BeingRevised("This edition is being revised; please come back later")
        return EditionDocument(edition, version, session_report_from_json(edition.content))

    async def languages(self, version_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        """The languages each version is published in beyond its own, for links."""
        found = await self.repo.published_editions(version_ids)
        return {vid: [e.language for e in editions] for vid, editions in found.items()}


async def admitted_edition(
    db: AsyncSession, version: ReportVersion, edition: ReportEdition
) -> ClearedDocument[ReportEdition] | None:
    """The published edition, cleared, if its every text passes the directory now."""

    async def texts() -> Sequence[Text] | None:
        assert edition.content is not None
        report = session_report_from_json(edition.content)
        parts = (
            (
                await db.execute(
                    select(AgendaPart).where(
                        AgendaPart.dialogue_session_id == version.dialogue_session_id
                    )
                )
            )
            .scalars()
            .all()
        )
        english = session_report_from_json(version.content)
        found = report_texts(report, parts, reference=english)
        return None if found.off_record else found.texts

    return await Gate(db).admit_document(
        version.dialogue_series_id, edition, texts, key=("edition", edition.id)
    )
