"""Domain events: said once, in the transaction of the change, by the domain that made it.

Every domain announces what happened with ``await emit(db, event_type, series_id, data)``,
``data`` built by the domain's own projection (``app/<domain>/events.py``), which reads only
public fields: no roster, no venue, no meeting link, no key point. Who hears an event is not
the emitter's business: the webhooks domain, which sits above every other, registers the
listener that turns an event into outbox messages (``app.wiring.wire``). Emitting therefore
points down, to this floor, from wherever it happens.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.gate import Cleared
from app.kit.clock import as_utc

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
    "report.edition_published",
    "subscription.confirmed",
    "subscription.unsubscribed",
    "report_request.created",
    "report_request.decided",
)

Listener = Callable[[AsyncSession, str, uuid.UUID, dict[str, Any]], Awaitable[int]]
_listener: Listener | None = None


def listen(listener: Listener) -> None:
    """Register who hears every event (the latest registration wins)."""
    global _listener
    _listener = listener


async def emit(
    db: AsyncSession, event_type: str, series_id: uuid.UUID, data: dict[str, Any]
) -> int:
    """Announce ``event_type`` of a series in the caller's transaction (flushed by the
    listener, never committed). Returns how many deliveries the listener queued."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event {event_type!r}")
    if _listener is None:
        raise RuntimeError("app.wiring.wire() registers the event listener at start-up")
    return await _listener(db, event_type, series_id, data)


def iso(value: datetime) -> str:
    """A timestamp as events carry it: UTC, ``Z``."""
    return as_utc(value).isoformat().replace("+00:00", "Z")


def cleared(texts: Mapping[str, str], key: str) -> Cleared:
    """A text of an event's payload, which only the guard may have produced."""
    value = texts[key]
    if not isinstance(value, Cleared):
        raise TypeError(f"event text {key!r} must pass the guard first")
    return value
