"""The gate: one check for every text that can leave a series, and the only way to a public one.

Every text that can reach anyone outside a series' organisers and rapporteurs goes through
:class:`Gate` twice:

* **when it is written** (:meth:`Gate.clear`): a text that names or points at someone in the
  series' directory is refused (422 ``attribution-blocked``, naming the field); one that only
  warns is refused (409 ``unacknowledged-warnings``) until the writer acknowledges each
  warning by its code;
* **when it is shown** (:meth:`Gate.admit`, :meth:`Gate.admit_document`): public projections
  hold :class:`Cleared` texts, a ``str`` that only this module can make, after checking them
  against the directory *as it is now*. A text that was safe when written but names someone
  added, renamed or no longer consenting since is not admitted, and its public address
  answers 410 "being revised" (see ``app.confidentiality.holds``). Verdicts are cached per
  directory version, so a public read costs a dictionary lookup.

Texts are checked against the whole series directory (every person of the series, whatever
session they attend). Consent to be named counts only inside the on-record part it was given
for: a :class:`Text` names its parts; a text with ``tied=True`` (a newsletter) is read
paragraph by paragraph, and a paragraph may name a consenting person only if it refers to
their on-record part by its title and to no other part.

The matcher of a directory version is built once and cached in the process. After a change
to the directory commits, the new version's matcher is built in the background
(:func:`note_directory_changed`), so the next write does not build it while it holds the
database's write lock.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.confidentiality.checker import Checker, Finding, RosterEntry
from app.confidentiality.folding import fold
from app.confidentiality.snapshot import DirectorySnapshot, DirectorySource
from app.confidentiality.views import html_visible_text, markdown_visible_text
from app.errors import DomainError

__all__ = [
    "AttributionBlocked",
    "BeingRevised",
    "Cleared",
    "ClearedDocument",
    "ClearedText",
    "Directory",
    "Gate",
    "Review",
    "Text",
    "UnacknowledgedWarnings",
    "note_directory_changed",
    "provide_directory",
    "provide_sessions",
    "settle",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")
_SEAL = object()


# -- what leaves the gate -----------------------------------------------------------------------


class Cleared(str):
    """A text the gate passed for public use against the directory as it was then.

    Only this module makes one; anything built from it (concatenation, formatting) is a
    plain ``str`` again and must pass the gate itself.
    """

    __slots__ = ()

    def __new__(cls, value: str, seal: object = None) -> Cleared:
        if seal is not _SEAL:
            raise TypeError("only the guard clears a text for public use")
        return super().__new__(cls, value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))


def _require_cleared(value: object) -> Cleared:
    if isinstance(value, Cleared):
        return value
    raise ValueError("a public text must pass the guard (app.confidentiality.gate) first")


ClearedText = Annotated[
    Cleared,
    PlainValidator(_require_cleared),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string"}),
]
"""The field type of every public-bound text in a public projection (``*Public`` schemas)."""


class ClearedDocument(Generic[T]):
    """A whole document (a published report, a rendered newsletter) every text of which the
    gate passed against the directory version ``version``."""

    __slots__ = ("series_id", "value", "version")

    def __init__(self, value: T, series_id: uuid.UUID, version: int, seal: object = None) -> None:
        if seal is not _SEAL:
            raise TypeError("only the guard clears a document for public use")
        self.value = value
        self.series_id = series_id
        self.version = version


def clear_constant(value: str) -> Cleared:
    """A text written by Track2 itself, with no user input in it (a heading, a notice)."""
    return Cleared(value, _SEAL)


# -- problems -----------------------------------------------------------------------------------


class AttributionBlocked(DomainError):
    """The text names or points at someone in the series' directory; nothing was stored."""

    status = 422
    slug = "attribution-blocked"
    title = "The text would identify a participant"


class BeingRevised(DomainError):
    """Taken down while it is revised: it would identify someone in the series' directory
    now. The public is never told why."""

    status = 410
    slug = "being-revised"
    title = "This is being revised"


class UnacknowledgedWarnings(DomainError):
    """The text may identify someone indirectly; acknowledge each warning (or change it)."""

    status = 409
    slug = "unacknowledged-warnings"
    title = "Warnings must be acknowledged before approval"


