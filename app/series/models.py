"""Dialogue series, their members and their theme taxonomy."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, TimestampMixin
from app.kit.clock import utcnow
from app.kit.enums import str_enum

JsonList = JSON().with_variant(JSONB(), "postgresql")


class DisclosureRegime(StrEnum):
    """What may be recorded and attributed in (part of) a meeting."""

    CHATHAM_HOUSE = "chatham_house"
    ON_RECORD = "on_record"
    OFF_RECORD = "off_record"


class MemberRole(StrEnum):
    """A user's role in a series."""

    ORGANISER = "organiser"
    RAPPORTEUR = "rapporteur"


class ReportRequestPolicy(StrEnum):
    """Who gets a session's detailed report on request."""

    CONFIRMED_SUBSCRIBERS = "confirmed_subscribers"
    REVIEW = "review"


class PaperSize(StrEnum):
    """The paper a series' reports are printed on."""

    A4 = "a4"
    LETTER = "letter"


class DialogueSeries(IdMixin, TimestampMixin, Base):
    """A series of Track 2 sessions, run by an organisation with its partners."""

    __tablename__ = "dialogue_series"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organiser: Mapped[str] = mapped_column(String(200))
    partners: Mapped[list[str]] = mapped_column(JsonList, default=list)
    timezone: Mapped[str] = mapped_column(String(64))
    default_regime: Mapped[DisclosureRegime] = mapped_column(
        str_enum(DisclosureRegime, "disclosure_regime"), default=DisclosureRegime.CHATHAM_HOUSE
    )
    # Report settings: how the public summary is headed and closed, and who may receive the
    # detailed report on request (see docs/reports.md).
    strapline: Mapped[str] = mapped_column(String(300), default="")
    title_prefix: Mapped[str] = mapped_column(String(200), default="")
    dateline: Mapped[str] = mapped_column(String(100), default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    report_request_policy: Mapped[ReportRequestPolicy] = mapped_column(
        str_enum(ReportRequestPolicy, "report_request_policy"), default=ReportRequestPolicy.REVIEW
    )
    # The paper of its printed reports (PDF and DOCX): A4 unless the series says US Letter
    # (migration 0061).
    paper: Mapped[PaperSize] = mapped_column(
        str_enum(PaperSize, "paper_size"), default=PaperSize.A4, server_default="a4"
    )
    # Bumped by database triggers whenever anything the guard's matcher reads changes (people,
    # attendance, consent, part regimes; migration 0030). Never written by the application.
    directory_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped by the database on every change of what the series publishes (migration 0081):
    # the key of its cached public documents (app/kit/documents.py).
    public_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Taken down by the guard: one of its public texts now names someone (migration 0031).
    taken_down_at: Mapped[datetime | None]
    # Unlisted until its first publication: public listings and ``series.created`` webhooks
    # leave it out until then (migration 0032).
    listed_at: Mapped[datetime | None]

    members: Mapped[list[SeriesMember]] = relationship(
        back_populates="series", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class SeriesMember(IdMixin, Base):
    """A user's role in one series: organisers run it, rapporteurs record key points."""

    __tablename__ = "series_member"
    __table_args__ = (UniqueConstraint("dialogue_series_id", "app_user_id"),)

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE"), index=True
    )
    app_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    series: Mapped[DialogueSeries] = relationship(back_populates="members", lazy="raise")


class SeriesInvitation(IdMixin, Base):
    """An organiser's e-mailed invitation to join a series with a role. Its link (only the
    SHA-256 of its secret is stored) creates the account if needed and signs the person in."""

    __tablename__ = "series_invitation"

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Theme(IdMixin, TimestampMixin, Base):
    """A theme of a series' taxonomy ("reduction of violence and ceasefire")."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("dialogue_series_id", "slug"),)

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
