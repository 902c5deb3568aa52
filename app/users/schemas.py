"""Request and response shapes for users and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, StringConstraints

from app.kit.types import SingleLine

DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
]
TokenName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine
]


class UserCreate(BaseModel):
    """A new user; administrators create users."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=320, examples=["organiser@example.org"])
    display_name: DisplayName = Field(examples=["Programme Officer"])
    is_admin: StrictBool = False


class UserUpdate(BaseModel):
    """Changes to a user (administrators only)."""

    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    is_admin: StrictBool | None = None
    is_active: StrictBool | None = None


class UserRead(BaseModel):
    """A user as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    is_admin: bool
    is_active: bool
    created_at: datetime


class TokenCreate(BaseModel):
    """A new API token; ``expires_at`` is optional (tokens without one last until revoked)."""

    model_config = ConfigDict(extra="forbid")

    name: TokenName = Field(examples=["CRM integration"])
    expires_at: datetime | None = Field(
        default=None, description="When the token stops working (with an offset)."
    )
    read_only: StrictBool = Field(
        default=False,
        description="A read-only token may only read (GET); any other method answers 403 "
        "`/problems/read-only-token`. For integrations that mirror or report.",
    )


class TokenRead(BaseModel):
    """A token's metadata; the secret itself is never shown again."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str = Field(description="The first characters of the token, to tell tokens apart.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    read_only: bool = Field(description="Whether the token may only read.")


class TokenIssued(TokenRead):
    """A freshly issued token: ``token`` is shown this once and cannot be recovered."""

    token: str = Field(description="The bearer token. Store it now; it is not shown again.")
