"""Published report versions, report requests and the download log.

A published version stores its canonical content (the JSON of the report model, exactly the
bytes its SHA-256 was computed over) and every rendering of the version is made from those
bytes, so what was published never changes whatever later happens to the records.
Nothing here refers to the roster: a version holds only what the report builder put into
the public report model.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin
from app.kit.clock import utcnow
from app.kit.enums import str_enum


class ReportKind(StrEnum):
    """What a published version is: the public summary or the detailed report."""

    SUMMARY = "summary"
    DETAILED = "detailed"


class RequestStatus(StrEnum):
    """Where a request for a detailed report stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class PendingReason(StrEnum):
    """Why a request is still pending (shown to organisers)."""

    AWAITING_REVIEW = "awaiting_review"
    NO_DETAILED_REPORT = "no_detailed_report"


class ReportVersion(IdMixin, Base):
    """One published, immutable, numbered version of a session's summary or detailed report."""

    __tablename__ = "report_version"
    __table_args__ = (
        UniqueConstraint("dialogue_session_id", "kind", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        Index("ix_report_version_series_kind", "dialogue_series_id", "kind"),
    )

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="RESTRICT")
    )
    dialogue_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="RESTRICT")
    )
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"))
    number: Mapped[int]
    # The canonical JSON of the report model; the hash is over exactly these bytes (UTF-8).
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    changelog: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who published it: internal, for organisers only (never part of the content).
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    # Withdrawn by an organiser: never public again (410), its download links stop working.
    # The reason is for the series' members only; it may name what had to be taken back.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    # Taken down by the guard: a change to the directory made it name someone. Public
    # addresses answer 410 "being revised" until an organiser republishes (migration 0031).
    taken_down_at: Mapped[datetime | None]

    @property
    def session_id(self) -> uuid.UUID:
        return self.dialogue_session_id

    @property
    def series_id(self) -> uuid.UUID:
        return self.dialogue_series_id


class ReportRequest(IdMixin, TimestampMixin, Base):
    """A subscriber's request for a session's detailed report, and its outcome."""

    __tablename__ = "report_request"
    __table_args__ = (
        Index("ix_report_request_series_status", "dialogue_series_id", "status"),
        Index("ix_report_request_session_email", "dialogue_session_id", "email"),
    )

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE")
    )
    dialogue_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "report_request_status"), default=RequestStatus.PENDING
    )
    pending_reason: Mapped[PendingReason | None] = mapped_column(
        str_enum(PendingReason, "report_request_pending_reason")
    )
    # True when the series' policy approved it (a confirmed subscriber), not an organiser.
    approved_by_policy: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    # The detailed version the approval e-mail links to.
    report_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("report_version.id", ondelete="RESTRICT"), index=True
    )

    @property
    def session_id(self) -> uuid.UUID:
        return self.dialogue_session_id

    @property
    def series_id(self) -> uuid.UUID:
        return self.dialogue_series_id


class ReportDownload(IdMixin, Base):
    """One download of a delivered report: who, when, which version, which format."""

    __tablename__ = "report_download"

    report_request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("report_request.id", ondelete="CASCADE"), index=True
    )
    report_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("report_version.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    format: Mapped[str] = mapped_column(String(16))
    downloaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class EditionStatus(StrEnum):
    """Where an edition (a translation of a published version) stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"


class ReportEdition(IdMixin, TimestampMixin, Base):
    """A published version's edition in another language: a complete translation of its
    public texts, reviewed by a member other than its translator, then published as
    version ``n.m`` (``n`` the version's number, ``m`` this edition's). Once published its
    canonical content and hash are frozen like a version's (migration 0060)."""

    __tablename__ = "report_edition"
    __table_args__ = (
        UniqueConstraint("report_version_id", "language"),
        # Two publications never share a label n.m, even when they race.
        UniqueConstraint("report_version_id", "number"),
        CheckConstraint("number IS NULL OR number >= 1", name="number_positive"),
        Index("ix_report_edition_series_status", "dialogue_series_id", "status"),
    )

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="RESTRICT")
    )
    report_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("report_version.id", ondelete="RESTRICT")
    )
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[EditionStatus] = mapped_column(
        str_enum(EditionStatus, "edition_status"), default=EditionStatus.DRAFT
    )
    calendar: Mapped[str] = mapped_column(
        String(16), default="gregorian", server_default="gregorian"
    )
    # The translation, as JSON keyed by the ids of what it translates (``EditionTextsIn``).
    texts: Mapped[str] = mapped_column(Text)
    # The guard's warning codes the translator (or reviewer) acknowledged, as a JSON list.
    acknowledged_warnings: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    translated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    number: Mapped[int | None]
    content: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def series_id(self) -> uuid.UUID:
        return self.dialogue_series_id
