"""Build the canonical report model from plain facts about the records.

Pure functions, no I/O: the service loads the facts (:class:`SessionFacts` and friends) and
hands them over. The facts hold no roster objects either: the only roster-derived inputs
are :class:`GuestFacts` (name and position strings of people who consented to be named for
an on-record part, made by the service) and the aggregate ``CompositionPublic``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from app.people.countries import country_name
from app.people.models import Sector
from app.people.schemas import CompositionPublic
from app.reports import locales
from app.reports.model import (
    Agenda,
    AgendaItem,
    Composition,
    CountRow,
    DetailedSections,
    DigestGroup,
    DigestPoint,
    DigestSession,
    EditionInfo,
    Link,
    MatrixRow,
    NamedGuest,
    Point,
    PointGroup,
    SeriesDigest,
    SeriesInfo,
    SessionRef,
    SessionReport,
    ThemeCount,
)
from app.reports.text import (
    ensure_period,
    join_and,
    local_date,
    long_date,
    number_word,
    paragraphs,
    plural,
    run_in,
    with_article,
)
from app.sessions.calendar import ordinal_word

CHATHAM_HOUSE_RULE = (
    "When a meeting, or part thereof, is held under the Chatham House Rule, participants are "
    "free to use the information received, but neither the identity nor the affiliation of "
    "the speaker(s), nor that of any other participant, may be revealed."
)

_SECTOR_PLURALS: Mapping[str, str] = {
    Sector.SCHOLAR: "scholars",
    Sector.FORMER_DIPLOMAT: "former diplomats",
    Sector.SERVING_OFFICIAL: "serving officials",
    Sector.FORMER_OFFICIAL: "former officials",
    Sector.CIVIL_SOCIETY: "civil-society representatives",
    Sector.MEDIA: "journalists",
    Sector.OTHER: "other participants",
}
_SECTOR_LABELS: Mapping[str, str] = {
    Sector.SCHOLAR: "Scholars",
    Sector.FORMER_DIPLOMAT: "Former diplomats",
    Sector.SERVING_OFFICIAL: "Serving officials",
    Sector.FORMER_OFFICIAL: "Former officials",
    Sector.CIVIL_SOCIETY: "Civil society",
    Sector.MEDIA: "Media",
    Sector.OTHER: "Other",
}
_FORMAT_FORUMS = {"online": "online forums", "in_person": "round tables", "hybrid": "forums"}


# -- the facts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesFacts:
    title: str
    slug: str
    organiser: str
    partners: tuple[str, ...]
    timezone: str
    strapline: str = ""
    title_prefix: str = ""
    dateline: str = ""
    closing: str = ""
    paper: str = "a4"


@dataclass(frozen=True, slots=True)
class SessionFacts:
    id: uuid.UUID
    number: int
    title: str
    starts_at: datetime
    status: str
    format: str = "online"
    context: str = ""
    default_regime: str = "chatham_house"


@dataclass(frozen=True, slots=True)
class GuestFacts:
    """A consenting, on-record guest: strings only, made by the service."""

    name: str
    position: str | None = None


@dataclass(frozen=True, slots=True)
class PartFacts:
    id: uuid.UUID
    position: int
    title: str
    kind: str
    regime: str
    topic: str | None = None
    guests: tuple[GuestFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class PointFacts:
    id: uuid.UUID
    session_id: uuid.UUID
    position: int
    text: str
    part_id: uuid.UUID | None = None
    themes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ThemeFacts:
    slug: str
    label: str


@dataclass(frozen=True, slots=True)
class SessionSource:
    """Everything a session report is built from."""

    series: SeriesFacts
    session: SessionFacts
    parts: tuple[PartFacts, ...]
    points: tuple[PointFacts, ...]
    themes: tuple[ThemeFacts, ...]
    composition: CompositionPublic
    earlier: tuple[SessionFacts, ...] = ()
    base_url: str = ""


@dataclass(frozen=True, slots=True)
class DigestSource:
    """Everything a series digest is built from."""

    series: SeriesFacts
    sessions: tuple[SessionFacts, ...]
    points: tuple[PointFacts, ...]
    themes: tuple[ThemeFacts, ...]
    base_url: str = ""


@dataclass(frozen=True, slots=True)
class PartText:
    title: str
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class GuestText:
    name: str
    position: str | None = None


@dataclass(frozen=True, slots=True)
class EditionTexts:
    """A complete translation of the public texts a report is built from.

    Keys are those of the facts: agenda parts, points and sessions by id, themes by slug,
    on-record guests by the name the facts give them. The editions domain (stored,
    reviewed translations) will make one of these; nothing else changes for the builder
    or the renderers.
    """

    series_title: str
    organiser: str
    partners: tuple[str, ...] = ()
    strapline: str = ""
    title_prefix: str = ""
    dateline: str = ""
    closing: str = ""
    sessions: Mapping[uuid.UUID, tuple[str, str]] = field(default_factory=dict)  # title, context
    parts: Mapping[uuid.UUID, PartText] = field(default_factory=dict)
    points: Mapping[uuid.UUID, str] = field(default_factory=dict)
    themes: Mapping[str, str] = field(default_factory=dict)
    guests: Mapping[str, GuestText] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Edition:
    """The language a report is built in, its calendar and digits, and (for any language
    but the one the records are written in) the translated texts."""

    language: str = "en"
    calendar: locales.Calendar = "gregorian"
    digits: locales.Digits | None = None  # the language's own by default
    texts: EditionTexts | None = None

    def info(self) -> EditionInfo:
        lang = locales.language(self.language)
        return EditionInfo(
            language=lang.tag,
            direction="rtl" if lang.rtl else "ltr",
            digits=self.digits or lang.digits,
            calendar=self.calendar if self.language in locales.SOLAR_MONTHS else "gregorian",
        )


ENGLISH = Edition()


class IncompleteEdition(ValueError):
    """An edition lacks the translation of a text the report prints."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(f"the edition has no translation of: {', '.join(missing)}")
        self.missing = tuple(missing)


