"""A series' directory as the guard reads it: plain, frozen data, no ORM rows.

The guard sits below every domain, so it cannot read people, attendance or consent itself.
The people domain supplies a :class:`DirectorySource` (registered by the composition root,
``app.wiring``); the gate asks it for the current version (one statement) and, when its cache
has no matcher for that version, for a snapshot.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.checker import RosterEntry

__all__ = ["DirectoryPerson", "DirectorySnapshot", "DirectorySource"]


@dataclass(frozen=True, slots=True)
class DirectoryPerson:
    """One person of a series' directory (any session, any status)."""

    person_id: uuid.UUID
    given_name: str
    family_name: str
    honorific: str | None = None
    aliases: tuple[str, ...] = ()
    position: str | None = None
    affiliation: str | None = None
    affiliation_acronym: str | None = None
    affiliation_aliases: tuple[str, ...] = ()
    country: str | None = None
    email: str | None = None

    def entry(self) -> RosterEntry:
        return RosterEntry(
            person_id=str(self.person_id),
            given_name=self.given_name,
            family_name=self.family_name,
            honorific=self.honorific,
            aliases=self.aliases,
            position=self.position,
            affiliation=self.affiliation,
            affiliation_acronym=self.affiliation_acronym,
            affiliation_aliases=self.affiliation_aliases,
            country=self.country,
            email=self.email,
        )


@dataclass(frozen=True, slots=True)
class DirectorySnapshot:
    """Everyone in a series' directory at one version, and who may be named where.

    ``consent`` maps each agenda part that is on record now to the people who consented to
    be named in it and came (or confirmed, before the session was held).
    ``public_institutions`` are the series' organiser and partners, which its public texts
    name by design: a participant who works there does not make their names secret.
    """

    series_id: uuid.UUID
    version: int
    people: tuple[DirectoryPerson, ...]
    consent: Mapping[uuid.UUID, frozenset[str]] = field(default_factory=dict)
    # The series' organiser and partners: public by design, never a participant's secret.
    public_institutions: tuple[str, ...] = ()

    def allowed(self, parts: Iterable[uuid.UUID]) -> frozenset[str]:
        """Who may be named in a text that belongs to these on-record parts."""
        out: set[str] = set()
        for part in parts:
            out |= self.consent.get(part, frozenset())
        return frozenset(out)


class DirectorySource(Protocol):
    """Reads a series' directory for the guard (implemented by the people domain)."""

    async def version(self, db: AsyncSession, series_id: uuid.UUID) -> int | None:
        """The series' directory version (None: no such series)."""
        ...

    async def snapshot(
        self,
        db: AsyncSession,
        series_id: uuid.UUID,
        people: Collection[uuid.UUID] | None = None,
    ) -> DirectorySnapshot:
        """The series' directory now, with the version it was read at (``people``: only
        these people, with the whole series' consent)."""
        ...
