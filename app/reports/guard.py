"""What the guard needs from the published side of a series, and what it does to it.

* :func:`report_texts` -- every text of a report (found by walking the report model, so a
  field added to it is checked without anyone remembering to), each with the consent that
  applies to it now;
* :func:`public_items` -- the series' public texts, its public sessions' texts and its report
  versions in force, for the guard's re-check after a directory change;
* :func:`take_down` -- what happens to those that now name someone: marked taken down (410
  "being revised" on every public address), webhooks told, calendars updated, organisers
  e-mailed (never saying who or which words);
* :func:`republish` -- the organisers' one action after the fix.

Registered with the guard by the composition root (``app.wiring``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditService
from app.confidentiality.gate import ClearedDocument, Gate, Text
from app.confidentiality.recheck import PublicItem, TakenDown
from app.config import Settings
from app.kit.clock import utcnow
from app.outbox.events import emit
from app.outbox.mail import email_payload
from app.outbox.models import OutboxKind
from app.outbox.queue import enqueue
from app.reports.events import report_data, taken_down_data
from app.reports.model import SessionReport, session_report_from_json
from app.reports.models import ReportEdition, ReportKind, ReportVersion
from app.reports.repository import ReportRepository
from app.series.models import DialogueSeries, DisclosureRegime
from app.series.service import series_text_list
from app.sessions.models import AgendaPart, DialogueSession

KIND_NAMES = {ReportKind.SUMMARY: "public summary", ReportKind.DETAILED: "detailed report"}


# -- the texts of a report ------------------------------------------------------------------------


def strings(node: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a report model, with its path ("points.3.text")."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from strings(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, (tuple, list)):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}.{i}")
    elif isinstance(node, str):
        yield path, node


def current_parts(report: SessionReport, parts: Sequence[AgendaPart]) -> dict[int, AgendaPart]:
    """The report's agenda positions mapped to the session's parts as they are now. A report
    names parts by position, and the agenda may have been reordered or edited since: a part
    is the one that still looks as published (title, kind and topic), else the one with the
    same title and kind, else, among several alike, the one at the published position. A
    part not found gives no consent: the stricter reading."""
    out: dict[int, AgendaPart] = {}
    for item in report.agenda.items:
        alike = [p for p in parts if (p.title, p.kind.value) == (item.title, item.kind)]
        exact = [p for p in alike if p.topic == item.topic]
        if len(exact) == 1:
            out[item.position] = exact[0]
        elif len(alike) == 1:
            out[item.position] = alike[0]
        else:
            here = [p for p in (exact or alike) if p.position == item.position]
            if here:
                out[item.position] = here[0]
    return out


@dataclass(frozen=True, slots=True)
class ReportTexts:
    texts: tuple[Text, ...]
    off_record: tuple[int, ...]  # numbers of points whose part is off the record now


def report_texts(
    report: SessionReport,
    parts: Sequence[AgendaPart],
    *,
    reference: SessionReport | None = None,
) -> ReportTexts:
    """Every text of a published report, each under the consent that applies to it now:
    a point or an agenda item of an on-record part may name who consented for that part;
    the agenda paragraph, the detailed report's headings and a summary's points (which
    are not tied to a part) may name anyone who consented for a part on record now; nothing
    else may name anyone. An edition's parts are found through its version (``reference``):
    its translated titles match no record."""
    by_position = current_parts(reference or report, parts)
    on_record = frozenset(p.id for p in parts if p.regime is DisclosureRegime.ON_RECORD)

    def part_of(position: int | None) -> frozenset[uuid.UUID]:
        part = by_position.get(position) if position is not None else None
        if part is not None and part.regime is DisclosureRegime.ON_RECORD:
            return frozenset({part.id})
        return frozenset()

    texts: list[Text] = []
    off_record: list[int] = []
    for path, value in strings(report):
        head = path.split(".")
        consent: frozenset[uuid.UUID] = frozenset()
        if head[0] == "points" and len(head) > 1:
            point = report.points[int(head[1])]
            consent = part_of(point.part) if point.part is not None else on_record
        elif head[:2] == ["agenda", "items"] and len(head) > 2:
            consent = part_of(report.agenda.items[int(head[2])].position)
        elif head[:2] == ["agenda", "paragraph"] or head[:2] == ["detailed", "by_part"]:
            consent = on_record
        texts.append(Text(path, value, parts=consent))
    for point in report.points:
        part = by_position.get(point.part) if point.part is not None else None
        if part is not None and part.regime is DisclosureRegime.OFF_RECORD:
            off_record.append(point.number)
    return ReportTexts(tuple(texts), tuple(off_record))


def edition_texts(
    editions: Sequence[ReportEdition], report: SessionReport, parts: Sequence[AgendaPart]
) -> list[Text]:
    """Every text of a version's published editions (``editions.<lang>.<path>``), each under
    the consent of the same place in the version (``report``)."""
    out: list[Text] = []
    for edition in editions:
        if edition.content is None:
            continue
        found = report_texts(session_report_from_json(edition.content), parts, reference=report)
        out.extend(
            Text(f"editions.{edition.language}.{t.field}", t.value, parts=t.parts)
            for t in found.texts
        )
    return out


def version_label(version: ReportVersion, session_number: int) -> str:
    return f"version {version.number} of the {KIND_NAMES[version.kind]} of session {session_number}"


# -- the re-check's sources ---------------------------------------------------------------------


async def public_items(db: AsyncSession, series_id: uuid.UUID) -> list[PublicItem]:
    """The series' texts, its public sessions' texts, and its report versions in force,
    unless taken down already."""
    items: list[PublicItem] = []
    series = await db.get(DialogueSeries, series_id)
    if series is None:
        return items
    if series.taken_down_at is None:
        items.append(
            PublicItem(
                "series", series.id, "the series' public texts", tuple(series_text_list(series))
            )
        )
    sessions = (
        (
            await db.execute(
                select(DialogueSession).where(
                    DialogueSession.dialogue_series_id == series_id,
                    DialogueSession.public_since.is_not(None),
                )
            )
        )
        .scalars()
        .all()
    )
    by_id = {s.id: s for s in sessions}
    for s in sessions:
        if s.taken_down_at is None:
            items.append(
                PublicItem(
                    "session",
                    s.id,
                    f"the title and context of session {s.number}",
                    (Text("title", s.title), Text("context", s.context)),
                )
            )
    versions = await ReportRepository(db).in_force_of_series(series_id)
    if not versions:
        return items
    parts = (
        (
            await db.execute(
                select(AgendaPart)
                .join(DialogueSession, DialogueSession.id == AgendaPart.dialogue_session_id)
                .where(DialogueSession.dialogue_series_id == series_id)
            )
        )
        .scalars()
        .all()
    )
    editions = await ReportRepository(db).published_editions([v.id for v in versions])
    for version in versions:
        session = by_id.get(version.dialogue_session_id) or await db.get(
            DialogueSession, version.dialogue_session_id
        )
        if session is None:
            continue
        report = session_report_from_json(version.content)
        own = [p for p in parts if p.dialogue_session_id == session.id]
        found = report_texts(report, own)
        # Its editions are read with it: taking the version down takes them down too.
        translated = edition_texts(editions.get(version.id, []), report, own)
        items.append(
            PublicItem(
                "report",
                version.id,
                version_label(version, session.number),
                (*found.texts, *translated),
                unpublishable=bool(found.off_record),
            )
        )
    return items


# -- taking down --------------------------------------------------------------------------------


class Takedowns:
    """The guard's handler: mark, tell integrations and calendars, e-mail the organisers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def __call__(
        self, db: AsyncSession, series_id: uuid.UUID, taken: Sequence[TakenDown]
    ) -> None:
        now = utcnow()
        audit = AuditService(db)
        for t in taken:
            item = t.item
            if item.kind == "report":
                version = await db.get(ReportVersion, item.id)
                if version is None or version.taken_down_at is not None:
                    continue
                version.taken_down_at = now
                await db.flush()
                await emit(db, "report.taken_down", series_id, report_data(version))
            elif item.kind == "session":
                session = await db.get(DialogueSession, item.id)
                if session is None or session.taken_down_at is not None:
                    continue
                session.taken_down_at = now
                # Calendar clients drop the event from the feed; the sequence moves on so
                # that it replaces the old one when it comes back.
                session.calendar_sequence += 1
                await db.flush()
                data = taken_down_data("session", session.id, series_id=series_id)
                await emit(db, "session.taken_down", series_id, data)
            elif item.kind == "series":
                series = await db.get(DialogueSeries, item.id)
                if series is None or series.taken_down_at is not None:
                    continue
                series.taken_down_at = now
                await db.flush()
                await emit(db, "series.taken_down", series_id, taken_down_data("series", series_id))
            await audit.record(
                action="publication.taken_down",
                subject_type=item.kind,
                subject_id=item.id,
                series_id=series_id,
                user_id=None,
                data=t.as_dict(),
            )
            await self._tell_organisers(db, series_id, t)

    async def _tell_organisers(self, db: AsyncSession, series_id: uuid.UUID, t: TakenDown) -> None:
        organisers = await ReportRepository(db).organiser_contacts(series_id)
        base = self.settings.base_url
        label = t.item.label
        text = (
            f"The guard took down {label}: after a change to the series' directory (a person, "
            "an attendance, a consent or an agenda part's regime), it would identify someone. "
            "Its public addresses now say that it is being revised, without saying why; "
            "calendars and webhook endpoints were told.\n\n"
            "See what is taken down and why, fix it and republish in the console: "
            f"{base}/console/series/{series_id}#takedowns\n"
            f"Over the API: GET {base}/api/v1/series/{series_id}/takedowns, then after the "
            f"fix POST {base}/api/v1/series/{series_id}/republish\n\n"
            "This message does not say who or which words; the series' members can read the "
            "findings in the API.\n"
        )
        problem = hashlib.sha256(repr(t.as_dict()).encode()).hexdigest()
        for email, name in organisers:
            await enqueue(
                db,
                kind=OutboxKind.EMAIL,
                payload=email_payload(
                    to=email,
                    to_name=name,
                    subject=f"Taken down while it is revised: {label}",
                    text=text,
                ),
                dedupe_key="guard-takedown:"
                + hashlib.sha256(f"{t.item.id}:{problem}:{email}".encode()).hexdigest(),
            )


