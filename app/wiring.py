"""The composition root's wiring: who answers the questions a lower floor cannot import.

``app.confidentiality`` sits below every domain, so the domains that know the directory and
the public texts register themselves here; the reports domain asks the newsletter (above it)
whether an address is a confirmed subscriber through the same kind of registration, and the
webhooks domain (the top floor) listens to every domain event emitted on the outbox's floor.
``create_app`` calls :func:`wire`; so does any entry point that uses services without the app
(the demo loader, tests).
"""

from __future__ import annotations

from app.confidentiality import gate, recheck
from app.config import Settings, get_settings
from app.newsletter.service import is_confirmed_subscriber
from app.outbox import events
from app.people.directory import PeopleDirectory, part_titles
from app.people.service import PartConsentLedger
from app.reports.guard import Takedowns, public_items
from app.reports.service import provide_subscriber_check
from app.sessions.service import provide_part_consents
from app.webhooks.events import queue_for_endpoints


def wire(settings: Settings | None = None) -> None:
    """Register the guard's directory source, the public items it re-checks after a change
    to a directory, what takes them down, the newsletter's subscriber check, the webhooks'
    event listener and the roster's consents per agenda part (idempotent; the latest call wins)."""
    gate.provide_directory(PeopleDirectory(), part_titles)
    recheck.register([public_items], Takedowns(settings or get_settings()))
    provide_subscriber_check(is_confirmed_subscriber)
    events.listen(queue_for_endpoints)
    provide_part_consents(PartConsentLedger())
