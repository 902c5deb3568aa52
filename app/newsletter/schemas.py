"""Request and response shapes for subscriptions, newsletter issues and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
)

from app.confidentiality.schemas import AcknowledgeWarnings
from app.kit.types import NoNul, ShortText, Slug, Title

# The wording a subscriber agrees to. It is shown next to the consent checkbox and on the
# confirmation page, and stored word for word with each confirmed subscription; change it
# by adding a new text, never by editing this one in place.
CONSENT_TEXT = (
    "I agree that Track2 may store my e-mail address (and name, if given) to send me the "
    "newsletters of the series I selected, until I unsubscribe or erase my data. I can "
    "unsubscribe, export or erase my data at any time from a link in every newsletter."
)

SUBSCRIPTION_ACCEPTED_DETAIL = (
    "Thank you. If this address can receive our newsletters, a message is on its way: check "
    "your inbox and follow the link in it to confirm."
)


def _must_be_true(value: bool) -> bool:
    if value is not True:
        raise ValueError("must be true: the subscriber agrees to the consent wording")
    return value


# JSON ``true`` and nothing else: not 1, not "true", not a missing field.
ConsentGiven = Annotated[
    StrictBool,
    AfterValidator(_must_be_true),
    Field(
        description="Must be `true`: the subscriber agrees to the consent wording "
        "(GET /subscribe shows it).",
        json_schema_extra={"const": True},
    ),
]
MarkdownBody = Annotated[str, StringConstraints(min_length=1, max_length=100_000), NoNul]


ReaderLanguage = Literal["en", "fa-AF", "ps", "ar"]


class PreferencesRead(BaseModel):
    """A subscriber's preferences, as their signed preferences link shows them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "reader@example.org",
                    "name": "A. Reader",
                    "language": "fa-AF",
                    "series": ["afghan-peace"],
                }
            ]
        }
    )

    email: str
    name: str | None
    language: ReaderLanguage
    series: list[str] = Field(description="Slugs of the series whose newsletters they receive.")


class PreferencesUpdate(BaseModel):
    """Change a subscriber's preferences with the signed token of their preferences link
    (every newsletter carries one). Absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    language: ReaderLanguage | None = None
    name: ShortText | None = None
    series: Annotated[list[Slug], Field(max_length=100)] | None = Field(
        default=None, description="Receive exactly these series (slugs)."
    )


class SubscriptionRequest(BaseModel):
    """A request to receive one or more series' newsletters (double opt-in)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "reader@example.org",
                    "series": ["afghan-peace"],
                    "name": "A. Reader",
                    "consent": True,
                }
            ]
        },
    )

    email: Annotated[EmailStr, Field(max_length=320)]
    series: Annotated[list[Slug], Field(min_length=1, max_length=20)] = Field(
        description="Slugs of the series to subscribe to (1-20)."
    )
    name: ShortText | None = None
    consent: ConsentGiven
    language: ReaderLanguage | None = Field(
        default=None,
        description="The language to read newsletters and report editions in: `en` (the "
        "default), `fa-AF`, `ps` or `ar`. Taken for a new address; a subscriber changes it "
        "in their preferences.",
    )


class SubscriptionAccepted(BaseModel):
    """The one answer to every well-formed subscription request, whatever happened."""

    status: Literal["accepted"] = "accepted"
    detail: str = SUBSCRIPTION_ACCEPTED_DETAIL


class NewsletterCreate(BaseModel):
    """A new newsletter issue for a series."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subject": "Third session: the main points",
                    "body_markdown": "The third session discussed **regional support**.",
                    "report_id": None,
                }
            ]
        },
    )

    subject: Title
    body_markdown: MarkdownBody = Field(
        description="Markdown; raw HTML is shown as text, never rendered."
    )
    report_id: uuid.UUID | None = Field(
        default=None,
        description="A published summary of this series that the issue announces; the "
        "e-mail links its public page.",
    )

    acknowledge_warnings: AcknowledgeWarnings = []


class NewsletterProgress(BaseModel):
    """Where the issue's messages are in the outbox."""

    queued: int = Field(description="Waiting or being sent (retries included).")
    sent: int
    failed: int = Field(description="Given up after the last retry.")


class NewsletterRead(BaseModel):
    """A newsletter issue, with its sending progress."""

    id: uuid.UUID
    series_id: uuid.UUID
    subject: str
    body_markdown: str
    report_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    recipient_count: int | None = Field(description="Confirmed subscribers when it was sent.")
    progress: NewsletterProgress


class NewsletterPreview(BaseModel):
    """The issue as a subscriber would receive it (links are placeholders)."""

    subject: str
    text: str
    html: str


class TestSendQueued(BaseModel):
    """A test copy is on its way to the caller."""

    queued: int
    to: str


class InvitationsQueued(BaseModel):
    """What ``POST /sessions/{id}/invitations`` queued."""

    queued: int = Field(description="Invitations newly queued.")
    already_queued: int = Field(description="Invitees already sent this version of the invitation.")
    without_email: int = Field(description="Invitees with no e-mail address on file.")
