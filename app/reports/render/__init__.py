"""Every format of a report, rendered from the canonical report model only.

Markdown and HTML are fast enough to render inline, except a series digest, which grows
with the series; PDF, DOCX and digests render in a worker thread so the event loop keeps
serving other requests. The PDF and DOCX renderers (reportlab, python-docx) are not
imported with this module: together they are about a tenth of the service's start-up (P7 in
docs/performance.md). ``track2 serve`` loads them and their fonts in a background thread
once it answers (:func:`warm_up`), so that its first PDF does not pay for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import anyio.to_thread

from app.reports.model import AnyReport, SeriesDigest, canonical_json
from app.reports.render.html import render_html
from app.reports.render.markdown import render_markdown


class Format(StrEnum):
    """The formats a report is offered in."""

    MD = "md"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"
    JSON = "json"


MEDIA_TYPES: dict[Format, str] = {
    Format.MD: "text/markdown; charset=utf-8",
    Format.HTML: "text/html; charset=utf-8",
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.JSON: "application/json",
}


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered report: its bytes and media type."""

    body: bytes
    media_type: str
    format: Format


def render_sync(
    report: AnyReport,
    fmt: Format,
    *,
    marking: str | None = None,
    stamp: str | None = None,
    canonical: str | None = None,
) -> bytes:
    """Render in the calling thread. ``canonical`` is the stored JSON of a published
    version: the JSON format serves exactly those bytes (their SHA-256 is the version's)."""
    if fmt is Format.JSON:
        return (canonical if canonical is not None else canonical_json(report)).encode()
    if fmt is Format.MD:
        return render_markdown(report, marking=marking).encode()
    if fmt is Format.HTML:
        return render_html(report, marking=marking, stamp=stamp).encode()
    if fmt is Format.PDF:
        from app.reports.render.pdf import render_pdf

        return render_pdf(report, marking=marking, stamp=stamp)
    from app.reports.render.docx import render_docx

    return render_docx(report, marking=marking, stamp=stamp)


def warm_up() -> None:
    """Import the PDF and DOCX renderers and load the PDF fonts (Vera; Amiri, parsed for
    reportlab and HarfBuzz, for right-to-left editions): ~0.2-0.3 s of CPU once per process
    instead of on its first PDF. Safe to call again, and from any thread."""
    import app.reports.render.docx  # noqa: F401  # imported for its import cost only
    from app.reports.render.pdf import load_fonts

    load_fonts()


async def render(
    report: AnyReport,
    fmt: Format,
    *,
    marking: str | None = None,
    stamp: str | None = None,
    canonical: str | None = None,
) -> Rendered:
    """Render a report; PDF, DOCX and every format of a digest in a worker thread (a
    session's summary as HTML takes about a millisecond, a 100-session digest tens)."""
    if fmt in (Format.PDF, Format.DOCX) or isinstance(report, SeriesDigest):
        body = await anyio.to_thread.run_sync(
            lambda: render_sync(report, fmt, marking=marking, stamp=stamp, canonical=canonical)
        )
    else:
        body = render_sync(report, fmt, marking=marking, stamp=stamp, canonical=canonical)
    return Rendered(body=body, media_type=MEDIA_TYPES[fmt], format=fmt)
