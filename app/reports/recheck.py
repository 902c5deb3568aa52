"""Published reports, read again when a roster changes.

A version is checked against the session's roster when it is published. The roster can change
afterwards: someone is added to it, a person's names, aliases or affiliation are corrected, a
consent to be named on record is withdrawn. A text that was safe then may now identify a
participant, and the version is still served to the public (a summary) or to approved
requesters (a detailed report). Nothing is changed automatically: withdrawing a version is an
organiser's decision. Instead, every change that can make a published text unsafe re-reads the
session's versions in force with the same checker and the same rules as publication (points
and agenda texts, with on-record consent per agenda part; off-record parts are not in the
report), and each version that now names someone

- is reported to the organiser who made the change, as a warning in the answer, and
- is announced to every organiser of the series by e-mail, once per version and problem.

The e-mail says which version of which session, never who or which words: it leaves the
service, and the organisers can read the findings in the API.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.key_points.service import KeyPointService, SessionChecker
from app.outbox.mail import email_payload
from app.outbox.models import OutboxKind
from app.outbox.queue import enqueue
from app.reports.model import SessionReport, session_report_from_json
from app.reports.models import ReportKind, ReportVersion
from app.reports.repository import ReportRepository
from app.reports.service import off_record_finding
from app.series.models import DisclosureRegime
from app.sessions.models import AgendaPart, DialogueSession
from app.sessions.schemas import SchedulingWarning
from app.sessions.service import SessionService

KIND_NAMES = {ReportKind.SUMMARY: "public summary", ReportKind.DETAILED: "detailed report"}


@dataclass(frozen=True, slots=True)
class UnsafeVersion:
    """A version in force whose text now identifies someone on the session's roster."""

    version: ReportVersion
    session: DialogueSession
    points: list[dict[str, Any]]
    fields: list[dict[str, Any]]


def _allowed(matcher: SessionChecker, parts: Iterable[AgendaPart | None]) -> frozenset[str]:
    """Who may be named in a text of these parts: consent counts only for a part that is on
    record now, and only for someone who came or confirmed (the checker's ``consent``)."""
    allowed: set[str] = set()
    for part in parts:
        if part is not None and part.regime is DisclosureRegime.ON_RECORD:
            allowed |= matcher.consent.get(part.id, frozenset())
    return frozenset(allowed)


def _blocks(matcher: SessionChecker, allowed: frozenset[str], text: str) -> list[dict[str, Any]]:
    return [
        dict(f.as_dict())
        for f in matcher.checker.check(text, allowed_person_ids=allowed)
        if f.severity == "block"
    ]


_OFF_RECORD_NOW = "Its agenda part is off the record now; nothing from it may be published"


def _current_parts(report: SessionReport, parts: Iterable[AgendaPart]) -> dict[int, AgendaPart]:
    """The report's agenda positions mapped to the session's parts as they are now. A report
    names parts by position, and the agenda may have been reordered or edited since: a part
    is the one that still looks as published (title, kind and topic), else the one with the
    same title and kind (its topic was edited), else, among several alike, the one at the
    published position. A part not found gives no consent: the stricter reading."""
    current = list(parts)
    out: dict[int, AgendaPart] = {}
    for item in report.agenda.items:
        alike = [p for p in current if (p.title, p.kind.value) == (item.title, item.kind)]
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


