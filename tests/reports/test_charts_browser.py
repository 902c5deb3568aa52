"""The HTML reports' SVG charts in a real browser: no label drawn over a bar or a cell, in
English and mirrored for right-to-left editions.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright on a page set from a string;
nothing is downloaded, no server is needed. A right-to-left label anchored at its start
(its right end, with ``direction="rtl"``) once ran leftwards under its bar.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.reports.builder import Edition, build_digest, build_session_report
from app.reports.model import AnyReport
from app.reports.render.html import render_html
from bench.report_editions import digest_edition
from bench.reports import digest_source
from tests.reports.editions import EDITIONS, demo_source

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the chart test drives /usr/bin/chromium; install Debian's chromium to run it",
)

# Every label's box and every shape's box, in page pixels.
_BOXES = """() => [...document.querySelectorAll('figure.chart svg')].map(svg => ({
  labels: [...svg.querySelectorAll(':scope > text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }),
  shapes: [...svg.querySelectorAll('rect')].filter(r => r.getAttribute('width') > 0).map(s => {
    const r = s.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }),
}))"""


def _reports(tag: str) -> list[AnyReport]:
    source = digest_source(6, 4)
    if tag == "en":
        return [build_session_report(demo_source(), "detailed"), build_digest(source)]
    texts, points = EDITIONS[tag]
    return [
        build_session_report(demo_source(points), "detailed", Edition(tag, texts=texts)),
        build_digest(source, digest_edition(tag, source)),
    ]


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return width if width > 0.5 and height > 0.5 else 0.0


@pytest.mark.parametrize("tag", ["en", "fa-AF", "ar"])
async def test_chart_labels_never_cover_bars_or_cells(tag: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 800})
            for report in _reports(tag):
                await page.set_content(render_html(report))
                charts = await page.evaluate(_BOXES)
                assert charts, "no chart in the page"
                for chart in charts:
                    labels = [label for label in chart["labels"] if label["text"].strip()]
                    assert labels
                    assert chart["shapes"]
                    for label in labels:
                        assert label["right"] - label["left"] > 1, label
                        for shape in chart["shapes"]:
                            assert not _overlap(label, shape), (tag, label, shape)
        finally:
            await browser.close()
