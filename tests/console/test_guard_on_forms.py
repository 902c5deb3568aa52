"""The guard's findings beside the fields of every console form that writes a public-bound
text: a block shows the exact words and the reason in words next to its field, keeps what
was typed and stores nothing; a warning needs its acknowledgement box ticked, as the API
needs ``acknowledge_warnings``.

The forms call the API's services, so the refusals are the gate's own; these tests check that
the page says them where they belong."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.newsletter.models import NewsletterIssue
from app.reports.models import ReportRequest, RequestStatus
from app.series.models import DialogueSeries, Theme
from app.sessions.models import AgendaPart, DialogueSession
from app.sessions.pages import _local_input
from tests.console.conftest import SignedIn
from tests.key_points.conftest import Dialogue

BLOCKED = "Farida Rahimi opens the round"  # a participant's name
WARNED = "The chair opens the round"  # a role in the meeting: a warning


def findings_of(response: httpx.Response, key: str) -> str:
    """The text of the findings shown beside the input ``key``."""
    found = re.search(
        rf'<div class="guard-findings[^"]*" id="f-{re.escape(key)}-findings">(.*?)</div>',
        response.text,
        re.S,
    )
    assert found, f"no findings beside {key}"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def codes_offered(response: httpx.Response) -> list[str]:
    return re.findall(r'name="acknowledge_warnings" value="([^"]+)"', response.text)


def typed_back(response: httpx.Response, value: str) -> bool:
    return html.escape(value, quote=True) in response.text or value in response.text


async def _count(db: AsyncSession, model: Any, *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


Case = Callable[[Dialogue, AsyncSession], Awaitable[tuple[str, dict[str, str], str]]]


async def series_settings(d: Dialogue, db: AsyncSession) -> tuple[str, dict[str, str], str]:
    s = d.series
    form = {
        "title": s.title,
        "slug": s.slug,
        "organiser": s.organiser,
        "timezone": s.timezone,
        "default_regime": s.default_regime.value,
        "report_request_policy": s.report_request_policy.value,
    }
    return f"/console/series/{s.id}/settings", form, "description"


async def new_session(d: Dialogue, db: AsyncSession) -> tuple[str, dict[str, str], str]:
    form = {
        "title": "Round two",
        "starts_local": "2027-03-01T10:00",
        "ends_local": "2027-03-01T12:00",
        "format": "online",
        "default_regime": "chatham_house",
    }
    return f"/console/series/{d.series.id}/sessions", form, "context"


async def edit_session(d: Dialogue, db: AsyncSession) -> tuple[str, dict[str, str], str]:
    form = {
        "title": d.session.title,
        "starts_local": _local_input(d.session.starts_at, d.session.timezone),
        "ends_local": _local_input(d.session.ends_at, d.session.timezone),
        "timezone": d.session.timezone,
        "format": d.session.format.value,
        "default_regime": d.session.default_regime.value,
    }
    return f"/console/sessions/{d.session.id}/edit", form, "context"


async def add_part(d: Dialogue, db: AsyncSession) -> tuple[str, dict[str, str], str]:
    form = {"part-kind": "discussion", "part-regime": "chatham_house"}
    return f"/console/sessions/{d.session.id}/parts", form, "part-title"


async def add_theme(d: Dialogue, db: AsyncSession) -> tuple[str, dict[str, str], str]:
    return f"/console/series/{d.series.id}/themes", {"slug": "round-opening"}, "label"


async def new_issue(d: Dialogue, db: AsyncSession) -> tuple[str, dict[str, str], str]:
    return f"/console/series/{d.series.id}/newsletters", {"subject": "News"}, "body_markdown"


FORMS = [series_settings, new_session, edit_session, add_part, add_theme, new_issue]


async def _stored(db: AsyncSession, d: Dialogue, text: str) -> int:
    """How many rows hold ``text`` in any of the texts the forms above write."""
    db.expire_all()
    return (
        await _count(db, DialogueSeries, DialogueSeries.description == text)
        + await _count(db, DialogueSession, DialogueSession.context == text)
        + await _count(db, AgendaPart, AgendaPart.title == text)
        + await _count(db, Theme, Theme.label == text)
        + await _count(db, NewsletterIssue, NewsletterIssue.body_markdown == text)
    )


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.__name__)
async def test_a_blocked_text_shows_its_words_and_reason_beside_its_field(
    case: Case, dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession
) -> None:
    url, form, field = await case(dialogue, db)
    browser = await signed_in(dialogue.organiser)
    response = await browser.post(url, {**form, field: BLOCKED})
    assert response.status_code == 422, response.text[:500]
    shown = findings_of(response, field)
    assert "“Farida Rahimi”" in shown or "“Rahimi”" in shown, shown
    assert "name of a participant" in shown
    assert "cannot be saved" in shown
    assert typed_back(response, BLOCKED)  # what was typed is still in the field
    assert 'aria-invalid="true"' in response.text
    assert codes_offered(response) == []  # a block cannot be acknowledged away
    assert await _stored(db, dialogue, BLOCKED) == 0


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.__name__)
async def test_a_warning_needs_its_box_ticked_then_the_text_is_saved(
    case: Case, dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession
) -> None:
    url, form, field = await case(dialogue, db)
    browser = await signed_in(dialogue.organiser)
    refused = await browser.post(url, {**form, field: WARNED})
    assert refused.status_code == 422, refused.text[:500]
    shown = findings_of(refused, field)
    assert "“The chair”" in shown or "“chair”" in shown, shown
    assert "role of a participant in the meeting" in shown
    assert typed_back(refused, WARNED)
    codes = codes_offered(refused)
    assert codes
    assert await _stored(db, dialogue, WARNED) == 0
    # Ticked, as the browser sends the boxes: the same text is saved.
    await browser.ensure_csrf()
    saved = await browser.http.post(
        url,
        data={"csrftoken": browser.csrf, **form, field: WARNED, "acknowledge_warnings": codes},
    )
    assert saved.status_code == 303, re.findall(r"Nothing was changed.{0,600}", saved.text, re.S)
    assert await _stored(db, dialogue, WARNED) == 1


async def test_renaming_a_part_or_a_theme_shows_the_findings_beside_that_input(
    dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession
) -> None:
    browser = await signed_in(dialogue.organiser)
    part = dialogue.discussion
    refused = await browser.post(
        f"/console/sessions/{dialogue.session.id}/parts/{part.id}",
        {"title": BLOCKED, "kind": part.kind.value, "regime": part.regime.value},
    )
    assert refused.status_code == 422
    assert "name of a participant" in findings_of(refused, f"part-{part.id}-title")
    assert f'value="{BLOCKED}"' in refused.text
    assert re.search(r"<details open>\s*<summary>Edit", refused.text)
    await db.refresh(part)
    assert part.title == "Discussion"

    theme = (
        (await db.execute(select(Theme).where(Theme.dialogue_series_id == dialogue.series.id)))
        .scalars()
        .first()
    )
    assert theme is not None
    label = theme.label
    renamed = await browser.post(
        f"/console/series/{dialogue.series.id}/themes/{theme.id}", {"label": BLOCKED}
    )
    assert renamed.status_code == 422
    assert "name of a participant" in findings_of(renamed, str(theme.id))
    assert f'value="{BLOCKED}"' in renamed.text
    await db.refresh(theme)
    assert theme.label == label


async def test_a_decline_note_that_names_someone_is_kept_and_explained(
    dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession
) -> None:
    asked = ReportRequest(
        dialogue_series_id=dialogue.series.id,
        dialogue_session_id=dialogue.session.id,
        email="reader@example.org",
    )
    db.add(asked)
    await db.commit()
    browser = await signed_in(dialogue.organiser)
    url = f"/console/series/{dialogue.series.id}/requests/{asked.id}"
    note = "Prof. Rahimi asked us not to share it."
    refused = await browser.post(url, {"decision": "decline", "note": note})
    assert refused.status_code == 422
    shown = findings_of(refused, f"note-{asked.id}")
    assert "name of a participant" in shown
    assert html.escape(note, quote=False) in refused.text
    await db.refresh(asked)
    assert asked.status is RequestStatus.PENDING
    warned = "The chair asked us not to share it."
    refused = await browser.post(url, {"decision": "decline", "note": warned})
    assert refused.status_code == 409
    codes = codes_offered(refused)
    assert codes
    await browser.ensure_csrf()
    declined = await browser.http.post(
        url,
        data={
            "csrftoken": browser.csrf,
            "decision": "decline",
            "note": warned,
            "acknowledge_warnings": codes,
        },
    )
    assert declined.status_code == 303
    await db.refresh(asked)
    assert asked.status is RequestStatus.DECLINED


async def test_the_live_preview_tells_warnings_from_blocks(
    dialogue: Dialogue, signed_in: SignedIn
) -> None:
    browser = await signed_in(dialogue.organiser)
    url = f"/console/series/{dialogue.series.id}/newsletters/preview"
    warned = await browser.htmx("POST", url, {"subject": "News", "body_markdown": WARNED})
    assert "1 warning(s)" in warned.text
    assert "cannot be saved" not in warned.text
    assert '<li class="warn">' in warned.text
    blocked = await browser.htmx("POST", url, {"subject": "News", "body_markdown": BLOCKED})
    assert "cannot be saved" in blocked.text
    assert '<li class="block">' in blocked.text


async def test_sending_an_issue_that_now_names_someone_says_where_and_why(
    dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession
) -> None:
    """Written before the person joined the directory, refused when sent: the issue page
    says which words and why, and nothing is sent."""
    issue = NewsletterIssue(
        dialogue_series_id=dialogue.series.id,
        subject="News",
        body_markdown="Thanks to Chidi Okonkwo for the room.",
        created_by_id=dialogue.organiser.id,
    )
    db.add(issue)
    await db.commit()
    browser = await signed_in(dialogue.organiser)
    added = await browser.post(
        f"/console/series/{dialogue.series.id}/people",
        {"given_name": "Chidi", "family_name": "Okonkwo", "sector": "scholar"},
    )
    assert added.status_code == 303
    refused = await browser.post(f"/console/newsletters/{issue.id}/send")
    assert refused.status_code == 409
    shown = html.unescape(re.sub(r"<[^>]+>", "", refused.text))
    assert "“Chidi Okonkwo”, name of a participant" in shown
    await db.refresh(issue)
    assert issue.sent_at is None


async def test_scheduling_a_session_whose_text_now_names_someone_opens_its_form_marked(
    dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession, factory: Any
) -> None:
    draft = await factory.dialogue_session(dialogue.series)
    draft.context = "Hosted by Professor Rahimi's institute."
    await db.commit()
    browser = await signed_in(dialogue.organiser)
    refused = await browser.post(f"/console/sessions/{draft.id}/status", {"status": "scheduled"})
    assert refused.status_code == 422
    assert re.search(r"<details open>\s*<summary>Edit the session", refused.text)
    assert "name of a participant" in findings_of(refused, "context")
    await db.refresh(draft)
    assert draft.public_since is None


async def test_a_partner_line_that_names_an_affiliation_is_marked_beside_the_partners(
    dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession
) -> None:
    url, form, _ = await series_settings(dialogue, db)
    browser = await signed_in(dialogue.organiser)
    partners = "Center for Conflict and Humanitarian Studies\nKabul Institute for Peace Studies"
    refused = await browser.post(url, {**form, "partners": partners})
    assert refused.status_code == 422
    shown = findings_of(refused, "partners")
    assert "Kabul Institute for Peace Studies" in shown
    assert "affiliation of a participant" in shown
    assert "Center for Conflict and Humanitarian Studies\nKabul Institute" in html.unescape(
        refused.text
    )
    series_id = dialogue.series.id
    db.expire_all()
    stored = await db.scalar(select(DialogueSeries.partners).where(DialogueSeries.id == series_id))
    assert "Kabul Institute for Peace Studies" not in (stored or [])
