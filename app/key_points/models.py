"""Key points and their revisions (the theme taxonomy is the series': ``app.series.models``).

A key point has NO author, speaker or person column or relation: the Chatham House Rule
forbids attribution, so the schema cannot express it. Who created, edited or approved a
point lives only in the internal audit trail (``app.audit``). A test asserts this column set.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin
from app.kit.enums import str_enum

_Json = JSON().with_variant(JSONB(), "postgresql")


class KeyPointStatus(StrEnum):
    """Four-eyes review: drafted, submitted, then approved (or returned to the rapporteur)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class KeyPoint(IdMixin, TimestampMixin, Base):
    """One main point of a session's discussion, recorded without attribution."""

    __tablename__ = "key_point"
    __table_args__ = (
        Index("ix_key_point_session_position", "dialogue_session_id", "position", "id"),
        Index("ix_key_point_status", "status"),
    )

    dialogue_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE")
    )
    # RESTRICT: a part with points cannot vanish, or its points would silently fall under
    # another regime.
    agenda_part_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agenda_part.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[KeyPointStatus] = mapped_column(
        str_enum(KeyPointStatus, "key_point_status"), default=KeyPointStatus.DRAFT
    )
    # The checker's current warnings (never blocks: those are refused) and the codes of the
    # ones a reviewer has acknowledged.
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(_Json, default=list)
    acknowledged_warnings: Mapped[list[str]] = mapped_column(_Json, default=list)
    review_note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    approved_at: Mapped[datetime | None]

    @property
    def session_id(self) -> uuid.UUID:
        return self.dialogue_session_id

    @property
    def part_id(self) -> uuid.UUID | None:
        return self.agenda_part_id


class KeyPointTheme(Base):
    """A key point tagged with a theme."""

    __tablename__ = "key_point_theme"

    key_point_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("key_point.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class KeyPointRevision(IdMixin, Base):
    """An earlier text of a key point, kept when the text changes (no author: see audit)."""

    __tablename__ = "key_point_revision"
    __table_args__ = (UniqueConstraint("key_point_id", "revision"),)

    key_point_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("key_point.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    agenda_part_id: Mapped[uuid.UUID | None]
    status: Mapped[KeyPointStatus] = mapped_column(str_enum(KeyPointStatus, "key_point_status"))
    created_at: Mapped[datetime]
