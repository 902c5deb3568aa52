"""Subscriptions in domain events (``app.outbox.events``)."""

from __future__ import annotations

from typing import Any


def subscription_data(series_slug: str, email: str) -> dict[str, Any]:
    """A subscription change; the subscriber's address is for administrators' endpoints only."""
    return {"series_slug": series_slug, "email": email}
