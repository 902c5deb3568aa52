"""The series' public face in domain events (``app.outbox.events``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.outbox.events import cleared
from app.series.models import DialogueSeries


def series_data(series: DialogueSeries, texts: Mapping[str, str]) -> dict[str, Any]:
    """A series' public face, from its texts as the guard cleared them (``title``, ``slug``,
    ``organiser``, ``partners.N``)."""
    return {
        "id": str(series.id),
        "slug": cleared(texts, "slug"),
        "title": cleared(texts, "title"),
        "organiser": cleared(texts, "organiser"),
        "partners": [cleared(texts, f"partners.{i}") for i in range(len(series.partners))],
    }
