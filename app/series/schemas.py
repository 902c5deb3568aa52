"""Request and response shapes for series and members."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.confidentiality.schemas import AcknowledgeWarnings
from app.kit.types import LongText, NoNul, ShortText, SingleLine, Slug, TimeZoneName, Title
from app.series.models import DisclosureRegime, MemberRole, PaperSize, ReportRequestPolicy

Partners = Annotated[list[ShortText], Field(max_length=20)]
Strapline = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=300),
    SingleLine,
    Field(
        description="The organiser's strapline, printed above every report's title.",
        examples=["Building Peace and Connectivity through Research and Dialogue"],
    ),
]
TitlePrefix = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    SingleLine,
    Field(
        description="Put before the session title in report titles ('PREFIX: title').",
        examples=["HAS Track 2 Dialogue Series"],
    ),
]
Dateline = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=100),
    SingleLine,
    Field(description="Opens the public summary ('KABUL — ...').", examples=["KABUL"]),
]
Closing = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=5000),
    NoNul,
    Field(description="The closing paragraph of every report of the series."),
]
RequestPolicy = Annotated[
    ReportRequestPolicy,
    Field(
        description="Who receives a detailed report on request: `confirmed_subscribers` "
        "(automatically, when the address is a confirmed subscriber of the series; other "
        "requests wait for review) or `review` (an organiser decides every request)."
    ),
]
Paper = Annotated[
    PaperSize,
    Field(
        description="The paper of the series' PDF and DOCX reports: `a4` (the default) or "
        "`letter` (US Letter)."
    ),
]


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
                    "strapline": "Building Peace and Connectivity through Research and Dialogue",
                    "title_prefix": "HAS Track 2 Dialogue Series",
                    "dateline": "KABUL",
                    "report_request_policy": "review",
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
    strapline: Strapline = ""
    title_prefix: TitlePrefix = ""
    dateline: Dateline = ""
    closing: Closing = ""
    report_request_policy: RequestPolicy = ReportRequestPolicy.REVIEW
    paper: Paper = PaperSize.A4

    acknowledge_warnings: AcknowledgeWarnings = []


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
    strapline: Strapline | None = None
    title_prefix: TitlePrefix | None = None
    dateline: Dateline | None = None
    closing: Closing | None = None
    report_request_policy: RequestPolicy | None = None
    paper: Paper | None = None

    acknowledge_warnings: AcknowledgeWarnings = []


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
    strapline: str
    title_prefix: str
    dateline: str
    closing: str
    report_request_policy: ReportRequestPolicy
    paper: PaperSize
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