def _translate_series(series: SeriesFacts, texts: EditionTexts) -> SeriesFacts:
    return replace(
        series,
        title=texts.series_title,
        organiser=texts.organiser,
        partners=tuple(texts.partners),
        strapline=texts.strapline if series.strapline else "",
        title_prefix=texts.title_prefix if series.title_prefix else "",
        dateline=texts.dateline if series.dateline else "",
        closing=texts.closing,
    )


def _translate_session(
    session: SessionFacts, texts: EditionTexts, missing: list[str]
) -> SessionFacts:
    found = texts.sessions.get(session.id)
    if found is None:
        missing.append(f"sessions.{session.id}")
        return session
    return replace(session, title=found[0], context=found[1])


def _translate_points(
    points: Sequence[PointFacts], texts: EditionTexts, missing: list[str]
) -> tuple[PointFacts, ...]:
    out = []
    for point in points:
        text = texts.points.get(point.id)
        if text is None:
            missing.append(f"points.{point.id}")
            continue
        out.append(replace(point, text=text))
    return tuple(out)


def _translate_themes(
    themes: Sequence[ThemeFacts], texts: EditionTexts, missing: list[str]
) -> tuple[ThemeFacts, ...]:
    out = []
    for theme in themes:
        found = texts.themes.get(theme.slug)
        if found is None:
            missing.append(f"themes.{theme.slug}")
            found = theme.label
        out.append(ThemeFacts(theme.slug, found))
    return tuple(out)


