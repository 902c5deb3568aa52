"""Re-checking what is public when the directory changes, and taking down what now names
someone.

A text that was safe when it was published can name someone after the directory changes:
a person is added (a session scheduled with an empty roster whose title names someone added
later), a name, alias or affiliation is corrected, a consent to be named is withdrawn, an
attendance no longer counts, an agenda part leaves the record. Every service that makes such
a change calls :func:`directory_changed` with the people it concerns, in its own transaction:

1. the public items of the series (the series' texts, its public sessions' texts, its
   published report versions in force) are read from the domains that own them
   (:func:`register`, by the composition root);
2. each is checked with a matcher of *only the people concerned* and the series' consent
   as it is now: only they can make a text name someone it did not name before, and such a
   matcher costs microseconds, so the change's write lock is not held while a directory's
   matcher (0.15 ms a person) is built;
3. each item that now names someone is taken down by the handler the composition root
   registered (its public addresses answer 410 "being revised", calendars and webhooks are
   told, the series' organisers are e-mailed), in the same transaction as the change.

The public reads admit texts against the whole directory as well (``Gate.admit``), so a
text is never shown naming someone, even between a change and this re-check.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.checker import Checker
from app.confidentiality.gate import FieldFindings, Text, _require_source, note_directory_changed
from app.confidentiality.views import html_visible_text, markdown_visible_text

__all__ = [
    "PublicItem",
    "TakenDown",
    "directory_changed",
    "register",
    "taken_down_in",
]


@dataclass(frozen=True, slots=True)
class PublicItem:
    """Something public in a series, with every text it shows.

    ``kind`` is ``series``, ``session`` or ``report``; ``label`` says what it is to the
    organisers ("version 2 of the public summary of session 3"). ``unpublishable`` is set by
    its domain when it must come down whatever its texts say (a point of a part that is now
    off the record)."""

    kind: str
    id: uuid.UUID
    label: str
    texts: tuple[Text, ...]
    unpublishable: bool = False


@dataclass(frozen=True, slots=True)
class TakenDown:
    """A public item that now names someone, and where (for the organisers only)."""

    series_id: uuid.UUID
    item: PublicItem
    fields: tuple[FieldFindings, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.item.kind,
            "id": str(self.item.id),
            "label": self.item.label,
            "fields": [
                {"field": ff.field, "findings": [f.as_dict() for f in ff.findings]}
                for ff in self.fields
            ],
        }


PublicTextsSource = Callable[[AsyncSession, uuid.UUID], Awaitable[Sequence[PublicItem]]]
TakedownHandler = Callable[[AsyncSession, uuid.UUID, Sequence[TakenDown]], Awaitable[None]]

_sources: list[PublicTextsSource] = []
_handler: TakedownHandler | None = None
_TAKEN = "track2.guard.taken_down"


def register(sources: Sequence[PublicTextsSource], handler: TakedownHandler) -> None:
    """The domains' public items and what to do with those that now name someone
    (registered by the composition root; replaces an earlier registration)."""
    global _handler
    _sources[:] = list(sources)
    _handler = handler


async def directory_changed(
    db: AsyncSession,
    series_id: uuid.UUID,
    people: Iterable[uuid.UUID],
    *,
    regimes: bool = False,
) -> list[TakenDown]:
    """Take down what the change concerning ``people`` makes name someone (``regimes``: a
    part's regime changed, so items from a part now off the record come down too); build
    the next matcher after the commit. Returns what was taken down (also kept for
    :func:`taken_down_in`)."""
    note_directory_changed(db, series_id)
    concerned = set(people)
    if (not concerned and not regimes) or not _sources or _handler is None:
        return []
    snapshot = await _require_source().snapshot(db, series_id, concerned)
    checker = Checker(
        [p.entry() for p in snapshot.people], public_institutions=snapshot.public_institutions
    )
    taken: list[TakenDown] = []
    for source in _sources:
        for item in await source(db, series_id):
            found: list[FieldFindings] = []
            for text in item.texts if snapshot.people else ():
                if not text.value:
                    continue
                value = text.value
                if text.markdown:
                    value = markdown_visible_text(value)
                elif text.html:
                    value = html_visible_text(value)
                blocks = [
                    f
                    for f in checker.check(value, allowed_person_ids=snapshot.allowed(text.parts))
                    if f.severity == "block"
                ]
                if blocks:
                    found.append(FieldFindings(text.field, tuple(blocks)))
            if found or item.unpublishable:
                taken.append(TakenDown(series_id, item, tuple(found)))
    if taken:
        await _handler(db, series_id, taken)
        db.sync_session.info.setdefault(_TAKEN, []).extend(taken)
    return taken


def taken_down_in(db: AsyncSession) -> list[TakenDown]:
    """Everything this transaction took down so far (for the answer's warnings)."""
    found: list[TakenDown] = db.sync_session.info.get(_TAKEN, [])
    return list(found)
