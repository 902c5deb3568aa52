"""Print quality and editions, rendered from report models (no database involved).

The visual checks render every kind to PDF, turn the pages into PNG images with poppler's
``pdftoppm`` (kept under pytest's temporary directory; the path is printed) and read the
text positions back with ``pdftotext -bbox`` to show the defects of issue 18 are gone."""

from __future__ import annotations

import io
import os
import re
import shutil
import statistics
import subprocess
import unicodedata
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document
from markdown_it import MarkdownIt
from pypdf import PdfReader

from app.demo import MAIN_POINTS
from app.reports.builder import (
    Edition,
    IncompleteEdition,
    build_digest,
    build_session_report,
)
from app.reports.locales import GREGORIAN_MONTHS, label, long_date
from app.reports.model import AnyReport
from app.reports.render.docx import render_docx
from app.reports.render.html import render_html
from app.reports.render.markdown import render_markdown
from app.reports.render.pdf import _Writer, render_pdf
from app.reports.render.shaping import ShapedParagraph, embedding_levels
from bench.reports import digest_source
from tests.reports.editions import (
    ARABIC,
    DARI,
    DEMO_ARABIC,
    DEMO_PASHTO,
    EDITIONS,
    PASHTO,
    SHORT,
    demo_source,
)

GOLDEN = Path(__file__).parent / "golden"
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftoppm, pdftotext) is not installed; .ci/run installs it"
)


def flat(text: str) -> str:
    return " ".join(text.split())


def _pages_to_png(pdf: bytes, folder: Path, name: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(folder / name)], check=True)
    images = sorted(folder.glob(f"{name}-*.png"))
    print(f"{name}: {len(images)} page images in {folder}")
    return images


def _words(pdf: bytes, folder: Path, name: str) -> list[list[tuple[str, float, float]]]:
    """Per page, the words with their top and bottom (points from the page top)."""
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).replace("xmlns=", "x="))
    pages = []
    for page in root.iter("page"):
        pages.append(
            [
                (w.text or "", float(w.get("yMin", 0)), float(w.get("yMax", 0)))
                for w in page.iter("word")
            ]
        )
    return pages


def _english(kind: str, paper: str = "a4") -> AnyReport:
    source = demo_source()
    if paper != "a4":
        from dataclasses import replace

        source = replace(source, series=replace(source.series, paper=paper))
    if kind == "digest":
        return build_digest(digest_source(12, 8))
    return build_session_report(source, kind)  # type: ignore[arg-type]


@needs_poppler
@pytest.mark.parametrize("kind", ["summary", "detailed", "digest"])
def test_every_kind_prints_as_a_publisher_would(kind: str, tmp_path: Path) -> None:
    report = _english(kind)
    pdf = render_pdf(report)
    images = _pages_to_png(pdf, tmp_path, kind)
    pages = _words(pdf, tmp_path, kind)
    assert len(images) == len(pages) >= 1
    limits = {"summary": 3, "detailed": 4, "digest": 30}
    assert len(pages) <= limits[kind], f"{kind}: {len(pages)} pages"
    height = PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height
    for number, words in enumerate(pages, start=1):
        # Nothing alone at the head of a page: at least three lines of text on it.
        lines = {round(top) for _, top, _ in words}
        assert len(lines) >= 3 or number == 1, f"{kind} page {number}: {sorted(lines)}"
        # No heading at a page foot: the last line is not in a heading's size.
        last = max(words, key=lambda w: w[1])
        assert last[2] - last[1] < 14 or last[1] < float(height) * 0.8
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # Table headers never break inside a word.
    for fragment in ("Peo\n", "Poi\n", "Tot\n", "Sess\n", "Categ\n"):
        assert fragment not in text
    if kind == "summary":
        # The offer and its two links share a page: no lone link lines.
        last_page = " ".join(w for w, *_ in pages[-1])
        assert "follow the links below" in last_page
        assert "Request the detailed report" in last_page
    if kind == "detailed":
        flat_text = flat(text)
        for point in MAIN_POINTS:
            assert flat_text.count(flat(point)[:60]) == 1, point[:40]
        assert "Request the detailed report" not in text
        assert "request the detailed report" not in text.lower()
        headers = [w for w, *_ in pages[-1]] + [w for w, *_ in pages[-2]]
        assert {"Category", "Group", "People"} <= set(headers)