def translate_source(source: SessionSource, edition: Edition) -> SessionSource:
    """The facts with every public text replaced by the edition's (all of them, or
    :class:`IncompleteEdition`)."""
    texts = edition.texts
    if texts is None:
        return source
    missing: list[str] = []
    parts = []
    for part in source.parts:
        if part.regime == "off_record":
            parts.append(part)
            continue
        found = texts.parts.get(part.id)
        if found is None:
            missing.append(f"parts.{part.id}")
            continue
        guests = []
        for guest in part.guests:
            g = texts.guests.get(guest.name)
            if g is None:
                missing.append(f"guests.{guest.name}")
                continue
            guests.append(GuestFacts(g.name, g.position))
        parts.append(replace(part, title=found.title, topic=found.topic, guests=tuple(guests)))
    translated = SessionSource(
        series=_translate_series(source.series, texts),
        session=_translate_session(source.session, texts, missing),
        parts=tuple(parts),
        points=_translate_points(source.points, texts, missing),
        themes=_translate_themes(source.themes, texts, missing),
        composition=source.composition,
        earlier=tuple(_translate_session(s, texts, missing) for s in source.earlier),
        base_url=source.base_url,
    )
    if missing:
        raise IncompleteEdition(missing)
    return translated


def translate_digest_source(source: DigestSource, edition: Edition) -> DigestSource:
    texts = edition.texts
    if texts is None:
        return source
    missing: list[str] = []
    translated = DigestSource(
        series=_translate_series(source.series, texts),
        sessions=tuple(_translate_session(s, texts, missing) for s in source.sessions),
        points=_translate_points(source.points, texts, missing),
        themes=_translate_themes(source.themes, texts, missing),
        base_url=source.base_url,
    )
    if missing:
        raise IncompleteEdition(missing)
    return translated


# -- pieces -------------------------------------------------------------------------------


def series_info(series: SeriesFacts) -> SeriesInfo:
    return SeriesInfo(
        title=series.title,
        slug=series.slug,
        organiser=series.organiser,
        partners=tuple(series.partners),
        strapline=series.strapline,
        dateline=series.dateline,
        timezone=series.timezone,
        paper="letter" if series.paper == "letter" else "a4",
    )


def session_ref(session: SessionFacts, timezone: str, edition: Edition = ENGLISH) -> SessionRef:
    day = local_date(session.starts_at, timezone)
    tag = edition.language
    info = edition.info()
    return SessionRef(
        number=session.number,
        ordinal=ordinal_word(session.number)
        if tag == "en"
        else locales.session_ordinal(session.number, tag),
        title=session.title,
        date=day.isoformat(),
        date_long=long_date(day)
        if tag == "en"
        else locales.long_date(day, tag, info.calendar, info.digits),
        status=session.status,
    )


def organisers_sentence(series: SeriesFacts, tag: str = "en") -> str:
    if tag != "en":
        return locales.organisers(tag, series.organiser, series.partners)
    lead = f"The series of Track 2 discussions is organized by {with_article(series.organiser)}"
    if series.partners:
        partners = join_and([with_article(p) for p in series.partners])
        return f"{lead} in partnership with {partners}."
    return lead + "."


def composition_section(composition: CompositionPublic, tag: str = "en") -> Composition:
    """The aggregate, as a sentence and as rows; nothing beyond ``CompositionPublic``."""
    if tag != "en":
        return _composition_in(composition, tag)
    if composition.suppressed or composition.total is None:
        return Composition(
            suppressed=True,
            basis=composition.basis,
            sentence="To this end, the Track 2 series brought together participants from the "
            "region and the wider international community.",
        )
    sectors = composition.by_sector or {}
    named = [_SECTOR_PLURALS[s] for s in sectors if s is not Sector.OTHER]
    if named and Sector.OTHER in sectors:
        named.append("other participants")
    who = join_and(named) if named else "participants"
    countries = composition.countries or 0
    where = (
        f" from {number_word(countries)} {plural(countries, 'country', 'countries')} across "
        "the region and the wider international community"
        if countries
        else " from the region and the wider international community"
    )
    return Composition(
        suppressed=False,
        basis=composition.basis,
        total=composition.total,
        countries=composition.countries,
        by_sector=tuple(CountRow(label=_SECTOR_LABELS[s], count=n) for s, n in sectors.items()),
        by_country=tuple(
            CountRow(label="Other countries" if c == "other" else country_name(c), count=n)
            for c, n in (composition.by_country or {}).items()
        ),
        sentence=f"To this end, the Track 2 series brought together a broad representation "
        f"of {composition.total} {who}{where}.",
    )


