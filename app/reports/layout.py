"""Lay a report model out as a flat list of blocks that every document format renders.

Markdown, HTML, PDF and DOCX all render these same blocks, so they cannot disagree about
what a report says or in which order; each renderer only decides how a block looks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from app.reports.locales import OFFERS, digits, label
from app.reports.model import AnyReport, SeriesDigest, SessionReport

ParaRole = Literal["strapline", "body", "agenda", "rule", "closing", "offer", "note"]


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 = the report's title
    text: str


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    role: ParaRole = "body"
    lead: str | None = None  # a dateline, printed bold before the text ("KABUL —")


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    ordered: bool = False
    start: int = 1
    numbers: tuple[int, ...] = ()  # explicit numbers of an ordered list (its points' own)
    notes: tuple[str, ...] = ()  # a line under each item (the themes of a point), or none
    # A few words after each item, on its line (the session of a digest's point), or none.
    # Kept apart from the item so that a point listed under several themes is not copied
    # once per theme (see ``item_text``).
    after: tuple[str, ...] = ()

    def item_text(self, index: int) -> str:
        """The item as printed: its text and what comes after it."""
        if self.after and self.after[index]:
            return f"{self.items[index]} {self.after[index]}"
        return self.items[index]


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-align these columns


@dataclass(frozen=True, slots=True)
class BarChart:
    caption: str
    bars: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Heatmap:
    caption: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Links:
    items: tuple[tuple[str, str], ...]  # (label, url)


Block = Heading | Para | Bullets | Table | BarChart | Heatmap | Links


def layout(report: AnyReport) -> Iterator[Block]:
    """The blocks of any report, in reading order, with every label in its language.

    Made one at a time as a renderer asks for them: a renderer that writes each block as it
    comes (HTML, Markdown, DOCX) never holds the text of the whole report twice over, which
    is what kept a large digest's peak memory, and its time, growing faster than its size."""
    if isinstance(report, SeriesDigest):
        return _digest(report)
    return iter(_session(report))


def _n(report: AnyReport, value: int | str) -> str:
    """A number in the report's digits."""
    return digits(str(value), report.edition.digits)


def _session(r: SessionReport) -> list[Block]:
    tag = r.edition.language
    blocks: list[Block] = []
    if r.series.strapline:
        blocks.append(Para(r.series.strapline, role="strapline"))
    blocks.append(Heading(1, r.title))
    if r.kind == "detailed":
        blocks.append(Para(label(tag, "detailed_note"), role="note"))
    lead = f"{r.series.dateline} —" if r.series.dateline else None
    blocks.append(Para(f"{r.opening} {r.organisers}", lead=lead))
    blocks.extend(Para(text) for text in r.context)
    blocks.append(Para(r.composition.sentence))
    if r.agenda.paragraph:
        blocks.append(Para(r.agenda.paragraph, role="agenda"))
    blocks.append(Para(f"{r.points_intro} {r.chatham_house}", role="rule"))
    if r.detailed is None:
        # The summary lists the points as the reference does.
        blocks.append(Bullets(tuple(p.text for p in r.points)))
    else:
        blocks.extend(_detailed(r))
    blocks.append(Para(r.closing, role="closing"))
    links = r.links
    if r.kind == "detailed":
        # A detailed report never offers to request itself (versions of schema /1 did).
        links = tuple(
            link for link in links if link.rel != "request" and not link.url.endswith("#request")
        )
    if links:
        offer = r.offer
        if r.kind == "detailed" and r.schema_ == "track2.report/1":
            offer = OFFERS["detailed"].get(tag, OFFERS["detailed"]["en"])
        blocks.append(Para(offer, role="offer"))
        blocks.append(Links(tuple((link.label, link.url) for link in links)))
    return blocks