@needs_poppler
def test_letter_is_a_series_setting_and_a4_the_default(tmp_path: Path) -> None:
    a4 = PdfReader(io.BytesIO(render_pdf(_english("summary")))).pages[0].mediabox
    letter = PdfReader(io.BytesIO(render_pdf(_english("summary", "letter")))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    document = Document(io.BytesIO(render_docx(_english("summary", "letter"))))
    assert round(document.sections[0].page_width.mm) == 216
    document = Document(io.BytesIO(render_docx(_english("summary"))))
    assert round(document.sections[0].page_width.mm) == 210


def test_pdf_has_metadata_live_links_and_a_vector_chart() -> None:
    report = _english("detailed")
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == report.title
    assert meta.author == "Heart of Asia Society"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert "https://track2.example.org/subscribe?series=afghan-peace" in uris
    assert not any(u.endswith("#request") for u in uris)
    assert reader.outline  # headings as bookmarks
    # The chart is drawn (rectangles), not printed with block characters.
    assert "█" not in "".join(p.extract_text() for p in reader.pages)


def test_docx_has_a_native_chart_live_links_and_its_language() -> None:
    report = _english("detailed")
    body = render_docx(report)
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "word/charts/chart1.xml" in names
    document = Document(io.BytesIO(body))
    assert document.core_properties.title == report.title
    assert document.core_properties.author == "Heart of Asia Society"
    links = [r.target_ref for r in document.part.rels.values() if r.is_external]
    assert "https://track2.example.org/subscribe?series=afghan-peace" in links
    assert "█" not in "\n".join(p.text for p in document.paragraphs)
    dari = render_docx(build_session_report(demo_source(), "summary", Edition("fa-AF", texts=DARI)))
    xml = zipfile.ZipFile(io.BytesIO(dari)).read("word/document.xml").decode()
    assert "<w:bidi/>" in xml
    assert "<w:rtl/>" in xml
    assert Document(io.BytesIO(dari)).core_properties.language == "fa-AF"


# The order WordprocessingML's schema (ECMA-376 part 1, transitional) gives the children of
# these property elements; Word may refuse a document that breaks it.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SCHEMA_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss "
    "imprint noProof snapToGrid vanish webHidden color spacing w kern position sz szCs "
    "highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize "
    "tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption",
    # Header and footer references come first, in any order among themselves.
    "sectPr": "headerReference|footerReference footnotePr endnotePr type pgSz pgMar paperSrc "
    "pgBorders lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi "
    "rtlGutter docGrid printerSettings",
}


@pytest.mark.parametrize("tag", ["en", "fa-AF"])
def test_docx_properties_follow_the_schemas_order(tag: str) -> None:
    """Bidi properties used to be appended after others (a section's ``bidi`` after its
    ``docGrid``, a table's ``bidiVisual`` after its ``tblLook``): LibreOffice forgives it,
    Word need not. Right-to-left table cells are right-to-left paragraphs too."""
    if tag == "en":
        reports = [
            build_session_report(demo_source(), "detailed"),
            build_digest(digest_source(4, 3)),
        ]
    else:
        edition, points = _edition(tag)
        source = digest_source(4, 3)
        from bench.report_editions import digest_edition

        reports = [
            build_session_report(demo_source(points), "detailed", edition),
            build_digest(source, digest_edition(tag, source)),
        ]
    for report in reports:
        package = zipfile.ZipFile(io.BytesIO(render_docx(report, marking="m", stamp="s")))
        for part in ("word/document.xml", "word/styles.xml"):
            root = ElementTree.fromstring(package.read(part))
            for name, order in _SCHEMA_ORDER.items():
                rank = {n: i for i, ns in enumerate(order.split()) for n in ns.split("|")}
                for element in root.iter(f"{_W}{name}"):
                    children = [c.tag.removeprefix(_W) for c in element]
                    known = [rank[c] for c in children if c in rank]
                    assert known == sorted(known), (part, name, children)
        document = ElementTree.fromstring(package.read("word/document.xml"))
        cells = list(document.iter(f"{_W}tc"))
        assert cells
        for cell in cells:
            for paragraph in cell.iter(f"{_W}p"):
                bidi = paragraph.find(f"{_W}pPr/{_W}bidi")
                assert (bidi is not None) == (tag != "en")


def test_detailed_report_never_groups_under_a_one_presenter_part() -> None:
    report = build_session_report(demo_source(), "detailed")
    assert report.detailed is not None
    headings = [g.heading for g in report.detailed.groups]
    assert not any(h.startswith("Presentation") or h.startswith("Opening") for h in headings)
    assert headings == ["General points", "Questions and answers", "General discussion"]
    printed = [n for g in report.detailed.groups for n in g.points]
    assert sorted(printed) == list(range(1, 12))  # each point once
    assert [link.rel for link in report.links] == ["newsletter"]