# -- what goes in -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """One text bound for the public, and where it belongs.

    ``parts``: the on-record agenda parts whose consenting people it may name. ``markdown``/
    ``html``: checked as rendered (what a reader sees). ``tied``: consent is decided paragraph
    by paragraph from the part titles each paragraph mentions (newsletters).
    """

    field: str
    value: str
    parts: frozenset[uuid.UUID] = frozenset()
    markdown: bool = False
    html: bool = False
    tied: bool = False


@dataclass(frozen=True, slots=True)
class FieldFindings:
    field: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Review:
    """The findings of every text that has any."""

    fields: tuple[FieldFindings, ...] = ()

    def blocks(self) -> list[FieldFindings]:
        return _only(self.fields, "block")

    def warnings(self) -> list[FieldFindings]:
        return _only(self.fields, "warn")

    def codes(self, severity: str = "warn") -> set[str]:
        return {f.code for ff in self.fields for f in ff.findings if f.severity == severity}

    def as_fields(self, severity: str | None = None) -> list[dict[str, Any]]:
        picked = self.fields if severity is None else _only(self.fields, severity)
        return [
            {"field": ff.field, "findings": [f.as_dict() for f in ff.findings]} for ff in picked
        ]


def _only(fields: Iterable[FieldFindings], severity: str) -> list[FieldFindings]:
    out = []
    for ff in fields:
        found = tuple(f for f in ff.findings if f.severity == severity)
        if found:
            out.append(FieldFindings(ff.field, found))
    return out


def field_errors(fields: Sequence[FieldFindings], location: str = "body") -> list[dict[str, Any]]:
    """The ``errors`` member of a problem: one entry per finding, at its field."""
    return [
        {"location": location, "field": ff.field, "reason": f.message, "code": f.code}
        for ff in fields
        for f in ff.findings
    ]


# -- the directory and its matcher ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Directory:
    """A series' directory at one version, with its matcher."""

    snapshot: DirectorySnapshot
    checker: Checker
    part_titles: Mapping[uuid.UUID, str] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.snapshot.version

    def check(self, text: Text) -> list[Finding]:
        """The findings of one text under its consent (offsets into what a reader sees)."""
        value = text.value
        if text.markdown:
            value = markdown_visible_text(value)
        elif text.html:
            value = html_visible_text(value)
        if text.tied:
            return self._check_tied(value)
        return self.checker.check(value, allowed_person_ids=self.snapshot.allowed(text.parts))

    def _check_tied(self, value: str) -> list[Finding]:
        out: list[Finding] = []
        offset = 0
        for paragraph in value.split("\n\n"):
            parts = self._parts_mentioned(paragraph)
            for f in self.checker.check(paragraph, allowed_person_ids=parts):
                out.append(
                    Finding(
                        f.severity,
                        f.kind,
                        f.start + offset,
                        f.end + offset,
                        f.excerpt,
                        f.message,
                        f.code,
                    )
                )
            offset += len(paragraph) + 2
        return out

    def _parts_mentioned(self, paragraph: str) -> frozenset[str]:
        folded = " ".join(fold(w) for w in paragraph.split())
        on_record: set[uuid.UUID] = set()
        for part_id, title in self.part_titles.items():
            key = " ".join(fold(w) for w in title.split())
            if key and key in folded:
                if part_id not in self.snapshot.consent:
                    return frozenset()  # tied to a part that is not on record
                on_record.add(part_id)
        return self.snapshot.allowed(on_record)


def _build(snapshot: DirectorySnapshot, part_titles: Mapping[uuid.UUID, str]) -> Directory:
    entries: list[RosterEntry] = [p.entry() for p in snapshot.people]
    checker = Checker(entries, public_institutions=snapshot.public_institutions)
    return Directory(snapshot=snapshot, checker=checker, part_titles=dict(part_titles))


