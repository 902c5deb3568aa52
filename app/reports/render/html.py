"""Self-contained HTML (inline CSS and SVG charts, print styles) from the report blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jinja2 import Template
from markupsafe import Markup

from app.reports.layout import BarChart, Block, Heatmap, layout
from app.reports.model import AnyReport
from app.reports.render.chart import bar_svg, heat_svg
from app.reports.render.templating import environment

_CHUNK = 256


def html_blocks(report: AnyReport) -> Iterator[tuple[str, Any]]:
    """(type name, block or prepared SVG) pairs for the block templates, one at a time."""
    rtl = report.edition.direction == "rtl"
    system = report.edition.digits
    block: Block
    for block in layout(report):
        if isinstance(block, BarChart):
            svg = bar_svg(block.caption, block.bars, rtl=rtl, digits=system)
            yield "chart", (block.caption, Markup(svg))
        elif isinstance(block, Heatmap):
            svg = heat_svg(block.caption, block.rows, block.columns, block.values, rtl=rtl)
            yield "chart", (block.caption, Markup(svg))
        else:
            yield type(block).__name__.lower(), block


def _stream(template: Template, **values: Any) -> str:
    """The template rendered piece by piece, joined a few hundred pieces at a time: each
    escaped piece is freed soon after it is made. (``Template.render`` keeps every piece
    until the end, and so does ``io.StringIO`` before Python 3.12: a large digest's pieces
    then outgrew the memory the process keeps, and its time grew faster than its size.)"""
    chunks: list[str] = []
    pending: list[str] = []
    for piece in template.generate(**values):
        pending.append(piece)
        if len(pending) == _CHUNK:
            chunks.append("".join(pending))
            pending.clear()
    chunks.append("".join(pending))
    return "".join(chunks)


def render_html(report: AnyReport, *, marking: str | None = None, stamp: str | None = None) -> str:
    """A complete HTML document; ``marking`` is repeated on every printed page."""
    template = environment().get_template("reports/document.html")
    return _stream(
        template,
        title=report.title,
        blocks=html_blocks(report),
        marking=marking,
        stamp=stamp,
        lang=report.edition.language,
        dir=report.edition.direction,
        paper="letter" if report.series.paper == "letter" else "A4",
    )


def render_html_fragment(report: AnyReport) -> Markup:
    """The report's body, for embedding in a page of the site (in a ``div`` that carries the
    edition's ``lang`` and ``dir``)."""
    template = environment().get_template("reports/_body.html")
    body = _stream(template, blocks=html_blocks(report))
    edition = report.edition
    if edition.language == "en":
        return Markup(body)
    return Markup(f'<div lang="{edition.language}" dir="{edition.direction}">{body}</div>')
