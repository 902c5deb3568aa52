"""Request and response shapes for reports, versions and report requests.

The report documents themselves are :mod:`app.reports.model` (the JSON format); the shapes
here describe versions and requests. ``*Public`` shapes are for anyone, with no token.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from app.confidentiality.gate import ClearedText
from app.confidentiality.schemas import AcknowledgeWarnings
from app.kit.types import NoNul
from app.reports.models import PendingReason, ReportKind, RequestStatus

Changelog = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
]
SeriesSlug = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, to_lower=True), NoNul
]


class PublishRequest(BaseModel):
    """Publish (freeze) a new version of a session's summary or detailed report."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "summary", "changelog": "First edition"}]},
    )

    kind: ReportKind
    changelog: Changelog | None = Field(default=None, description="What changed, for members.")


class ReportVersionRead(BaseModel):
    """A published version (without its content: fetch it with ``GET /reports/{id}``)."""

    id: uuid.UUID
    series_id: uuid.UUID
    session_id: uuid.UUID
    kind: ReportKind
    number: int = Field(description="1, 2, ... per session and kind.")
    published_at: datetime
    content_sha256: str = Field(
        description="SHA-256 (hex) of the canonical JSON, i.e. of the body of ?format=json."
    )
    changelog: str | None
    public_url: str | None = Field(
        description="The public page of a summary; null for detailed reports (never public) "
        "and withdrawn versions."
    )
    withdrawn_at: datetime | None = Field(
        default=None, description="When an organiser withdrew it; public addresses answer 410."
    )
    withdrawn_reason: str | None = Field(
        default=None, description="Why, for the series' members only (never public)."
    )


class WithdrawRequest(BaseModel):
    """Withdraw a published version (and the earlier versions of the same kind)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "A participant withdrew consent to a point in part two."}]
        },
    )

    reason: Note = Field(description="Why; kept for the series' members, never shown publicly.")


class Withdrawal(BaseModel):
    """The versions a withdrawal took back, oldest first."""

    withdrawn: list[ReportVersionRead]


class PublicEditionRef(BaseModel):
    """A published edition of a summary (a translation, version ``n.m``), in force."""

    language: Literal["fa-AF", "ps", "ar"]
    name: str = Field(description="The language's name in the language.", examples=["دری"])
    direction: Literal["ltr", "rtl"]
    version: str = Field(description="`n.m`: version n, its m-th edition.", examples=["1.1"])
    published_at: datetime
    url: str = Field(description="The edition's public HTML page (`?lang=`).")
    formats: dict[str, str] = Field(description="Format name to download URL (`&lang=`).")


class PublicReportRef(BaseModel):
    """The latest published summary of a session, with its editions in force."""

    report_id: uuid.UUID
    version: int
    published_at: datetime
    url: str = Field(description="The public HTML page of the summary.")
    formats: dict[str, str] = Field(description="Format name to download URL.")
    editions: list[PublicEditionRef] = Field(
        description="Its published editions in other languages, by language tag; never a "
        "draft, an unpublished or a withdrawn one."
    )


class PublicSession(BaseModel):
    """A session as the public may know it: no venue, no meeting link, no roster. Its texts
    are those the guard admitted against the series' directory as it is now."""

    number: int
    title: ClearedText
    date: str = Field(description="ISO date in the series' time zone.")
    date_long: str = Field(examples=["29 June 2020"])
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: Literal["scheduled", "held", "closed"]
    summary: PublicReportRef | None


class PublicSeries(BaseModel):
    """A series and its public sessions with their latest published summaries. Every text
    passed the guard against the series' directory as it is now."""

    slug: ClearedText
    title: ClearedText
    description: ClearedText
    organiser: ClearedText
    partners: list[ClearedText]
    strapline: ClearedText
    timezone: str
    url: str = Field(description="The series' public page.")
    subscribe_url: str
    sessions: list[PublicSession]


