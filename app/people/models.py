"""The confidential roster: a series' directory of people, and attendance per session.

Nothing in this module may reach an output meant for anyone outside the series' organisers
and rapporteurs. Public outputs use the aggregate composition only.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin
from app.kit.enums import str_enum


class Sector(StrEnum):
    """Where a person comes from, for the aggregate composition."""

    SCHOLAR = "scholar"
    FORMER_DIPLOMAT = "former_diplomat"
    SERVING_OFFICIAL = "serving_official"
    FORMER_OFFICIAL = "former_official"
    CIVIL_SOCIETY = "civil_society"
    MEDIA = "media"
    OTHER = "other"


class AttendanceRole(StrEnum):
    """A person's role in one session."""

    CHAIR = "chair"
    SPEAKER = "speaker"
    PRESENTER = "presenter"
    PARTICIPANT = "participant"
    RAPPORTEUR = "rapporteur"
    OBSERVER = "observer"


class AttendanceStatus(StrEnum):
    """Invitation and attendance state."""

    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    ATTENDED = "attended"
    ABSENT = "absent"


class Person(IdMixin, TimestampMixin, Base):
    """Someone in a series' directory (a participant, speaker, chair ...)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("dialogue_series_id", "email"),)

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE"), index=True
    )
    honorific: Mapped[str | None] = mapped_column(String(50))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), default=list
    )
    position: Mapped[str | None] = mapped_column(String(300))
    affiliation: Mapped[str | None] = mapped_column(String(300))
    affiliation_acronym: Mapped[str | None] = mapped_column(String(30))
    # Other names of the affiliation: in Dari, Pashto, Arabic, or its other English names.
    affiliation_aliases: Mapped[list[str]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), default=list, server_default="[]"
    )
    country: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"), default=Sector.OTHER)
    email: Mapped[str | None] = mapped_column(String(320))
    notes: Mapped[str] = mapped_column(Text, default="")


class Attendance(IdMixin, TimestampMixin, Base):
    """A person's attendance of one session, with their role and status."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("dialogue_session_id", "person_id"),)

    dialogue_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[AttendanceRole] = mapped_column(str_enum(AttendanceRole, "attendance_role"))
    status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "attendance_status"), default=AttendanceStatus.INVITED
    )


class OnRecordConsent(Base):
    """A person's consent to be named in one on-record agenda part of a session."""

    __tablename__ = "on_record_consent"

    attendance_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True
    )
    agenda_part_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agenda_part.id", ondelete="CASCADE"), primary_key=True, index=True
    )
