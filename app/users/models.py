"""Users (the people who operate Track2) and their API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    """An organiser, rapporteur or administrator. Subscribers are not users."""

    __tablename__ = "app_user"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan"
    )


class ApiToken(IdMixin, Base):
    """A bearer token. Only its SHA-256 is stored; the prefix lets people tell tokens apart."""

    __tablename__ = "api_token"

    app_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    # A read-only token may only read (GET): for integrations that mirror or report.
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(back_populates="tokens", lazy="raise")

    @property
    def user_id(self) -> uuid.UUID:
        """The owner's id under the name the API uses."""
        return self.app_user_id


class SignInLink(IdMixin, Base):
    """A single-use e-mailed sign-in link for the console. Only the SHA-256 of its secret is
    stored; it works once, within a few minutes of being sent."""

    __tablename__ = "sign_in_link"

    app_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(IdMixin, Base):
    """A signed-in browser: the opaque cookie's SHA-256, and when it stops working (idle
    and absolute expiry, or revocation by sign-out, sign-out everywhere or deactivation)."""

    __tablename__ = "web_session"

    app_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # What the person sees in "signed in on": the browser, as it described itself.
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class AuthVersion(Base):
    """One row: a number the database bumps (triggers, in the same transaction) whenever a
    token's or a user's state that authentication relies on changes. Cached token state is
    trusted only while this number is unchanged (``app.users.tokens``)."""

    __tablename__ = "auth_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
