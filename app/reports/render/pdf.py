"""PDF (reportlab, pip-only) from the report blocks, with page numbers and an optional
recipient marking on every page. CPU-bound: call it in a worker thread.

The fonts are the Bitstream Vera family that ships inside reportlab, so names with
diacritics (Turkish, Polish, Czech ...) print as they are without any system font.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from app.reports.layout import BarChart, Bullets, Heading, Heatmap, Links, Para, Table, layout
from app.reports.model import AnyReport
from app.reports.render.chart import (
    BAR_GAP,
    BAR_HEIGHT,
    CELL,
    HEAT_LABEL_WIDTH,
    LABEL_WIDTH,
    bar_layout,
    heat_size,
    shade,
)

ACCENT = colors.HexColor("#1f5c8b")
MUTED = colors.HexColor("#5a6272")
ALERT = colors.HexColor("#a4262c")
LINE = colors.HexColor("#d8dde6")
MARGIN = 18 * mm
# Wide tables (the digest's theme x session matrix) are cut into column groups.
MAX_TABLE_COLUMNS = 14


@lru_cache(maxsize=1)
def _fonts() -> dict[str, str]:
    for name, file in (
        ("Vera", "Vera.ttf"),
        ("Vera-Bold", "VeraBd.ttf"),
        ("Vera-Italic", "VeraIt.ttf"),
        ("Vera-BoldItalic", "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, file))
    pdfmetrics.registerFontFamily(
        "Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic", boldItalic="Vera-BoldItalic"
    )
    return {"regular": "Vera", "bold": "Vera-Bold", "italic": "Vera-Italic"}


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    f = _fonts()
    body = ParagraphStyle("body", fontName=f["regular"], fontSize=10, leading=14, spaceAfter=7)
    return {
        "body": body,
        "strapline": ParagraphStyle(
            "strapline", parent=body, fontName=f["bold"], fontSize=8.5, textColor=ACCENT
        ),
        "note": ParagraphStyle("note", parent=body, fontName=f["italic"], textColor=MUTED),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=f["bold"], fontSize=16, leading=20, spaceAfter=10
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=f["bold"], fontSize=13, leading=17, spaceBefore=10
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=f["bold"], fontSize=11, leading=14, spaceBefore=6
        ),
        "item": ParagraphStyle("item", parent=body, spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "num": ParagraphStyle(
            "num", parent=body, fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT
        ),
        "caption": ParagraphStyle(
            "caption", parent=body, fontName=f["italic"], fontSize=8.5, textColor=MUTED
        ),
    }


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def _bullets(block: Bullets) -> ListFlowable:
    items: list[Flowable] = [_p(item, "item") for item in block.items]
    if block.ordered:
        return ListFlowable(items, bulletType="1", start=block.start, leftIndent=14)
    return ListFlowable(
        items, bulletType="bullet", start="•", leftIndent=14, bulletFontName=_fonts()["regular"]
    )


def _column_groups(block: Table) -> list[list[int]]:
    """Column indexes per printed table: the first column (labels) and the last (totals)
    repeat in each group when a table is too wide for the page."""
    n = len(block.header)
    if n <= MAX_TABLE_COLUMNS:
        return [list(range(n))]
    middle = list(range(1, n - 1))
    step = MAX_TABLE_COLUMNS - 2
    return [[0, *middle[i : i + step], n - 1] for i in range(0, len(middle), step)]


def _table(block: Table, width: float) -> list[Flowable]:
    out: list[Flowable] = [_p(block.caption, "caption")]
    for columns in _column_groups(block):
        data = [[_p(block.header[c], "cell") for c in columns]]
        for row in block.rows:
            data.append([_p(row[c], "num" if block.numeric[c] else "cell") for c in columns])
        numeric = [block.numeric[c] for c in columns]
        narrow = 28.0
        wide = sum(1 for n in numeric if not n) or 1
        rest = max(width - narrow * (len(columns) - wide), width * 0.3)
        widths = [narrow if n else rest / wide for n in numeric]
        table = PdfTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef4f9")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        out += [table, Spacer(1, 8)]
    return out


def _clip(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _rect(
    x: float, y: float, w: float, h: float, fill: colors.Color, stroke: colors.Color | None
) -> Rect:
    rect = Rect(x, y, w, h)
    rect.fillColor = fill
    rect.strokeColor = stroke
    rect.strokeWidth = 0.3
    return rect


def _fit(drawing: Drawing, width: float) -> Drawing:
    if drawing.width > width:
        factor = width / drawing.width
        drawing.scale(factor, factor)
        drawing.width *= factor
        drawing.height *= factor
    return drawing


def _bar_chart(block: BarChart, width: float) -> Flowable:
    laid, w, h = bar_layout(block.bars)
    font = _fonts()["regular"]
    d = Drawing(w, h)
    for bar in laid:
        y = h - bar.y - BAR_GAP - BAR_HEIGHT  # reportlab's y grows upwards
        d.add(
            String(
                LABEL_WIDTH - 8,
                y + 4,
                _clip(bar.label),
                fontName=font,
                fontSize=9,
                textAnchor="end",
            )
        )
        d.add(_rect(LABEL_WIDTH, y, bar.width, BAR_HEIGHT, ACCENT, None))
        d.add(String(LABEL_WIDTH + bar.width + 6, y + 4, str(bar.value), fontName=font, fontSize=9))
    return KeepTogether([_fit(d, width), _p(block.caption, "caption")])


def _heatmap(block: Heatmap, width: float) -> Flowable:
    w, h = heat_size(len(block.rows), len(block.columns))
    font = _fonts()["regular"]
    top = max((max(row, default=0) for row in block.values), default=0)
    d = Drawing(w, h)
    every = max(1, len(block.columns) // 25)
    for j, column in enumerate(block.columns):
        if j % every == 0:
            x = HEAT_LABEL_WIDTH + j * CELL + CELL / 2
            d.add(String(x, h - CELL + 3, column, fontName=font, fontSize=7, textAnchor="middle"))
    for i, (label, row) in enumerate(zip(block.rows, block.values, strict=True)):
        y = h - (i + 2) * CELL
        d.add(
            String(
                HEAT_LABEL_WIDTH - 8,
                y + 3,
                _clip(label),
                fontName=font,
                fontSize=8,
                textAnchor="end",
            )
        )
        for j, value in enumerate(row):
            r, g, b = shade(value, top)
            cell = _rect(
                HEAT_LABEL_WIDTH + j * CELL, y, CELL - 1, CELL - 1, colors.Color(r, g, b), LINE
            )
            d.add(cell)
    return KeepTogether([_fit(d, width), _p(block.caption, "caption")])


def _flowables(report: AnyReport, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    for block in layout(report):
        if isinstance(block, Heading):
            out.append(_p(block.text, f"h{min(block.level, 3)}"))
        elif isinstance(block, Para):
            style = block.role if block.role in ("strapline", "note") else "body"
            text = escape(block.text)
            if block.lead:
                text = f"<b>{escape(block.lead)}</b> {text}"
            out.append(Paragraph(text, _styles()[style]))
        elif isinstance(block, Bullets):
            out.append(_bullets(block))
            out.append(Spacer(1, 6))
        elif isinstance(block, Table):
            out += _table(block, width)
        elif isinstance(block, BarChart):
            out.append(_bar_chart(block, width))
        elif isinstance(block, Heatmap):
            out.append(_heatmap(block, width))
        elif isinstance(block, Links):
            for label, url in block.items:
                out.append(
                    Paragraph(
                        f'{escape(label)}: <link href="{escape(url)}" color="#1f5c8b">'
                        f"{escape(url)}</link>",
                        _styles()["body"],
                    )
                )
    return out


def _numbered_canvas(marking: str | None, stamp: str | None) -> type[Canvas]:
    """A canvas that knows the page count when the document ends ("Page 3 of 10") and
    prints the recipient marking at the top of every page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab internal, no stub

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            fonts = _fonts()
            width, height = A4
            self.setFont(fonts["regular"], 8)
            self.setFillColor(MUTED)
            page = self.getPageNumber()
            self.drawRightString(width - MARGIN, 10 * mm, f"Page {page} of {total}")
            if stamp:
                self.drawString(MARGIN, 10 * mm, stamp)
            if marking:
                self.setFont(fonts["bold"], 8.5)
                self.setFillColor(ALERT)
                self.drawCentredString(width / 2, height - 11 * mm, marking)

    return NumberedCanvas


def render_pdf(
    report: AnyReport,
    *,
    marking: str | None = None,
    stamp: str | None = None,
    author: str | None = None,
) -> bytes:
    """The report as PDF bytes; the same report renders to the same bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=report.title,
        author=author or report.series.organiser,
        subject=marking or "",
        creator="Track2",
        invariant=True,
    )
    story = _flowables(report, doc.width)
    if marking:
        story.insert(0, Paragraph(f"<b>{escape(marking)}</b>", _styles()["note"]))
    doc.build(story, canvasmaker=_numbered_canvas(marking, stamp))
    return buffer.getvalue()
