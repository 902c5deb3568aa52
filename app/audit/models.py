"""The internal audit trail: who did what to which object, for organisers' eyes only.

This is the only place where the user behind a key point's creation, edit or approval is
recorded. No report, export, public page, e-mail, webhook or subscriber-facing response is
ever rendered from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin
from app.kit.clock import utcnow


class AuditEvent(IdMixin, Base):
    """One recorded action."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject", "subject_type", "subject_id"),)

    dialogue_series_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE"), index=True
    )
    app_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID]
    data: Mapped[dict[str, Any]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), default=dict
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
