"""The composition root's wiring of the guard: who supplies what it cannot import.

``app.confidentiality`` sits below every domain, so the domains that know the directory and
the public texts register themselves here. ``create_app`` calls :func:`wire`; so does any
entry point that uses services without the app (the demo loader, tests).
"""

from __future__ import annotations

from app.confidentiality import gate, recheck
from app.config import Settings, get_settings
from app.people.directory import PeopleDirectory, part_titles
from app.reports.guard import Takedowns, public_items


def wire(settings: Settings | None = None) -> None:
    """Register the guard's directory source, the public items it re-checks after a change
    to a directory, and what takes them down (idempotent; the latest call wins)."""
    gate.provide_directory(PeopleDirectory(), part_titles)
    recheck.register([public_items], Takedowns(settings or get_settings()))
