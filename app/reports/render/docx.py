"""DOCX (python-docx) from the report blocks: A4 or US Letter (the series' setting), page
numbers in the footer, the recipient marking in the header of every page, live hyperlinks,
the theme chart as a native Word chart (DrawingML, values cached in the part, so every
viewer draws it without an embedded workbook), the title and language in the document
properties. A right-to-left edition sets Word's bidi properties on the section, every
paragraph, run and table, and the complex-script font (Amiri). CPU-bound: call it in a
worker thread."""

from __future__ import annotations

import io
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
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from app.reports.layout import BarChart, Bullets, Heading, Heatmap, Links, Para, Table, layout
from app.reports.locales import digits
from app.reports.model import AnyReport
from app.reports.render.chart import shade

MAX_TABLE_COLUMNS = 14
PAPER = {"a4": (Mm(210), Mm(297)), "letter": (Mm(215.9), Mm(279.4))}
RTL_FONT = "Amiri"
_CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
# A fixed timestamp in the document properties, so a version always renders the same.
_FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)


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


def _table(doc: DocxDocument, block: Table, rtl: bool = False) -> None:
    caption = doc.add_paragraph(block.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    last_is_total = block.numeric[-1] and len(block.header) > 3
    for columns in _column_groups(len(block.header), total=last_is_total):
        table = doc.add_table(rows=1, cols=len(columns))
        table.style = "Light List Accent 1"
        if rtl:
            # A mirrored table: Word lays the first column on the right.
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
        header_row = table.rows[0]._tr.get_or_add_trPr()
        header_row.append(OxmlElement("w:tblHeader"))
        for cell, c in zip(table.rows[0].cells, columns, strict=True):
            cell.text = block.header[c]
        for row in block.rows:
            cells = table.add_row().cells
            for cell, c in zip(cells, columns, strict=True):
                cell.text = row[c]
                if block.numeric[c]:
                    cell.paragraphs[0].alignment = (
                        WD_ALIGN_PARAGRAPH.LEFT if rtl else WD_ALIGN_PARAGRAPH.RIGHT
                    )
        doc.add_paragraph()


def _rtl_paragraph(paragraph: DocxParagraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(OxmlElement("w:bidi"))
    for run in paragraph.runs:
        _rtl_run(run._r)


def _rtl_run(r: object) -> None:
    rpr = r.get_or_add_rPr()  # type: ignore[attr-defined]  # python-docx oxml element
    rpr.append(OxmlElement("w:rtl"))


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
    lang = OxmlElement("w:lang")
    if rtl:
        fonts.set(qn("w:cs"), RTL_FONT)
        size_cs = OxmlElement("w:szCs")
        size_cs.set(qn("w:val"), "24")
        rpr.append(size_cs)
        lang.set(qn("w:bidi"), edition.language)
    else:
        lang.set(qn("w:val"), "en-GB")
    rpr.append(lang)

    section = document.sections[0]
    section.page_width, section.page_height = PAPER.get(report.series.paper, PAPER["a4"])
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin = section.bottom_margin = Mm(20)
    if rtl:
        section._sectPr.append(OxmlElement("w:bidi"))
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
            _table(document, block, rtl)
        elif isinstance(block, BarChart):
            charts += 1
            caption = document.add_paragraph(block.caption, style="Caption")
            if rtl:
                _rtl_paragraph(caption)
            _chart(document, block.bars, rtl, charts)
        elif isinstance(block, Heatmap):
            top = max((max(row, default=0) for row in block.values), default=0)
            caption = document.add_paragraph(block.caption, style="Caption")
            if rtl:
                _rtl_paragraph(caption)
            header = ("", *block.columns)
            for columns in _column_groups(len(header), total=False):
                table = document.add_table(rows=1, cols=len(columns))
                if rtl:
                    table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
                for cell, c in zip(table.rows[0].cells, columns, strict=True):
                    cell.text = header[c]
                for row_label, row in zip(block.rows, block.values, strict=True):
                    cells = table.add_row().cells
                    for cell, c in zip(cells, columns, strict=True):
                        if c == 0:
                            cell.text = row_label
                        else:
                            value = row[c - 1]
                            cell.text = digits(str(value), edition.digits) if value else ""
                            _shade_cell(cell, shade(value, top))
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
