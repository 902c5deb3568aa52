"""Every console and public page in a real browser: axe-core finds no serious or critical
violation, there is one h1, and at 390 px nothing scrolls sideways. Then the rapporteur's
screen by keyboard alone: the checker marks a name as it is typed, Enter saves and readies
the next point, Alt+Up moves a point, dragging moves one too.

The server holds the demo series (the reference report's dialogue) and a little more: a
submitted point with a warning, a draft, a newsletter issue, a waiting report request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.demo import DEMO_SLUG, ORGANISER_EMAIL, RAPPORTEUR_EMAIL, load_demo
from app.key_points.schemas import KeyPointCreate, ReviewAction
from app.key_points.service import KeyPointService
from app.newsletter.schemas import NewsletterCreate
from app.newsletter.service import NewsletterService
from app.people.models import Person
from app.reports.models import ReportVersion
from app.reports.schemas import ReportRequestCreate
from app.reports.service import ReportService
from app.series.models import DialogueSeries
from app.series.service import SeriesService
from app.sessions.models import DialogueSession
from app.sessions.service import SessionService
from app.users.repository import UserRepository
from app.users.service import Principal
from tests.console.browser import (
    PHONE,
    WIDE,
    LiveServer,
    launch,
    needs_chromium,
    overflows,
    serious_violations,
    shots_folder,
    start_server,
    until,
)
from tests.smtp import SmtpSink, running_smtp_sink

pytestmark = needs_chromium


async def _principal(db: AsyncSession, email: str) -> Principal:
    user = await UserRepository(db).get_by_email(email)
    assert user is not None
    return Principal(user_id=user.id, email=user.email, is_admin=False, token_id=user.id)


async def seed(db: AsyncSession, settings: Settings, ids: dict[str, Any]) -> None:
    await load_demo(db, settings=settings)
    organiser = await _principal(db, ORGANISER_EMAIL)
    rapporteur = await _principal(db, RAPPORTEUR_EMAIL)
    series = await db.scalar(select(DialogueSeries).where(DialogueSeries.slug == DEMO_SLUG))
    assert series is not None
    third = await db.scalar(
        select(DialogueSession).where(
            DialogueSession.dialogue_series_id == series.id, DialogueSession.number == 3
        )
    )
    assert third is not None
    sessions = SessionService(db)
    parts = list(await sessions.list_parts(third.id))
    writer = await sessions.access(rapporteur, third.id)
    key_points = KeyPointService(db)
    warned, _, _ = await key_points.record(
        writer,
        KeyPointCreate(text="The session chair called for a ceasefire.", part_id=parts[4].id),
    )
    await key_points.review(writer, warned, ReviewAction(action="submit"))
    await key_points.record(
        writer, KeyPointCreate(text="Aid must not become leverage.", part_id=parts[4].id)
    )
    access = await SeriesService(db).access(organiser, series.id)
    issue = await NewsletterService(db, settings).create_issue(
        access,
        NewsletterCreate(subject="The third session", body_markdown="The *main points* are out."),
    )
    await ReportService(db, settings).request_report(
        ReportRequestCreate(email="journalist@example.org", series=DEMO_SLUG, session=3),
        "127.0.0.1",
    )
    person = await db.scalar(select(Person).where(Person.dialogue_series_id == series.id))
    summary = await db.scalar(select(ReportVersion.id))
    ids.update(
        series=series.id,
        session=third.id,
        issue=issue.id,
        person=person.id if person else None,
        person_name=f"{person.given_name} {person.family_name}" if person else "",
        summary=summary,
    )


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with running_smtp_sink() as running:
        yield running


@pytest.fixture(scope="module")
async def live(
    tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink
) -> AsyncIterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("console-pages")
    async for server in start_server(tmp, sink, seed, shots_folder(tmp)):
        yield server


def console_pages(ids: dict[str, Any]) -> list[tuple[str, str]]:
    s, n = ids["series"], ids["session"]
    return [
        ("home", "/console"),
        ("account", "/console/account"),
        ("series-new", "/console/series/new"),
        ("series", f"/console/series/{s}"),
        ("people", f"/console/series/{s}/people"),
        ("person", f"/console/people/{ids['person']}"),
        ("themes", f"/console/series/{s}/themes"),
        ("members", f"/console/series/{s}/members"),
        ("settings", f"/console/series/{s}/settings"),
        ("newsletters", f"/console/series/{s}/newsletters"),
        ("newsletter", f"/console/newsletters/{ids['issue']}"),
        ("requests", f"/console/series/{s}/requests"),
        ("session", f"/console/sessions/{n}"),
        ("record", f"/console/sessions/{n}/record"),
        ("review", f"/console/sessions/{n}/review"),
        ("report", f"/console/sessions/{n}/report"),
        ("not-found", "/console/series/00000000-0000-7000-8000-000000000000"),
    ]


def public_pages(ids: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("landing", "/"),
        ("sign-in", "/sign-in"),
        ("subscribe", "/subscribe"),
        ("public-series", f"/series/{DEMO_SLUG}"),
        ("public-summary", f"/reports/{ids['summary']}"),
        ("bad-sign-in-link", "/sign-in/link?token=altered"),
        ("bad-download-link", "/reports/download?token=altered"),
        ("bad-confirmation-link", "/subscriptions/confirm?token=altered"),
        ("bad-unsubscribe-link", "/subscriptions/unsubscribe?token=altered"),
        ("bad-preferences-link", "/subscriptions/preferences?token=altered"),
        ("bad-invitation-link", "/invitations/accept?token=altered"),
    ]


# The pages whose pictures docs/console.md shows; the others go to a scratch folder.
DOC_PAGES = frozenset(
    {
        "landing",
        "home",
        "series",
        "people",
        "session",
        "record",
        "review",
        "report",
        "newsletters",
        "members",
        "public-series",
        "settings-blocked",
        "themes-warning",
        "series-takedowns",
        "home-takedowns",
    }
)


async def _check_page(page: Any, live: LiveServer, name: str, path: str) -> list[str]:
    await page.set_viewport_size(WIDE)
    response = await page.goto(live.base_url + path)
    assert response is not None
    if response.status >= 500:
        return [f"{name}: {response.status}"]
    return await _check_loaded(page, live, name)


async def _check_loaded(page: Any, live: LiveServer, name: str) -> list[str]:
    """The page as it is now: one h1, axe, screenshots at 1280 and 390 px, no sideways
    scrolling on a phone."""
    problems: list[str] = []
    await page.set_viewport_size(WIDE)
    headings = await page.locator("h1").count()
    if headings != 1:
        problems.append(f"{name}: {headings} h1 elements")
    problems += [f"{name}: {v}" for v in await serious_violations(page)]
    folder = live.shots if name in DOC_PAGES else live.scratch
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
    await page.set_viewport_size(PHONE)
    await page.wait_for_timeout(50)
    sideways = await overflows(page)
    if sideways > 0:
        problems.append(f"{name}: scrolls {sideways}px sideways at 390 px")
    await page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=False)
    return problems


async def test_every_page_passes_axe_has_one_h1_and_fits_a_phone(live: LiveServer) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            anonymous = await browser.new_page()
            problems: list[str] = []
            for name, path in public_pages(live.ids):
                problems += await _check_page(anonymous, live, name, path)
            context = await browser.new_context()
            await context.add_cookies([await live.cookie_for(ORGANISER_EMAIL)])
            page = await context.new_page()
            for name, path in console_pages(live.ids):
                problems += await _check_page(page, live, name, path)
            # The API reference loads from Track2 itself: Swagger UI draws the operations.
            await page.set_viewport_size(WIDE)
            await page.goto(live.base_url + "/api/docs")
            await page.locator(".opblock").first.wait_for(timeout=15000)
            assert problems == [], "\n".join(problems)
        finally:
            await browser.close()


async def test_rapporteur_screen_by_keyboard_alone(live: LiveServer) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            context = await browser.new_context(viewport=WIDE)
            await context.add_cookies([await live.cookie_for(RAPPORTEUR_EMAIL)])
            page = await context.new_page()
            await page.goto(f"{live.base_url}/console/sessions/{live.ids['session']}/record")
            # Tab from the top of the page to the text of the point.
            for _ in range(60):
                await page.keyboard.press("Tab")
                if await page.evaluate("document.activeElement.id") == "point-text":
                    break
            assert await page.evaluate("document.activeElement.id") == "point-text"
            points = page.locator("#points > li.point")
            before = await points.count()
            # A participant's family name is marked as it is typed, with its reason.
            await page.keyboard.type("Sultani argued that regional consensus matters.")
            await page.locator("#point-backdrop mark.f-block").first.wait_for()
            # The live region is emptied and refilled (so that the same message is announced
            # again): wait for what it says, not for the marks.
            status = page.locator("#check-status")
            await until(status.text_content, lambda t: "cannot be saved" in (t or ""))
            findings = page.locator("#findings")
            await until(findings.text_content, lambda t: "participant" in (t or ""))
            await page.keyboard.press("Enter")
            # The server's refusal is shown; only then is it certain nothing was added.
            saved_state = page.locator("#saved-state")
            await until(saved_state.text_content, lambda t: (t or "").startswith("Not saved"))
            assert await points.count() == before  # a block cannot be saved
            await page.keyboard.press("Control+A")
            await page.keyboard.type("Regional consensus matters for any settlement.")
            await page.locator("#check-status.clear").wait_for()
            await page.keyboard.press("Tab")
            await page.keyboard.press("Tab")
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.id") != "theme-input":
                await page.focus("#theme-input")
            await page.keyboard.type("regional cons")
            await page.keyboard.press("Enter")
            await page.locator("#theme-tags li[data-slug='regional-consensus']").wait_for()
            await page.focus("#point-text")
            await page.keyboard.press("Enter")
            await until(points.count, lambda n: n > before)
            # The next empty point is ready, focused.
            assert await page.evaluate("document.activeElement.id") == "point-text"
            assert await page.input_value("#point-text") == ""
            newest = points.last
            newest_id = await newest.get_attribute("data-id")
            await page.screenshot(path=str(live.shots / "record-saved.png"))
            # Alt+Up on the point moves it up one place.
            await page.focus(f"#point-{newest_id}")
            position = int(await newest.get_attribute("data-position") or 0)
            await page.keyboard.press("Alt+ArrowUp")
            moved = page.locator(f"#point-{newest_id}")
            await until(
                lambda: moved.get_attribute("data-position"), lambda v: v == str(position - 1)
            )
            # And by dragging its handle: the first point dropped on the second takes its place.
            first, second = points.nth(0), points.nth(1)
            first_id = await first.get_attribute("data-id")
            await first.scroll_into_view_if_needed()
            handle = await first.locator(".handle").bounding_box()
            target = await second.bounding_box()
            assert handle is not None
            assert target is not None
            await page.mouse.move(handle["x"] + 5, handle["y"] + 5)
            await page.mouse.down()
            await page.mouse.move(target["x"] + 40, target["y"] + 12, steps=8)
            await page.mouse.up()
            dropped = page.locator(f"#point-{first_id}")
            await until(lambda: dropped.get_attribute("data-position"), lambda v: v == "2")
        finally:
            await browser.close()


@pytest.fixture
def docs_shots(live: LiveServer) -> Path:
    return live.shots


async def test_refused_forms_and_takedowns_pass_axe_and_fit_a_phone(live: LiveServer) -> None:
    """The guard's findings beside a field (a block, and a warning with its box) and the
    takedown lists on "my series" and the series page: axe, one h1, 390 px. Runs last: the
    takedown stays (the demo's published summary is taken down)."""
    from playwright.async_api import async_playwright

    s = live.ids["series"]
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            context = await browser.new_context(viewport=WIDE)
            await context.add_cookies([await live.cookie_for(ORGANISER_EMAIL)])
            page = await context.new_page()
            problems: list[str] = []
            # A name in the series' description: refused, explained beside the field.
            await page.goto(f"{live.base_url}/console/series/{s}/settings")
            typed = f"Convened with {live.ids['person_name']} and others."
            await page.locator("#f-description").fill(typed)
            await page.get_by_role("button", name="Save").click()
            await page.locator("#f-description-findings").wait_for()
            assert await page.input_value("#f-description") == typed
            assert "name of a participant" in (
                await page.locator("#f-description-findings").text_content() or ""
            )
            problems += await _check_loaded(page, live, "settings-blocked")
            # A warning on a new theme: its box, then saved.
            await page.goto(f"{live.base_url}/console/series/{s}/themes")
            await page.locator("#f-label").fill("What the chair asked for")
            await page.get_by_role("button", name="Add", exact=True).click()
            box = page.locator("#f-label-findings input[name=acknowledge_warnings]").first
            await box.wait_for()
            problems += await _check_loaded(page, live, "themes-warning")
            await page.set_viewport_size(WIDE)
            await box.check()
            await page.get_by_role("button", name="Add", exact=True).click()
            await page.get_by_text("What the chair asked for").first.wait_for()
            # Someone of the Taliban joins the directory: the published summary (which says
            # what the Taliban agreed to) is taken down; both lists say so.
            await page.goto(f"{live.base_url}/console/series/{s}/people")
            await page.locator("#f-given_name").fill("Amir")
            await page.locator("#f-family_name").fill("Karimi")
            await page.locator("#f-affiliation").fill("Taliban")
            await page.get_by_role("button", name="Add to the directory").click()
            await page.locator("#takedowns").wait_for()
            # The summary's points name them: the list leads to where points are edited.
            await page.get_by_role("link", name="Edit the marked points").wait_for()
            problems += await _check_loaded(page, live, "series-takedowns")
            await page.goto(f"{live.base_url}/console")
            await page.get_by_text("Taken down while it is revised").first.wait_for()
            problems += await _check_loaded(page, live, "home-takedowns")
            # The public address of the summary now says that it is being revised.
            anonymous = await browser.new_page()
            problems += await _check_page(
                anonymous, live, "public-summary-revised", f"/reports/{live.ids['summary']}"
            )
            body = await anonymous.locator("main").text_content() or ""
            assert "being revised" in body
            assert "Karimi" not in body
            assert "Taliban" not in body
            assert problems == [], "\n".join(problems)
        finally:
            await browser.close()
