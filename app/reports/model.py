"""The canonical report model: the one tree every format is rendered from.

The builder (:mod:`app.reports.builder`) makes it once from the records; the Markdown, HTML,
PDF, DOCX and JSON renderers take only this tree. Its types can hold nothing but strings,
integers, booleans and further nodes of this module (strict mode: no coercion, no ``Any``),
so a roster object (a ``Person``, an ``Attendance``) cannot be put into it by mistake: the
only roster-derived content is what the builder deliberately wrote as text, namely the
names and positions of people who consented to be named in an on-record agenda part (inside
that part's agenda item) and the aggregate composition.

The JSON of this model (:func:`canonical_json`) is what a published version stores and
hashes. ``schema`` names its version: a renderer must keep reading every schema version
that was ever published.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

SESSION_SCHEMA = "track2.report/2"
DIGEST_SCHEMA = "track2.digest/2"
# /2 adds the edition (language, digits, calendar), the paper size, link roles and the
# detailed report's single grouping of points; /1 versions still validate and render.
SessionSchema = Literal["track2.report/1", "track2.report/2"]
DigestSchema = Literal["track2.digest/1", "track2.digest/2"]


class Node(BaseModel):
    """Base of every node: immutable, strict, closed."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class EditionInfo(Node):
    """The language a report is written in and how it writes numbers and dates.

    The builder writes every text of the report in this language; renderers read it for
    the direction (right to left for Dari, Pashto and Arabic), the fonts, the labels and the
    digits of the numbers they add (page numbers, counts).
    """

    language: str = Field(default="en", description="BCP 47 tag: en, fa-AF, ps or ar.")
    direction: Literal["ltr", "rtl"] = "ltr"
    digits: Literal["latn", "arab", "arabext"] = "latn"
    calendar: Literal["gregorian", "solar_hijri"] = "gregorian"


class SeriesInfo(Node):
    """The series as reports present it (public fields only)."""

    title: str
    slug: str
    organiser: str
    partners: tuple[str, ...]
    strapline: str
    dateline: str
    timezone: str = Field(description="IANA zone the report's dates are given in.")
    paper: Literal["a4", "letter"] = Field(default="a4", description="Page size of PDF and DOCX.")


class SessionRef(Node):
    """A session as reports mention it (no venue, no meeting link)."""

    number: int
    ordinal: str = Field(examples=["third"])
    title: str
    date: str = Field(description="ISO date in the series' time zone.", examples=["2020-06-29"])
    date_long: str = Field(examples=["29 June 2020"])
    status: str


class NamedGuest(Node):
    """Someone who consented to be named for one on-record agenda part."""

    name: str
    position: str | None = None


class AgendaItem(Node):
    """One agenda part; ``named`` is empty unless the part is on record and people consented."""

    position: int
    title: str
    kind: str
    topic: str | None = None
    regime: str
    named: tuple[NamedGuest, ...] = ()


class Agenda(Node):
    """The agenda paragraph (prose, built from the items) and the items themselves."""

    paragraph: str
    items: tuple[AgendaItem, ...]


class Point(Node):
    """An approved key point: its number in the list, its text, its themes and part."""

    number: int
    text: str
    themes: tuple[str, ...] = Field(description="Theme slugs (see `themes`).")
    part: int | None = Field(default=None, description="Position of its agenda part.")


class ThemeCount(Node):
    """A theme of the series' taxonomy and how many of the report's points carry it."""

    slug: str
    label: str
    count: int


class CountRow(Node):
    """One row of the aggregate composition (every count shown is at least 3)."""

    label: str
    count: int


class Composition(Node):
    """The aggregate composition with small-cell suppression, and its sentence."""

    suppressed: bool
    basis: str
    total: int | None = None
    countries: int | None = None
    by_sector: tuple[CountRow, ...] = ()
    by_country: tuple[CountRow, ...] = ()
    sentence: str


class Link(Node):
    """A link offered by the report."""

    label: str
    url: str
    rel: Literal["", "request", "newsletter"] = ""


class PointGroup(Node):
    """Points gathered under a heading (an agenda part or a theme), by their numbers."""

    heading: str
    points: tuple[int, ...]


class DetailedSections(Node):
    """What only the detailed report has.

    ``groups`` (schema /2) prints each point once: under a part where several people
    spoke, otherwise among the general points (a part with one presenter would attribute
    its points). Versions of schema /1 have ``by_part`` and ``by_theme`` instead; they are
    rendered from ``by_part`` alone, so there too each point is printed once.
    """

    groups: tuple[PointGroup, ...] = ()
    by_part: tuple[PointGroup, ...] = ()
    by_theme: tuple[PointGroup, ...] = ()
    earlier_sessions: tuple[SessionRef, ...]


class SessionReport(Node):
    """A session's public summary or detailed report."""

    schema_: SessionSchema = Field(alias="schema", default="track2.report/2")
    kind: Literal["summary", "detailed"]
    edition: EditionInfo = EditionInfo()
    series: SeriesInfo
    session: SessionRef
    title: str
    opening: str = Field(description="Which session of which series, when (after the dateline).")
    organisers: str = Field(description="Who organised the series, with which partners.")
    context: tuple[str, ...] = Field(description="The session's context, in paragraphs.")
    composition: Composition
    agenda: Agenda
    points_intro: str
    chatham_house: str = Field(description="The statement that the Rule applied.")
    points: tuple[Point, ...]
    themes: tuple[ThemeCount, ...]
    closing: str
    offer: str
    links: tuple[Link, ...]
    detailed: DetailedSections | None = None

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)


class DigestSession(Node):
    """A session of the series in the digest, with its number of approved points."""

    session: SessionRef
    points: int


class MatrixRow(Node):
    """Approved points of one theme in each session (same order as ``sessions``)."""

    slug: str
    label: str
    counts: tuple[int, ...]
    total: int


class DigestPoint(Node):
    """An approved point and the number of its session."""

    session: int
    text: str


class DigestGroup(Node):
    """The points of one theme (or of none)."""

    heading: str
    points: tuple[DigestPoint, ...]


class SeriesDigest(Node):
    """A whole series: its sessions, the theme x session matrix and every approved point."""

    schema_: DigestSchema = Field(alias="schema", default="track2.digest/2")
    kind: Literal["digest"] = "digest"
    edition: EditionInfo = EditionInfo()
    series: SeriesInfo
    title: str
    intro: str
    sessions: tuple[DigestSession, ...]
    matrix: tuple[MatrixRow, ...]
    by_theme: tuple[DigestGroup, ...]
    chatham_house: str
    links: tuple[Link, ...]

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)


Report = Annotated[SessionReport | SeriesDigest, Field(discriminator="kind")]
AnyReport = SessionReport | SeriesDigest


def canonical_json(report: AnyReport) -> str:
    """The canonical JSON text: sorted keys, no insignificant whitespace, UTF-8 as is."""
    data = report.model_dump(mode="json", by_alias=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(content: str) -> str:
    """SHA-256 (hex) of canonical JSON text encoded as UTF-8."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def session_report_from_json(content: str) -> SessionReport:
    """Read a stored session report (any schema version this code can render)."""
    return SessionReport.model_validate_json(content)
