"""Webhook events: their names, their public payloads, and :func:`emit`.

Services call ``await emit(db, event_type, series_id, data)`` in their own transaction, with
``data`` built by one of the projection functions below. Those read only public fields: no
roster, no venue, no meeting link, no key point. An e-mail address (``email``) reaches only
endpoints owned by an administrator; everyone else gets the event without it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.gate import Cleared
from app.kit.clock import as_utc, utcnow
from app.kit.ids import uuid7
from app.outbox.queue import enqueue
from app.webhooks.repository import WebhookRepository

if TYPE_CHECKING:
    from app.reports.models import ReportRequest, ReportVersion
    from app.series.models import DialogueSeries
    from app.sessions.models import DialogueSession

EVENT_TYPES: Final = (
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
    "subscription.confirmed",
    "subscription.unsubscribed",
    "report_request.created",
    "report_request.decided",
)
ALL_EVENTS = "*"
# Members of ``data`` that only administrators' endpoints receive.
ADMIN_ONLY_FIELDS: Final = frozenset({"email"})
MAX_BODY_BYTES: Final = 20 * 1024


def _iso(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


def _cleared(texts: Mapping[str, str], key: str) -> Cleared:
    value = texts[key]
    if not isinstance(value, Cleared):
        raise TypeError(f"webhook text {key!r} must pass the guard first")
    return value


def series_data(series: DialogueSeries, texts: Mapping[str, str]) -> dict[str, Any]:
    """A series' public face, from its texts as the guard cleared them (``title``, ``slug``,
    ``organiser``, ``partners.N``)."""
    return {
        "id": str(series.id),
        "slug": _cleared(texts, "slug"),
        "title": _cleared(texts, "title"),
        "organiser": _cleared(texts, "organiser"),
        "partners": [_cleared(texts, f"partners.{i}") for i in range(len(series.partners))],
    }


def session_data(
    session: DialogueSession, texts: Mapping[str, str], **extra: Any
) -> dict[str, Any]:
    """A session as a public calendar may show it (no venue, no meeting link, no roster),
    with its title as the guard cleared it."""
    return {
        "id": str(session.id),
        "series_id": str(session.dialogue_series_id),
        "number": session.number,
        "title": _cleared(texts, "title"),
        "status": session.status.value,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "timezone": session.timezone,
        **extra,
    }


def taken_down_data(kind: str, item_id: uuid.UUID, **ids: Any) -> dict[str, Any]:
    """Something public was taken down while it is revised: which one, never why (the text
    that named someone is not repeated)."""
    return {"id": str(item_id), "kind": kind, **{k: str(v) for k, v in ids.items()}}


def report_data(version: ReportVersion) -> dict[str, Any]:
    """A published report version, by reference (the content is fetched, not pushed)."""
    return {
        "id": str(version.id),
        "session_id": str(version.dialogue_session_id),
        "kind": version.kind.value,
        "version": version.number,
        "sha256": version.content_sha256,
        "published_at": _iso(version.published_at),
        "withdrawn_at": _iso(version.withdrawn_at) if version.withdrawn_at else None,
    }


def report_request_data(request: ReportRequest, session_number: int) -> dict[str, Any]:
    """A report request; the requester's address is for administrators' endpoints only."""
    return {
        "id": str(request.id),
        "session_number": session_number,
        "status": request.status.value,
        "email": request.email,
    }


def subscription_data(series_slug: str, email: str) -> dict[str, Any]:
    """A subscription change; the subscriber's address is for administrators' endpoints only."""
    return {"series_slug": series_slug, "email": email}


def wants(events: list[str], event_type: str) -> bool:
    """Whether an endpoint's event filter takes ``event_type``."""
    return ALL_EVENTS in events or event_type in events


def event_body(event_type: str, at: datetime, data: dict[str, Any], *, for_admin: bool) -> str:
    """The JSON body sent for one event to one endpoint."""
    visible = {k: v for k, v in data.items() if for_admin or k not in ADMIN_ONLY_FIELDS}
    carries_admin_data = any(k in ADMIN_ONLY_FIELDS for k in visible)
    visible["confidentiality"] = "admin" if carries_admin_data else "public"
    payload = {"type": event_type, "timestamp": _iso(at), "data": visible}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


async def emit(
    db: AsyncSession, event_type: str, series_id: uuid.UUID, data: dict[str, Any]
) -> int:
    """Queue ``event_type`` for every active endpoint that takes it, in the caller's
    transaction (flushed, never committed). Returns how many messages were queued."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type!r}")
    targets = await WebhookRepository(db).targets(series_id)
    at = utcnow()
    queued = 0
    for endpoint, owner_is_admin in targets:
        if not wants(endpoint.events, event_type):
            continue
        body = event_body(event_type, at, data, for_admin=owner_is_admin)
        await enqueue(
            db,
            kind="webhook",
            payload={
                "endpoint_id": str(endpoint.id),
                "url": endpoint.url,
                "message_id": f"msg_{uuid7().hex}",
                "event_type": event_type,
                "body": body,
            },
        )
        queued += 1
    return queued
