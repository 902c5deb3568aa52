"""P10: every console page answers in a bounded number of SQL statements, whatever the size
of the series. Each page is counted on a small series, the series is grown (more people,
roster, sessions, points in every state, themes), and the count must not move. A
correctness test, not a timing: it counts statements."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.key_points.models import KeyPoint, KeyPointStatus
from app.people.models import AttendanceRole
from tests.console.conftest import SignedIn
from tests.factories import Factory
from tests.key_points.conftest import Dialogue, add_person
from tests.operations.test_statement_counts import counting

# The most any console page may issue (web session, access, what the page shows).
MAX_STATEMENTS = 12


def _pages(dialogue: Dialogue) -> list[str]:
    series, session = dialogue.series.id, dialogue.session.id
    return [
        "/console",
        "/console/account",
        f"/console/series/{series}",
        f"/console/series/{series}/people",
        f"/console/series/{series}/themes",
        f"/console/series/{series}/members",
        f"/console/series/{series}/settings",
        f"/console/series/{series}/newsletters",
        f"/console/series/{series}/requests",
        f"/console/sessions/{session}",
        f"/console/sessions/{session}/record",
        f"/console/sessions/{session}/review",
        f"/console/sessions/{session}/report",
    ]


async def _grow(db: AsyncSession, factory: Factory, dialogue: Dialogue, n: int) -> None:
    for i in range(n):
        await add_person(
            db,
            dialogue.series,
            dialogue.session,
            AttendanceRole.PARTICIPANT,
            given_name=f"Given{i}",
            family_name=f"Family{i}",
        )
        await factory.dialogue_session(dialogue.series)
    statuses = [KeyPointStatus.DRAFT, KeyPointStatus.SUBMITTED, KeyPointStatus.APPROVED]
    for i in range(3 * n):
        db.add(
            KeyPoint(
                dialogue_session_id=dialogue.session.id,
                agenda_part_id=dialogue.discussion.id,
                position=1000 + i + 10 * n,
                text=f"Point {i} on confidence building.",
                status=statuses[i % 3],
                warnings=[],
                acknowledged_warnings=[],
                revision=1,
            )
        )
    await db.commit()


async def _counts(browser: object, engine: AsyncEngine, pages: list[str]) -> dict[str, int]:
    out = {}
    for path in pages:
        with counting(engine) as statements:
            response = await browser.get(path)  # type: ignore[attr-defined]
        assert response.status_code == 200, (path, response.text[:300])
        out[path] = len(statements)
    with counting(engine) as statements:
        await browser.htmx(  # type: ignore[attr-defined]
            "POST",
            pages[10] + "/check",
            {"text": "Trust is low."},
            headers={"Accept": "application/json"},
        )
    out["live check"] = len(statements)
    return out


async def test_console_pages_issue_a_bounded_number_of_statements(
    signed_in: SignedIn,
    dialogue: Dialogue,
    factory: Factory,
    db: AsyncSession,
    engine: AsyncEngine,
) -> None:
    browser = await signed_in(dialogue.organiser)
    pages = _pages(dialogue)
    # A little of everything first, so that no page skips a query for want of rows.
    await _grow(db, factory, dialogue, 1)
    await browser.ensure_csrf()
    await browser.htmx(  # warm the checker's roster cache (rebuilt when the roster changes)
        "POST", pages[10] + "/check", {"text": "warm"}, headers={"Accept": "application/json"}
    )
    small = await _counts(browser, engine, pages)
    await _grow(db, factory, dialogue, 25)
    await browser.htmx(
        "POST", pages[10] + "/check", {"text": "warm"}, headers={"Accept": "application/json"}
    )
    large = await _counts(browser, engine, pages)
    for path, count in large.items():
        assert count <= MAX_STATEMENTS, (path, count)
        assert count == small[path], (path, small[path], count)


async def test_the_live_check_costs_no_more_than_the_dry_run_endpoint(
    signed_in: SignedIn,
    dialogue: Dialogue,
    engine: AsyncEngine,
    client: object,
) -> None:
    browser = await signed_in(dialogue.rapporteur)
    await browser.ensure_csrf()
    session = dialogue.session.id
    text = {
        "text": "The former Deputy Foreign Minister spoke.",
        "part_id": str(dialogue.discussion.id),
    }
    api = f"/api/v1/sessions/{session}/key-points/check"
    headers = dialogue.rapporteur.headers
    assert (await client.post(api, json=text, headers=headers)).status_code == 200  # type: ignore[attr-defined]
    with counting(engine) as api_statements:
        answer = await client.post(api, json=text, headers=headers)  # type: ignore[attr-defined]
    with counting(engine) as console_statements:
        live = await browser.htmx(
            "POST",
            f"/console/sessions/{session}/record/check",
            text,
            headers={"Accept": "application/json"},
        )
    assert live.json()["findings"]
    # The same findings, at the same places, as the API's dry run.
    assert [(f["start"], f["end"], f["code"]) for f in live.json()["findings"]] == [
        (f["start"], f["end"], f["code"]) for f in answer.json()["findings"]
    ]
    assert len(console_statements) <= len(api_statements), (console_statements, api_statements)


async def test_takedown_lists_do_not_grow_with_the_series(
    signed_in: SignedIn,
    dialogue: Dialogue,
    factory: Factory,
    db: AsyncSession,
    engine: AsyncEngine,
) -> None:
    """With something taken down, "my series" and the series page still issue the same
    number of statements however large the series grows."""
    from app.kit.clock import utcnow

    dialogue.session.context = "Thanks to Chidi Okonkwo for the room."
    dialogue.session.public_since = utcnow()
    await db.commit()
    browser = await signed_in(dialogue.organiser)
    added = await browser.post(
        f"/console/series/{dialogue.series.id}/people",
        {"given_name": "Chidi", "family_name": "Okonkwo", "sector": "scholar"},
    )
    assert added.headers["location"].endswith("?done=taken-down#takedowns")
    pages = ["/console", f"/console/series/{dialogue.series.id}"]
    small = {}
    for path in pages:
        with counting(engine) as statements:
            page = await browser.get(path)
        assert "Taken down while it is revised" in page.text
        small[path] = len(statements)
    await _grow(db, factory, dialogue, 25)
    for path in pages:
        with counting(engine) as statements:
            await browser.get(path)
        assert len(statements) == small[path], (path, small[path], len(statements))
        assert len(statements) <= MAX_STATEMENTS, (path, len(statements))
