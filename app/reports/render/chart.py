"""Chart geometry shared by the SVG (HTML) and reportlab (PDF) charts.

Both formats draw the same rectangles and labels from these functions, so the HTML chart
and the PDF chart of a report show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from app.reports.locales import digits as to_digits

BAR_HEIGHT = 16
BAR_GAP = 6
LABEL_WIDTH = 250
PLOT_WIDTH = 260
VALUE_WIDTH = 40
CELL = 14
HEAT_LABEL_WIDTH = 250


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    y: float  # top, from the chart's top edge
    width: float


def bar_layout(bars: tuple[tuple[str, int], ...]) -> tuple[list[Bar], float, float]:
    """Bars with their geometry; returns (bars, total width, total height)."""
    top = max((n for _, n in bars), default=0) or 1
    out = [
        Bar(label, n, i * (BAR_HEIGHT + BAR_GAP), n / top * PLOT_WIDTH)
        for i, (label, n) in enumerate(bars)
    ]
    height = len(bars) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    return out, LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH, height


def shade(value: int, top: int) -> tuple[float, float, float]:
    """A blue whose depth grows with the value (white for zero), as RGB in 0..1."""
    if value <= 0 or top <= 0:
        return (1.0, 1.0, 1.0)
    t = 0.2 + 0.8 * value / top
    return (1 - 0.88 * t, 1 - 0.64 * t, 1 - 0.45 * t)


def heat_size(rows: int, columns: int) -> tuple[float, float]:
    return HEAT_LABEL_WIDTH + columns * CELL + 10, (rows + 1) * CELL + 10


def _rgb(color: tuple[float, float, float]) -> str:
    r, g, b = (round(c * 255) for c in color)
    return f"#{r:02x}{g:02x}{b:02x}"


def _clip(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_svg(
    caption: str, bars: tuple[tuple[str, int], ...], *, rtl: bool = False, digits: str = "latn"
) -> str:
    """A horizontal bar chart as inline SVG; mirrored (labels on the right, bars growing to
    the left) for a right-to-left report."""
    laid, width, height = bar_layout(bars)
    direction = ' direction="rtl"' if rtl else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" class="chart">',
        f"<title>{escape(caption)}</title>",
    ]
    for bar in laid:
        y = bar.y + BAR_GAP
        mid = y + BAR_HEIGHT / 2 + 4
        value = to_digits(str(bar.value), digits)
        if rtl:
            label_x = width - LABEL_WIDTH + 8
            bar_x = width - LABEL_WIDTH - bar.width
            value_x = bar_x - 6
            # With direction="rtl", "end" is the text's left end: the label starts next to
            # its bar and runs to the right ("start" drew it under the bar).
            parts.append(
                f'<text x="{label_x}" y="{mid:.1f}" text-anchor="end"{direction}>'
                f"{escape(_clip(bar.label))}</text>"
            )
            parts.append(
                f'<rect x="{bar_x:.1f}" y="{y:.1f}" width="{bar.width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="#1f5c8b"/>'
            )
            parts.append(
                f'<text x="{value_x:.1f}" y="{mid:.1f}" text-anchor="start"{direction}>'
                f"{value}</text>"
            )
            continue
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{mid:.1f}" text-anchor="end">'
            f"{escape(_clip(bar.label))}</text>"
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{bar.width:.1f}" '
            f'height="{BAR_HEIGHT}" fill="#1f5c8b"/>'
        )
        parts.append(f'<text x="{LABEL_WIDTH + bar.width + 6:.1f}" y="{mid:.1f}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heat_svg(
    caption: str,
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    values: tuple[tuple[int, ...], ...],
    *,
    rtl: bool = False,
) -> str:
    """A theme x session heat map as inline SVG (darker = more points); mirrored for a
    right-to-left report (labels on the right, the first session next to them)."""
    width, height = heat_size(len(rows), len(columns))

    def x_of(x: float, w: float = 0.0) -> float:
        return width - x - w if rtl else x

    # "end" in the text's direction: the right end of a left-to-right label (left of the
    # cells), the left end of a right-to-left one (right of the mirrored cells).
    anchor_end = "end"
    direction = ' direction="rtl"' if rtl else ""
    top = max((max(row, default=0) for row in values), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" class="chart">',
        f"<title>{escape(caption)}</title>",
    ]
    label_every = max(1, len(columns) // 25)
    for j, column in enumerate(columns):
        if j % label_every == 0:
            x = x_of(HEAT_LABEL_WIDTH + j * CELL + CELL / 2)
            parts.append(
                f'<text x="{x:.1f}" y="{CELL - 3}" text-anchor="middle" '
                f'font-size="9">{escape(column)}</text>'
            )
    for i, (label, row) in enumerate(zip(rows, values, strict=True)):
        y = (i + 1) * CELL
        parts.append(
            f'<text x="{x_of(HEAT_LABEL_WIDTH - 8):.1f}" y="{y + CELL - 3}" '
            f'text-anchor="{anchor_end}" font-size="11"{direction}>{escape(_clip(label))}</text>'
        )
        for j, value in enumerate(row):
            parts.append(
                f'<rect x="{x_of(HEAT_LABEL_WIDTH + j * CELL, CELL - 1):.0f}" y="{y}" '
                f'width="{CELL - 1}" height="{CELL - 1}" fill="{_rgb(shade(value, top))}" '
                f'stroke="#d8dde6"><title>{value}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)
