"""Webhook endpoints and their delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin, TimestampMixin
from app.kit.clock import utcnow


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    """A URL that receives signed events, owned by the user who registered it.

    ``secret`` is the signing secret (``whsec_...``), sealed (:mod:`app.kit.sealing`): it must
    be readable to sign, so it is encrypted rather than hashed. The API shows it only in the
    answers that create or rotate it.
    """

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_owner", "owner_id", "id"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    # Null: every series (administrators only); otherwise only that series' events.
    dialogue_series_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(String(512))
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))


class WebhookDelivery(IdMixin, Base):
    """One attempt to deliver one message to an endpoint."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_endpoint", "webhook_endpoint_id", "id"),)

    webhook_endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE")
    )
    # The outbox row that carried the message (no foreign key: outbox rows may be pruned).
    outbox_message_id: Mapped[uuid.UUID]
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int]
    status_code: Mapped[int | None]
    duration_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
