"""Request and response shapes for sessions and agenda parts."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.confidentiality.schemas import AcknowledgeWarnings
from app.kit.types import LongText, NoNul, SingleLine, TimeZoneName
from app.series.models import DisclosureRegime
from app.sessions.models import PartKind, SessionFormat, SessionStatus

MAX_SESSION_LENGTH = timedelta(hours=24)

SessionTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SingleLine
]
Venue = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SingleLine
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
]
PartTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
]
Topic = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SingleLine
]
MeetingUrl = Annotated[AnyHttpUrl, Field(max_length=2000)]


def check_times(starts_at: datetime | None, ends_at: datetime | None) -> str | None:
    """Why a start/end pair is unacceptable, or None."""
    if starts_at is None or ends_at is None:
        return None
    if ends_at <= starts_at:
        return "must be after starts_at"
    if ends_at - starts_at > MAX_SESSION_LENGTH:
        return "must be at most 24 hours after starts_at"
    return None


class SessionCreate(BaseModel):
    """A new session; it is numbered after the series' last session and starts as a draft."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "While Doha Prepares to Host the IAN, What Are the Challenges Ahead?",
                    "context": "Afghanistan has seen a resurgence of violence ...",
                    "starts_at": "2020-06-29T14:00:00+04:30",
                    "ends_at": "2020-06-29T16:30:00+04:30",
                    "timezone": "Asia/Kabul",
                    "format": "online",
                    "meeting_url": "https://meet.example.org/has-track2-3",
                }
            ]
        },
    )

    title: SessionTitle
    context: LongText = Field(default="", description="The organiser's framing paragraph.")
    starts_at: AwareDatetime = Field(description="Start, with an offset; stored in UTC.")
    ends_at: AwareDatetime = Field(description="End, with an offset; at most 24 h after start.")
    timezone: TimeZoneName | None = Field(default=None, description="Defaults to the series'.")
    format: SessionFormat
    venue: Venue | None = Field(default=None, description="Members only; never public.")
    meeting_url: MeetingUrl | None = Field(default=None, description="Members only; never public.")
    default_regime: DisclosureRegime | None = Field(
        default=None, description="Regime for points outside any part; defaults to the series'."
    )

    acknowledge_warnings: AcknowledgeWarnings = []

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        problem = check_times(self.starts_at, self.ends_at)
        if problem:
            raise ValueError(f"ends_at {problem}")
        return self


class SessionUpdate(BaseModel):
    """Changes to a session; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: SessionTitle | None = None
    context: LongText | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    timezone: TimeZoneName | None = None
    format: SessionFormat | None = None
    venue: Venue | None = None
    meeting_url: MeetingUrl | None = None
    default_regime: DisclosureRegime | None = None

    acknowledge_warnings: AcknowledgeWarnings = []


class StatusChange(BaseModel):
    """Move a session through its lifecycle."""

    model_config = ConfigDict(extra="forbid")

    status: SessionStatus
    reason: Reason | None = Field(
        default=None, description="Required when postponing or cancelling."
    )


class ZonedTimes(BaseModel):
    """A session's start and end rendered in one time zone."""

    timezone: str
    starts_at: datetime
    ends_at: datetime
    starts_utc_offset: str = Field(examples=["+04:30"])
    ends_utc_offset: str
    abbreviation: str = Field(description="e.g. EDT/EST; as the zone database names it.")


class SchedulingWarning(BaseModel):
    """Something the organiser may want to know; the change was made anyway."""

    code: Literal["session_overlap", "person_double_booked", "published_text_taken_down"]
    message: str
    session_id: uuid.UUID | None = None
    number: int | None = None
    report_id: uuid.UUID | None = Field(
        default=None,
        description="published_text_taken_down: the report version the guard took down.",
    )
    findings: list[dict[str, Any]] | None = Field(
        default=None,
        description="published_text_taken_down: where the text now names someone (`field`, "
        "with the checker's `findings`); for the series' members only.",
    )


class SessionRead(BaseModel):
    """A session as members of its series see it."""

    id: uuid.UUID
    series_id: uuid.UUID
    number: int
    title: str
    context: str
    starts_at: datetime = Field(description="UTC.")
    ends_at: datetime = Field(description="UTC.")
    timezone: str
    local: ZonedTimes = Field(description="The times in the session's own time zone.")
    requested: ZonedTimes | None = Field(
        default=None, description="The times in the zone asked for with ?tz=, if any."
    )
    format: SessionFormat
    venue: str | None
    meeting_url: str | None
    default_regime: DisclosureRegime
    status: SessionStatus
    status_reason: str | None
    calendar_sequence: int
    allowed_transitions: list[SessionStatus]
    created_at: datetime
    updated_at: datetime


class SessionWritten(SessionRead):
    """A created or changed session, with any scheduling warnings."""

    warnings: list[SchedulingWarning] = []


class PartCreate(BaseModel):
    """A new agenda part; appended unless a position is given."""

    model_config = ConfigDict(extra="forbid")

    title: PartTitle
    kind: PartKind
    topic: Topic | None = Field(default=None, examples=["Perspectives from Europe"])
    regime: DisclosureRegime | None = Field(
        default=None, description="Defaults to the session's default regime."
    )
    position: int | None = Field(default=None, ge=1, le=1000)

    acknowledge_warnings: AcknowledgeWarnings = []


class PartUpdate(BaseModel):
    """Changes to an agenda part; a new position reorders the others."""

    model_config = ConfigDict(extra="forbid")

    title: PartTitle | None = None
    kind: PartKind | None = None
    topic: Topic | None = None
    regime: DisclosureRegime | None = None
    position: int | None = Field(default=None, ge=1, le=1000)

    acknowledge_warnings: AcknowledgeWarnings = []


class PartRead(BaseModel):
    """An agenda part."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    position: int
    title: str
    kind: PartKind
    topic: str | None
    regime: DisclosureRegime
    created_at: datetime
    updated_at: datetime


class PartWritten(PartRead):
    """A changed agenda part, with any warnings about published reports."""

    warnings: list[SchedulingWarning] = []
