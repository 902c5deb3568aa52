"""What administrators see of an outbox message: never the body, only what diagnoses delivery."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.outbox.models import OutboxKind, OutboxStatus


class OutboxMessageRead(BaseModel):
    """One outbox message, without its body or attachments."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: OutboxKind
    status: OutboxStatus
    recipient: str | None = Field(
        description="E-mail address, or the webhook URL; null once the content is pruned or erased."
    )
    subject: str | None = Field(
        description="E-mail subject; null for webhooks and once the content is pruned or erased."
    )
    attempts: int
    last_error: str | None
    created_at: datetime
    available_at: datetime = Field(description="Next attempt (pending) or lease expiry (sending).")
    sent_at: datetime | None
    pruned_at: datetime | None = Field(
        description="When retention dropped the content of this sent message "
        "(TRACK2_OUTBOX__SENT_RETENTION_DAYS); the row stays only for its dedupe key."
    )
