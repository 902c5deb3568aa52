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
- is announced to every organiser of the series by e-mail, once per version and roster state.

The e-mail says which version of which session, never who or which words: it leaves the
service, and the organisers can read the findings in the API.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.key_points.service import KeyPointService, SessionChecker
from app.kit.mail import email_payload
from app.kit.outbox import OutboxKind, enqueue
from app.people.service import PeopleService
from app.reports.model import SessionReport, session_report_from_json
from app.reports.models import ReportKind, ReportVersion
from app.series.models import DisclosureRegime, MemberRole, SeriesMember
from app.sessions.models import AgendaPart, DialogueSession
from app.sessions.schemas import SchedulingWarning
from app.users.models import User

KIND_NAMES = {ReportKind.SUMMARY: "public summary", ReportKind.DETAILED: "detailed report"}


@dataclass(frozen=True, slots=True)
class UnsafeVersion:
    """A version in force whose text now identifies someone on the session's roster."""

    version: ReportVersion
    session: DialogueSession
    points: list[dict[str, Any]]
    fields: list[dict[str, Any]]


def _blocks(matcher: SessionChecker, part: AgendaPart | None, text: str) -> list[dict[str, Any]]:
    allowed: frozenset[str] = frozenset()
    if part is not None and part.regime is DisclosureRegime.ON_RECORD:
        allowed = matcher.consent.get(part.id, frozenset())
    return [
        dict(f.as_dict())
        for f in matcher.checker.check(text, allowed_person_ids=allowed)
        if f.severity == "block"
    ]


def _current_parts(report: SessionReport, parts: Iterable[AgendaPart]) -> dict[int, AgendaPart]:
    """The report's agenda positions mapped to the session's parts as they are now. A report
    names parts by position; the agenda may have been reordered since, so a position counts
    only while the part there still has the published title, else the part of that title
    (when exactly one has it). A part not found gives no consent: the stricter reading."""
    current = list(parts)
    at = {p.position: p for p in current}
    by_title: dict[str, list[AgendaPart]] = {}
    for part in current:
        by_title.setdefault(part.title, []).append(part)
    out: dict[int, AgendaPart] = {}
    for item in report.agenda.items:
        here = at.get(item.position)
        if here is not None and here.title == item.title:
            out[item.position] = here
        elif len(by_title.get(item.title, [])) == 1:
            out[item.position] = by_title[item.title][0]
    return out


def findings_in(
    report: SessionReport, matcher: SessionChecker, parts: Iterable[AgendaPart]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(points, fields)`` of a published report that identify someone: the same texts and
    rules as the publication gate (``ReportService._gate``), read from the frozen version."""
    by_position = _current_parts(report, parts)
    points: list[dict[str, Any]] = []
    for point in report.points:
        part = by_position.get(point.part) if point.part is not None else None
        found = _blocks(matcher, part, point.text)
        if found:
            points.append({"number": point.number, "findings": found})
    texts: list[tuple[str, AgendaPart | None, str]] = [("session.title", None, report.title)]
    texts += [(f"session.context.{i}", None, p) for i, p in enumerate(report.context)]
    for item in report.agenda.items:
        if item.regime == DisclosureRegime.OFF_RECORD.value:
            continue
        part = by_position.get(item.position)
        texts.append((f"parts.{item.position}.title", part, item.title))
        if item.topic:
            texts.append((f"parts.{item.position}.topic", part, item.topic))
    fields = []
    for field, part, text in texts:
        found = _blocks(matcher, part, text)
        if found:
            fields.append({"field": field, "findings": found})
    return points, fields


async def unsafe_versions(
    db: AsyncSession, session_ids: Iterable[uuid.UUID]
) -> list[UnsafeVersion]:
    """The versions in force of these sessions that now identify someone on their roster."""
    out: list[UnsafeVersion] = []
    for session_id in dict.fromkeys(session_ids):
        versions = (
            await db.scalars(
                select(ReportVersion)
                .where(
                    ReportVersion.dialogue_session_id == session_id,
                    ReportVersion.withdrawn_at.is_(None),
                )
                .order_by(ReportVersion.kind, ReportVersion.number)
            )
        ).all()
        if not versions:
            continue
        session = await db.get(DialogueSession, session_id)
        if session is None:
            continue
        matcher = await KeyPointService(db).session_checker(session_id)
        parts = (
            await db.scalars(select(AgendaPart).where(AgendaPart.dialogue_session_id == session_id))
        ).all()
        for version in versions:
            report = session_report_from_json(version.content)
            if not isinstance(report, SessionReport):
                continue
            points, fields = findings_in(report, matcher, parts)
            if points or fields:
                out.append(UnsafeVersion(version, session, points, fields))
    return out


async def sessions_attended(db: AsyncSession, person_id: uuid.UUID) -> list[uuid.UUID]:
    """The sessions whose roster the person is on."""
    return await PeopleService(db).sessions_of_person(person_id)


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
    organisers = (
        await db.execute(
            select(User.email, User.display_name)
            .join(SeriesMember, SeriesMember.app_user_id == User.id)
            .where(
                SeriesMember.dialogue_series_id == session.dialogue_series_id,
                SeriesMember.role == MemberRole.ORGANISER,
                User.is_active.is_(True),
            )
        )
    ).all()
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
    roster = await PeopleService(db).roster_version(session.id)
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
            + hashlib.sha256(f"{version.id}:{roster}:{email}".encode()).hexdigest(),
        )