_CACHE: OrderedDict[uuid.UUID, Directory] = OrderedDict()
_CACHE_SIZE = 256
_BUILDING: dict[tuple[uuid.UUID, int], asyncio.Future[Directory]] = {}
_VERDICTS: OrderedDict[tuple[Any, ...], tuple[Finding, ...]] = OrderedDict()
_VERDICTS_SIZE = 50_000
_DOCUMENTS: OrderedDict[tuple[Any, ...], bool] = OrderedDict()
_DOCUMENTS_SIZE = 10_000
_source: DirectorySource | None = None
_part_titles: Callable[[AsyncSession, uuid.UUID], Any] | None = None


def provide_directory(
    source: DirectorySource,
    part_titles: Callable[[AsyncSession, uuid.UUID], Any] | None = None,
) -> None:
    """Register who reads directories (the composition root does, at start-up).

    ``part_titles(db, series_id)`` returns ``{part_id: title}`` of the series' agenda parts,
    for newsletters' paragraph-by-paragraph consent."""
    global _source, _part_titles
    _source = source
    _part_titles = part_titles


def _require_source() -> DirectorySource:
    if _source is None:
        raise RuntimeError("no directory source registered; call app.wiring.wire() at start-up")
    return _source


def _remember(series_id: uuid.UUID, directory: Directory) -> None:
    current = _CACHE.get(series_id)
    if current is None or current.version <= directory.version:
        _CACHE[series_id] = directory
    _CACHE.move_to_end(series_id)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