def _composition_in(composition: CompositionPublic, tag: str) -> Composition:
    if composition.suppressed or composition.total is None:
        return Composition(
            suppressed=True,
            basis=composition.basis,
            sentence=locales.composition(tag, None, None, ()),
        )
    sectors = composition.by_sector or {}
    named = [s.value for s in sectors if s is not Sector.OTHER]
    if named and Sector.OTHER in sectors:
        named.append("other")
    return Composition(
        suppressed=False,
        basis=composition.basis,
        total=composition.total,
        countries=composition.countries,
        by_sector=tuple(
            CountRow(label=locales.SECTOR_LABELS[tag][s.value], count=n) for s, n in sectors.items()
        ),
        by_country=tuple(
            CountRow(label=locales.country_name(c, tag), count=n)
            for c, n in (composition.by_country or {}).items()
        ),
        sentence=locales.composition(tag, composition.total, composition.countries, named),
    )


def _guest_phrase(guests: Sequence[GuestFacts]) -> str:
    return join_and([f"{g.name}, {g.position}" if g.position else g.name for g in guests])


@dataclass
class _Segment:
    kind: str
    parts: list[PartFacts]


def _segments(parts: Sequence[PartFacts]) -> list[_Segment]:
    """Parts as the meeting's 'parts' in prose: off-record parts are left out entirely, and
    consecutive presentations read as one part ('two presentations on ...')."""
    out: list[_Segment] = []
    for part in parts:
        if part.regime == "off_record":
            continue
        previous = out[-1].parts[-1] if out else None
        # Presentations read as one part ('two presentations on ...') only when they share a
        # regime and name no one: a consenting speaker's name must never spill onto a
        # presentation held under the Chatham House Rule.
        if (
            part.kind == "presentation"
            and previous is not None
            and out[-1].kind == "presentation"
            and previous.regime == part.regime
            and not previous.guests
            and not part.guests
        ):
            out[-1].parts.append(part)
        else:
            out.append(_Segment(kind=part.kind, parts=[part]))
    return out


def _presentation_item(part: PartFacts) -> str:
    text = f"on {run_in(part.topic)}" if part.topic else ""
    if part.guests:
        text = f"{text} by {_guest_phrase(part.guests)}".strip()
    return text


def _agenda_paragraph_in(parts: Sequence[PartFacts], tag: str) -> str:
    segments = _segments(parts)
    sentences: list[str] = []
    for index, segment in enumerate(segments, start=1):
        last = index == len(segments) and index > 1
        part = segment.parts[0]
        guests = locales.guests_phrase(tag, [(g.name, g.position) for g in part.guests])
        topics = [p.topic for p in segment.parts if p.topic]
        sentences.append(
            locales.agenda_sentence(
                tag,
                segment.kind,
                index,
                last,
                guests=guests if part.guests else "",
                topics=topics,
                title=part.title,
                count=len(segment.parts),
            )
        )
    return " ".join(sentences)


