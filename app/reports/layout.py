"""Lay a report model out as a flat list of blocks that every document format renders.

Markdown, HTML, PDF and DOCX all render these same blocks, so they cannot disagree about
what a report says or in which order; each renderer only decides how a block looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.reports.model import AnyReport, SeriesDigest, SessionReport

ParaRole = Literal["strapline", "body", "agenda", "rule", "closing", "note"]


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


def layout(report: AnyReport) -> list[Block]:
    """The blocks of any report, in reading order."""
    if isinstance(report, SeriesDigest):
        return _digest(report)
    return _session(report)


def _session(r: SessionReport) -> list[Block]:
    blocks: list[Block] = []
    if r.series.strapline:
        blocks.append(Para(r.series.strapline, role="strapline"))
    blocks.append(Heading(1, r.title))
    if r.kind == "detailed":
        blocks.append(Para("Detailed report", role="note"))
    lead = f"{r.series.dateline} —" if r.series.dateline else None
    blocks.append(Para(f"{r.opening} {r.organisers}", lead=lead))
    blocks.extend(Para(text) for text in r.context)
    blocks.append(Para(r.composition.sentence))
    if r.agenda.paragraph:
        blocks.append(Para(r.agenda.paragraph, role="agenda"))
    blocks.append(Para(f"{r.points_intro} {r.chatham_house}", role="rule"))
    # The summary lists the points as the reference does; the detailed report numbers them,
    # so the groupings below can refer to them.
    blocks.append(Bullets(tuple(p.text for p in r.points), ordered=r.detailed is not None))
    if r.detailed is not None:
        blocks.extend(_detailed(r))
    blocks.append(Para(r.closing, role="closing"))
    blocks.append(Para(r.offer, role="closing"))
    blocks.append(Links(tuple((link.label, link.url) for link in r.links)))
    return blocks


def _numbered(numbers: Sequence[int], texts: dict[int, str]) -> Bullets:
    return Bullets(tuple(f"({n}) {texts[n]}" for n in numbers))


def _detailed(r: SessionReport) -> list[Block]:
    assert r.detailed is not None
    d = r.detailed
    texts = {p.number: p.text for p in r.points}
    blocks: list[Block] = [Heading(2, "Main points by agenda part")]
    for group in d.by_part:
        blocks += [Heading(3, group.heading), _numbered(group.points, texts)]
    blocks.append(Heading(2, "Main points by theme"))
    blocks.append(
        BarChart(
            "Main points per theme",
            tuple((t.label, t.count) for t in r.themes),
        )
    )
    for group in d.by_theme:
        blocks += [Heading(3, group.heading), _numbered(group.points, texts)]
    blocks.append(Heading(2, "Composition"))
    c = r.composition
    if c.suppressed:
        blocks.append(
            Para("Fewer than three people are counted, so no composition is shown.", role="note")
        )
    else:
        rows = [("Participants", "Total", str(c.total))]
        rows += [("Sector", row.label, str(row.count)) for row in c.by_sector]
        rows += [("Country", row.label, str(row.count)) for row in c.by_country]
        blocks.append(
            Table(
                f"Who took part ({c.basis}); groups smaller than three are counted as Other",
                ("Group", "", "People"),
                tuple(rows),
                (False, False, True),
            )
        )
        if c.countries:
            blocks.append(Para(f"Countries represented: {c.countries}.", role="note"))
    blocks.append(Heading(2, "The series so far"))
    if d.earlier_sessions:
        blocks.append(
            Table(
                "Earlier sessions of the series",
                ("Session", "Date", "Title"),
                tuple((s.ordinal.capitalize(), s.date_long, s.title) for s in d.earlier_sessions),
                (False, False, False),
            )
        )
    else:
        blocks.append(Para("This was the first session of the series.", role="note"))
    return blocks


def _digest(r: SeriesDigest) -> list[Block]:
    blocks: list[Block] = []
    if r.series.strapline:
        blocks.append(Para(r.series.strapline, role="strapline"))
    blocks += [Heading(1, r.title), Para(r.intro), Para(r.chatham_house, role="rule")]
    blocks.append(Heading(2, "Sessions"))
    blocks.append(
        Table(
            "Sessions of the series",
            ("No.", "Date", "Title", "Status", "Points"),
            tuple(
                (
                    str(s.session.number),
                    s.session.date_long,
                    s.session.title,
                    s.session.status,
                    str(s.points),
                )
                for s in r.sessions
            ),
            (True, False, False, False, True),
        )
    )
    blocks.append(Heading(2, "Themes across sessions"))
    columns = tuple(str(s.session.number) for s in r.sessions)
    blocks.append(
        Table(
            "Approved main points per theme (rows) and session (columns)",
            ("Theme", *columns, "Total"),
            tuple((row.label, *(str(n) for n in row.counts), str(row.total)) for row in r.matrix),
            (False, *(True for _ in columns), True),
        )
    )
    blocks.append(
        Heatmap(
            "Main points per theme and session",
            tuple(row.label for row in r.matrix),
            columns,
            tuple(row.counts for row in r.matrix),
        )
    )
    blocks.append(Heading(2, "Main points by theme"))
    for group in r.by_theme:
        blocks.append(Heading(3, group.heading))
        blocks.append(Bullets(tuple(f"{p.text} (session {p.session})" for p in group.points)))
    blocks.append(Links(tuple((link.label, link.url) for link in r.links)))
    return blocks
