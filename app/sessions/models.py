"""Dialogue sessions and their agenda parts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin
from app.kit.enums import str_enum
from app.series.models import DisclosureRegime


class SessionFormat(StrEnum):
    """How participants meet."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"


class SessionStatus(StrEnum):
    """Where a session is in its lifecycle (transitions are enforced by the service)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    HELD = "held"
    CLOSED = "closed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class PartKind(StrEnum):
    """What happens in an agenda part."""

    OPENING_REMARKS = "opening_remarks"
    PRESENTATION = "presentation"
    Q_AND_A = "q_and_a"
    DISCUSSION = "discussion"
    OTHER = "other"


class DialogueSession(IdMixin, TimestampMixin, Base):
    """One meeting of a series ("the third session")."""

    __tablename__ = "dialogue_session"
    __table_args__ = (
        UniqueConstraint("dialogue_series_id", "number"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("number >= 1", name="number_positive"),
        Index("ix_dialogue_session_series_starts", "dialogue_series_id", "starts_at"),
    )

    # RESTRICT: a series with sessions cannot be deleted (the service answers 409 first).
    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="RESTRICT")
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    context: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    format: Mapped[SessionFormat] = mapped_column(str_enum(SessionFormat, "session_format"))
    venue: Mapped[str | None] = mapped_column(String(300))
    meeting_url: Mapped[str | None] = mapped_column(String(2000))
    default_regime: Mapped[DisclosureRegime] = mapped_column(
        str_enum(DisclosureRegime, "disclosure_regime")
    )
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "session_status"), default=SessionStatus.DRAFT
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Bumped whenever the time or status changes, so calendar clients replace the event.
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    # When it was first scheduled: from then on its title, context and times are public
    # (calendars, the public series, webhooks). Null: a draft, or a draft cancelled before it
    # was ever scheduled, which nobody outside the series ever sees.
    public_since: Mapped[datetime | None]
    # Taken down by the guard: its title or context now names someone. Its calendar answers
    # 410 "being revised" and public listings leave it out until it is republished.
    taken_down_at: Mapped[datetime | None]
    # Bumped (in SQL, atomically) by every change to the session's key points, so their
    # serialised list can be cached by version across requests and processes.
    key_points_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def series_id(self) -> uuid.UUID:
        """The series' id under the name the API uses."""
        return self.dialogue_series_id


class AgendaPart(IdMixin, TimestampMixin, Base):
    """A part of a session's agenda, under its own disclosure regime."""

    __tablename__ = "agenda_part"
    __table_args__ = (Index("ix_agenda_part_session_position", "dialogue_session_id", "position"),)

    dialogue_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartKind] = mapped_column(str_enum(PartKind, "part_kind"))
    topic: Mapped[str | None] = mapped_column(String(300))
    regime: Mapped[DisclosureRegime] = mapped_column(
        str_enum(DisclosureRegime, "disclosure_regime")
    )

    @property
    def session_id(self) -> uuid.UUID:
        """The session's id under the name the API uses."""
        return self.dialogue_session_id
