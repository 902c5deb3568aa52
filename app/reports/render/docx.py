"""DOCX (python-docx) from the report blocks: A4 or US Letter (the series' setting), page
numbers in the footer, the recipient marking in the header of every page, live hyperlinks,
the theme chart as a native Word chart (DrawingML, values cached in the part, so every
viewer draws it without an embedded workbook), the title and language in the document
properties. A right-to-left edition sets Word's bidi properties on the section, every
paragraph, run and table, and the complex-script font (Amiri). CPU-bound: call it in a
worker thread."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from app.reports.layout import BarChart, Bullets, Heading, Heatmap, Links, Para, Table, layout
from app.reports.locales import digits
from app.reports.model import AnyReport
from app.reports.render.chart import shade

MAX_TABLE_COLUMNS = 14
MARGIN_MM = 18
PAPER = {"a4": (Mm(210), Mm(297)), "letter": (Mm(215.9), Mm(279.4))}
RTL_FONT = "Amiri"
_RTL_TEXT = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
# A fixed timestamp in the document properties, so a version always renders the same.
_FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)


# The order WordprocessingML's schema gives the children of these property elements: Word
# may refuse a document whose elements are out of order, so new ones are inserted in place.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
).split()
SECTPR_ORDER = (
    "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders "
    "lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter "
    "docGrid printerSettings sectPrChange"
).split()


def _insert(parent: object, name: str, order: list[str]) -> None:
    """Add an empty ``w:name`` child to ``parent`` where the schema's ``order`` puts it
    (once: an element already there is kept)."""
    if parent.find(qn(f"w:{name}")) is not None:  # type: ignore[attr-defined]
        return
    successors = [f"w:{n}" for n in order[order.index(name) + 1 :]]
    parent.insert_element_before(OxmlElement(f"w:{name}"), *successors)  # type: ignore[attr-defined]


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) that Word fills in on every page."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, placeholder, end):
        run._r.append(element)


def _shade_cell(cell: _Cell, rgb: tuple[float, float, float]) -> None:
    fill = "".join(f"{round(c * 255):02X}" for c in rgb)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _column_groups(n: int, *, total: bool) -> list[list[int]]:
    """Column indexes per printed table: the label column (and a total column) repeat in
    each group when a table is too wide for the page."""
    if n <= MAX_TABLE_COLUMNS:
        return [list(range(n))]
    end = n - 1 if total else n
    middle = list(range(1, end))
    step = MAX_TABLE_COLUMNS - 2
    tail = [n - 1] if total else []
    return [[0, *middle[i : i + step], *tail] for i in range(0, len(middle), step)]


# Width of a character of 11 pt bold text in a wide face (a viewer without Georgia falls
# back to one), and a cell's margins and borders, in mm: generous, so no word breaks.
_CHAR_MM = 2.6
_CELL_PAD_MM = 5.0


def _column_widths(block: Table, columns: list[int], available: float) -> list[float]:
    """Column widths in mm: every column at least as wide as its longest word (no word is
    broken, a header's or a theme's), numeric columns as wide as their widest number, and
    text columns share the rest in proportion to their longest text."""

    def longest_word(texts: list[str]) -> int:
        return max((len(word) for text in texts for word in text.split()), default=1)

    widths: list[float] = []
    wants: dict[int, float] = {}
    for i, c in enumerate(columns):
        cells = [block.header[c], *(row[c] for row in block.rows)]
        floor = longest_word(cells) * _CHAR_MM + _CELL_PAD_MM
        if block.numeric[c]:
            widths.append(max(floor, max(len(t) for t in cells) * _CHAR_MM + _CELL_PAD_MM))
        else:
            widths.append(floor)
            wants[i] = min(max(len(t) for t in cells), 60) * _CHAR_MM + _CELL_PAD_MM
    rest = available - sum(widths)
    if wants and rest > 0:
        total = sum(wants.values())
        for i, want in wants.items():
            widths[i] += rest * want / total
    return widths


def _table(doc: DocxDocument, block: Table, rtl: bool, available: float) -> None:
    """A table (column groups when it is too wide), ``available`` mm wide at most."""
    caption = doc.add_paragraph(block.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    last_is_total = block.numeric[-1] and len(block.header) > 3
    for columns in _column_groups(len(block.header), total=last_is_total):
        table = doc.add_table(rows=1, cols=len(columns))
        table.style = "Light List Accent 1"
        table.autofit = False
        if rtl:
            # A mirrored table: Word lays the first column on the right.
            _insert(table._tbl.tblPr, "bidiVisual", TBLPR_ORDER)
        header_row = table.rows[0]._tr.get_or_add_trPr()
        header_row.append(OxmlElement("w:tblHeader"))
        for cell, c in zip(table.rows[0].cells, columns, strict=True):
            _cell_text(cell, block.header[c], rtl, numeric=block.numeric[c])
        for row in block.rows:
            cells = table.add_row().cells
            for cell, c in zip(cells, columns, strict=True):
                _cell_text(cell, row[c], rtl, numeric=block.numeric[c])
        _set_widths(table, _column_widths(block, columns, available))
        doc.add_paragraph()


def _set_widths(table: DocxTable, widths: list[float]) -> None:
    """Fixed column widths (mm), on the grid and on every cell, as Word reads them."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _cell_text(cell: _Cell, text: str, rtl: bool, *, numeric: bool = False) -> None:
    """A table cell's text, in the table's direction; numbers at the cell's end (for a
    right-to-left paragraph Word reads ``jc`` "left" as its start, "right" as its end)."""
    cell.text = text
    paragraph = cell.paragraphs[0]
    if numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if rtl:
        _rtl_paragraph(paragraph)


