"""The choices console forms offer (value, label), in the words organisers use."""

from __future__ import annotations

from app.people.models import AttendanceRole, AttendanceStatus
from app.series.models import DisclosureRegime, MemberRole, ReportRequestPolicy
from app.sessions.models import PartKind, SessionFormat

REGIMES = [
    (DisclosureRegime.CHATHAM_HOUSE.value, "Chatham House Rule (nothing attributed)"),
    (DisclosureRegime.ON_RECORD.value, "On the record (consenting speakers may be named)"),
    (DisclosureRegime.OFF_RECORD.value, "Off the record (nothing may be recorded)"),
]
POLICIES = [
    (ReportRequestPolicy.REVIEW.value, "An organiser decides every request"),
    (
        ReportRequestPolicy.CONFIRMED_SUBSCRIBERS.value,
        "Confirmed subscribers receive it at once; others wait for an organiser",
    ),
]
MEMBER_ROLES = [
    (MemberRole.RAPPORTEUR.value, "Rapporteur"),
    (MemberRole.ORGANISER.value, "Organiser"),
]
FORMATS = [
    (SessionFormat.ONLINE.value, "Online"),
    (SessionFormat.IN_PERSON.value, "In person"),
    (SessionFormat.HYBRID.value, "Hybrid"),
]
KINDS = [
    (PartKind.OPENING_REMARKS.value, "Opening remarks"),
    (PartKind.PRESENTATION.value, "Presentation"),
    (PartKind.DISCUSSION.value, "Discussion"),
    (PartKind.Q_AND_A.value, "Questions and answers"),
    (PartKind.OTHER.value, "Other"),
]
ATTENDANCE_ROLES = [(r.value, r.value.replace("_", " ").capitalize()) for r in AttendanceRole]
ATTENDANCE_STATUSES = [(s.value, s.value.capitalize()) for s in AttendanceStatus]
