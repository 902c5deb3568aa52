"""The outbox's table: one row per message to deliver (e-mail or webhook).

Domains add rows through :func:`app.outbox.queue.enqueue` inside their own transaction; the
worker (:mod:`app.outbox.worker`) claims and delivers them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin
from app.kit.clock import utcnow
from app.kit.enums import str_enum


class OutboxKind(StrEnum):
    """What a message is; each kind has one handler."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class OutboxStatus(StrEnum):
    """Where a message is in its life."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


# A literal, not bound parameters: both planners use a partial index only when the query's
# condition visibly matches the index's.
UNSENT_SQL = "status IN ('pending', 'sending')"
# Sent rows whose content is still kept: what retention (:func:`prune_sent`) looks at.
PRUNABLE_SQL = "status = 'sent' AND pruned_at IS NULL"
# What a pruned row's payload becomes: its envelope and body are gone.
PRUNED_PAYLOAD: dict[str, Any] = {"pruned": True}


class OutboxMessage(IdMixin, Base):
    """One message to deliver.

    While a row is ``sending``, ``available_at`` equals the lease expiry: a crashed worker's
    rows then become due again by the same test as pending ones, so one index serves both.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        # Only unsent rows, in claim order: a claim reads its batch straight off the index,
        # however many sent rows the table holds.
        Index(
            "ix_outbox_message_due",
            "available_at",
            "id",
            sqlite_where=text(UNSENT_SQL),
            postgresql_where=text(UNSENT_SQL),
        ),
        # Sent rows not pruned yet, by when they were sent: retention reads its rows straight
        # off this index, however many pruned rows the table keeps.
        Index(
            "ix_outbox_message_prunable",
            "sent_at",
            sqlite_where=text(PRUNABLE_SQL),
            postgresql_where=text(PRUNABLE_SQL),
        ),
    )

    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind, "outbox_kind"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # When retention dropped the payload of this sent row (kept for its dedupe key).
    pruned_at: Mapped[datetime | None]
