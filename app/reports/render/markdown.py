"""Markdown (CommonMark) rendering of the report blocks."""

from __future__ import annotations

import re

from app.reports.layout import BarChart, Bullets, Heading, Heatmap, Links, Para, Table, layout
from app.reports.model import AnyReport

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_BAR_WIDTH = 30


def _esc(text: str) -> str:
    """Escape what Markdown would otherwise read as markup (text here is never markup)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    # A line starting with "1." or "-" would become a list.
    return re.sub(r"^(\d+)\.", r"\1\\.", escaped)


def _cell(text: str) -> str:
    return _esc(text).replace("\n", " ")


def _bar_lines(bars: list[tuple[str, int]]) -> list[str]:
    top = max((n for _, n in bars), default=0) or 1
    width = max((len(label) for label, _ in bars), default=0)
    return [
        f"{label.ljust(width)}  {'#' * round(n / top * _BAR_WIDTH)} {n}".rstrip()
        for label, n in bars
    ]


def render_markdown(report: AnyReport, *, marking: str | None = None) -> str:
    """The report as Markdown text."""
    out: list[str] = []
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
            for i, item in enumerate(block.items, start=block.start):
                out.append(f"{i}. {_esc(item)}" if block.ordered else f"- {_esc(item)}")
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
            out += _bar_lines(list(block.bars))
            out += ["```", ""]
        elif isinstance(block, Heatmap):
            totals = [
                (label, sum(row)) for label, row in zip(block.rows, block.values, strict=True)
            ]
            out += [f"*{_esc(block.caption)}* (totals per theme)", "", "```text"]
            out += _bar_lines(totals)
            out += ["```", ""]
        elif isinstance(block, Links):
            out += [f"- [{_esc(label)}](<{url}>)" for label, url in block.items]
            out.append("")
    if marking:
        out += ["---", "", f"> **{_esc(marking)}**", ""]
    return "\n".join(out).rstrip() + "\n"