def test_markdown_escapes_what_a_viewer_would_read_as_markup() -> None:
    from dataclasses import replace

    source = demo_source((0,))
    tricky = "Kari&#109;ova &amp; [Kari](x)mova *K*ari <b>x</b> &shy; ~~y~~"
    source = replace(source, points=(replace(source.points[0], text=tricky),))
    markdown = render_markdown(build_session_report(source, "summary"))
    html = MarkdownIt("commonmark").enable("strikethrough").render(markdown)
    text = re.sub(r"<[^>]+>", "", html)
    import html as html_lib

    assert tricky in html_lib.unescape(text)
    assert "Karimova" not in html_lib.unescape(text)
    assert "<b>" not in html
    assert "<del>" not in html
    assert "<em>K" not in html


# -- right to left ------------------------------------------------------------------------


def _letters(text: str) -> str:
    return re.sub(r"[\s\u200b]", "", text)


def _edition(tag: str) -> tuple[Edition, tuple[int, ...]]:
    texts, points = EDITIONS[tag]
    return Edition(tag, texts=texts), points


@pytest.mark.parametrize("tag", ["fa-AF", "ar", "ps"])
def test_pdf_text_extracts_in_logical_order(tag: str) -> None:
    edition, points = _edition(tag)
    texts = EDITIONS[tag][0]
    for kind in ("summary", "detailed"):
        report = build_session_report(demo_source(points), kind, edition)  # type: ignore[arg-type]
        reader = PdfReader(io.BytesIO(render_pdf(report)))
        text = _letters(" ".join(page.extract_text() for page in reader.pages))
        assert _letters(report.title) in text
        for point in texts.points.values():
            # Each point reads back in logical order, Latin acronyms and Persian digits in
            # place. Spaces are left out of the comparison: pypdf guesses word gaps from
            # glyph positions and adds a few inside Arabic-script words.
            assert _letters(point) in text, point[:50]
        assert reader.trailer["/Root"]["/Lang"] == tag


def test_dari_detailed_pdf_is_right_aligned_and_mirrored(tmp_path: Path) -> None:
    if not POPPLER:
        pytest.skip("poppler-utils is not installed; .ci/run installs it")
    edition, points = _edition("fa-AF")
    pdf = render_pdf(build_session_report(demo_source(points), "detailed", edition))
    _pages_to_png(pdf, tmp_path, "detailed.fa-AF")
    path = tmp_path / "detailed.fa-AF.pdf"
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    xs = [float(x) for x in re.findall(r'xMax="([\d.]+)"', out)]
    mins = [float(x) for x in re.findall(r'xMin="([\d.]+)"', out)]
    width = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)
    # Lines start flush with the right margin (18 mm) and end ragged on the left.
    right_edge = width - 18 * 72 / 25.4 - 6  # the margin and the frame's padding
    assert sum(1 for x in xs if abs(x - right_edge) < 3) > 30
    assert min(mins) > 18 * 72 / 25.4 - 3


@needs_poppler
@pytest.mark.parametrize("tag", ["fa-AF", "ps", "ar"])
def test_right_to_left_pages_never_end_on_a_heading(tag: str, tmp_path: Path) -> None:
    """A heading is kept with what follows it, a chart included (a heading before a chart
    once stood alone at the foot of the Pashto detailed report's first page)."""
    edition, points = _edition(tag)
    for kind in ("summary", "detailed"):
        name = f"{kind}.{tag}"
        pdf = render_pdf(build_session_report(demo_source(points), kind, edition))  # type: ignore[arg-type]
        _pages_to_png(pdf, tmp_path, name)
        pages = _words(pdf, tmp_path, name)
        height = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height)
        footer = height - 16 * 72 / 25.4  # the page number's band
        for number, words in enumerate(pages[:-1], start=1):
            body = [w for w in words if w[1] < footer and w[2] > w[1]]
            typical = statistics.median(bottom - top for _, top, bottom in body)
            last = max(top for _, top, _ in body)
            line = [w for w in body if abs(w[1] - last) < 3]
            tallest = max(bottom - top for _, top, bottom in line)
            # Body text is 11 pt, headings 12-17 pt: a heading's line is taller.
            assert tallest < typical * 1.05, f"{name} page {number} ends on {line}"