def findings_in(
    report: SessionReport, matcher: SessionChecker, parts: Iterable[AgendaPart]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(points, fields)`` of a published report that identify someone, or that come from a
    part now off the record: the publication gate's texts and rules (``ReportService._gate``)
    read from the frozen version, plus the agenda's named on-record guests, whose consent
    may have been withdrawn since (or their part taken off the record or deleted)."""
    current = list(parts)
    by_position = _current_parts(report, current)
    points: list[dict[str, Any]] = []
    for point in report.points:
        part = by_position.get(point.part) if point.part is not None else None
        # A point of a deleted part is read like any text (no consent applies to it).
        if part is not None and part.regime is DisclosureRegime.OFF_RECORD:
            finding = off_record_finding(_OFF_RECORD_NOW)
            points.append({"number": point.number, "findings": [finding]})
            continue
        found = _blocks(matcher, _allowed(matcher, [part]), point.text)
        if found:
            points.append({"number": point.number, "findings": found})
    nobody: frozenset[str] = frozenset()
    texts: list[tuple[str, frozenset[str], str]] = [("session.title", nobody, report.session.title)]
    texts += [(f"session.context.{i}", nobody, p) for i, p in enumerate(report.context)]
    # The agenda paragraph may name the guests of every on-record part.
    texts.append(("agenda.paragraph", _allowed(matcher, current), report.agenda.paragraph))
    for item in report.agenda.items:
        if item.regime == DisclosureRegime.OFF_RECORD.value:
            continue
        part = by_position.get(item.position)
        allowed = _allowed(matcher, [part])
        texts.append((f"parts.{item.position}.title", allowed, item.title))
        if item.topic:
            texts.append((f"parts.{item.position}.topic", allowed, item.topic))
        for n, guest in enumerate(item.named):
            texts.append((f"parts.{item.position}.named.{n}", allowed, guest.name))
    fields = []
    for field, allowed, text in texts:
        found = _blocks(matcher, allowed, text)
        if found:
            fields.append({"field": field, "findings": found})
    return points, fields


async def unsafe_versions(
    db: AsyncSession, session_ids: Iterable[uuid.UUID]
) -> list[UnsafeVersion]:
    """The versions in force of these sessions that now identify someone on their roster."""
    out: list[UnsafeVersion] = []
    repo = ReportRepository(db)
    for session_id in dict.fromkeys(session_ids):
        versions = await repo.in_force(session_id)
        if not versions:
            continue
        session = await db.get(DialogueSession, session_id)
        if session is None:
            continue
        matcher = await KeyPointService(db).session_checker(session_id)
        parts = await SessionService(db).list_parts(session_id)
        for version in versions:
            report = session_report_from_json(version.content)
            if not isinstance(report, SessionReport):
                continue
            points, fields = findings_in(report, matcher, parts)
            if points or fields:
                out.append(UnsafeVersion(version, session, points, fields))
    return out


async def warn(
    db: AsyncSession, settings: Settings, unsafe: list[UnsafeVersion]
) -> list[SchedulingWarning]:
    """Warnings for the answer, and one e-mail per version to the series' organisers."""
    warnings: list[SchedulingWarning] = []
    for item in unsafe:
        version, session = item.version, item.session
        kind = KIND_NAMES[version.kind]
        where = [f"point {p['number']}" for p in item.points] + [f["field"] for f in item.fields]
        warnings.append(
            SchedulingWarning(
                code="published_report_names_participant",
                message=(
                    f"Version {version.number} of the {kind} of session {session.number} is "
                    f"still published and now identifies someone on the session's roster "
                    f"({', '.join(where)}). Withdraw it (POST /api/v1/reports/{version.id}/"
                    "withdraw), edit the texts and publish again."
                ),
                session_id=session.id,
                number=session.number,
                report_id=version.id,
                findings=item.points + item.fields,
            )
        )
        await _tell_organisers(db, settings, item)
    return warnings


async def _tell_organisers(db: AsyncSession, settings: Settings, item: UnsafeVersion) -> None:
    version, session = item.version, item.session
    organisers = await ReportRepository(db).organiser_contacts(session.dialogue_series_id)
    kind = KIND_NAMES[version.kind]
    text = (
        f"Version {version.number} of the {kind} of session {session.number} is still "
        "published, and after a change to the session's roster the non-attribution checker "
        "now finds a participant in it.\n\n"
        f"Review it: {settings.base_url}/api/v1/reports/{version.id}\n"
        f"Withdraw it: POST {settings.base_url}/api/v1/reports/{version.id}/withdraw\n\n"
        "Then edit the texts and publish again. This message does not say who or where; the "
        "answer to the change that caused it, and a new publication attempt, do.\n"
    )
    # Once per version and problem: a later, unrelated roster change does not mail again.
    problem = hashlib.sha256(
        json.dumps([item.points, item.fields], sort_keys=True).encode()
    ).hexdigest()
    for email, name in organisers:
        await enqueue(
            db,
            kind=OutboxKind.EMAIL,
            payload=email_payload(
                to=email,
                to_name=name,
                subject=f"A published {kind} of session {session.number} needs review",
                text=text,
            ),
            dedupe_key="report-recheck:"
            + hashlib.sha256(f"{version.id}:{problem}:{email}".encode()).hexdigest(),
        )
