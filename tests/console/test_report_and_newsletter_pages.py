"""The report screen (preview as published, the gate in words, publish, downloads,
withdraw), report requests, and the newsletter screens (live preview and checker, test,
send, progress)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.key_points.models import KeyPoint, KeyPointStatus
from app.newsletter.models import NewsletterIssue
from app.reports.models import ReportVersion
from tests.console.conftest import ConsoleClient, SignedIn, h1, outbox_mail
from tests.factories import Factory
from tests.key_points.conftest import Dialogue, add_person

JSON = {"Accept": "application/json"}


async def _approved_point(
    author: ConsoleClient, reviewer: ConsoleClient, dialogue: Dialogue, text: str
) -> str:
    sid = dialogue.session.id
    saved = await author.htmx(
        "POST",
        f"/console/sessions/{sid}/record/points",
        {"text": text, "part_id": str(dialogue.discussion.id)},
        headers=JSON,
    )
    point_id = str(saved.json()["id"])
    await author.htmx("POST", f"/console/sessions/{sid}/record/submit", {"ids": [point_id]})
    approved = await reviewer.post(f"/console/sessions/{sid}/review-bulk", {"ids": [point_id]})
    assert approved.status_code == 303
    return point_id


async def test_preview_publish_download_and_withdraw(
    signed_in: SignedIn, dialogue: Dialogue, db: AsyncSession
) -> None:
    rapporteur = await signed_in(dialogue.rapporteur)
    organiser = await signed_in(dialogue.organiser)
    await _approved_point(
        rapporteur, organiser, dialogue, "A reduction of violence must come before talks."
    )
    sid = dialogue.session.id
    screen = await organiser.get(f"/console/sessions/{sid}/report")
    assert h1(screen).startswith("Report")
    assert f'src="/console/sessions/{sid}/report/preview"' in screen.text
    preview = await organiser.get(f"/console/sessions/{sid}/report/preview")
    assert preview.status_code == 200
    assert "A reduction of violence must come before talks." in preview.text
    assert "frame-ancestors 'self'" in preview.headers["content-security-policy"]
    # The chair spoke under the Chatham House Rule; only the envoy consented to be named.
    assert dialogue.rahimi.family_name not in preview.text
    published = await organiser.post(
        f"/console/sessions/{sid}/report/publish", {"kind": "summary", "changelog": "First"}
    )
    assert published.status_code == 303
    version = await db.scalar(select(ReportVersion).where(ReportVersion.dialogue_session_id == sid))
    assert version is not None
    for fmt, media in (("pdf", "application/pdf"), ("md", "text/markdown"), ("json", "json")):
        got = await organiser.get(f"/console/reports/{version.id}/download?format={fmt}")
        assert got.status_code == 200, fmt
        assert media in got.headers["content-type"]
    again = await organiser.post(f"/console/sessions/{sid}/report/publish", {"kind": "summary"})
    assert again.status_code == 409
    assert "already has exactly this content" in again.text
    no_reason = await organiser.post(f"/console/sessions/{sid}/report/{version.id}/withdraw")
    assert no_reason.status_code == 422
    withdrawn = await organiser.post(
        f"/console/sessions/{sid}/report/{version.id}/withdraw",
        {"reason": "A participant asked us to"},
    )
    assert withdrawn.status_code == 303
    await db.refresh(version)
    assert version.withdrawn_reason == "A participant asked us to"


async def test_the_gate_refusal_is_explained_point_by_point(
    signed_in: SignedIn, dialogue: Dialogue, db: AsyncSession
) -> None:
    rapporteur = await signed_in(dialogue.rapporteur)
    organiser = await signed_in(dialogue.organiser)
    point_id = await _approved_point(
        rapporteur, organiser, dialogue, "Speakers agreed with the Hotaki proposal."
    )
    # The roster changes after approval: a Mr Hotaki joins it, and the point now names him.
    await add_person(
        db, dialogue.series, dialogue.session, given_name="Zalmay", family_name="Hotaki"
    )
    refused = await organiser.post(
        f"/console/sessions/{dialogue.session.id}/report/publish", {"kind": "summary"}
    )
    assert refused.status_code == 409
    assert "Not published." in refused.text
    assert "Approved point 1" in refused.text
    assert "“Speakers agreed with the Hotaki proposal.”" in refused.text
    assert "“Hotaki”" in refused.text
    assert await db.scalar(select(ReportVersion.id)) is None
    point = await db.get(KeyPoint, uuid.UUID(point_id))
    assert point is not None
    assert point.status is KeyPointStatus.APPROVED


async def test_rapporteurs_cannot_open_the_report_screen(
    signed_in: SignedIn, dialogue: Dialogue
) -> None:
    rapporteur = await signed_in(dialogue.rapporteur)
    refused = await rapporteur.get(f"/console/sessions/{dialogue.session.id}/report")
    assert refused.status_code == 403


async def test_compose_with_live_preview_and_checker_then_test_and_send(
    signed_in: SignedIn, dialogue: Dialogue, db: AsyncSession
) -> None:
    organiser = await signed_in(dialogue.organiser)
    base = f"/console/series/{dialogue.series.id}/newsletters"
    live = await organiser.htmx(
        "POST",
        f"{base}/preview",
        {"subject": "Third session", "body_markdown": "**Farida Rahimi** opened it."},
    )
    assert live.status_code == 200
    assert "<strong>Farida Rahimi</strong>" in live.text
    assert "cannot be saved" in live.text
    assert "<h1" not in live.text
    refused = await organiser.post(
        base, {"subject": "Third session", "body_markdown": "Farida Rahimi opened it."}
    )
    assert refused.status_code == 422
    assert await db.scalar(select(NewsletterIssue.id)) is None
    created = await organiser.post(
        base, {"subject": "Third session", "body_markdown": "The *main points* are out."}
    )
    assert created.status_code == 303
    issue_url = created.headers["location"]
    page = await organiser.get(issue_url)
    assert h1(page) == "Third session"
    assert "<em>main points</em>" in page.text
    tested = await organiser.post(f"{issue_url}/test")
    assert tested.status_code == 303
    mails = await outbox_mail(db, dialogue.organiser.user.email)
    assert mails[-1]["subject"] == "[Test] Third session"
    sent = await organiser.post(f"{issue_url}/send")
    assert sent.status_code == 303
    progress = await organiser.htmx("GET", issue_url)
    assert 'id="progress"' in progress.text
    assert "<h1" not in progress.text


async def test_newsletter_and_report_pages_of_another_series_answer_404(
    signed_in: SignedIn, dialogue: Dialogue, factory: Factory, db: AsyncSession
) -> None:
    organiser = await signed_in(dialogue.organiser)
    created = await organiser.post(
        f"/console/series/{dialogue.series.id}/newsletters",
        {"subject": "Hello", "body_markdown": "Text."},
    )
    issue_url = created.headers["location"]
    outsider = await factory.caller()
    await factory.series(organiser=outsider)
    browser = await signed_in(outsider)
    for url in (
        issue_url,
        f"/console/series/{dialogue.series.id}/newsletters",
        f"/console/series/{dialogue.series.id}/requests",
        f"/console/sessions/{dialogue.session.id}/report/preview",
    ):
        assert (await browser.get(url)).status_code == 404, url
    assert (await browser.post(f"{issue_url}/send")).status_code == 404