def agenda_paragraph(parts: Sequence[PartFacts], tag: str = "en") -> str:
    """One paragraph on the agenda. Only on-record parts name anyone, and only those who
    consented for that part; presentations are otherwise described by topic only."""
    if tag != "en":
        return _agenda_paragraph_in(parts, tag)
    segments = _segments(parts)
    sentences: list[str] = []
    for index, segment in enumerate(segments, start=1):
        ordinal = ordinal_word(index)
        last = index == len(segments) and index > 1
        part = segment.parts[0]
        if segment.kind == "presentation":
            n = len(segment.parts)
            described = [d for d in (_presentation_item(p) for p in segment.parts) if d]
            noun = (
                f"{number_word(n) if n > 1 else 'a'} {plural(n, 'presentation', 'presentations')}"
            )
            detail = ""
            if described:
                detail = " " + (
                    join_and(described)
                    if not all(d.startswith("on ") for d in described)
                    else "on " + join_and([d[3:] for d in described])
                )
            verb = plural(n, "was", "were")
            sentences.append(f"In the {ordinal} part, {noun}{detail} {verb} offered.")
        elif part.guests:
            sentence = (
                f"The {ordinal} part of the meeting was attended by {_guest_phrase(part.guests)}"
            )
            if part.topic:
                sentence += f", who spoke on {run_in(part.topic)}"
            sentences.append(sentence + ".")
        elif segment.kind == "opening_remarks":
            on = f" on {run_in(part.topic)}" if part.topic else ""
            sentences.append(f"The {ordinal} part of the meeting opened with remarks{on}.")
        elif segment.kind == "q_and_a":
            sentences.append(
                "The meeting concluded with a question-and-answer session."
                if last
                else f"The {ordinal} part was a question-and-answer session."
            )
        elif segment.kind == "discussion":
            on = f" on {run_in(part.topic)}" if part.topic else ""
            sentences.append(
                f"The meeting concluded with a general discussion by all participants{on}."
                if last
                else f"The {ordinal} part was a general discussion by all participants{on}."
            )
        else:
            about = run_in(part.topic) if part.topic else part.title
            sentences.append(f"The {ordinal} part of the meeting was devoted to {about}.")
    return " ".join(sentences)


def _points_intro(parts: Sequence[PartFacts], tag: str = "en") -> str:
    kinds = {p.kind for p in parts if p.regime != "off_record"}
    if tag != "en":
        return locales.points_intro(tag, kinds)
    sources = []
    if "presentation" in kinds:
        sources.append("the presentations")
    if "q_and_a" in kinds:
        sources.append("the Q & A sessions")
    if "discussion" in kinds:
        sources.append("the general discussion by all participants")
    emerged = f"from {join_and(sources)}" if sources else "during the meeting"
    return f"Following is a list of the main points and perspectives that emerged {emerged}."


def chatham_statement(
    session: SessionFacts, parts: Sequence[PartFacts], previous_rounds: int, tag: str = "en"
) -> str:
    regimes = {p.regime for p in parts} or {session.default_regime}
    if tag != "en":
        on_record = regimes <= {"on_record", "off_record"} and "on_record" in regimes
        return locales.chatham(tag, previous_rounds, on_record)
    similar = (
        f", similar to the previous {number_word(previous_rounds)} "
        f"{plural(previous_rounds, 'round', 'rounds')} of the series,"
        if previous_rounds
        else ","
    )
    if regimes <= {"on_record", "off_record"} and "on_record" in regimes:
        return "This meeting was held on the record."
    if similar == ",":
        return "This discussion was held under the Chatham House Rule."
    return f"This discussion{similar} was held under the Chatham House Rule."


def _links(
    base_url: str,
    series: SeriesFacts,
    session_number: int | None,
    tag: str = "en",
    *,
    request: bool = True,
) -> tuple[Link, ...]:
    """The offer's links; a detailed report does not offer itself."""
    query = f"?session={session_number}" if session_number is not None else ""
    newsletter = Link(
        label=locales.LINK_LABELS["newsletter"][tag],
        url=f"{base_url}/subscribe?series={series.slug}",
        rel="newsletter",
    )
    if not request:
        return (newsletter,)
    return (
        Link(
            label=locales.LINK_LABELS["request"][tag],
            url=f"{base_url}/series/{series.slug}{query}#request",
            rel="request",
        ),
        newsletter,
    )