class ReportRequestCreate(BaseModel):
    """Ask for a session's detailed report to be e-mailed to an address."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "reader@example.org", "series": "afghan-peace", "session": 3}]
        },
    )

    email: Annotated[EmailStr, Field(max_length=320)]
    series: SeriesSlug = Field(description="The series' slug.")
    session: int = Field(ge=1, le=100_000, description="The session's number in the series.")


class ReportRequestAccepted(BaseModel):
    """The same answer for every request, whatever happens to it."""

    status: Literal["accepted"] = "accepted"
    detail: str = (
        "Thank you. If the request can be granted, a link to the report will be sent to the "
        "address given."
    )


class DownloadRead(BaseModel):
    """One download of a delivered report."""

    at: datetime
    version: int
    report_id: uuid.UUID
    format: str


class ReportRequestRead(BaseModel):
    """A request for a detailed report, as the series' organisers see it."""

    id: uuid.UUID
    series_id: uuid.UUID
    session_id: uuid.UUID
    session_number: int
    email: str
    status: RequestStatus
    pending_reason: PendingReason | None = Field(
        description="awaiting_review: an organiser decides; no_detailed_report: approved, "
        "and sent as soon as a detailed report is published."
    )
    approved_by_policy: bool
    decided_at: datetime | None
    note: str | None
    report_id: uuid.UUID | None = Field(description="The detailed version delivered.")
    created_at: datetime
    downloads: list[DownloadRead]


class RequestDecision(BaseModel):
    """An organiser's decision on a pending request."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "decline"]
    note: Note | None = Field(
        default=None, description="Included in the decline e-mail; kept with the request."
    )
    acknowledge_warnings: AcknowledgeWarnings = []


class TakenDownRead(BaseModel):
    """Something public the guard took down, and what it finds in it now (members only)."""

    kind: Literal["series", "session", "report"]
    id: uuid.UUID
    label: str = Field(examples=["version 2 of the public summary of session 3"])
    taken_down_at: datetime
    fields: list[dict[str, Any]] = Field(
        description="Where it would still identify someone (`field` with the checker's "
        "`findings`); empty once the fix is made and it can be republished."
    )


class TakedownsRead(BaseModel):
    """Everything of a series that is taken down while it is revised."""

    items: list[TakenDownRead]


class Republished(BaseModel):
    """What republishing put back: items released as they were, and new report versions
    published in place of versions whose content still named someone."""

    released: list[TakenDownRead]
    published: list[ReportVersionRead]


# -- editions -----------------------------------------------------------------------------

_EDITION_TEXTS_EXAMPLE: dict[str, Any] = {
    "series": {
        "title": "حمایت منطقه‌ای و بین‌المللی از صلح افغانستان",
        "organiser": "انجمن قلب آسیا",
        "partners": ["مرکز مطالعات منازعات و امور بشردوستانه در دوحه"],
        "strapline": "",
        "title_prefix": "",
        "dateline": "کابل",
        "closing": "",
    },
    "sessions": {
        "01a218c8-9b6a-7c35-a2f4-3e1c7d8b9a10": {
            "title": "چالش‌های پیش رو",
            "context": "در چند هفتهٔ گذشته، افغانستان شاهد از سرگیری خشونت بوده است.",
        }
    },
    "parts": {"01a218c8-9b6b-7d11-8c2e-5f3a9b7c1d22": {"title": "بحث عمومی", "topic": None}},
    "points": {"01a218c8-9c01-7a4e-b6d3-2c8f1e9a7b33": "صلح اکنون بیش از هر زمان دیگری نزدیک است."},
    "themes": {"regional-consensus": "اجماع منطقه‌ای"},
    "guests": {},
}

EditionLanguage = Literal["fa-AF", "ps", "ar"]
EditionText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), NoNul]
EditionLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NoNul]
# What every edition must print: never empty.
EditionName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul
]
EditionPoint = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), NoNul
]


class SeriesTextsIn(BaseModel):
    """The series' texts a report prints, translated."""

    model_config = ConfigDict(extra="forbid")

    title: EditionName
    organiser: EditionName
    partners: Annotated[list[EditionName], Field(max_length=20)] = []
    strapline: EditionLine = ""
    title_prefix: EditionLine = ""
    dateline: EditionLine = ""
    closing: EditionText = ""


class SessionTextsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: EditionName
    context: EditionText = ""


class PartTextsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: EditionName
    topic: EditionLine | None = None


class GuestTextsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: EditionName
    position: EditionLine | None = None


class EditionTextsIn(BaseModel):
    """A translation of a version's public texts, keyed like ``GET
    /reports/{id}/editions/source``: sessions, agenda parts and points by id, themes by
    slug, on-record guests by the name the version prints. A draft may be partial; it must
    be complete to be submitted."""

    model_config = ConfigDict(extra="forbid")

    series: SeriesTextsIn
    sessions: Annotated[dict[uuid.UUID, SessionTextsIn], Field(max_length=500)] = {}
    parts: Annotated[dict[uuid.UUID, PartTextsIn], Field(max_length=200)] = {}
    points: Annotated[dict[uuid.UUID, EditionPoint], Field(max_length=2000)] = {}
    themes: Annotated[dict[str, EditionName], Field(max_length=200)] = {}
    guests: Annotated[dict[str, GuestTextsIn], Field(max_length=200)] = {}


class EditionWrite(BaseModel):
    """Enter (or replace) the translation of an edition; it is a draft again until it is
    submitted and approved by another member."""

    model_config = ConfigDict(extra="forbid")

    calendar: Literal["gregorian", "solar_hijri"] = Field(
        default="gregorian",
        description="Dates in the Gregorian calendar, or in the Solar Hijri one (Dari and "
        "Pashto only; other languages print Gregorian dates).",
    )
    texts: EditionTextsIn
    acknowledge_warnings: AcknowledgeWarnings = []


class EditionReview(BaseModel):
    """Approve an edition, or return it to its translator with a note."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "return"]
    note: Note | None = None
    acknowledge_warnings: AcknowledgeWarnings = []


class EditionRead(BaseModel):
    """An edition of a published version, for the series' members."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "01a218d2-5b1e-7a40-9c3e-2f4b8d6a1c07",
                    "report_id": "01a218c8-9c79-71d1-a21b-c728f09cecf8",
                    "language": "fa-AF",
                    "direction": "rtl",
                    "calendar": "gregorian",
                    "status": "published",
                    "label": "1.1",
                    "translated_by_id": "01a218c8-9b5f-7305-8156-d95a8b39d0d6",
                    "reviewed_by_id": "01a218c8-9b60-7aa2-9d61-0c7e3f2b4a55",
                    "review_note": None,
                    "acknowledged_warnings": [],
                    "content_sha256": "9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f6a"
                    "7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e",
                    "published_at": "2026-11-26T17:05:40.118734Z",
                    "withdrawn_at": None,
                    "public_url": "https://track2.example.org/reports/"
                    "01a218c8-9c79-71d1-a21b-c728f09cecf8?lang=fa-AF",
                    "missing": [],
                    "texts": _EDITION_TEXTS_EXAMPLE,
                }
            ]
        }
    )

    id: uuid.UUID
    report_id: uuid.UUID
    language: EditionLanguage
    direction: Literal["ltr", "rtl"]
    calendar: str
    status: Literal["draft", "submitted", "approved", "published"]
    label: str | None = Field(
        description="'n.m' once published: version n of the report, edition m of it."
    )
    translated_by_id: uuid.UUID | None
    reviewed_by_id: uuid.UUID | None
    review_note: str | None
    acknowledged_warnings: list[str]
    content_sha256: str | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    public_url: str | None = Field(description="The public page of a published summary edition.")
    missing: list[str] = Field(
        description="Texts the translation still lacks (`points.<id>` ...); empty when complete."
    )
    texts: EditionTextsIn | None = None


class EditionSource(BaseModel):
    """What an edition of a version translates: its public texts in the records' language,
    keyed as an edition's ``texts``. ``current`` is false when the records have changed
    since the version was published (publish a new version first: an edition always
    translates exactly its version's content)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "report_id": "01a218c8-9c79-71d1-a21b-c728f09cecf8",
                    "number": 1,
                    "current": True,
                    "texts": _EDITION_TEXTS_EXAMPLE,
                }
            ]
        }
    )

    report_id: uuid.UUID
    number: int
    current: bool
    texts: EditionTextsIn
