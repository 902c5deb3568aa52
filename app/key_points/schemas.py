"""Request and response shapes for key points, reviews and themes.

``KeyPointRead`` has no author, speaker or person field; a test asserts its key set.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.confidentiality.schemas import AcknowledgeWarnings
from app.key_points.models import KeyPointStatus
from app.kit.types import NoNul, SingleLine

PointText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
]
ThemeSlug = Annotated[
    str, StringConstraints(min_length=2, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
]
ThemeLabel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
]
# A warning is acknowledged by its stable code, or by its index in the point's warnings.
Acknowledgement = int | Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]


class Finding(BaseModel):
    """One thing the non-attribution checker found in a text."""

    severity: Literal["block", "warn"]
    kind: Literal[
        "name", "affiliation", "position", "role", "descriptor", "quote", "disguise", "regime"
    ] = Field(
        description="`disguise`: a word that mixes scripts or carries direction controls; "
        "`regime`: a point of a part that is off the record (publication only)."
    )
    start: int
    end: int
    excerpt: str
    message: str
    code: str = Field(description="Stable; acknowledge a warning by this code.")


class CheckRequest(BaseModel):
    """A dry run of the checker."""

    model_config = ConfigDict(extra="forbid")

    text: PointText
    part_id: uuid.UUID | None = None


class CheckResult(BaseModel):
    """What the checker found; nothing was stored."""

    findings: list[Finding]


class KeyPointCreate(BaseModel):
    """A new key point: text only, never who said it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "A reduction of violence is an important step towards negotiations.",
                    "themes": ["reduction-of-violence-and-ceasefire"],
                }
            ]
        },
    )

    text: PointText
    part_id: uuid.UUID | None = None
    themes: Annotated[list[ThemeSlug], Field(max_length=20)] = []
    position: int | None = Field(default=None, ge=1, le=100_000)


class KeyPointUpdate(BaseModel):
    """Changes to a key point. A new text is checked again and returns an approved point to
    draft; the old text is kept as a revision."""

    model_config = ConfigDict(extra="forbid")

    text: PointText | None = None
    part_id: uuid.UUID | None = None
    themes: Annotated[list[ThemeSlug], Field(max_length=20)] | None = None
    position: int | None = Field(default=None, ge=1, le=100_000)
    acknowledged_warnings: Annotated[list[Acknowledgement], Field(max_length=50)] | None = None


class ReviewAction(BaseModel):
    """One step of the four-eyes review."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["submit", "approve", "return"]
    note: Note | None = Field(default=None, description="Required when returning a point.")
    acknowledge: Annotated[list[Acknowledgement], Field(max_length=50)] = Field(
        default=[], description="Warnings the approver acknowledges (codes or indexes)."
    )


class KeyPointRead(BaseModel):
    """A key point as series members see it. There is no author: by design."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    part_id: uuid.UUID | None
    position: int
    text: str
    themes: list[str]
    status: KeyPointStatus
    warnings: list[Finding]
    acknowledged_warnings: list[str]
    review_note: str | None
    revision: int
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime


class KeyPointWritten(KeyPointRead):
    """A stored key point with the checker's findings for this write (warnings only)."""

    findings: list[Finding]


class RevisionRead(BaseModel):
    """An earlier text of a key point."""

    model_config = ConfigDict(from_attributes=True)

    revision: int
    text: str
    part_id: uuid.UUID | None = Field(validation_alias="agenda_part_id")
    status: KeyPointStatus
    created_at: datetime


class HistoryEvent(BaseModel):
    """An audit event: organisers' eyes only."""

    action: str
    at: datetime
    user_id: uuid.UUID | None
    user_email: str | None
    data: dict[str, Any]


class KeyPointHistory(BaseModel):
    """Who created, edited, reviewed and approved a point, and its earlier texts."""

    events: list[HistoryEvent]
    revisions: list[RevisionRead]


class ThemeCreate(BaseModel):
    """A new theme of the series' taxonomy."""

    model_config = ConfigDict(extra="forbid")

    slug: ThemeSlug
    label: ThemeLabel
    position: int | None = Field(default=None, ge=1, le=1000)

    acknowledge_warnings: AcknowledgeWarnings = []


class ThemeUpdate(BaseModel):
    """Changes to a theme."""

    model_config = ConfigDict(extra="forbid")

    label: ThemeLabel | None = None
    position: int | None = Field(default=None, ge=1, le=1000)

    acknowledge_warnings: AcknowledgeWarnings = []


class ThemeRead(BaseModel):
    """A theme."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    label: str
    position: int


class ThemeSessionRef(BaseModel):
    """A session in the theme matrix."""

    id: uuid.UUID
    number: int
    title: str


class ThemeMatrix(BaseModel):
    """Approved key points per theme (rows) and session (columns)."""

    themes: list[ThemeRead]
    sessions: list[ThemeSessionRef]
    counts: list[list[int]] = Field(description="counts[theme][session], approved points only.")
    totals: list[int] = Field(description="Approved points per theme over all sessions.")