def _theme_counts(
    themes: Sequence[ThemeFacts], points: Sequence[PointFacts]
) -> tuple[ThemeCount, ...]:
    counts: dict[str, int] = defaultdict(int)
    for point in points:
        for slug in point.themes:
            counts[slug] += 1
    return tuple(ThemeCount(slug=t.slug, label=t.label, count=counts[t.slug]) for t in themes)


# -- the builders -------------------------------------------------------------------------


SessionKind = Literal["summary", "detailed"]


def build_session_report(
    source: SessionSource, kind: SessionKind, edition: Edition = ENGLISH
) -> SessionReport:
    """The public summary (``kind='summary'``) or the detailed report of one session, in
    the edition's language (English, the records' own, by default)."""
    if kind not in ("summary", "detailed"):
        raise ValueError(f"unknown session report kind {kind!r}")
    tag = edition.language
    source = translate_source(source, edition)
    series, session = source.series, source.session
    tz = series.timezone
    ref = session_ref(session, tz, edition)
    title = f"{series.title_prefix}: {session.title}" if series.title_prefix else session.title
    if tag == "en":
        fmt = _FORMAT_FORUMS.get(session.format, "forums")
        opening = (
            f"The {ref.ordinal} session of the series of {fmt} on {series.title} was held on "
            f"{ref.date_long}."
        )
    else:
        opening = locales.opening(tag, ref.ordinal, session.format, series.title, ref.date_long)
    ordered_points = sorted(source.points, key=lambda p: (p.position, p.id))
    part_positions = {p.id: p.position for p in source.parts}
    points = tuple(
        Point(
            number=n,
            text=p.text.strip(),
            themes=tuple(sorted(p.themes)),
            part=part_positions.get(p.part_id) if p.part_id else None,
        )
        for n, p in enumerate(ordered_points, start=1)
    )
    previous = [s for s in source.earlier if s.number < session.number]
    if tag == "en":
        closing = series.closing.strip() or (
            f"{series.organiser} and its partners plan to continue this series of Track 2 "
            "discussions."
        )
    else:
        closing = series.closing.strip() or locales.default_closing(tag, series.organiser)
    agenda = Agenda(
        paragraph=agenda_paragraph(source.parts, tag),
        items=tuple(
            AgendaItem(
                position=p.position,
                title=p.title,
                kind=p.kind,
                topic=p.topic,
                regime=p.regime,
                named=tuple(
                    NamedGuest(name=g.name, position=g.position)
                    for g in (p.guests if p.regime == "on_record" else ())
                ),
            )
            for p in source.parts
            if p.regime != "off_record"
        ),
    )
    detailed = None
    if kind == "detailed":
        detailed = _detailed_sections(source, points, previous, edition)
    return SessionReport(
        kind=kind,
        edition=edition.info(),
        series=series_info(series),
        session=ref,
        title=title,
        opening=opening,
        organisers=organisers_sentence(series, tag),
        context=paragraphs(session.context),
        composition=composition_section(source.composition, tag),
        agenda=agenda,
        points_intro=_points_intro(source.parts, tag),
        chatham_house=chatham_statement(session, source.parts, len(previous), tag),
        # The public summary lists points without their agenda part: a point placed in a
        # one-speaker presentation would point at its speaker. The detailed report (sent
        # only to approved requesters) groups them, but only under parts where several
        # people spoke (see ``_detailed_sections``).
        points=points
        if kind == "detailed"
        else tuple(p.model_copy(update={"part": None}) for p in points),
        themes=_theme_counts(source.themes, ordered_points),
        closing=ensure_period(" ".join(closing.split())),
        offer=locales.OFFERS[kind][tag],
        links=_links(source.base_url, series, session.number, tag, request=kind == "summary"),
        detailed=detailed,
    )


# Agenda parts where several people speak: grouping points under one of them attributes
# nothing. A presentation or opening remarks has one speaker (or a few, all known to the
# room), so their points join the general points instead (issue 15, item 11).
_MANY_VOICES = frozenset({"discussion", "q_and_a"})


