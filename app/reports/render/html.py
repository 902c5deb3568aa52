"""Self-contained HTML (inline CSS and SVG charts, print styles) from the report blocks."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from app.reports.layout import BarChart, Block, Heatmap, layout
from app.reports.model import AnyReport
from app.reports.render.chart import bar_svg, heat_svg
from app.reports.render.templating import environment


def html_blocks(report: AnyReport) -> list[tuple[str, Any]]:
    """(type name, block or prepared SVG) pairs for the block templates."""
    out: list[tuple[str, Any]] = []
    rtl = report.edition.direction == "rtl"
    system = report.edition.digits
    block: Block
    for block in layout(report):
        if isinstance(block, BarChart):
            svg = bar_svg(block.caption, block.bars, rtl=rtl, digits=system)
            out.append(("chart", (block.caption, Markup(svg))))
        elif isinstance(block, Heatmap):
            svg = heat_svg(block.caption, block.rows, block.columns, block.values, rtl=rtl)
            out.append(("chart", (block.caption, Markup(svg))))
        else:
            out.append((type(block).__name__.lower(), block))
    return out


def render_html(report: AnyReport, *, marking: str | None = None, stamp: str | None = None) -> str:
    """A complete HTML document; ``marking`` is repeated on every printed page."""
    template = environment().get_template("reports/document.html")
    return template.render(
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
    body = template.render(blocks=html_blocks(report))
    edition = report.edition
    if edition.language == "en":
        return Markup(body)
    return Markup(f'<div lang="{edition.language}" dir="{edition.direction}">{body}</div>')
