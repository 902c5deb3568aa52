"""The rapporteur's screen and the review queue over HTTP (the browser tests drive the same
routes through record.js): the live check, saving, blocks refused, warnings kept, autosave
and edits, moving, submitting a batch, four eyes, bulk approval only without warnings."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.key_points.models import KeyPoint, KeyPointStatus
from tests.console.conftest import ConsoleClient, SignedIn, h1
from tests.factories import Factory
from tests.key_points.conftest import Dialogue

JSON = {"Accept": "application/json"}


async def _record(
    browser: ConsoleClient, dialogue: Dialogue, text: str, **extra: str
) -> dict[str, object]:
    data = {"text": text, "part_id": str(dialogue.discussion.id), **extra}
    response = await browser.htmx(
        "POST", f"/console/sessions/{dialogue.session.id}/record/points", data, headers=JSON
    )
    body: dict[str, object] = response.json()
    body["status_code"] = response.status_code
    return body


async def test_record_page_shows_the_composer_and_the_parts(
    signed_in: SignedIn, dialogue: Dialogue
) -> None:
    browser = await signed_in(dialogue.rapporteur)
    page = await browser.get(f"/console/sessions/{dialogue.session.id}/record")
    assert page.status_code == 200
    assert h1(page).startswith("Record key points")
    assert 'id="point-text"' in page.text
    assert 'role="status" aria-live="polite"' in page.text
    assert 'data-regime="off_record"' in page.text
    assert "record.js" in page.text


async def test_live_check_marks_the_words_with_their_reasons(
    signed_in: SignedIn, dialogue: Dialogue
) -> None:
    browser = await signed_in(dialogue.rapporteur)
    text = "  Farida Rahimi argued that the ceasefire must come first."
    response = await browser.htmx(
        "POST",
        f"/console/sessions/{dialogue.session.id}/record/check",
        {"text": text, "part_id": str(dialogue.discussion.id)},
        headers=JSON,
    )
    body = response.json()
    assert body["blocked"] is True
    names = [f for f in body["findings"] if f["severity"] == "block"]
    assert names
    # Offsets are in the text as typed (leading spaces included): the editor marks them there.
    assert text[names[0]["start"] : names[0]["end"]] in ("Farida Rahimi", "Rahimi", "Farida")
    assert names[0]["reason"]
    off = await browser.htmx(
        "POST",
        f"/console/sessions/{dialogue.session.id}/record/check",
        {"text": "anything", "part_id": str(dialogue.off_record.id)},
        headers=JSON,
    )
    assert off.json()["off_record"] is True


async def test_a_blocked_point_is_not_stored_and_a_warning_travels_with_the_point(
    signed_in: SignedIn, dialogue: Dialogue, db: AsyncSession
) -> None:
    browser = await signed_in(dialogue.rapporteur)
    blocked = await _record(browser, dialogue, "Rahimi said the talks must resume.")
    assert blocked["status_code"] == 422
    assert blocked["ok"] is False
    assert blocked["findings"]
    assert await db.scalar(select(KeyPoint.id)) is None
    warned = await _record(browser, dialogue, "The chair urged a ceasefire.")
    assert warned["status_code"] == 200, warned
    assert warned["warnings"], "an indirect identifier is a warning, kept with the point"
    assert "Warnings kept with this point" in str(warned["html"])


async def test_enter_saves_autosave_updates_and_the_form_path_works_without_script(
    signed_in: SignedIn, dialogue: Dialogue, db: AsyncSession
) -> None:
    browser = await signed_in(dialogue.rapporteur)
    draft = await _record(browser, dialogue, "Regional connectivity is a peace dividend")
    point_id = draft["id"]
    updated = await browser.htmx(
        "POST",
        f"/console/sessions/{dialogue.session.id}/record/points/{point_id}",
        {
            "text": "Regional connectivity is a peace dividend.",
            "part_id": str(dialogue.discussion.id),
            "themes": "economy-and-connectivity",
        },
        headers=JSON,
    )
    assert updated.json()["ok"] is True
    point = await db.get(KeyPoint, uuid.UUID(str(point_id)))
    assert point is not None
    await db.refresh(point)
    assert point.text.endswith("dividend.")
    assert point.revision == 2
    # Without JavaScript: a plain form post, then the page again.
    plain = await browser.post(
        f"/console/sessions/{dialogue.session.id}/record/points",
        {"text": "Aid should not be used as leverage.", "part_id": str(dialogue.discussion.id)},
    )
    assert plain.status_code == 303
    refused = await browser.post(
        f"/console/sessions/{dialogue.session.id}/record/points",
        {"text": "Mwangi disagreed.", "part_id": str(dialogue.discussion.id)},
    )
    assert refused.status_code == 422
    assert "Mwangi disagreed." in refused.text  # what was typed is kept
    assert 'class="field-error"' in refused.text


async def test_points_move_and_a_batch_is_submitted_in_one_action(
    signed_in: SignedIn, dialogue: Dialogue, db: AsyncSession
) -> None:
    browser = await signed_in(dialogue.rapporteur)
    ids = [
        (await _record(browser, dialogue, f"Point number {n} about confidence building."))["id"]
        for n in (1, 2, 3)
    ]
    moved = await browser.htmx(
        "POST",
        f"/console/sessions/{dialogue.session.id}/record/points/{ids[2]}/move",
        {"position": "1"},
        headers=JSON,
    )
    assert moved.json()["ok"] is True
    order = re.findall(r'id="point-([0-9a-f-]+)"', moved.json()["html"])
    assert order == [ids[2], ids[0], ids[1]]
    submitted = await browser.htmx(
        "POST",
        f"/console/sessions/{dialogue.session.id}/record/submit",
        {"ids": ids},
        headers=JSON,
    )
    assert submitted.json()["message"] == "3 points submitted for review."
    statuses = (await db.execute(select(KeyPoint.status))).scalars().all()
    assert set(statuses) == {KeyPointStatus.SUBMITTED}


async def test_review_four_eyes_diff_and_bulk_approval_only_without_warnings(
    signed_in: SignedIn, dialogue: Dialogue, db: AsyncSession
) -> None:
    author = await signed_in(dialogue.organiser)
    clean = await _record(author, dialogue, "Trust between the parties is low")
    await author.htmx(
        "POST",
        f"/console/sessions/{dialogue.session.id}/record/points/{clean['id']}",
        {"text": "Trust between the parties remains low.", "part_id": str(dialogue.discussion.id)},
        headers=JSON,
    )
    warned = await _record(author, dialogue, "The session chair asked for a ceasefire.")
    assert warned["warnings"]
    await author.htmx(
        "POST",
        f"/console/sessions/{dialogue.session.id}/record/submit",
        {"ids": [clean["id"], warned["id"]]},
        headers=JSON,
    )
    own = await author.get(f"/console/sessions/{dialogue.session.id}/review")
    assert own.text.count("You wrote or edited this point") == 2
    refused = await author.post(
        f"/console/sessions/{dialogue.session.id}/review/{clean['id']}", {"action": "approve"}
    )
    assert refused.status_code == 403
    reviewer = await signed_in(dialogue.second_organiser)
    queue = await reviewer.get(f"/console/sessions/{dialogue.session.id}/review")
    assert "<ins>remains</ins>" in queue.text
    assert "<del>is</del>" in queue.text
    assert f'name="ids" value="{clean["id"]}"' in queue.text
    assert f'name="ids" value="{warned["id"]}"' not in queue.text
    bulk_with_warning = await reviewer.post(
        f"/console/sessions/{dialogue.session.id}/review-bulk",
        {"ids": [clean["id"], warned["id"]]},
    )
    assert bulk_with_warning.status_code == 403
    still = await db.get(KeyPoint, uuid.UUID(str(clean["id"])))
    assert still is not None
    assert still.status is KeyPointStatus.SUBMITTED
    bulk = await reviewer.post(
        f"/console/sessions/{dialogue.session.id}/review-bulk", {"ids": [clean["id"]]}
    )
    assert bulk.status_code == 303
    unacknowledged = await reviewer.post(
        f"/console/sessions/{dialogue.session.id}/review/{warned['id']}", {"action": "approve"}
    )
    assert unacknowledged.status_code == 409
    returned_without_note = await reviewer.post(
        f"/console/sessions/{dialogue.session.id}/review/{warned['id']}", {"action": "return"}
    )
    assert returned_without_note.status_code == 422
    codes = [w["code"] for w in warned["warnings"]]  # type: ignore[union-attr]
    approved = await reviewer.post(
        f"/console/sessions/{dialogue.session.id}/review/{warned['id']}",
        {"action": "approve", "acknowledge": codes},
    )
    assert approved.status_code == 303
    for pid in (clean["id"], warned["id"]):
        point = await db.get(KeyPoint, uuid.UUID(str(pid)))
        assert point is not None
        await db.refresh(point)
        assert point.status is KeyPointStatus.APPROVED


async def test_record_and_review_of_another_series_answer_404(
    signed_in: SignedIn, dialogue: Dialogue, factory: Factory
) -> None:
    outsider = await factory.caller()
    await factory.series(organiser=outsider)
    browser = await signed_in(outsider)
    sid = dialogue.session.id
    for path in (f"/console/sessions/{sid}/record", f"/console/sessions/{sid}/review"):
        assert (await browser.get(path)).status_code == 404
    check = await browser.htmx(
        "POST", f"/console/sessions/{sid}/record/check", {"text": "x"}, headers=JSON
    )
    assert check.status_code == 404