def _part_heading(part: PartFacts) -> str:
    return f"{part.title}: {part.topic}" if part.topic else part.title


def _detailed_sections(
    source: SessionSource,
    points: Sequence[Point],
    previous: Sequence[SessionFacts],
    edition: Edition = ENGLISH,
) -> DetailedSections:
    tag = edition.language
    positions = {
        p.position: p for p in source.parts if p.kind in _MANY_VOICES and p.regime != "off_record"
    }
    groups: list[PointGroup] = []
    for position in sorted(positions):
        numbers = tuple(p.number for p in points if p.part == position)
        if numbers:
            groups.append(PointGroup(heading=_part_heading(positions[position]), points=numbers))
    general = tuple(p.number for p in points if p.part not in positions)
    if general:
        heading = locales.label(tag, "general_points" if groups else "main_points")
        groups.insert(0, PointGroup(heading=heading, points=general))
    return DetailedSections(
        groups=tuple(groups),
        earlier_sessions=tuple(
            session_ref(s, source.series.timezone, edition)
            for s in sorted(previous, key=lambda s: s.number)
        ),
    )


def build_digest(source: DigestSource, edition: Edition = ENGLISH) -> SeriesDigest:
    """The series digest: sessions, the theme x session matrix, points grouped by theme."""
    tag = edition.language
    source = translate_digest_source(source, edition)
    series = source.series
    sessions = sorted(source.sessions, key=lambda s: s.number)
    index = {s.id: i for i, s in enumerate(sessions)}
    number = {s.id: s.number for s in sessions}
    points = sorted(
        (p for p in source.points if p.session_id in index),
        key=lambda p: (number[p.session_id], p.position, p.id),
    )
    per_session = [0] * len(sessions)
    cells: dict[str, list[int]] = {t.slug: [0] * len(sessions) for t in source.themes}
    groups: dict[str, list[DigestPoint]] = {t.slug: [] for t in source.themes}
    untagged: list[DigestPoint] = []
    for p in points:
        i = index[p.session_id]
        per_session[i] += 1
        item = DigestPoint(session=number[p.session_id], text=p.text.strip())
        tagged = False
        for slug in p.themes:
            if slug in cells:
                cells[slug][i] += 1
                groups[slug].append(item)
                tagged = True
        if not tagged:
            untagged.append(item)
    by_theme = [
        DigestGroup(heading=t.label, points=tuple(groups[t.slug]))
        for t in source.themes
        if groups[t.slug]
    ]
    if untagged:
        by_theme.append(
            DigestGroup(heading=locales.label(tag, "without_theme"), points=tuple(untagged))
        )
    held = sum(1 for s in sessions if s.status in ("held", "closed"))
    if tag == "en":
        intro = (
            f"{organisers_sentence(series)} This digest covers {number_word(len(sessions))} "
            f"{plural(len(sessions), 'session', 'sessions')} ({number_word(held)} held) and "
            f"{len(points)} approved main {plural(len(points), 'point', 'points')}."
        )
    else:
        intro = locales.digest_intro(
            tag, organisers_sentence(series, tag), len(sessions), held, len(points)
        )
    refs = {s.id: session_ref(s, series.timezone, edition) for s in sessions}
    return SeriesDigest(
        edition=edition.info(),
        series=series_info(series),
        title=locales.digest_title(tag, series.title),
        intro=intro,
        sessions=tuple(
            DigestSession(session=refs[s.id], points=per_session[i]) for i, s in enumerate(sessions)
        ),
        matrix=tuple(
            MatrixRow(
                slug=t.slug,
                label=t.label,
                counts=tuple(cells[t.slug]),
                total=sum(cells[t.slug]),
            )
            for t in source.themes
        ),
        by_theme=tuple(by_theme),
        chatham_house=locales.DIGEST_CHATHAM[tag],
        links=_links(source.base_url, series, None, tag),
    )
