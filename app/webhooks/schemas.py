"""What the webhook API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    UrlConstraints,
    field_validator,
)

from app.webhooks.events import ALL_EVENTS, EVENT_TYPES

EventName = Literal[
    "*",
    "series.created",
    "series.updated",
    "session.created",
    "session.updated",
    "session.status_changed",
    "report.published",
    "report.withdrawn",
    "series.taken_down",
    "session.taken_down",
    "report.taken_down",
    "report.republished",
    "report.edition_published",
    "subscription.confirmed",
    "subscription.unsubscribed",
    "report_request.created",
    "report_request.decided",
]
assert set(EventName.__args__) == {ALL_EVENTS, *EVENT_TYPES}  # type: ignore[attr-defined]  # Literal's members

EventList = Annotated[
    list[EventName],
    Field(
        min_length=1,
        max_length=len(EVENT_TYPES) + 1,
        description='Event types to receive, or `["*"]` for all of them.',
    ),
]
Url = Annotated[
    AnyUrl,
    UrlConstraints(max_length=2048, allowed_schemes=["http", "https"], host_required=True),
    Field(description="Where events are POSTed (http or https)."),
]

_READ_EXAMPLE: dict[str, Any] = {
    "id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0b99",
    "url": "https://hooks.example.org/track2",
    "events": ["session.created", "report.published"],
    "series_id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0b12",
    "active": True,
    "owner_id": "0192e0a4-5b1c-7d2e-8f3a-4b5c6d7e8f90",
    "disabled_at": None,
    "disabled_reason": None,
    "created_at": "2026-01-15T09:30:00Z",
    "updated_at": "2026-01-15T09:30:00Z",
}
SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _unique(events: list[str]) -> list[str]:
    if ALL_EVENTS in events and len(events) > 1:
        raise ValueError('"*" already means every event; give it alone')
    return list(dict.fromkeys(events))


class WebhookCreate(BaseModel):
    """A new endpoint."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.example.org/track2",
                    "events": ["session.created", "report.published"],
                    "series_id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0b12",
                }
            ]
        },
    )

    url: Url
    events: EventList
    series_id: uuid.UUID | None = Field(
        default=None,
        description="Only this series' events. Required unless the caller is an administrator.",
    )
    active: StrictBool = True

    _events = field_validator("events")(_unique)


class WebhookUpdate(BaseModel):
    """Changes to an endpoint; absent fields stay as they are. `active: true` re-enables a
    disabled endpoint."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"events": ["*"], "active": True}]}
    )

    url: Url | None = None
    events: EventList | None = None
    active: StrictBool | None = None

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _unique(value)


class WebhookRead(BaseModel):
    """An endpoint; never its secret."""

    model_config = ConfigDict(json_schema_extra={"examples": [_READ_EXAMPLE]})

    id: uuid.UUID
    url: str
    events: list[str]
    series_id: uuid.UUID | None
    active: bool
    owner_id: uuid.UUID
    disabled_at: datetime | None = Field(description="When delivery stopped being attempted.")
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookRead):
    """An endpoint with its signing secret, shown only when it is created or rotated."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_READ_EXAMPLE, "secret": SECRET_EXAMPLE}]}
    )

    secret: str = Field(
        description="Signing secret (`whsec_` + base64). Store it now: it is never shown again."
    )


class WebhookDeliveryRead(BaseModel):
    """One delivery attempt."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0c01",
                    "message_id": "msg_0192e0a61d3e7f408b5c6d7e8f9a0c00",
                    "event_type": "session.created",
                    "attempt": 1,
                    "status_code": 200,
                    "duration_ms": 84,
                    "error": None,
                    "at": "2026-01-15T09:30:01Z",
                }
            ]
        }
    )

    id: uuid.UUID
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    event_type: str
    attempt: int
    status_code: int | None = Field(description="The receiver's status; null if none came.")
    duration_ms: int
    error: str | None
    at: datetime


class RedeliveryQueued(BaseModel):
    """A message queued again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outbox_message_id": "0192e0a6-1d3e-7f40-8b5c-6d7e8f9a0d01",
                    "message_id": "msg_0192e0a61d3e7f408b5c6d7e8f9a0c00",
                }
            ]
        }
    )

    outbox_message_id: uuid.UUID
    message_id: str = Field(description="The same `webhook-id` as the original delivery.")
