"""The composition root's wiring of the guard: who supplies what it cannot import.

``app.confidentiality`` sits below every domain, so the domains that know the directory and
the public texts register themselves here. ``create_app`` calls :func:`wire`; so does any
entry point that uses services without the app (the demo loader, tests).
"""

from __future__ import annotations

from app.confidentiality import gate
from app.people.directory import PeopleDirectory, part_titles


def wire() -> None:
    """Register the guard's directory source (idempotent)."""
    gate.provide_directory(PeopleDirectory(), part_titles)
