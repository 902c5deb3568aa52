"""Webhooks hear every domain event (``app.outbox.events``) and queue one message per endpoint.

The domains emit events without knowing who listens; ``app.wiring.wire`` registers
:func:`queue_for_endpoints` as the listener. An e-mail address (``email``) reaches only
endpoints owned by an administrator; everyone else gets the event without it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.clock import utcnow
from app.kit.ids import uuid7
from app.outbox.events import EVENT_TYPES, iso
from app.outbox.queue import enqueue
from app.webhooks.repository import WebhookRepository

__all__ = [
    "ADMIN_ONLY_FIELDS",
    "ALL_EVENTS",
    "EVENT_TYPES",
    "MAX_BODY_BYTES",
    "event_body",
    "queue_for_endpoints",
    "wants",
]

ALL_EVENTS = "*"
# Members of ``data`` that only administrators' endpoints receive.
ADMIN_ONLY_FIELDS: Final = frozenset({"email"})
MAX_BODY_BYTES: Final = 20 * 1024


def wants(events: list[str], event_type: str) -> bool:
    """Whether an endpoint's event filter takes ``event_type``."""
    return ALL_EVENTS in events or event_type in events


def event_body(event_type: str, at: datetime, data: dict[str, Any], *, for_admin: bool) -> str:
    """The JSON body sent for one event to one endpoint."""
    visible = {k: v for k, v in data.items() if for_admin or k not in ADMIN_ONLY_FIELDS}
    carries_admin_data = any(k in ADMIN_ONLY_FIELDS for k in visible)
    visible["confidentiality"] = "admin" if carries_admin_data else "public"
    payload = {"type": event_type, "timestamp": iso(at), "data": visible}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


async def queue_for_endpoints(
    db: AsyncSession, event_type: str, series_id: uuid.UUID, data: dict[str, Any]
) -> int:
    """Queue ``event_type`` for every active endpoint that takes it, in the caller's
    transaction (flushed, never committed). Returns how many messages were queued."""
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