def test_right_to_left_list_numbers_read_in_the_lists_direction() -> None:
    """A right-to-left list's number ten has its full stop on the left of its digits (on
    the right, next to them, the stop reads as a Persian zero: ten became a hundred)."""
    edition, points = _edition("fa-AF")
    report = build_session_report(demo_source(points), "detailed", edition)
    writer = _Writer(report, 480)
    numbered = [
        f
        for f in writer.flowables()
        if isinstance(f, ShapedParagraph) and f.style.bullet and f.style.bullet[0] != "•"
    ]
    assert [f.style.bullet for f in numbered][-2:] == ["۱۰.", "۱۱."]
    for paragraph in numbered:
        line = paragraph.marker_line()
        glyphs = sorted(
            (piece.x + sum(g.advance for g in piece.shaped.glyphs[:i]) * 0.001, g.text)
            for piece in line.pieces
            for i, g in enumerate(piece.shaped.glyphs)
        )
        shown = "".join(text for _, text in glyphs)
        assert shown == "." + paragraph.style.bullet[:-1], shown


def test_dates_in_the_language_and_solar_hijri_as_an_option() -> None:
    day = date(2020, 6, 29)
    assert long_date(day, "fa-AF") == "۲۹ جون ۲۰۲۰"
    assert long_date(day, "fa-AF", "solar_hijri") == "۹ سرطان ۱۳۹۹ هـ.ش. (۲۹ جون ۲۰۲۰)"
    assert long_date(day, "ps", "solar_hijri") == "۹ چنګاښ ۱۳۹۹ ل.ه. (۲۹ جون ۲۰۲۰)"
    assert long_date(day, "ar") == "٢٩ يونيو ٢٠٢٠"
    report = build_session_report(
        demo_source(), "summary", Edition("fa-AF", calendar="solar_hijri", texts=DARI)
    )
    assert "۹ سرطان ۱۳۹۹" in report.opening


def test_month_names_and_digits_follow_cldr() -> None:
    babel = pytest.importorskip("babel")
    from babel.dates import format_date
    from babel.numbers import get_territory_currencies  # noqa: F401  # babel data present

    del babel
    for tag, locale in (("fa-AF", "fa_AF"), ("ps", "ps"), ("ar", "ar")):
        for month, name in enumerate(GREGORIAN_MONTHS[tag], start=1):
            cldr = format_date(date(2020, month, 1), "LLLL", locale=locale)
            assert name.replace("ي", "ی") == cldr.replace("ي", "ی") or name == cldr, (
                tag,
                month,
                name,
                cldr,
            )


def test_an_incomplete_edition_is_refused() -> None:
    with pytest.raises(IncompleteEdition) as caught:
        build_session_report(demo_source(), "summary", Edition("ps", texts=PASHTO))
    assert any(m.startswith("points.") for m in caught.value.missing)