class Gate:
    """The guard's one entry point for a request (or a job): check, clear, admit."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def directory(self, series_id: uuid.UUID, version: int | None = None) -> Directory:
        """The matcher of the series' directory as it is now (``version``: if this request
        already read it), built once per version."""
        source = _require_source()
        if version is None:
            version = await source.version(self.db, series_id)
            if version is None:
                version = -1
        cached = _CACHE.get(series_id)
        if cached is not None and cached.version == version:
            _CACHE.move_to_end(series_id)
            return cached
        pending = _BUILDING.get((series_id, version))
        if pending is not None:
            return await asyncio.shield(pending)
        snapshot = await source.snapshot(self.db, series_id)
        titles = await _part_titles(self.db, series_id) if _part_titles is not None else {}
        built = _build(snapshot, titles)
        _remember(series_id, built)
        return built

    async def review(
        self, series_id: uuid.UUID, texts: Iterable[Text], *, version: int | None = None
    ) -> Review:
        """Every text's findings against the series' directory now."""
        directory = await self.directory(series_id, version)
        found = []
        for text in texts:
            if not text.value:
                continue
            findings = directory.check(text)
            if findings:
                found.append(FieldFindings(text.field, tuple(findings)))
        return Review(tuple(found))

    async def clear(
        self,
        series_id: uuid.UUID,
        texts: Sequence[Text],
        *,
        acknowledged: Iterable[str] = (),
        what: str = "The text",
    ) -> dict[str, Cleared]:
        """Pass texts being written for public use, or refuse them: any block is a 422 naming
        each field; any warning whose code is not in ``acknowledged`` is a 409."""
        review = await self.review(series_id, texts)
        blocks = review.blocks()
        if blocks:
            raise AttributionBlocked(
                f"{what} would identify someone in the series' directory; rephrase without "
                "names, affiliations, acronyms, e-mail addresses or full positions",
                fields=review.as_fields("block"),
                findings=[f.as_dict() for ff in blocks for f in ff.findings],
                errors=field_errors(blocks),
            )
        known = set(acknowledged)
        pending = [
            FieldFindings(ff.field, tuple(f for f in ff.findings if f.code not in known))
            for ff in review.warnings()
        ]
        pending = [ff for ff in pending if ff.findings]
        if pending:
            raise UnacknowledgedWarnings(
                f"{what} may identify someone indirectly; acknowledge each warning by its code "
                "(acknowledge_warnings), or change the text",
                fields=[
                    {"field": ff.field, "findings": [f.as_dict() for f in ff.findings]}
                    for ff in pending
                ],
                findings=[f.as_dict() for ff in pending for f in ff.findings],
            )
        return {t.field: Cleared(t.value, _SEAL) for t in texts}

    async def _blocks(self, directory: Directory, series_id: uuid.UUID, text: Text) -> bool:
        key = (series_id, directory.version, text)
        found = _VERDICTS.get(key)
        if found is None:
            found = tuple(f for f in directory.check(text) if f.severity == "block")
            _VERDICTS[key] = found
            while len(_VERDICTS) > _VERDICTS_SIZE:
                _VERDICTS.popitem(last=False)
        else:
            _VERDICTS.move_to_end(key)
        return bool(found)

    async def admit(
        self, series_id: uuid.UUID, texts: Sequence[Text], *, version: int | None = None
    ) -> dict[str, Cleared] | None:
        """Texts for a public output being rendered now: all of them cleared, or None when
        any names someone in the directory as it is now (warnings were dealt with when the
        texts were written)."""
        directory = await self.directory(series_id, version)
        for text in texts:
            if text.value and await self._blocks(directory, series_id, text):
                return None
        return {t.field: Cleared(t.value, _SEAL) for t in texts}

    async def admit_document(
        self,
        series_id: uuid.UUID,
        value: T,
        texts: Callable[[], Awaitable[Sequence[Text] | None]],
        *,
        key: Hashable,
        version: int | None = None,
    ) -> ClearedDocument[T] | None:
        """A whole document whose every text passes the directory now, or None.

        ``texts`` is only called when this document (``key``) has not been judged at the
        current directory version: a public read of a published report costs a lookup. It
        returns None for a document its domain will not publish whatever its texts say."""
        directory = await self.directory(series_id, version)
        doc_key = (series_id, directory.version, key)
        verdict = _DOCUMENTS.get(doc_key)
        if verdict is None:
            found = await texts()
            verdict = found is not None
            for text in found or ():
                if text.value and await self._blocks(directory, series_id, text):
                    verdict = False
                    break
            _DOCUMENTS[doc_key] = verdict
            while len(_DOCUMENTS) > _DOCUMENTS_SIZE:
                _DOCUMENTS.popitem(last=False)
        if not verdict:
            return None
        return ClearedDocument(value, series_id, directory.version, _SEAL)


# -- building ahead of time ---------------------------------------------------------------------

_CHANGED = "track2.guard.directory_changed"
_sessions: Callable[[], AsyncSession] | None = None
_tasks: set[asyncio.Task[None]] = set()


def provide_sessions(factory: Callable[[], AsyncSession] | None) -> None:
    """Sessions for building matchers in the background (the app's sessionmaker)."""
    global _sessions
    _sessions = factory


def note_directory_changed(db: AsyncSession, series_id: uuid.UUID) -> None:
    """Build the series' next matcher once this transaction commits (not while it holds the
    write lock)."""
    changed: set[uuid.UUID] = db.sync_session.info.setdefault(_CHANGED, set())
    changed.add(series_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed: set[uuid.UUID] | None = session.info.pop(_CHANGED, None)
    if not changed or _sessions is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    for series_id in changed:
        task = loop.create_task(_prewarm(series_id))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: object) -> None:
    # Any rollback, real or not: the change this request noted did not happen.
    session.info.pop(_CHANGED, None)


async def _prewarm(series_id: uuid.UUID) -> None:
    factory = _sessions
    if factory is None:
        return
    try:
        async with factory() as db:
            source = _require_source()
            snapshot = await source.snapshot(db, series_id)
            titles = await _part_titles(db, series_id) if _part_titles is not None else {}
        key = (series_id, snapshot.version)
        if key in _BUILDING:
            return
        cached = _CACHE.get(series_id)
        if cached is not None and cached.version >= snapshot.version:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Directory] = loop.create_future()
        _BUILDING[key] = future
        try:
            built = await asyncio.to_thread(_build, snapshot, titles)
            _remember(series_id, built)
            future.set_result(built)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            _BUILDING.pop(key, None)
            if future.done() and not future.cancelled() and future.exception() is not None:
                future.exception()  # retrieved: a failed prewarm is only logged
    except Exception:
        logger.exception("building a directory matcher ahead of time failed")


async def settle() -> None:
    """Wait for background builds (tests, and a clean shutdown)."""
    while _tasks:
        await asyncio.gather(*list(_tasks), return_exceptions=True)


def cached_version(series_id: uuid.UUID) -> int | None:
    """The directory version whose matcher is cached for the series (tests, diagnostics)."""
    found = _CACHE.get(series_id)
    return None if found is None else found.version