def _detailed(r: SessionReport) -> list[Block]:
    assert r.detailed is not None
    tag = r.edition.language
    d = r.detailed
    by_number = {p.number: p for p in r.points}
    theme_labels = {t.slug: t.label for t in r.themes}
    # Each point once: schema /2 groups; /1 versions' grouping by part covers every point.
    groups = d.groups or d.by_part
    blocks: list[Block] = [Heading(2, label(tag, "main_points"))]
    # Numbered in the order printed, so that every list (Markdown's too) counts on.
    counter = 1
    for group in groups:
        if len(groups) > 1 or group.heading != label(tag, "main_points"):
            blocks.append(Heading(3, group.heading))
        numbers = tuple(n for n in group.points if n in by_number)
        notes = tuple(
            ", ".join(theme_labels.get(slug, slug) for slug in by_number[n].themes) for n in numbers
        )
        blocks.append(
            Bullets(
                tuple(by_number[n].text for n in numbers),
                ordered=True,
                start=counter,
                notes=tuple(
                    f"{label(tag, 'themes_tag')}: {note}" if note else "" for note in notes
                ),
            )
        )
        counter += len(numbers)
    blocks.append(Heading(2, label(tag, "themes")))
    blocks.append(
        BarChart(
            label(tag, "chart_caption"),
            tuple((t.label, t.count) for t in r.themes),
        )
    )
    blocks.append(Heading(2, label(tag, "composition")))
    c = r.composition
    if c.suppressed:
        blocks.append(Para(label(tag, "composition_suppressed"), role="note"))
    else:
        rows = [(label(tag, "all"), label(tag, "participants"), _n(r, c.total or 0))]
        rows += [(label(tag, "sector"), row.label, _n(r, row.count)) for row in c.by_sector]
        rows += [(label(tag, "country"), row.label, _n(r, row.count)) for row in c.by_country]
        basis = label(tag, LABELS_BASIS[c.basis]) if c.basis in LABELS_BASIS else c.basis
        blocks.append(
            Table(
                label(tag, "composition_caption", basis=basis),
                (label(tag, "category"), label(tag, "group"), label(tag, "people")),
                tuple(rows),
                (False, False, True),
            )
        )
        if c.countries:
            blocks.append(Para(label(tag, "countries_represented", n=c.countries), role="note"))
    blocks.append(Heading(2, label(tag, "series_so_far")))
    if d.earlier_sessions:
        blocks.append(
            Table(
                label(tag, "earlier_caption"),
                (label(tag, "session"), label(tag, "date"), label(tag, "title")),
                tuple(
                    (s.ordinal[:1].upper() + s.ordinal[1:], s.date_long, s.title)
                    for s in d.earlier_sessions
                ),
                (False, False, False),
            )
        )
    else:
        blocks.append(Para(label(tag, "first_session"), role="note"))
    return blocks


LABELS_BASIS = {"attended": "basis.attended", "confirmed": "basis.confirmed"}


def _digest(r: SeriesDigest) -> Iterator[Block]:
    tag = r.edition.language
    if r.series.strapline:
        yield Para(r.series.strapline, role="strapline")
    yield Heading(1, r.title)
    yield Para(r.intro)
    yield Para(r.chatham_house, role="rule")
    yield Heading(2, label(tag, "sessions"))
    yield Table(
        label(tag, "sessions_caption"),
        (
            label(tag, "number"),
            label(tag, "date"),
            label(tag, "title"),
            label(tag, "status"),
            label(tag, "points"),
        ),
        tuple(
            (
                _n(r, s.session.number),
                s.session.date_long,
                s.session.title,
                label(tag, f"status.{s.session.status}")
                if f"status.{s.session.status}" in _STATUS_KEYS
                else s.session.status,
                _n(r, s.points),
            )
            for s in r.sessions
        ),
        (True, False, False, False, True),
    )
    yield Heading(2, label(tag, "themes_across"))
    columns = tuple(_n(r, s.session.number) for s in r.sessions)
    yield Table(
        label(tag, "matrix_caption"),
        (label(tag, "theme"), *columns, label(tag, "total")),
        tuple((row.label, *(_n(r, n) for n in row.counts), _n(r, row.total)) for row in r.matrix),
        (False, *(True for _ in columns), True),
    )
    yield Heatmap(
        label(tag, "heatmap_caption"),
        tuple(row.label for row in r.matrix),
        columns,
        tuple(row.counts for row in r.matrix),
    )
    yield Heading(2, label(tag, "points_by_theme"))
    in_session = {
        s.session.number: label(tag, "in_session", n=s.session.number) for s in r.sessions
    }
    for group in r.by_theme:
        yield Heading(3, group.heading)
        yield Bullets(
            tuple(p.text for p in group.points),
            after=tuple(
                in_session.get(p.session) or label(tag, "in_session", n=p.session)
                for p in group.points
            ),
        )
    yield Links(tuple((link.label, link.url) for link in r.links))


_STATUS_KEYS = frozenset(
    f"status.{s}" for s in ("held", "closed", "scheduled", "postponed", "draft", "cancelled")
)