def test_bidi_levels_from_python_bidi() -> None:
    assert embedding_levels("abc مرحبا", rtl=False) == [0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert embedding_levels("نشست (IAN) ۲۰۲۰", rtl=True) == [1] * 6 + [2, 2, 2] + [1, 1] + [2] * 4


@pytest.mark.parametrize("tag", ["en", "fa-AF", "ps", "ar"])
def test_summary_golden_per_language(tag: str) -> None:
    """The demo summary in each language, as Markdown and HTML, against the files in
    ``golden/`` (``TRACK2_UPDATE_GOLDEN=1`` writes them again after a deliberate change)."""
    if tag == "en":
        report = build_session_report(demo_source(), "summary")
    else:
        edition, points = _edition(tag)
        report = build_session_report(demo_source(points), "summary", edition)
    for suffix, body in (("md", render_markdown(report)), ("html", render_html(report))):
        path = GOLDEN / f"summary.{tag}.{suffix}"
        if os.environ.get("TRACK2_UPDATE_GOLDEN") == "1":
            path.write_text(body, encoding="utf-8")
        assert path.read_text(encoding="utf-8") == body, f"{path.name} differs"
    if tag != "en":
        html = render_html(report)
        assert f'<html lang="{tag}" dir="rtl">' in html


def test_fixture_translations_cover_the_short_points() -> None:
    assert set(SHORT) == {0, 2, 3}
    assert len(ARABIC.points) == len(PASHTO.points) == 3


# -- right-to-left editions, every kind ----------------------------------------------------

# The demo's complete editions (app/demo_editions.py), as the builder gets them.
DEMO_EDITIONS = {"fa-AF": DARI, "ps": DEMO_PASHTO, "ar": DEMO_ARABIC}
# Headers of the composition table (detailed) and the sessions and theme tables (digest).
TABLE_HEADERS = {
    "detailed": ("category", "group", "people"),
    "digest": ("number", "date", "title", "status", "points", "theme", "total"),
}


def _right_to_left(kind: str, tag: str) -> AnyReport:
    if kind == "digest":
        from bench.report_editions import digest_edition

        source = digest_source(12, 8)
        return build_digest(source, digest_edition(tag, source))
    edition = Edition(tag, texts=DEMO_EDITIONS[tag])
    return build_session_report(demo_source(), kind, edition)  # type: ignore[arg-type]


def _boxes(
    pdf: bytes, folder: Path, name: str
) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page, the words with their left, top, right and bottom (points)."""
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).replace("xmlns=", "x="))
    return [
        [
            (
                w.text or "",
                float(w.get("xMin", 0)),
                float(w.get("yMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMax", 0)),
            )
            for w in page.iter("word")
        ]
        for page in root.iter("page")
    ]


@needs_poppler
@pytest.mark.parametrize("tag", ["fa-AF", "ps", "ar"])
@pytest.mark.parametrize("kind", ["summary", "detailed", "digest"])
def test_right_to_left_editions_print_as_a_publisher_would(
    kind: str, tag: str, tmp_path: Path
) -> None:
    """Each kind in each right-to-left edition: its lines start at the right margin, no page
    ends on a heading, and table headers are whole words. The page images are kept under
    the test's temporary directory (``TRACK2_PRINT_ARTEFACTS=DIR`` keeps them there)."""
    folder = Path(os.environ.get("TRACK2_PRINT_ARTEFACTS", tmp_path))
    name = f"{kind}.{tag}"
    pdf = render_pdf(_right_to_left(kind, tag))
    images = _pages_to_png(pdf, folder, name)
    pages = _boxes(pdf, folder, name)
    assert len(images) == len(pages) >= 1
    assert len(pages) <= {"summary": 3, "detailed": 4, "digest": 30}[kind], len(pages)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    width, height = float(box.width), float(box.height)
    margin = 18 * 72 / 25.4
    footer = height - 16 * 72 / 25.4  # the page number's band
    for number, words in enumerate(pages, start=1):
        # (poppler makes a word of a raised combining mark, the hamza of "ـهٔ": left out)
        body = [
            w
            for w in words
            if margin < w[2] < footer
            and w[4] > w[2]
            and not all(unicodedata.category(ch) == "Mn" for ch in w[0])
        ]
        lines: dict[int, list[tuple[str, float, float, float, float]]] = {}
        for word in body:
            lines.setdefault(round(word[4]), []).append(word)
        spans = [(min(w[1] for w in line), max(w[3] for w in line)) for line in lines.values()]
        edge = max(right for _, right in spans)
        assert width - margin - 10 < edge <= width - margin + 1, f"{name} page {number}"
        # Right-aligned: the lines in the body's size wider than 40% of the text block
        # (short last lines and charts aside) end at one of at most three stops, the right
        # edge of the text, a list's indent and a table's first cell, whatever their length
        # (ragged-right text would end all over the place).
        size = statistics.median(w[4] - w[2] for w in body)
        prose = [
            (min(w[1] for w in line), max(w[3] for w in line))
            for line in lines.values()
            if abs(statistics.median(w[4] - w[2] for w in line) - size) < 0.03 * size
        ]
        wide = [right for left, right in prose if right - left > 0.4 * (width - 2 * margin)]
        if number == 1:
            assert wide, f"{name} page {number}"
        else:
            # Nothing alone at the head of a page (the Pashto detailed report's last page
            # once held only the offer and its link): at least three lines on it.
            assert len(lines) >= 3, f"{name} page {number}: {len(lines)} lines"
        stops = Counter(round(right) for right in wide).most_common(3)
        flush = sum(1 for right in wide if any(abs(right - x) < 2 for x, _ in stops))
        assert flush >= 0.9 * len(wide), f"{name} page {number}: {flush}/{len(wide)}"
        # ... each near the edge (a list's indent or a table cell's padding away at most).
        assert all(edge - right < 24 for right in wide), f"{name} page {number}"
        if number < len(pages):
            # No heading at a page foot: body text is 11 pt, headings 12-17 pt.
            typical = statistics.median(w[4] - w[2] for w in body)
            last = max(lines)
            tallest = max(w[4] - w[2] for w in lines[last])
            assert tallest < typical * 1.05, f"{name} page {number} ends on {lines[last]}"
    # Table headers are whole words, never broken inside.
    words = {flat(w[0]) for page in pages for w in page}
    for key in TABLE_HEADERS.get(kind, ()):
        header = label(tag, key)
        for part in header.split():
            # pdftotext -bbox gives a right-to-left word's letters in display order.
            assert part in words or part[::-1] in words, f"{name}: header {header!r} broken"
