"""A session's public face in domain events (``app.outbox.events``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.outbox.events import cleared, iso
from app.sessions.models import DialogueSession


def session_data(
    session: DialogueSession, texts: Mapping[str, str], **extra: Any
) -> dict[str, Any]:
    """A session as a public calendar may show it (no venue, no meeting link, no roster),
    with its title as the guard cleared it."""
    return {
        "id": str(session.id),
        "series_id": str(session.dialogue_series_id),
        "number": session.number,
        "title": cleared(texts, "title"),
        "status": session.status.value,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
        "timezone": session.timezone,
        **extra,
    }