async def admitted_report(
    db: AsyncSession, version: ReportVersion, directory_version: int | None = None
) -> ClearedDocument[ReportVersion] | None:
    """The published version, cleared, if its every text passes the directory as it is now
    and none of its points comes from a part now off the record; else None."""

    async def texts() -> Sequence[Text] | None:
        report = session_report_from_json(version.content)
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
        found = report_texts(report, parts)
        return None if found.off_record else found.texts

    return await Gate(db).admit_document(
        version.dialogue_series_id,
        version,
        texts,
        key=("report", version.id),
        version=directory_version,
    )


# -- what is taken down, and republishing ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Down:
    """One public item taken down, with what the guard finds in it now."""

    kind: str
    id: uuid.UUID
    label: str
    taken_down_at: datetime
    fields: list[dict[str, Any]]


async def taken_down_items(db: AsyncSession, series: DialogueSeries) -> list[Down]:
    """Everything of the series that is taken down, each with its current findings."""
    gate = Gate(db)
    out: list[Down] = []
    if series.taken_down_at is not None:
        review = await gate.review(series.id, series_text_list(series))
        out.append(
            Down(
                "series",
                series.id,
                "the series' public texts",
                series.taken_down_at,
                review.as_fields("block"),
            )
        )
    sessions = (
        (
            await db.execute(
                select(DialogueSession)
                .where(
                    DialogueSession.dialogue_series_id == series.id,
                    DialogueSession.taken_down_at.is_not(None),
                )
                .order_by(DialogueSession.number)
            )
        )
        .scalars()
        .all()
    )
    for s in sessions:
        review = await gate.review(series.id, [Text("title", s.title), Text("context", s.context)])
        out.append(
            Down(
                "session",
                s.id,
                f"the title and context of session {s.number}",
                s.taken_down_at or utcnow(),
                review.as_fields("block"),
            )
        )
    for version in await ReportRepository(db).taken_down(series.id):
        session = await db.get(DialogueSession, version.dialogue_session_id)
        number = session.number if session is not None else 0
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
        report = session_report_from_json(version.content)
        found = report_texts(report, parts)
        published = (await ReportRepository(db).published_editions([version.id])).get(
            version.id, []
        )
        review = await gate.review(
            series.id, [*found.texts, *edition_texts(published, report, parts)]
        )
        fields = review.as_fields("block")
        if found.off_record:
            fields.append(
                {
                    "field": "points",
                    "findings": [
                        {
                            "severity": "block",
                            "kind": "regime",
                            "message": "Points from a part that is off the record now: "
                            + ", ".join(str(n) for n in found.off_record),
                            "code": "off-record",
                        }
                    ],
                }
            )
        out.append(
            Down(
                "report",
                version.id,
                version_label(version, number),
                version.taken_down_at or utcnow(),
                fields,
            )
        )
    return out