def _rtl_paragraph(paragraph: DocxParagraph) -> None:
    """A right-to-left paragraph; its runs that hold right-to-left text are marked so (a run
    of Latin text only, such as an address, is left as it is)."""
    _insert(paragraph._p.get_or_add_pPr(), "bidi", PPR_ORDER)
    for run in paragraph.runs:
        if _RTL_TEXT.search(run.text):
            _insert(run._r.get_or_add_rPr(), "rtl", RPR_ORDER)


def _hyperlink(paragraph: DocxParagraph, url: str, text: str) -> None:
    """A live link (a ``w:hyperlink`` with an external relationship), styled as one."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F5C8B")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.extend([style, color, underline])
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _chart_xml(bars: tuple[tuple[str, int], ...], rtl: bool) -> bytes:
    """A horizontal bar chart (DrawingML) with its values cached in the part."""
    n = len(bars)
    cats = "".join(
        f'<c:pt idx="{i}"><c:v>{escape(label)}</c:v></c:pt>' for i, (label, _) in enumerate(bars)
    )
    vals = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, (_, v) in enumerate(bars))
    # Bars read from the top; mirrored for a right-to-left report (labels on the right).
    cat_pos, val_orientation = ("r", "maxMin") if rtl else ("l", "minMax")
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<c:roundedCorners val="0"/>
<c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/>
<c:barChart><c:barDir val="bar"/><c:grouping val="clustered"/><c:varyColors val="0"/>
<c:ser><c:idx val="0"/><c:order val="0"/>
<c:spPr><a:solidFill><a:srgbClr val="1F5C8B"/></a:solidFill></c:spPr>
<c:invertIfNegative val="0"/>
<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>
<c:cat><c:strLit><c:ptCount val="{n}"/>{cats}</c:strLit></c:cat>
<c:val><c:numLit><c:formatCode>General</c:formatCode><c:ptCount val="{n}"/>{vals}</c:numLit></c:val>
</c:ser>
<c:gapWidth val="40"/><c:axId val="100"/><c:axId val="200"/></c:barChart>
<c:catAx><c:axId val="100"/><c:scaling><c:orientation val="maxMin"/></c:scaling><c:delete val="0"/><c:axPos val="{cat_pos}"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="200"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>
<c:valAx><c:axId val="200"/><c:scaling><c:orientation val="{val_orientation}"/></c:scaling><c:delete val="1"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="100"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>
</c:plotArea><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>
</c:chartSpace>""".encode()


def _chart(
    document: DocxDocument, bars: tuple[tuple[str, int], ...], rtl: bool, index: int
) -> None:
    """Embed the bar chart as a chart part, inline in its own paragraph."""
    part = Part(
        PackURI(f"/word/charts/chart{index}.xml"),
        _CHART_TYPE,
        _chart_xml(bars, rtl),
        document.part.package,
    )
    r_id = document.part.relate_to(part, _CHART_REL)
    width = 5_760_000  # EMU: 16 cm
    height = max(1_400_000, 330_000 * len(bars))
    inline = parse_xml(
        '<wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<wp:extent cx="{width}" cy="{height}"/><wp:docPr id="{1000 + index}" name="Chart {index}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart r:id="{r_id}"/></a:graphicData></a:graphic></wp:inline>'
    )
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    run = document.add_paragraph().add_run()
    run._r.append(drawing)


