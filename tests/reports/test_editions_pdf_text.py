"""Text extraction from the demo's published right-to-left editions, as a reader gets them:
the PDF downloaded over the public route, its text extracted with poppler's ``pdftotext``
and with pypdf, gives back every point in logical order (the order it was written in).

The comparison leaves out what extractors legitimately disagree on (word gaps, which pypdf
guesses from glyph positions; zero-width non-joiners and bidi controls, which have no glyph;
Arabic presentation forms, folded by NFKC) and nothing else: every letter and digit must
come back in the order written. ``test_a_visual_order_pdf_fails_the_check`` shows that the
same check refuses a PDF whose glyphs are written in display order (pypdf's; poppler
reorders such a file itself).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from app.demo_editions import EDITIONS
from app.reports.locales import label
from app.reports.render import shaping
from tests.reports.conftest import Demo

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"
)


def letters(text: str, marks: bool = True) -> str:
    """The text's letters, digits and punctuation in their order, without spacing, format
    characters (ZWNJ, bidi marks) or presentation forms (and without combining marks when
    ``marks`` is false)."""
    folded = unicodedata.normalize("NFKC", text)
    dropped = ("Cf", "Cc") if marks else ("Cf", "Cc", "Mn")
    return "".join(
        ch for ch in folded if not ch.isspace() and unicodedata.category(ch) not in dropped
    )


def extracted(pdf: bytes, folder: Path, name: str, language: str) -> dict[str, list[str]]:
    """Per extractor, the PDF's text page by page, the page number ("page 2 of 3" in the
    language, the page furniture drawn after the body) taken out."""
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    poppler = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout.split("\f")[:-1]
    reader = PdfReader(io.BytesIO(pdf))
    pages = {"pdftotext": poppler, "pypdf": [page.extract_text() or "" for page in reader.pages]}
    for tool, texts in pages.items():
        assert len(texts) == len(reader.pages), tool
        total = len(texts)
        for number, text in enumerate(texts, start=1):
            footer = label(language, "page", page=number, total=total)
            lines = text.splitlines()
            furniture = letters(footer, marks=False)
            texts[number - 1] = "\n".join(
                line for line in lines if letters(line, marks=False) != furniture
            )
    return pages


def missing_in_pypdf(pages: list[str], texts: tuple[str, ...]) -> list[int]:
    """The (1-based) texts whose letters do not come back from pypdf, in order."""
    flat = letters("".join(pages))
    return [i for i, text in enumerate(texts, start=1) if letters(text) not in flat]


def missing_in_poppler(pages: list[str], texts: tuple[str, ...]) -> list[int]:
    """The (1-based) texts that are not made of whole lines of ``pdftotext``'s output, each
    in logical order. Poppler's reading-order analysis (22.12) may put a paragraph's short
    last line after the next paragraph's first, and a raised combining mark (the hamza of
    "منازعهٔ") on a line of its own, and moves punctuation beside a Latin acronym in a
    right-to-left line to the acronym's other side ("( )DFC", "IAN،"), so lines are
    compared by their letters and digits only, in any sequence; the letters inside each
    line must be in the order written."""

    def bare(text: str) -> str:
        return "".join(
            ch for ch in letters(text, marks=False) if not unicodedata.category(ch).startswith("P")
        )

    lines = {bare(line) for page in pages for line in page.splitlines()} - {""}
    missing = []
    for i, text in enumerate(texts, start=1):
        wanted, at = bare(text), 0
        while at < len(wanted):
            found = max((len(line) for line in lines if wanted.startswith(line, at)), default=0)
            if found == 0:
                missing.append(i)
                break
            at += found
    return missing


async def _pdf(client: httpx.AsyncClient, demo: Demo, language: str) -> bytes:
    r = await client.get(
        f"/api/v1/public/reports/{demo.summary.id}", params={"lang": language, "format": "pdf"}
    )
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("application/pdf")
    assert r.headers["content-language"] == language
    return r.content


@needs_poppler
@pytest.mark.parametrize("language", ["fa-AF", "ps", "ar"])
async def test_the_published_edition_pdf_extracts_in_logical_order(
    shipped_demo: Demo, client: httpx.AsyncClient, language: str, tmp_path: Path
) -> None:
    edition = EDITIONS[language]
    pages = extracted(await _pdf(client, shipped_demo, language), tmp_path, language, language)
    assert missing_in_pypdf(pages["pypdf"], edition.points) == []
    assert missing_in_poppler(pages["pdftotext"], edition.points) == []
    # pypdf reads the content stream in the order it was written: the session's title with
    # its Latin acronym, the points and the closing come back whole and in the report's
    # order.
    flat = letters("".join(pages["pypdf"]))
    order = [
        flat.index(letters(t))
        for t in (
            edition.sessions[3][0],
            *edition.points,
            edition.series["closing"],
        )
    ]
    assert order == sorted(order)


@needs_poppler
async def test_a_visual_order_pdf_fails_the_check(
    shipped_demo: Demo,
    client: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check is not a no-op: written in display order (each line's glyphs left to
    right, as a naive renderer of pre-shaped visual text does), the Arabic PDF's points do
    not come back."""

    def visual_order(placed: list[shaping._Placed]) -> list[tuple[str, list[shaping._Placed]]]:
        return [("L", sorted(placed, key=lambda item: item[4]))]

    monkeypatch.setattr(shaping, "_blocks", visual_order)
    points = EDITIONS["ar"].points
    pages = extracted(await _pdf(client, shipped_demo, "ar"), tmp_path, "ar-visual", "ar")
    # (A one-line stretch may survive by accident; the points as a whole do not.) Poppler
    # runs the bidi algorithm over what it extracts and so reads a visual-order file back
    # in logical order too: its check guards the line and word order, pypdf's the file's.
    assert len(missing_in_pypdf(pages["pypdf"], points)) >= 10
    assert missing_in_poppler(pages["pdftotext"], points) == []
