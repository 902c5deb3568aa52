"""Request and response shapes for series and members."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.kit.types import LongText, ShortText, Slug, TimeZoneName, Title
from app.series.models import DisclosureRegime, MemberRole

Partners = Annotated[list[ShortText], Field(max_length=20)]


class SeriesCreate(BaseModel):
    """A new dialogue series; its creator becomes its first organiser."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Regional and International Support for Afghan Peace",
                    "slug": "afghan-peace",
                    "description": "Online forums of scholars and former diplomats.",
                    "organiser": "Heart of Asia Society",
                    "partners": [
                        "Center for Conflict and Humanitarian Studies",
                        "Center for International Cooperation at New York University",
                    ],
                    "timezone": "Asia/Kabul",
                    "default_regime": "chatham_house",
                }
            ]
        },
    )

    title: Title
    slug: Slug
    description: LongText = ""
    organiser: ShortText
    partners: Partners = []
    timezone: TimeZoneName | None = Field(
        default=None, description="Defaults to the installation's TRACK2_DEFAULT_TIMEZONE."
    )
    default_regime: DisclosureRegime = DisclosureRegime.CHATHAM_HOUSE


class SeriesUpdate(BaseModel):
    """Changes to a series; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    slug: Slug | None = None
    description: LongText | None = None
    organiser: ShortText | None = None
    partners: Partners | None = None
    timezone: TimeZoneName | None = None
    default_regime: DisclosureRegime | None = None


class SeriesRead(BaseModel):
    """A series as its members see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    title: str
    description: str
    organiser: str
    partners: list[str]
    timezone: str
    default_regime: DisclosureRegime
    created_at: datetime
    updated_at: datetime


class MemberCreate(BaseModel):
    """Add a user to a series with a role (or change the role of a member)."""

    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    role: MemberRole


class MemberRead(BaseModel):
    """A member of a series."""

    user_id: uuid.UUID
    email: str
    display_name: str
    role: MemberRole
    created_at: datetime
