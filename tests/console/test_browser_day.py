"""A whole day of a series, in a real browser, through the console only.

An organiser signs in by e-mail link, sets up a series, a session with three agenda parts
(one on the record) and a roster where one person consented to be named in that part, and
invites a rapporteur and a second organiser. The rapporteur accepts, records five points
live, sees one blocked as they type (it names a participant) and rewrites it, and submits
them. The second organiser approves and publishes, and the public page shows the summary,
naming nobody but the one who consented. Then the first organiser adds to the directory the
person the session's context thanks: the guard takes the session's texts and the summary
down, the console says what and why, the organiser fixes the context and republishes, and
the public never sees the name once that person is a participant. Every e-mail goes through
the outbox to a real SMTP server. Screenshots of each step feed docs/console.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.users.models import User
from tests.console.browser import (
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

ORGANISER = "olivia@example.org"
RAPPORTEUR = "rania@example.org"
SECOND = "samir@example.org"
POINTS = [
    "A reduction of violence is the first test of any negotiation.",
    "Regional connectivity can give every neighbour a stake in peace.",
    "Aid should support the institutions of the state, not replace them.",
    "Prisoner releases build confidence when both sides reciprocate.",
]
BLOCKED = "Karimova warned that women's rights must not be traded away."
REWRITTEN = "A participant warned that women's rights must not be traded away."
# The session's context thanks someone who is not a participant ... until the organiser adds
# them to the directory after publication: then it names a participant.
HOST = "Odhiambo"
CONTEXT = "Written up with thanks to Baraka Odhiambo for the meeting room in Kabul."
CONTEXT_FIXED = "Written up with thanks to our hosts for the meeting room in Kabul."
CSV = (
    "given_name,family_name,affiliation,affiliation_acronym,country,sector\n"
    "Leyla,Karimova,Kabul Policy Institute,KPI,AF,scholar\n"
    "Hope,Mwangi,Nairobi Centre for Dialogue,,KE,civil_society\n"
)


async def seed(db: AsyncSession, settings: Settings, ids: dict[str, Any]) -> None:
    db.add(User(email=ORGANISER, display_name="Olivia Organiser", is_admin=False))


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with running_smtp_sink() as running:
        yield running


@pytest.fixture(scope="module")
async def live(
    tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink
) -> AsyncIterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("console-day")
    async for server in start_server(tmp, sink, seed, shots_folder(tmp)):
        yield server


async def shot(page: Any, live: LiveServer, name: str) -> None:
    await page.screenshot(path=str(live.shots / f"day-{name}.png"), full_page=False)


async def sign_in(page: Any, live: LiveServer, email: str) -> None:
    await page.goto(f"{live.base_url}/sign-in")
    await page.get_by_label("E-mail address (required)").fill(email)
    await page.get_by_role("button", name="E-mail me a sign-in link").click()
    await page.get_by_role("heading", name="Check your inbox").wait_for()
    await shot(page, live, "01-check-inbox")
    await live.deliver()
    await page.goto(live.link_in_mail(email, "/sign-in/link"))
    assert await serious_violations(page) == []
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="My series").wait_for()


async def accept_invitation(page: Any, live: LiveServer, email: str, name: str) -> None:
    await live.deliver()
    await page.goto(live.link_in_mail(email, "/invitations/accept"))
    assert await serious_violations(page) == []
    assert await overflows(page) == 0
    await page.get_by_label("Your name (required)").fill(name)
    await page.get_by_role("button", name="Accept and sign in").click()
    await (
        page.get_by_role("link", name="Record points")
        .or_(page.get_by_role("heading", name="Day of dialogue"))
        .first.wait_for()
    )


async def test_a_whole_day_in_the_console(live: LiveServer) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            await _organiser_sets_up(browser, live)
            await _rapporteur_records(browser, live)
            await _second_organiser_publishes(browser, live)
            public = await browser.new_page(viewport=WIDE)
            await public.goto(f"{live.base_url}/series/day-of-dialogue")
            body = await public.locator("main").text_content() or ""
            for text in [*POINTS, REWRITTEN]:
                assert text in body
            assert "Karimova" not in body
            assert "Mwangi" not in body
            await shot(public, live, "09-public")
            await public.goto(f"{live.base_url}/")
            await public.get_by_role("link", name="Day of dialogue").wait_for()
            await _a_published_text_is_taken_down_fixed_and_republished(browser, live, public)
        finally:
            await browser.close()


async def _organiser_sets_up(browser: Any, live: LiveServer) -> None:
    context = await browser.new_context(viewport=WIDE)
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    await sign_in(page, live, ORGANISER)
    await page.get_by_role("link", name="New series").click()
    await page.get_by_label("Title (required)", exact=True).fill("Day of dialogue")
    await page.get_by_label("Address name (slug) (required)").fill("day-of-dialogue")
    await page.get_by_label("Organising institution (required)").fill("Heart of Asia Society")
    await page.get_by_label("Time zone", exact=True).fill("Asia/Kabul")
    await page.get_by_role("button", name="Create the series").click()
    await page.get_by_role("heading", name="Day of dialogue").wait_for()
    await shot(page, live, "02-series")

    # The directory: a person by hand, two from a CSV file.
    await page.get_by_role("link", name="People").click()
    await page.get_by_label("Honorific", exact=True).fill("H.E. Dr.")
    await page.get_by_label("Given name (required)").fill("Mutlaq")
    await page.get_by_label("Family name (required)").fill("al-Qahtani")
    await page.get_by_label("Affiliation", exact=True).fill("Ministry of Foreign Affairs of Qatar")
    await page.get_by_role("button", name="Add to the directory").click()
    await page.get_by_text("The person is in the directory.").wait_for()
    await page.locator("#f-file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    await page.get_by_role("button", name="Import").click()
    await page.get_by_text("2 people imported.").wait_for()
    await shot(page, live, "03-people")

    # The session: its time in Kabul, three parts, the roster.
    await page.get_by_role("link", name="Sessions").click()
    await page.get_by_label("Title (required)", exact=True).fill(
        "Regional support for the peace process"
    )
    await page.locator("#f-context").fill(CONTEXT)
    await page.get_by_label("Starts (required)").fill("2026-06-29T14:00")
    await page.get_by_label("Ends (required)").fill("2026-06-29T16:30")
    await page.get_by_role("button", name="Create the session").click()
    await page.get_by_role("heading", name="Session 1: Regional support").wait_for()
    for title, regime in (
        ("Opening address", "on_record"),
        ("Presentations", "chatham_house"),
        ("General discussion", "chatham_house"),
    ):
        await page.locator("#f-part-title").fill(title)
        await page.locator("#f-part-regime").select_option(regime)
        await page.get_by_role("button", name="Add the part").click()
        await page.get_by_text("The agenda is saved.").wait_for()
    for name in ("Qahtani", "Karimova", "Mwangi"):
        await page.locator("#find").fill(name)
        add = page.locator("#candidates form").first
        await add.wait_for()
        await add.locator("select[name=status]").select_option("confirmed")
        await add.get_by_role("button", name="Add").click()
        await page.get_by_text("The person is on the roster.").wait_for()
    envoy_row = page.locator("tr", has_text="al-Qahtani")
    await envoy_row.locator("input[type=checkbox]:not([disabled])").check()
    await page.get_by_role("button", name="Save the roster").click()
    await page.get_by_text("The roster is saved.").wait_for()
    await shot(page, live, "04-session")
    await page.get_by_role("button", name="Schedule (makes it public)").click()
    await page.get_by_text("The status is changed.").wait_for()
    await page.get_by_role("button", name="Mark as held").click()
    await page.get_by_text("The status is changed.").wait_for()

    # The team: a rapporteur and a second organiser, invited by e-mail.
    await page.get_by_role("link", name="Day of dialogue").first.click()
    await page.get_by_role("link", name="Members").click()
    for email, role in ((RAPPORTEUR, "rapporteur"), (SECOND, "organiser")):
        await page.get_by_label("E-mail address (required)").fill(email)
        await page.get_by_label("Role", exact=True).select_option(role)
        await page.get_by_role("button", name="Send the invitation").click()
        await page.get_by_text("The invitation is on its way.").wait_for()
    await shot(page, live, "05-members")
    await context.close()


async def _rapporteur_records(browser: Any, live: LiveServer) -> None:
    context = await browser.new_context(viewport=WIDE)
    page = await context.new_page()
    await accept_invitation(page, live, RAPPORTEUR, "Rania Rapporteur")
    await page.get_by_role("link", name="Regional support for the peace process").click()
    await page.get_by_role("link", name="Record points").click()
    await page.get_by_role("heading", name="Record key points").wait_for()
    await page.locator("#part").select_option(label="3. General discussion")
    editor = page.locator("#point-text")
    points = page.locator("#points > li.point")
    for number, text in enumerate(POINTS[:2], start=1):
        await editor.fill("")
        await editor.press_sequentially(text, delay=5)
        await page.locator("#check-status.clear").wait_for()
        await editor.press("Enter")
        await until(points.count, lambda n, number=number: n == number)
    # Typed live: the participant's name is marked, with its reason, and cannot be saved.
    await editor.press_sequentially(BLOCKED, delay=5)
    await page.locator("#point-backdrop mark.f-block").wait_for()
    status = page.locator("#check-status")
    await until(status.text_content, lambda t: "cannot be saved" in (t or ""))
    await shot(page, live, "06-blocked")
    await editor.press("Enter")
    saved_state = page.locator("#saved-state")
    await until(saved_state.text_content, lambda t: (t or "").startswith("Not saved"))
    assert await points.count() == 2
    await editor.fill("")
    await editor.press_sequentially(REWRITTEN, delay=5)
    await page.locator("#check-status.clear").wait_for()
    await page.locator("#theme-input").fill("rights")
    await page.locator("#theme-input").press("Enter")
    await editor.press("Enter")
    await until(points.count, lambda n: n == 3)
    for number, text in enumerate(POINTS[2:], start=4):
        await editor.press_sequentially(text, delay=5)
        await page.locator("#check-status.clear").wait_for()
        await editor.press("Enter")
        await until(points.count, lambda n, number=number: n == number)
    await shot(page, live, "07-recorded")
    await page.get_by_role("button", name="Submit the ticked points for review").click()
    await page.get_by_text("5 points submitted for review.").wait_for()
    await context.close()


async def _second_organiser_publishes(browser: Any, live: LiveServer) -> None:
    context = await browser.new_context(viewport=WIDE)
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    await accept_invitation(page, live, SECOND, "Samir Second")
    await page.get_by_role("link", name="Regional support for the peace process").click()
    await page.get_by_role("link", name="Review").click()
    await page.get_by_role("heading", name="Review").wait_for()
    boxes = page.locator('input[name="ids"][form="bulk"]')
    for index in range(await boxes.count()):
        await boxes.nth(index).check()
    await shot(page, live, "08-review")
    await page.get_by_role("button", name="Approve the ticked points").click()
    await page.get_by_text("points approved.").wait_for()
    # Any point with a warning is approved on its own, its warnings acknowledged.
    while await page.locator("article.card").count():
        card = page.locator("article.card").first
        for box in await card.locator('input[name="acknowledge"]').all():
            await box.check()
        await card.get_by_role("button", name="Approve").click()
        await page.get_by_text("Approved.").wait_for()
    await page.get_by_role("link", name="Report").click()
    await page.get_by_role("button", name="Publish a new version").click()
    await page.get_by_text("Published.").wait_for()
    await shot(page, live, "08-report")
    await context.close()


async def _public_text(public: Any, live: LiveServer) -> str:
    """What the public reads now: the series page and every summary it links to."""
    await public.goto(f"{live.base_url}/series/day-of-dialogue")
    seen = [await public.locator("body").text_content() or ""]
    links = public.locator("main a[href^='/reports/']")
    for href in [await links.nth(i).get_attribute("href") for i in range(await links.count())]:
        answer = await public.goto(f"{live.base_url}{href}")
        assert answer is not None
        assert answer.status in (200, 410), (href, answer.status)
        seen.append(await public.locator("body").text_content() or "")
    return "\n".join(seen)


async def _a_published_text_is_taken_down_fixed_and_republished(
    browser: Any, live: LiveServer, public: Any
) -> None:
    """After publication the organiser adds the person the session's context thanks to the
    directory: the context now names a participant. The guard takes the session's texts
    and the summary down; the console says what and why; the organiser fixes the context
    and republishes; the public never sees the name again."""
    assert HOST in await _public_text(public, live)  # not a participant yet
    context = await browser.new_context(viewport=WIDE)
    await context.add_cookies([await live.cookie_for(ORGANISER)])
    page = await context.new_page()
    await page.goto(f"{live.base_url}/console")
    await page.get_by_role("link", name="Day of dialogue").click()
    await page.get_by_role("link", name="People").click()
    await page.get_by_label("Given name (required)").fill("Baraka")
    await page.get_by_label("Family name (required)").fill(HOST)
    await page.get_by_role("button", name="Add to the directory").click()
    # The series page lists what came down, with where and why.
    down = page.locator("section.takedowns")
    await down.wait_for()
    listed = await down.text_content() or ""
    assert "The title and context of session 1" in listed
    assert "Version 1 of the public summary of session 1" in listed
    assert HOST in listed
    assert "name of a participant" in listed
    assert HOST not in await _public_text(public, live)
    await page.goto(f"{live.base_url}/console")
    assert "Taken down while it is revised" in (await page.locator("main").text_content() or "")
    await page.get_by_role("link", name="See why, fix and republish").click()
    await shot(page, live, "10-taken-down")
    # Fixed where the page points: the session's form opens with the words marked.
    await page.get_by_role("link", name="Fix the session's title or context").click()
    await page.locator("#f-context-findings").wait_for()
    assert "name of a participant" in (
        await page.locator("#f-context-findings").text_content() or ""
    )
    await page.locator("#f-context").fill(CONTEXT_FIXED)
    await page.get_by_role("button", name="Save the session").click()
    await page.get_by_text("The session is saved.").wait_for()
    assert HOST not in await _public_text(public, live)
    await page.get_by_role("link", name="Day of dialogue").first.click()
    await page.get_by_text("Fixed: nothing in it identifies anyone now").wait_for()
    await page.get_by_role("button", name="Republish").click()
    await page.get_by_text("Republished: its public addresses show it again.").wait_for()
    assert await page.locator("section.takedowns").count() == 0
    await context.close()
    # The public reads the summary again, republished from the fixed texts.
    now = await _public_text(public, live)
    assert HOST not in now
    assert CONTEXT_FIXED in now
    for text in [*POINTS, REWRITTEN]:
        assert text in now
