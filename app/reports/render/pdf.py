# mypy: disable-error-code="attr-defined,method-assign,assignment,arg-type,unused-ignore"
# (reportlab internals: bookmarks on flowables, the after-flowable hook, list items)
"""PDF (reportlab, pip-only) from the report blocks, with page numbers and an optional
recipient marking on every page. CPU-bound: call it in a worker thread.

Laid out for print: A4 or US Letter (the series' setting), no heading left at a page foot
and no paragraph leaving a single line on either side of a page break, table columns at
least as wide as the longest word of their header, the offer kept with its links, live
links, a vector bar chart, the document's title and language in its metadata and its
headings as bookmarks. reportlab writes no structure tree, so the PDF is not tagged.

English uses the Bitstream Vera family shipped inside reportlab (names with diacritics print
without any system font). Dari, Pashto and Arabic use Amiri (a Naskh face installed with
pip, with Latin and digits of its own) through :mod:`app.reports.render.shaping`: shaped,
bidirectional, right-aligned text, mirrored lists, tables and charts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from app.reports.layout import BarChart, Bullets, Heading, Heatmap, Links, Para, Table, layout
from app.reports.locales import digits, label, language
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
from app.reports.render.shaping import (
    FontSet,
    ShapedParagraph,
    Shaper,
    Span,
    TextStyle,
    draw_text,
    shaped_font,
)

ACCENT = colors.HexColor("#1f5c8b")
MUTED = colors.HexColor("#5a6272")
ALERT = colors.HexColor("#a4262c")
LINE = colors.HexColor("#d8dde6")
HEADER_FILL = colors.HexColor("#eef4f9")
MARGIN = 18 * mm
# Wide tables (the digest's theme x session matrix) are cut into column groups.
MAX_TABLE_COLUMNS = 14
CELL_PADDING = 4.0
PAGE_SIZES = {"a4": A4, "letter": LETTER}


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


@lru_cache(maxsize=8)
def _shaped_fonts(language_tag: str) -> FontSet:
    """Amiri, regular and bold, shaping for the language (its ``locl`` forms)."""
    lang = language(language_tag)
    regular = shaped_font("Amiri", "amiri", 400)
    bold = shaped_font("Amiri-Bold", "amiri", 700)
    return FontSet(Shaper(regular, lang.harfbuzz), Shaper(bold, lang.harfbuzz))


def load_fonts() -> None:
    """Load every font a PDF may use (see ``app.reports.render.warm_up``)."""
    _fonts()
    for tag in ("fa-AF", "ps", "ar"):
        _shaped_fonts(tag)


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    f = _fonts()
    body = ParagraphStyle(
        "body",
        fontName=f["regular"],
        fontSize=10,
        leading=14,
        spaceAfter=7,
        allowWidows=0,
        allowOrphans=0,
    )
    return {
        "body": body,
        "strapline": ParagraphStyle(
            "strapline", parent=body, fontName=f["bold"], fontSize=8.5, textColor=ACCENT
        ),
        "note": ParagraphStyle("note", parent=body, fontName=f["italic"], textColor=MUTED),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=f["bold"],
            fontSize=16,
            leading=20,
            spaceAfter=10,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=f["bold"],
            fontSize=13,
            leading=17,
            spaceBefore=10,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=body,
            fontName=f["bold"],
            fontSize=11,
            leading=14,
            spaceBefore=6,
            keepWithNext=1,
        ),
        "item": ParagraphStyle("item", parent=body, spaceAfter=3),
        "tags": ParagraphStyle(
            "tags",
            parent=body,
            fontName=f["italic"],
            fontSize=8,
            leading=10,
            spaceAfter=4,
            textColor=MUTED,
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "head": ParagraphStyle(
            "head", parent=body, fontName=f["bold"], fontSize=8, leading=10, spaceAfter=0
        ),
        "num": ParagraphStyle(
            "num", parent=body, fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT
        ),
        "numhead": ParagraphStyle(
            "numhead",
            parent=body,
            fontName=f["bold"],
            fontSize=8,
            leading=10,
            spaceAfter=0,
            alignment=TA_RIGHT,
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=body,
            fontName=f["italic"],
            fontSize=8.5,
            textColor=MUTED,
            keepWithNext=1,
        ),
    }


@lru_cache(maxsize=16)
def _kept(look: str, keep: bool) -> ParagraphStyle:
    """A look with keep-with-next set as asked."""
    return ParagraphStyle(
        f"{look}-{'kwn' if keep else 'free'}", parent=_styles()[look], keepWithNext=int(keep)
    )


# Sizes shared by both scripts: (size, leading, space before, space after, bold, colour).
_LOOKS: dict[str, tuple[float, float, float, float, bool, Any]] = {
    "body": (11, 17, 0, 6, False, None),
    "strapline": (9.5, 13, 0, 4, True, ACCENT),
    "note": (10.5, 15, 0, 6, False, MUTED),
    "h1": (17, 24, 0, 10, True, None),
    "h2": (14, 20, 10, 4, True, None),
    "h3": (12, 17, 6, 3, True, None),
    "item": (11, 17, 0, 2, False, None),
    "tags": (9, 12, 0, 4, False, MUTED),
    "cell": (9, 12, 0, 0, False, None),
    "head": (9, 12, 0, 0, True, None),
    "caption": (9.5, 13, 0, 2, False, MUTED),
}


class _Writer:
    """Builds the flowables of one report in one script: Latin (reportlab paragraphs) or
    Arabic script (shaped paragraphs, mirrored)."""

    def __init__(self, report: AnyReport, width: float) -> None:
        self.report = report
        self.width = width
        self.tag = report.edition.language
        self.rtl = report.edition.direction == "rtl"
        self.digits = report.edition.digits
        self.shaped = _shaped_fonts(self.tag) if self.rtl else None

    # -- text ------------------------------------------------------------------------------

    def para(
        self,
        text: str,
        look: str,
        *,
        lead: str | None = None,
        link: str | None = None,
        prefix: str | None = None,
        align: str = "start",
        bullet: str | None = None,
        indent: float = 0,
        keep_with_next: bool | None = None,
    ) -> Flowable:
        """A paragraph in the report's script; ``keep_with_next`` overrides the look's own
        (headings and captions are kept with what follows them)."""
        if keep_with_next is None:
            keep_with_next = look in ("h1", "h2", "h3", "caption")
        if self.shaped is not None:
            size, leading, before, after, bold, color = _LOOKS[look]
            spans = []
            if lead:
                spans.append(Span(lead + " ", bold=True))
            if prefix:
                spans.append(Span(prefix))
            spans.append(Span(text, bold=bold, link=link, color=ACCENT if link else None))
            return ShapedParagraph(
                spans,
                self.shaped,
                TextStyle(
                    size=size,
                    leading=leading,
                    space_before=before,
                    space_after=after,
                    color=color,
                    align=align,
                    indent=indent,
                    bullet=bullet,
                    keep_with_next=keep_with_next,
                    bold=bold,
                ),
                rtl=True,
            )
        markup = escape(text)
        if link:
            markup = f'<link href="{escape(link)}" color="#1f5c8b">{markup}</link>'
        if prefix:
            markup = f"{escape(prefix)}{markup}"
        if lead:
            markup = f"<b>{escape(lead)}</b> {markup}"
        style = _styles()[look]
        if keep_with_next != bool(getattr(style, "keepWithNext", 0)):
            style = _kept(look, keep_with_next)
        return Paragraph(markup, style)

    def number(self, value: int | str) -> str:
        return digits(str(value), self.digits)

    # -- blocks ----------------------------------------------------------------------------

    def bullets(self, block: Bullets) -> list[Flowable]:
        numbers = block.numbers or tuple(range(block.start, block.start + len(block.items)))
        if self.shaped is not None:
            out: list[Flowable] = []
            for index in range(len(block.items)):
                marker = f"{self.number(numbers[index])}." if block.ordered else "•"
                note = block.notes[index] if block.notes else ""
                out.append(
                    self.para(
                        block.item_text(index),
                        "item",
                        bullet=marker,
                        indent=18,
                        keep_with_next=bool(note),
                    )
                )
                if note:
                    out.append(self.para(note, "tags", indent=18))
            out.append(Spacer(1, 4))
            return out
        items: list[ListItem] = []
        for index in range(len(block.items)):
            parts: list[Flowable] = [self.para(block.item_text(index), "item")]
            note = block.notes[index] if block.notes else ""
            if note:
                parts.append(self.para(note, "tags"))
            if block.ordered:
                items.append(ListItem(parts, value=numbers[index]))
            else:
                items.append(ListItem(parts))
        if block.ordered:
            flow = ListFlowable(items, bulletType="1", start=numbers[0], leftIndent=16)
        else:
            flow = ListFlowable(
                items,
                bulletType="bullet",
                start="•",
                leftIndent=14,
                bulletFontName=_fonts()["regular"],
            )
        return [flow, Spacer(1, 6)]

    def _word_width(self, text: str, bold: bool) -> float:
        """The widest word of a cell's text, in points (a column is never narrower)."""
        words = text.split() or [""]
        if self.shaped is not None:
            shaper = self.shaped.shaper(bold)
            return max(shaper.width(w, _LOOKS["cell"][0]) for w in words)
        font = _fonts()["bold" if bold else "regular"]
        return max(pdfmetrics.stringWidth(w, font, 8) for w in words)

    def _text_width(self, text: str) -> float:
        if self.shaped is not None:
            return self.shaped.regular.width(text, _LOOKS["cell"][0])
        return pdfmetrics.stringWidth(text, _fonts()["regular"], 8)

    def _widths(self, block: Table, columns: list[int]) -> list[float]:
        """Column widths: numeric columns as wide as their widest entry; every column at
        least as wide as the longest word of its header (headers never break inside a
        word); text columns share the rest in proportion to their content."""
        pad = 2 * CELL_PADDING + 1
        floor = [self._word_width(block.header[c], True) + pad for c in columns]
        widths: list[float] = []
        text_cols: list[int] = []
        for i, c in enumerate(columns):
            if block.numeric[c]:
                widest = max((self._text_width(row[c]) for row in block.rows), default=0.0)
                widths.append(max(floor[i], widest + pad))
            else:
                widths.append(floor[i])
                text_cols.append(i)
        rest = self.width - sum(widths)
        if text_cols and rest > 0:
            wants = [
                max(
                    [self._text_width(block.header[columns[i]])]
                    + [self._text_width(row[columns[i]]) for row in block.rows[:50]]
                )
                + pad
                - widths[i]
                for i in text_cols
            ]
            total = sum(max(w, 1.0) for w in wants)
            for i, want in zip(text_cols, wants, strict=True):
                widths[i] += rest * max(want, 1.0) / total
        return widths

    def table(self, block: Table) -> list[Flowable]:
        out: list[Flowable] = [self.para(block.caption, "caption")]
        for columns in _column_groups(block):
            header = [
                self._cell(block.header[c], head=True, numeric=block.numeric[c]) for c in columns
            ]
            data: list[list[Flowable]] = [header]
            for row in block.rows:
                data.append([self._cell(row[c], numeric=block.numeric[c]) for c in columns])
            widths = self._widths(block, columns)
            if self.rtl:
                # A mirrored table: the first column on the right.
                data = [list(reversed(r)) for r in data]
                widths = list(reversed(widths))
            table = PdfTable(
                data, colWidths=widths, repeatRows=1, hAlign="RIGHT" if self.rtl else "LEFT"
            )
            table.setStyle(
                TableStyle(
                    [
                        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                        ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ]
                )
            )
            out += [table, Spacer(1, 8)]
        return out

    def _cell(self, text: str, *, head: bool = False, numeric: bool = False) -> Flowable:
        if self.shaped is not None:
            return self.para(text, "head" if head else "cell", align="end" if numeric else "start")
        if numeric:
            return Paragraph(escape(text), _styles()["numhead" if head else "num"])
        return Paragraph(escape(text), _styles()["head" if head else "cell"])

    def _figure(self, chart: Flowable, caption: str) -> list[Flowable]:
        """A chart kept with its caption below it. Not a ``KeepTogether``: reportlab keeps a
        heading with the flowable after it only when that is not a container, so a heading
        followed by a KeepTogether was left alone at a page foot."""
        chart.__dict__["keepWithNext"] = 1  # a Drawing refuses unknown attributes otherwise
        return [chart, self.para(caption, "caption", keep_with_next=False)]

    def bar_chart(self, block: BarChart) -> list[Flowable]:
        if self.shaped is not None:
            return self._figure(
                _ShapedBarChart(block, self.shaped, self.digits, self.width), block.caption
            )
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
            d.add(
                String(
                    LABEL_WIDTH + bar.width + 6, y + 4, str(bar.value), fontName=font, fontSize=9
                )
            )
        return self._figure(_fit(d, self.width), block.caption)

    def heatmap(self, block: Heatmap) -> list[Flowable]:
        if self.shaped is not None:
            return self._figure(_ShapedHeatmap(block, self.shaped, self.width), block.caption)
        w, h = heat_size(len(block.rows), len(block.columns))
        font = _fonts()["regular"]
        top = max((max(row, default=0) for row in block.values), default=0)
        d = Drawing(w, h)
        every = max(1, len(block.columns) // 25)
        for j, column in enumerate(block.columns):
            if j % every == 0:
                x = HEAT_LABEL_WIDTH + j * CELL + CELL / 2
                d.add(
                    String(x, h - CELL + 3, column, fontName=font, fontSize=7, textAnchor="middle")
                )
        for i, (row_label, row) in enumerate(zip(block.rows, block.values, strict=True)):
            y = h - (i + 2) * CELL
            d.add(
                String(
                    HEAT_LABEL_WIDTH - 8,
                    y + 3,
                    _clip(row_label),
                    fontName=font,
                    fontSize=8,
                    textAnchor="end",
                )
            )
            for j, value in enumerate(row):
                r, g, b = shade(value, top)
                d.add(
                    _rect(
                        HEAT_LABEL_WIDTH + j * CELL,
                        y,
                        CELL - 1,
                        CELL - 1,
                        colors.Color(r, g, b),
                        LINE,
                    )
                )
        return self._figure(_fit(d, self.width), block.caption)

    def links(self, block: Links) -> list[Flowable]:
        return [
            self.para(url, "body", prefix=f"{link_label}: ", link=url)
            for link_label, url in block.items
        ]

    def flowables(self) -> list[Flowable]:
        out: list[Flowable] = []
        blocks = list(layout(self.report))
        index = 0
        while index < len(blocks):
            block = blocks[index]
            index += 1
            if isinstance(block, Heading):
                out.append(self.para(block.text, f"h{min(block.level, 3)}"))
            elif isinstance(block, Para):
                look = block.role if block.role in ("strapline", "note") else "body"
                if (
                    block.role == "offer"
                    and index < len(blocks)
                    and isinstance(blocks[index], Links)
                ):
                    # The offer and its links stay on one page: never a lone link line,
                    # and with the paragraph before them (the closing), so that a page
                    # never holds the offer alone (a Pashto detailed report's fourth page
                    # once had only these two lines).
                    following = blocks[index]
                    assert isinstance(following, Links)
                    index += 1
                    prior = (
                        [out.pop()]
                        if out and isinstance(out[-1], Paragraph | ShapedParagraph)
                        else []
                    )
                    out.append(
                        KeepTogether([*prior, self.para(block.text, look), *self.links(following)])
                    )
                    continue
                out.append(self.para(block.text, look, lead=block.lead))
            elif isinstance(block, Bullets):
                out += self.bullets(block)
            elif isinstance(block, Table):
                out += self.table(block)
            elif isinstance(block, BarChart):
                out += self.bar_chart(block)
            elif isinstance(block, Heatmap):
                out += self.heatmap(block)
            elif isinstance(block, Links):
                out.append(KeepTogether(self.links(block)))
        return out


def _column_groups(block: Table) -> list[list[int]]:
    """Column indexes per printed table: the first column (labels) and the last (totals)
    repeat in each group when a table is too wide for the page."""
    n = len(block.header)
    if n <= MAX_TABLE_COLUMNS:
        return [list(range(n))]
    middle = list(range(1, n - 1))
    step = MAX_TABLE_COLUMNS - 2
    return [[0, *middle[i : i + step], n - 1] for i in range(0, len(middle), step)]


def _clip(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


class _ShapedBarChart(Flowable):  # type: ignore[misc]  # reportlab has no type hints here
    """The bar chart of a right-to-left report, mirrored: labels on the right, bars growing
    to the left, shaped labels and the language's digits."""

    def __init__(self, block: BarChart, fonts: FontSet, system: str, width: float) -> None:
        super().__init__()
        self.block, self.fonts, self.system = block, fonts, system
        laid, self.chart_width, self.height = bar_layout(block.bars)
        self.laid = laid
        self.scale = min(1.0, width / self.chart_width)
        self.width = width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height * self.scale

    def draw(self) -> None:
        c: Canvas = self.canv
        c.saveState()
        c.translate(self.width - self.chart_width * self.scale, 0)
        c.scale(self.scale, self.scale)
        h, w = self.height, self.chart_width
        for bar in self.laid:
            y = h - bar.y - BAR_GAP - BAR_HEIGHT
            right = w - LABEL_WIDTH
            c.setFillColor(ACCENT)
            c.rect(right - bar.width, y, bar.width, BAR_HEIGHT, stroke=0, fill=1)
            draw_text(
                c,
                _clip(bar.label),
                w - LABEL_WIDTH + 8,
                y + 4,
                self.fonts,
                9,
                rtl=True,
                anchor="end",
                color=colors.black,
            )
            draw_text(
                c,
                digits(str(bar.value), self.system),
                right - bar.width - 6,
                y + 4,
                self.fonts,
                9,
                rtl=True,
                anchor="start",
                color=colors.black,
            )
        c.restoreState()


class _ShapedHeatmap(Flowable):  # type: ignore[misc]
    """The theme x session heat map of a right-to-left report, mirrored."""

    def __init__(self, block: Heatmap, fonts: FontSet, width: float) -> None:
        super().__init__()
        self.block, self.fonts = block, fonts
        self.chart_width, self.chart_height = heat_size(len(block.rows), len(block.columns))
        self.scale = min(1.0, width / self.chart_width)
        self.width = width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.chart_height * self.scale

    def draw(self) -> None:
        c: Canvas = self.canv
        block = self.block
        c.saveState()
        c.translate(self.width - self.chart_width * self.scale, 0)
        c.scale(self.scale, self.scale)
        w, h = self.chart_width, self.chart_height
        top = max((max(row, default=0) for row in block.values), default=0)
        every = max(1, len(block.columns) // 25)
        for j, column in enumerate(block.columns):
            if j % every == 0:
                x = w - (HEAT_LABEL_WIDTH + j * CELL + CELL / 2)
                draw_text(
                    c,
                    column,
                    x,
                    h - CELL + 3,
                    self.fonts,
                    7,
                    rtl=True,
                    anchor="middle",
                    color=colors.black,
                )
        c.setStrokeColor(LINE)
        c.setLineWidth(0.3)
        for i, (row_label, row) in enumerate(zip(block.rows, block.values, strict=True)):
            y = h - (i + 2) * CELL
            draw_text(
                c,
                _clip(row_label),
                w - HEAT_LABEL_WIDTH + 8,
                y + 3,
                self.fonts,
                8,
                rtl=True,
                anchor="end",
                color=colors.black,
            )
            for j, value in enumerate(row):
                r, g, b = shade(value, top)
                c.setFillColor(colors.Color(r, g, b))
                c.rect(
                    w - HEAT_LABEL_WIDTH - (j + 1) * CELL + 1,
                    y,
                    CELL - 1,
                    CELL - 1,
                    stroke=1,
                    fill=1,
                )
        c.restoreState()


def _numbered_canvas(
    report: AnyReport, marking: str | None, stamp: str | None, pagesize: tuple[float, float]
) -> type[Canvas]:
    """A canvas that knows the page count when the document ends ("Page 3 of 10") and
    prints the recipient marking at the top of every page."""
    tag = report.edition.language
    rtl = report.edition.direction == "rtl"
    system = report.edition.digits

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
            width, height = pagesize
            page = self.getPageNumber()
            text = label(tag, "page", page=page, total=total)
            self.setFillColor(MUTED)
            if rtl:
                shaped = _shaped_fonts(tag)
                draw_text(
                    self, text, MARGIN, 10 * mm, shaped, 8, rtl=True, anchor="end", color=MUTED
                )
            else:
                self.setFont(fonts["regular"], 8)
                self.drawRightString(width - MARGIN, 10 * mm, text)
            if stamp:
                self.setFont(fonts["regular"], 8)
                self.setFillColor(MUTED)
                if rtl:
                    self.drawRightString(width - MARGIN, 10 * mm, stamp)
                else:
                    self.drawString(MARGIN, 10 * mm, stamp)
            if marking:
                self.setFont(fonts["bold"], 8.5)
                self.setFillColor(ALERT)
                self.drawCentredString(width / 2, height - 11 * mm, marking)

    del system
    return NumberedCanvas


def _bookmarks(doc: SimpleDocTemplate) -> Callable[[Flowable], None]:
    """Headings become the PDF's outline (bookmarks), for navigation and screen readers."""
    count = [0]

    def after(flowable: Flowable) -> None:
        level = getattr(flowable, "_outline_level", None)
        if level is None:
            return
        count[0] += 1
        key = f"h{count[0]}"
        canvas = doc.canv
        canvas.bookmarkPage(key)
        canvas.addOutlineEntry(flowable._outline_text, key, level=level, closed=False)

    return after


def render_pdf(
    report: AnyReport,
    *,
    marking: str | None = None,
    stamp: str | None = None,
    author: str | None = None,
) -> bytes:
    """The report as PDF bytes; the same report renders to the same bytes."""
    buffer = io.BytesIO()
    pagesize = PAGE_SIZES.get(report.series.paper, A4)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=report.title,
        # The organisation, never a person: rapporteurs stay out of every public output.
        author=author or report.series.organiser,
        subject=marking or report.series.title,
        creator="Track2",
        lang=report.edition.language,
        invariant=True,
    )
    writer = _Writer(report, doc.width)
    story = writer.flowables()
    for flowable, block in zip(story, [None] * len(story), strict=True):
        del block
        _mark_heading(flowable, writer)
    if marking:
        story.insert(0, writer.para(marking, "note"))
    doc.afterFlowable = _bookmarks(doc)
    doc.build(story, canvasmaker=_numbered_canvas(report, marking, stamp, pagesize))
    return buffer.getvalue()


def _mark_heading(flowable: Flowable, writer: _Writer) -> None:
    """Note a heading's level and text on its flowable, for the bookmarks."""
    if isinstance(flowable, Paragraph):
        name = flowable.style.name
        if name in ("h1", "h2", "h3"):
            flowable._outline_level = int(name[1]) - 1
            flowable._outline_text = flowable.getPlainText()
    elif (
        isinstance(flowable, ShapedParagraph)
        and flowable.style.keep_with_next
        and flowable.style.bold
    ):
        size = flowable.style.size
        level = {17: 0, 14: 1, 12: 2}.get(int(size))
        if level is not None:
            flowable._outline_level = level
            flowable._outline_text = "".join(s.text for s in flowable.spans)
