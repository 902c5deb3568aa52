"""The editions screen's "Publish all approved editions" in a real browser (Chromium through
Playwright): the screen with two approved editions and after publishing them, at 1280 and
390 px, with axe-core; the browser asks before publishing (a dismissed question publishes
nothing); a refused approval keeps the reviewer's note in its box. More refusals are in
tests/console/test_editions_publish.py."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.demo import ORGANISER_EMAIL, RAPPORTEUR_EMAIL, load_demo
from app.people.models import Person, Sector
from app.reports.editions import EditionService
from app.reports.models import ReportVersion
from app.reports.schemas import EditionReview, EditionWrite
from app.users.models import User
from app.users.service import Principal
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
WORDS = {"ps": "ژباړه", "ar": "ترجمة"}  # "translation", before each translated point


async def _principal(db: AsyncSession, email: str) -> Principal:
    user = (await db.execute(select(User).where(User.email == email))).scalar_one()
    return Principal(user_id=user.id, email=user.email, is_admin=False, token_id=user.id)


async def seed(db: AsyncSession, settings: Settings, ids: dict[str, Any]) -> None:
    """The demo (its Dari edition published), with its summary's Pashto edition translated
    by the rapporteur and approved by the organiser, and its Arabic one submitted for
    review, through the service."""
    await load_demo(db, settings=settings, languages=("fa-AF",))  # Pashto entered below
    await db.flush()
    version = (await db.execute(select(ReportVersion))).scalar_one()
    ids["summary"] = version.id
    translator = await _principal(db, RAPPORTEUR_EMAIL)
    reviewer = await _principal(db, ORGANISER_EMAIL)
    editions = EditionService(db, settings)
    source = (await editions.source(translator, version.id)).texts
    for lang, word in WORDS.items():
        texts = source.model_copy(
            update={"points": {k: f"{word}: {v}" for k, v in source.points.items()}}
        )
        await editions.put(translator, version.id, lang, EditionWrite(texts=texts))
        await editions.submit(translator, version.id, lang)
        if lang == "ps":
            await editions.review(reviewer, version.id, lang, EditionReview(action="approve"))
    ids["series"] = version.dialogue_series_id


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with running_smtp_sink() as running:
        yield running


@pytest.fixture(scope="module")
async def live(
    tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink
) -> AsyncIterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("editions-publish")
    if os.environ.get("TRACK2_DOC_SCREENSHOTS") == "1":
        shots = REPO / "docs" / "console"
    else:
        shots = tmp / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    async for server in start_server(tmp, sink, seed, shots):
        yield server


async def _look(page: Any, live: LiveServer, name: str) -> list[str]:
    """axe-core at 1280 px, no sideways scrolling at 390 px, a screenshot at each."""
    problems: list[str] = []
    await page.set_viewport_size(WIDE)
    if await page.locator("h1").count() != 1:
        problems.append(f"{name}: not one h1")
    problems += [f"{name}: {v}" for v in await serious_violations(page)]
    await page.screenshot(path=str(live.shots / f"{name}.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.wait_for_timeout(50)
    if (sideways := await overflows(page)) > 0:
        problems.append(f"{name}: scrolls {sideways}px sideways at 390 px")
    problems += [f"{name} (390 px): {v}" for v in await serious_violations(page)]
    await page.screenshot(path=str(live.shots / f"{name}-phone.png"), full_page=True)
    await page.set_viewport_size(WIDE)
    return problems


async def test_publish_all_approved_editions_asks_then_publishes(live: LiveServer) -> None:
    from playwright.async_api import async_playwright

    rid = live.ids["summary"]
    screen = f"{live.base_url}/console/reports/{rid}/editions"
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            context = await browser.new_context(viewport=WIDE)
            await context.add_cookies([await live.cookie_for(ORGANISER_EMAIL)])
            page = await context.new_page()
            await page.goto(screen)
            problems = await _look(page, live, "editions-publish-all")
            button = page.get_by_role("button", name="Publish all approved editions")
            questions: list[str] = []

            async def dismiss(dialog: Any) -> None:
                questions.append(dialog.message)
                await dialog.dismiss()

            page.once("dialog", dismiss)
            await button.click()
            (question,) = questions
            assert "Publish 1 approved edition (پښتو)" in question
            assert page.url == screen  # nothing was sent
            assert await page.locator("text=Approved, not yet published").count() == 1

            async def accept(dialog: Any) -> None:
                await dialog.accept()

            page.once("dialog", accept)
            await button.click()
            await page.locator("text=Published 1 edition").wait_for()
            assert await page.locator("text=Approved, not yet published").count() == 0
            assert await button.count() == 0
            problems += await _look(page, live, "editions-published-all")
            assert problems == [], "\n".join(problems)
        finally:
            await browser.close()


async def test_a_refused_approval_keeps_the_note(live: LiveServer) -> None:
    """Someone in the directory is now known by a word of the Arabic text: approving it is
    refused at its fields, and the note the reviewer typed is still in its box."""
    from playwright.async_api import async_playwright

    engine = create_engine(live.settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            db.add(
                Person(
                    dialogue_series_id=live.ids["series"],
                    given_name="Zmarai",
                    family_name="Oryakhel",
                    aliases=[WORDS["ar"]],
                    sector=Sector.SCHOLAR,
                    country="AF",
                )
            )
            await db.commit()
    finally:
        await engine.dispose()
    rid = live.ids["summary"]
    note = "Check the third point against the English, please."
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            context = await browser.new_context(viewport=WIDE)
            await context.add_cookies([await live.cookie_for(ORGANISER_EMAIL)])
            page = await context.new_page()
            await page.goto(f"{live.base_url}/console/reports/{rid}/editions/ar")
            await page.locator("#f-note").fill(note)
            await page.get_by_role("button", name="Approve").click()
            await page.locator("#form-errors").wait_for()
            assert await page.locator("#f-note").input_value() == note
            assert await page.locator("[aria-invalid=true]").count() > 0
            problems = await _look(page, live, "edition-review-refused")
            assert problems == [], "\n".join(problems)
        finally:
            await browser.close()
