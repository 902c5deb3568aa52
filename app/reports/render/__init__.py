"""Every format of a report, rendered from the canonical report model only.

Markdown and HTML are fast enough to render inline; PDF and DOCX are CPU-bound and run in a
worker thread so the event loop keeps serving other requests. Their renderers (reportlab,
python-docx) are imported on first use: together they are about a tenth of the service's
start-up (P7 in docs/performance.md), and most processes never render either.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import anyio.to_thread

from app.reports.model import AnyReport, canonical_json
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


async def render(
    report: AnyReport,
    fmt: Format,
    *,
    marking: str | None = None,
    stamp: str | None = None,
    canonical: str | None = None,
) -> Rendered:
    """Render a report; PDF and DOCX in a worker thread."""
    if fmt in (Format.PDF, Format.DOCX):
        body = await anyio.to_thread.run_sync(
            lambda: render_sync(report, fmt, marking=marking, stamp=stamp)
        )
    else:
        body = render_sync(report, fmt, marking=marking, stamp=stamp, canonical=canonical)
    return Rendered(body=body, media_type=MEDIA_TYPES[fmt], format=fmt)
