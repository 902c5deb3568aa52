"""DOCX (python-docx) from the report blocks: page numbers in the footer, the recipient
marking in the header of every page. CPU-bound: call it in a worker thread."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from app.reports.layout import BarChart, Bullets, Heading, Heatmap, Links, Para, Table, layout
from app.reports.model import AnyReport
from app.reports.render.chart import shade

MAX_TABLE_COLUMNS = 14
_BAR_CELLS = 30
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


def _table(doc: DocxDocument, block: Table) -> None:
    doc.add_paragraph(block.caption, style="Caption")
    last_is_total = block.header[-1] == "Total"
    for columns in _column_groups(len(block.header), total=last_is_total):
        table = doc.add_table(rows=1, cols=len(columns))
        table.style = "Light List Accent 1"
        for cell, c in zip(table.rows[0].cells, columns, strict=True):
            cell.text = block.header[c]
        for row in block.rows:
            cells = table.add_row().cells
            for cell, c in zip(cells, columns, strict=True):
                cell.text = row[c]
                if block.numeric[c]:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        doc.add_paragraph()


def render_docx(
    report: AnyReport, *, marking: str | None = None, stamp: str | None = None
) -> bytes:
    """The report as a Word document."""
    document = Document()
    props = document.core_properties
    props.title = report.title
    props.author = report.series.organiser
    props.created = props.modified = _FIXED_TIME
    props.last_modified_by = "Track2"
    normal = document.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(11)

    section = document.sections[0]
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if stamp:
        footer.add_run(f"{stamp}    ")
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    if marking:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(marking)
        run.bold = True
        run.font.color.rgb = RGBColor(0xA4, 0x26, 0x2C)

    for block in layout(report):
        if isinstance(block, Heading):
            document.add_heading(block.text, level=0 if block.level == 1 else block.level - 1)
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            if block.lead:
                paragraph.add_run(block.lead + " ").bold = True
            run = paragraph.add_run(block.text)
            if block.role in ("strapline", "note"):
                run.italic = True
        elif isinstance(block, Bullets):
            style = "List Number" if block.ordered else "List Bullet"
            for item in block.items:
                document.add_paragraph(item, style=style)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, BarChart):
            top = max((n for _, n in block.bars), default=0) or 1
            document.add_paragraph(block.caption, style="Caption")
            table = document.add_table(rows=0, cols=3)
            for label, n in block.bars:
                cells = table.add_row().cells
                cells[0].text = label
                cells[1].text = "█" * round(n / top * _BAR_CELLS)
                cells[2].text = str(n)
            document.add_paragraph()
        elif isinstance(block, Heatmap):
            top = max((max(row, default=0) for row in block.values), default=0)
            document.add_paragraph(block.caption, style="Caption")
            header = ("", *block.columns)
            for columns in _column_groups(len(header), total=False):
                table = document.add_table(rows=1, cols=len(columns))
                for cell, c in zip(table.rows[0].cells, columns, strict=True):
                    cell.text = header[c]
                for label, row in zip(block.rows, block.values, strict=True):
                    cells = table.add_row().cells
                    for cell, c in zip(cells, columns, strict=True):
                        if c == 0:
                            cell.text = label
                        else:
                            value = row[c - 1]
                            cell.text = str(value) if value else ""
                            _shade_cell(cell, shade(value, top))
                document.add_paragraph()
        elif isinstance(block, Links):
            for label, url in block.items:
                document.add_paragraph(f"{label}: {url}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
