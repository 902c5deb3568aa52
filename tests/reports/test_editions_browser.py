"""The editions' pages in a real browser (Debian's Chromium through Playwright): the Dari
series and summary pages, at 1280 and 390 px, with axe-core, right to left; the console's
editions screens likewise."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.demo import DEMO_SLUG, ORGANISER_EMAIL, load_demo
from app.reports.models import ReportVersion
from tests.console.browser import (
    PHONE,
    WIDE,
    LiveServer,
    launch,
    needs_chromium,
    overflows,
    serious_violations,
    start_server,
)
from tests.smtp import SmtpSink, running_smtp_sink

pytestmark = needs_chromium

REPO = Path(__file__).resolve().parents[2]


async def seed(db: AsyncSession, settings: Settings, ids: dict[str, Any]) -> None:
    await load_demo(db, settings=settings, languages=("fa-AF",))  # Pashto entered below
    await db.flush()
    version = (await db.execute(select(ReportVersion))).scalar_one()
    ids["summary"] = version.id
    ids["session"] = version.dialogue_session_id


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with running_smtp_sink() as running:
        yield running


@pytest.fixture(scope="module")
async def live(
    tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink
) -> AsyncIterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("editions-pages")
    if os.environ.get("TRACK2_DOC_SCREENSHOTS") == "1":
        shots = REPO / "docs" / "reports"
    else:
        shots = tmp / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    async for server in start_server(tmp, sink, seed, shots):
        yield server


async def _check(page: Any, live: LiveServer, name: str, path: str) -> list[str]:
    problems: list[str] = []
    await page.set_viewport_size(WIDE)
    response = await page.goto(live.base_url + path)
    assert response is not None
    if response.status != 200:
        return [f"{name}: {response.status}"]
    if await page.locator("h1").count() != 1:
        problems.append(f"{name}: not one h1")
    problems += [f"{name}: {v}" for v in await serious_violations(page)]
    await page.screenshot(path=str(live.shots / f"{name}.png"), full_page=False)
    await page.set_viewport_size(PHONE)
    await page.wait_for_timeout(50)
    if (sideways := await overflows(page)) > 0:
        problems.append(f"{name}: scrolls {sideways}px sideways at 390 px")
    await page.screenshot(path=str(live.shots / f"{name}-phone.png"), full_page=False)
    return problems


async def test_dari_pages_read_right_to_left_and_pass_axe(live: LiveServer) -> None:
    from playwright.async_api import async_playwright

    rid = live.ids["summary"]
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            page = await browser.new_page()
            problems: list[str] = []
            for name, path in (
                ("edition-series-fa", f"/series/{DEMO_SLUG}?lang=fa-AF"),
                ("edition-summary-fa", f"/reports/{rid}?lang=fa-AF"),
                ("edition-summary-en", f"/reports/{rid}"),
            ):
                problems += await _check(page, live, name, path)
            await page.set_viewport_size(WIDE)
            await page.goto(f"{live.base_url}/reports/{rid}?lang=fa-AF")
            assert await page.evaluate("document.documentElement.dir") == "rtl"
            # Right to left: the first point's text ends at the right edge of its column.
            box = await page.locator("article.report li").first.bounding_box()
            article = await page.locator("article.report").bounding_box()
            assert box is not None
            assert article is not None
            assert abs((box["x"] + box["width"]) - (article["x"] + article["width"])) < 60
            assert problems == [], "\n".join(problems)
        finally:
            await browser.close()


async def test_console_editions_screens(live: LiveServer) -> None:
    from playwright.async_api import async_playwright

    rid = live.ids["summary"]
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            context = await browser.new_context()
            await context.add_cookies([await live.cookie_for(ORGANISER_EMAIL)])
            page = await context.new_page()
            problems: list[str] = []
            for name, path in (
                ("console-editions", f"/console/reports/{rid}/editions"),
                ("console-edition-fa", f"/console/reports/{rid}/editions/fa-AF"),
                ("console-edition-ps", f"/console/reports/{rid}/editions/ps"),
            ):
                problems += await _check(page, live, name, path)
            assert problems == [], "\n".join(problems)
        finally:
            await browser.close()


async def test_console_edition_form_shows_the_guard_at_its_field(live: LiveServer) -> None:
    """Enter a Pashto edition in the console: a roster name in Arabic script is refused at
    its field; the corrected text saves; the translator gets no review buttons."""
    from playwright.async_api import async_playwright

    rid = live.ids["summary"]
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            context = await browser.new_context(viewport=WIDE)
            await context.add_cookies([await live.cookie_for(ORGANISER_EMAIL)])
            page = await context.new_page()
            await page.goto(f"{live.base_url}/console/reports/{rid}/editions/ps")
            fields = page.locator(".translation input, .translation textarea")
            for i in range(await fields.count()):
                await fields.nth(i).fill("ژباړه")
            point = page.locator("textarea[name^='points.']").first
            name = await point.get_attribute("name")
            await point.fill("فرید سلطانی وویل چې سوله ورو روانه ده.")
            await page.get_by_role("button", name="Save the translation").click()
            error = page.locator(f"[id='f-{name}-error']")
            await error.wait_for()
            assert await page.locator(f"[id='f-{name}']").get_attribute("aria-invalid") == "true"
            assert "Not done" in (await page.locator("#form-errors").text_content() or "")
            await page.locator(f"[id='f-{name}']").fill("سوله ورو روانه ده.")
            await page.get_by_role("button", name="Save the translation").click()
            await page.locator("text=Every text passed the guard").wait_for()
            await page.get_by_role("button", name="Submit for review").click()
            await page.locator("text=Submitted for review.").first.wait_for()
            # Four eyes: the organiser translated it, so no review buttons for them.
            assert await page.get_by_role("button", name="Approve").count() == 0
            assert "did not translate it" in (await page.content())
        finally:
            await browser.close()