def render_docx(
    report: AnyReport, *, marking: str | None = None, stamp: str | None = None
) -> bytes:
    """The report as a Word document."""
    document = Document()
    edition = report.edition
    rtl = edition.direction == "rtl"
    props = document.core_properties
    props.title = report.title
    # The organisation, never a person: rapporteurs stay out of every public output.
    props.author = report.series.organiser
    props.language = edition.language
    props.subject = report.series.title
    props.created = props.modified = _FIXED_TIME
    props.last_modified_by = "Track2"
    props.revision = 1
    normal = document.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(11)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    _insert(rpr, "lang", RPR_ORDER)
    lang = rpr.find(qn("w:lang"))
    if rtl:
        fonts.set(qn("w:cs"), RTL_FONT)
        _insert(rpr, "szCs", RPR_ORDER)
        rpr.find(qn("w:szCs")).set(qn("w:val"), "24")
        lang.set(qn("w:bidi"), edition.language)
        # Headings, captions and lists name the theme's complex-script font, which would
        # win over Normal's: they take Amiri too.
        for style in document.styles:
            style_fonts = style.element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
            if style_fonts is not None and style_fonts.get(qn("w:cstheme")):
                del style_fonts.attrib[qn("w:cstheme")]
                style_fonts.set(qn("w:cs"), RTL_FONT)
    else:
        lang.set(qn("w:val"), "en-GB")

    section = document.sections[0]
    section.page_width, section.page_height = PAPER.get(report.series.paper, PAPER["a4"])
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    available = PAPER.get(report.series.paper, PAPER["a4"])[0].mm - 2 * MARGIN_MM
    section.top_margin = section.bottom_margin = Mm(20)
    if rtl:
        _insert(section._sectPr, "bidi", SECTPR_ORDER)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if stamp:
        footer.add_run(f"{stamp}    ")
    footer.add_run("Page " if not rtl else "")
    _field(footer, "PAGE")
    footer.add_run(" of " if not rtl else " / ")
    _field(footer, "NUMPAGES")
    if marking:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(marking)
        run.bold = True
        run.font.color.rgb = RGBColor(0xA4, 0x26, 0x2C)

    charts = 0
    for block in layout(report):
        if isinstance(block, Heading):
            heading = document.add_heading(
                block.text, level=0 if block.level == 1 else block.level - 1
            )
            heading.paragraph_format.keep_with_next = True
            if rtl:
                _rtl_paragraph(heading)
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.widow_control = True
            if block.lead:
                paragraph.add_run(block.lead + " ").bold = True
            run = paragraph.add_run(block.text)
            if block.role in ("strapline", "note"):
                run.italic = True
            if block.role == "offer":
                paragraph.paragraph_format.keep_with_next = True
            if rtl:
                _rtl_paragraph(paragraph)
        elif isinstance(block, Bullets):
            style = "List Number" if block.ordered else "List Bullet"
            for index in range(len(block.items)):
                paragraph = document.add_paragraph(block.item_text(index), style=style)
                note = block.notes[index] if block.notes else ""
                if note:
                    paragraph.paragraph_format.keep_with_next = True
                    tags = document.add_paragraph()
                    tags.paragraph_format.left_indent = Mm(6.35)
                    tag_run = tags.add_run(note)
                    tag_run.italic = True
                    tag_run.font.size = Pt(9)
                    if rtl:
                        _rtl_paragraph(tags)
                if rtl:
                    _rtl_paragraph(paragraph)
        elif isinstance(block, Table):
            _table(document, block, rtl, available)
        elif isinstance(block, BarChart):
            charts += 1
            caption = document.add_paragraph(block.caption, style="Caption")
            caption.paragraph_format.keep_with_next = True  # with its chart
            if rtl:
                _rtl_paragraph(caption)
            _chart(document, block.bars, rtl, charts)
        elif isinstance(block, Heatmap):
            top = max((max(row, default=0) for row in block.values), default=0)
            caption = document.add_paragraph(block.caption, style="Caption")
            caption.paragraph_format.keep_with_next = True
            if rtl:
                _rtl_paragraph(caption)
            header = ("", *block.columns)
            shape = Table(
                "",
                header,
                tuple(
                    (label, *(str(v) for v in row))
                    for label, row in zip(block.rows, block.values, strict=True)
                ),
                (False, *(True for _ in block.columns)),
            )
            for columns in _column_groups(len(header), total=False):
                table = document.add_table(rows=1, cols=len(columns))
                if rtl:
                    _insert(table._tbl.tblPr, "bidiVisual", TBLPR_ORDER)
                for cell, c in zip(table.rows[0].cells, columns, strict=True):
                    _cell_text(cell, header[c], rtl)
                for row_label, row in zip(block.rows, block.values, strict=True):
                    cells = table.add_row().cells
                    for cell, c in zip(cells, columns, strict=True):
                        if c == 0:
                            _cell_text(cell, row_label, rtl)
                        else:
                            value = row[c - 1]
                            text = digits(str(value), edition.digits) if value else ""
                            _cell_text(cell, text, rtl)
                            _shade_cell(cell, shade(value, top))
                _set_widths(table, _column_widths(shape, columns, available))
                document.add_paragraph()
        elif isinstance(block, Links):
            for link_label, url in block.items:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{link_label}: ")
                _hyperlink(paragraph, url, url)
                if rtl:
                    _rtl_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
