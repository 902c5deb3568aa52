"""Subscribers, per-series subscriptions, suppressions and newsletter issues.

A subscriber is one e-mail address (stored lower-case), with one subscription row per series.
Subscribers are members of the public, not users, and never appear on any roster. Erasing a
subscriber deletes the row (and its subscriptions); only a keyed hash of the address stays,
in ``email_suppression``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The rate-limit hits live in the kit; importing it here registers their table with the
# metadata (migrations, drift checks) wherever the newsletter models are loaded.
import app.kit.ratelimit  # noqa: F401
from app.db import Base, IdMixin, TimestampMixin
from app.kit.clock import utcnow
from app.kit.enums import str_enum


class SubscriptionStatus(StrEnum):
    """Double opt-in: pending until the link in the confirmation e-mail is used."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class Subscriber(IdMixin, TimestampMixin, Base):
    """One e-mail address that asked for (or receives) newsletters."""

    __tablename__ = "subscriber"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    # The language they read newsletters and editions in: en, fa-AF, ps or ar (migration 0062).
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    # At most one confirmation e-mail per address per hour, whoever asks for it.
    confirmation_sent_at: Mapped[datetime | None]


class Subscription(IdMixin, TimestampMixin, Base):
    """A subscriber's state for one series, with the record of their consent."""

    __tablename__ = "subscription"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "dialogue_series_id"),
        Index("ix_subscription_series_status", "dialogue_series_id", "status"),
    )

    subscriber_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE")
    )
    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE")
    )
    status: Mapped[SubscriptionStatus] = mapped_column(
        str_enum(SubscriptionStatus, "subscription_status"), default=SubscriptionStatus.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    # What the subscriber agreed to, word for word, and from where (if recorded).
    consent_text: Mapped[str | None] = mapped_column(Text)
    consent_ip: Mapped[str | None] = mapped_column(String(45))


class EmailSuppression(IdMixin, Base):
    """An erased address, kept only as HMAC-SHA256(secret key, address).

    Imports skip suppressed addresses; only a fresh, confirmed opt-in through the public
    form lifts a suppression.
    """

    __tablename__ = "email_suppression"

    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NewsletterIssue(IdMixin, TimestampMixin, Base):
    """A newsletter composed for one series, sent once to its confirmed subscribers."""

    __tablename__ = "newsletter_issue"

    dialogue_series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dialogue_series.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    # The published summary this issue announces (checked when the issue is composed; a
    # plain UUID so that the issue outlives any future withdrawal of the version).
    report_id: Mapped[uuid.UUID | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    recipient_count: Mapped[int | None]
