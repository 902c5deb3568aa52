"""Markdown (CommonMark) rendering of the report blocks.

Every text of a report is text, never markup: whatever Markdown (or the HTML a Markdown
viewer lets through) would read as syntax is escaped, ``&`` included, so that no character
reference (``Kari&#109;ova``) can spell a name once a viewer renders the file.
"""

from __future__ import annotations

import re

from app.reports.layout import BarChart, Bullets, Heading, Heatmap, Links, Para, Table, layout
from app.reports.locales import digits
from app.reports.model import AnyReport

# CommonMark's backslash escapes cover every ASCII punctuation character; these are the ones
# that can start markup anywhere in a line (emphasis, code, links, images, raw HTML,
# character references, tables, strikethrough and autolinks of common extensions).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&!~])")
# At the start of a line: lists, block quotes, headings, thematic breaks, setext underlines.
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)
_BAR_WIDTH = 30


def _esc(text: str) -> str:
    """Escape what Markdown would otherwise read as markup (text here is never markup)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + _escape_lead(m.group(2)), escaped)


def _escape_lead(lead: str) -> str:
    if lead[-1] in ".)":
        return lead[:-1] + "\\" + lead[-1]
    return "\\" + lead


def _cell(text: str) -> str:
    return _esc(text).replace("\n", " ")


def _bar_lines(bars: list[tuple[str, int]], system: str) -> list[str]:
    top = max((n for _, n in bars), default=0) or 1
    width = max((len(label) for label, _ in bars), default=0)
    return [
        f"{label.ljust(width)}  {'#' * round(n / top * _BAR_WIDTH)} {digits(str(n), system)}"
        for label, n in bars
    ]


def render_markdown(report: AnyReport, *, marking: str | None = None) -> str:
    """The report as Markdown text. A right-to-left report is wrapped in a ``<div>`` with
    ``dir`` and ``lang`` (CommonMark passes it through; the Markdown inside still renders)."""
    edition = report.edition
    system = edition.digits
    out: list[str] = []
    rtl = edition.direction == "rtl"
    if rtl:
        out += [f'<div dir="rtl" lang="{edition.language}">', ""]
    if marking:
        out += [f"> **{_esc(marking)}**", ""]
    for block in layout(report):
        if isinstance(block, Heading):
            out += ["#" * block.level + " " + _esc(block.text), ""]
        elif isinstance(block, Para):
            text = _esc(block.text)
            if block.role == "strapline" or block.role == "note":
                text = f"*{text}*"
            if block.lead:
                text = f"**{_esc(block.lead)}** {text}"
            out += [text, ""]
        elif isinstance(block, Bullets):
            numbers = block.numbers or tuple(range(block.start, block.start + len(block.items)))
            for index in range(len(block.items)):
                marker = f"{numbers[index]}." if block.ordered else "-"
                out.append(f"{marker} {_esc(block.item_text(index))}")
                note = block.notes[index] if block.notes else ""
                if note:
                    out.append(" " * (len(marker) + 1) + f"*{_esc(note)}*")
            out.append("")
        elif isinstance(block, Table):
            out.append(f"*{_esc(block.caption)}*")
            out.append("")
            out.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            out.append("| " + " | ".join("---:" if n else "---" for n in block.numeric) + " |")
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, BarChart):
            out += [f"*{_esc(block.caption)}*", "", "```text"]
            out += _bar_lines(list(block.bars), system)
            out += ["```", ""]
        elif isinstance(block, Heatmap):
            totals = [
                (label, sum(row)) for label, row in zip(block.rows, block.values, strict=True)
            ]
            out += [f"*{_esc(block.caption)}*", "", "```text"]
            out += _bar_lines(totals, system)
            out += ["```", ""]
        elif isinstance(block, Links):
            out += [f"- [{_esc(label)}](<{url}>)" for label, url in block.items]
            out.append("")
    if marking:
        out += ["---", "", f"> **{_esc(marking)}**", ""]
    if rtl:
        out += ["</div>", ""]
    return "\n".join(out).rstrip() + "\n"
