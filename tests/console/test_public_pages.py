"""The public pages' fixes of issue 14 (item 7), over HTTP on the demo: every page has a
skip link to its main content, one h1 (a report's title is not a second h1 under an h2),
and a report page prints the series' strapline once."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.reports.conftest import Demo, demo  # noqa: F401 - the fixture

SKIP = re.compile(r'<a class="skip" href="#([A-Za-z0-9_-]+)">Skip to main content</a>')


@pytest.fixture
def pages(demo: Demo) -> list[str]:  # noqa: F811
    return [
        "/",
        "/sign-in",
        "/subscribe",
        f"/series/{demo.series.slug}",
        f"/reports/{demo.summary.id}",
        "/reports/download?token=altered",
        "/subscriptions/confirm?token=altered",
    ]


async def test_public_pages_have_a_skip_link_to_their_main_content_and_one_h1(
    client: httpx.AsyncClient, pages: list[str]
) -> None:
    for path in pages:
        page = await client.get(path)
        assert page.status_code < 500, path
        found = SKIP.search(page.text)
        assert found, f"{path}: no skip link"
        assert f'id="{found.group(1)}"' in page.text, f"{path}: the skip link leads nowhere"
        assert len(re.findall(r"<h1[\s>]", page.text)) == 1, path


async def test_a_report_page_prints_the_strapline_once(
    client: httpx.AsyncClient,
    demo: Demo,  # noqa: F811
) -> None:
    strapline = demo.series.strapline
    assert strapline
    page = await client.get(f"/reports/{demo.summary.id}")
    assert page.status_code == 200
    shown = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page.text, flags=re.S)
    )
    assert shown.lower().count(strapline.lower()) == 1
