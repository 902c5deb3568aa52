"""Requests for detailed reports: policies, decisions, e-mails through the outbox, signed
expiring links, the recipient marking on every page, and the download log."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from app.outbox.models import OutboxMessage
from app.reports import service as report_service
from app.reports.links import DownloadLinks
from app.reports.models import ReportRequest
from app.series.models import DialogueSeries, ReportRequestPolicy
from tests.reports.conftest import Demo, pdf_pages

READER = "reader@example.org"
ACCEPTED = {
    "status": "accepted",
    "detail": "Thank you. If the request can be granted, a link to the report will be sent to "
    "the address given.",
}


async def _request(
    client: httpx.AsyncClient, email: str = READER, series: str = "afghan-peace", session: int = 3
) -> httpx.Response:
    return await client.post(
        "/api/v1/public/report-requests",
        json={"email": email, "series": series, "session": session},
    )


async def _requests(client: httpx.AsyncClient, demo: Demo) -> list[dict[str, object]]:
    response = await client.get(
        f"/api/v1/series/{demo.series.id}/report-requests", headers=demo.organiser.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def _mails(db: AsyncSession, to: str) -> list[dict[str, object]]:
    rows = (await db.execute(select(OutboxMessage).order_by(OutboxMessage.created_at))).scalars()
    return [r.payload for r in rows if r.payload.get("to") == to]


async def _policy(db: AsyncSession, demo: Demo, policy: ReportRequestPolicy) -> None:
    await db.execute(
        update(DialogueSeries)
        .where(DialogueSeries.id == demo.series.id)
        .values(report_request_policy=policy)
    )
    await db.commit()


async def _publish_detailed(client: httpx.AsyncClient, demo: Demo) -> dict[str, object]:
    response = await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports",
        json={"kind": "detailed"},
        headers=demo.organiser.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def _link(mail: dict[str, object]) -> str:
    match = re.search(r"http://testserver(/reports/download\?token=[^\s&]+)", str(mail["text"]))
    assert match is not None
    return match.group(1)


async def test_every_request_gets_the_same_202(demo: Demo, client: httpx.AsyncClient) -> None:
    answers = [
        await _request(client),
        await _request(client),  # again
        await _request(client, series="no-such-series"),
        await _request(client, session=99),
        await _request(client, session=1, email="other@example.org"),
    ]
    for answer in answers:
        assert answer.status_code == 202
        assert answer.json() == ACCEPTED
    # One pending request for session 3, one for session 1; nothing for unknown targets.
    assert sorted((r["session_number"], r["status"]) for r in await _requests(client, demo)) == [
        (1, "pending"),
        (3, "pending"),
    ]


async def test_review_policy_waits_for_an_organiser_who_approves(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _policy(db, demo, ReportRequestPolicy.REVIEW)
    version = await _publish_detailed(client, demo)
    await _request(client)
    [pending] = await _requests(client, demo)
    assert pending["status"] == "pending"
    assert pending["pending_reason"] == "awaiting_review"
    assert await _mails(db, READER) == []

    decided = await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "approve"},
        headers=demo.organiser.headers,
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert decided.json()["report_id"] == version["id"]
    [mail] = await _mails(db, READER)
    assert "/reports/download?token=" in str(mail["text"])
    assert "Qahtani" not in str(mail["text"]) + str(mail["html"])
    again = await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "decline"},
        headers=demo.organiser.headers,
    )
    assert again.status_code == 409


async def test_confirmed_subscribers_are_approved_automatically(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _publish_detailed(client, demo)
    subscriber = Subscriber(email=READER, name=None)
    db.add(subscriber)
    await db.flush()
    db.add(
        Subscription(
            subscriber_id=subscriber.id,
            dialogue_series_id=demo.series.id,
            status=SubscriptionStatus.CONFIRMED,
            confirmed_at=datetime.now(UTC),
        )
    )
    await db.commit()
    await _request(client)  # a confirmed subscriber
    await _request(client, email="stranger@example.org")  # not a subscriber
    by_email = {r["email"]: r for r in await _requests(client, demo)}
    assert by_email[READER]["status"] == "approved"
    assert by_email[READER]["approved_by_policy"] is True
    assert by_email["stranger@example.org"]["status"] == "pending"
    assert by_email["stranger@example.org"]["pending_reason"] == "awaiting_review"
    assert len(await _mails(db, READER)) == 1
    assert await _mails(db, "stranger@example.org") == []


async def test_without_a_detailed_report_the_request_waits_then_goes_out_on_publication(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _request(client)
    [pending] = await _requests(client, demo)
    decided = await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "approve"},
        headers=demo.organiser.headers,
    )
    assert decided.json()["status"] == "pending"
    assert decided.json()["pending_reason"] == "no_detailed_report"
    assert await _mails(db, READER) == []

    version = await _publish_detailed(client, demo)
    [delivered] = await _requests(client, demo)
    assert delivered["status"] == "approved"
    assert delivered["report_id"] == version["id"]
    assert len(await _mails(db, READER)) == 1


async def test_decline_sends_a_polite_mail(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _request(client)
    [pending] = await _requests(client, demo)
    decided = await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "decline", "note": "The report is shared with participants only."},
        headers=demo.organiser.headers,
    )
    assert decided.json()["status"] == "declined"
    [mail] = await _mails(db, READER)
    assert "We are sorry" in str(mail["text"])
    assert "shared with participants only" in str(mail["text"])
    assert f"/reports/{demo.summary.id}" in str(mail["text"])


async def test_the_served_copy_is_marked_on_every_page_and_logged(
    demo: Demo,
    client: httpx.AsyncClient,
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _publish_detailed(client, demo)
    await _request(client)
    [pending] = await _requests(client, demo)
    await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "approve"},
        headers=demo.organiser.headers,
    )
    link = _link((await _mails(db, READER))[0])
    monkeypatch.setattr(report_service, "utcnow", lambda: datetime(2020, 7, 2, 8, tzinfo=UTC))
    marking = "Prepared for reader@example.org on 2 July 2020. Not for circulation."

    pdf = await client.get(link + "&format=pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    pages = pdf_pages(pdf.content)
    assert len(pages) >= 2
    for page in pages:
        assert marking in page
    page_html = await client.get(link + "&format=html")
    assert marking in page_html.text
    assert "Detailed report" in page_html.text

    [logged] = await _requests(client, demo)
    assert [(d["format"], d["version"]) for d in logged["downloads"]] == [("pdf", 1), ("html", 1)]
    assert logged["downloads"][0]["at"].startswith("2020-07-02")


async def test_expired_and_tampered_links_get_a_page_offering_a_new_request(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    version = await _publish_detailed(client, demo)
    await _request(client)
    [pending] = await _requests(client, demo)
    await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "approve"},
        headers=demo.organiser.headers,
    )
    secret = settings.secret_key.get_secret_value()
    eight_days_ago = time.time() - 8 * 86_400
    old = DownloadLinks(secret, days=7, clock=lambda: eight_days_ago).make(
        uuid.UUID(str(pending["id"])), uuid.UUID(str(version["id"]))
    )
    expired = await client.get(f"/reports/download?token={old}")
    assert expired.status_code == 410
    assert "This link has expired" in expired.text
    assert 'action="/reports/request"' in expired.text
    assert 'name="series" value="afghan-peace"' in expired.text

    good = _link((await _mails(db, READER))[0])
    tampered = await client.get(good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"))
    assert tampered.status_code == 400
    assert "This link does not work" in tampered.text
    assert 'action="/reports/request"' in tampered.text
    # Neither counted as a download.
    [logged] = await _requests(client, demo)
    assert logged["downloads"] == []


async def test_a_link_for_another_version_does_not_work(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    await _publish_detailed(client, demo)
    await _request(client)
    request = (await db.execute(select(ReportRequest))).scalar_one()
    forged = DownloadLinks(settings.secret_key.get_secret_value(), days=7).make(
        request.id, demo.summary.id
    )
    response = await client.get(f"/reports/download?token={forged}")
    assert response.status_code == 400


async def test_report_requests_are_rate_limited_per_ip(
    demo: Demo, client: httpx.AsyncClient, settings: Settings
) -> None:
    limit = settings.public.rate_limit_per_ip_per_hour
    for n in range(limit):
        assert (await _request(client, email=f"r{n}@example.org")).status_code == 202
    refused = await _request(client, email="one-more@example.org")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert "retry-after" in refused.headers


async def test_the_request_form_page_answers_the_same_thank_you(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    for data in (
        {"email": READER, "series": "afghan-peace", "session": "3"},
        {"email": READER, "series": "nothing-here", "session": "3"},
        {"email": READER, "series": "afghan\x00peace", "session": "3"},
    ):
        response = await client.post("/reports/request", data=data)
        assert response.status_code == 200
        assert "Thank you" in response.text
    invalid = await client.post(
        "/reports/request",
        data={"email": "not-an-address", "series": "afghan-peace", "session": "3"},
    )
    assert invalid.status_code == 400
    assert "valid e-mail address" in invalid.text
    assert (await client.get("/series/afghan%00peace")).status_code == 404
