"""Withdrawing a published version: it and every earlier version of its kind leave every
public address (410), the public series shows no summary for the session, download links of
a withdrawn detailed report stop working, webhooks hear of it without the reason, and the
series' members keep reading it."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.outbox.models import OutboxKind, OutboxMessage
from app.webhooks.models import WebhookEndpoint
from app.webhooks.signing import new_secret
from tests.factories import Factory
from tests.reports.conftest import Demo
from tests.reports.test_requests import _link, _mails, _publish_detailed, _request, _requests

REASON = "A participant withdrew consent to a point made in the second part."


async def _withdraw(
    client: httpx.AsyncClient, demo: Demo, report_id: object, reason: str | None = REASON
) -> httpx.Response:
    body = {} if reason is None else {"reason": reason}
    return await client.post(
        f"/api/v1/reports/{report_id}/withdraw", json=body, headers=demo.organiser.headers
    )


async def _republish(client: httpx.AsyncClient, demo: Demo, context: str) -> dict[str, object]:
    """A new summary version after a change of the session's framing."""
    auth = demo.organiser.headers
    changed = await client.patch(
        f"/api/v1/sessions/{demo.session.id}", json={"context": context}, headers=auth
    )
    assert changed.status_code == 200, changed.text
    published = await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports", json={"kind": "summary"}, headers=auth
    )
    assert published.status_code == 201, published.text
    out: dict[str, object] = published.json()
    return out


async def _public_summary_of_session_3(client: httpx.AsyncClient) -> object:
    series = (await client.get("/api/v1/public/series/afghan-peace")).json()
    [session] = [s for s in series["sessions"] if s["number"] == 3]
    return session["summary"]


async def test_a_withdrawn_summary_is_gone_from_every_public_address(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    rid = demo.summary.id
    assert (await client.get(f"/api/v1/public/reports/{rid}")).status_code == 200
    assert await _public_summary_of_session_3(client) is not None
    assert f"/reports/{rid}" in (await client.get("/series/afghan-peace")).text

    answer = await _withdraw(client, demo, rid)

    assert answer.status_code == 200, answer.text
    [taken] = answer.json()["withdrawn"]
    assert (taken["id"], taken["number"]) == (str(rid), 1)
    assert taken["withdrawn_reason"] == REASON
    assert taken["withdrawn_at"] is not None
    assert taken["public_url"] is None
    for fmt in ("json", "html", "md", "pdf", "docx"):
        gone = await client.get(f"/api/v1/public/reports/{rid}", params={"format": fmt})
        assert gone.status_code == 410, fmt
        assert gone.json()["type"] == "/problems/report-withdrawn"
        assert REASON not in gone.text
    page = await client.get(f"/reports/{rid}")
    assert page.status_code == 410
    assert "withdrawn" in page.text
    assert REASON not in page.text
    assert await _public_summary_of_session_3(client) is None
    series_page = await client.get("/series/afghan-peace")
    assert f"/reports/{rid}" not in series_page.text

    # Members still read what was published, and see that it was withdrawn and why.
    member = await client.get(
        f"/api/v1/reports/{rid}", params={"format": "json"}, headers=demo.rapporteur.headers
    )
    assert member.status_code == 200
    listed = await client.get(
        f"/api/v1/sessions/{demo.session.id}/reports", headers=demo.rapporteur.headers
    )
    assert listed.json()[0]["withdrawn_reason"] == REASON
    audit = (
        await db.scalars(select(AuditEvent).where(AuditEvent.action == "report.withdrawn"))
    ).one()
    assert audit.data["numbers"] == [1]


async def test_withdrawing_a_version_takes_the_earlier_ones_with_it(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    second = await _republish(client, demo, "A new framing of the session.")

    answer = await _withdraw(client, demo, second["id"])

    assert [v["number"] for v in answer.json()["withdrawn"]] == [1, 2]
    for rid in (demo.summary.id, second["id"]):
        assert (await client.get(f"/api/v1/public/reports/{rid}")).status_code == 410
    # The first version never stands in for the second.
    assert await _public_summary_of_session_3(client) is None


async def test_a_new_version_after_a_withdrawal_is_public_again(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    await _withdraw(client, demo, demo.summary.id)
    fresh = await _republish(client, demo, "The framing without the withdrawn passage.")

    assert fresh["number"] == 2
    assert (await client.get(f"/api/v1/public/reports/{fresh['id']}")).status_code == 200
    summary = await _public_summary_of_session_3(client)
    assert isinstance(summary, dict)
    assert summary["report_id"] == fresh["id"]
    assert (await client.get(f"/api/v1/public/reports/{demo.summary.id}")).status_code == 410


async def test_webhooks_hear_of_a_withdrawal_without_its_reason(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    db.add(
        WebhookEndpoint(
            owner_id=demo.organiser.id,
            dialogue_series_id=demo.series.id,
            url="https://hooks.example.org/track2",
            events=["report.withdrawn"],
            secret=new_secret(),
        )
    )
    await db.commit()

    await _withdraw(client, demo, demo.summary.id)

    [message] = (
        await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK))
    ).all()
    event = json.loads(message.payload["body"])
    assert event["type"] == "report.withdrawn"
    assert event["data"]["id"] == str(demo.summary.id)
    assert event["data"]["withdrawn_at"] is not None
    assert REASON not in message.payload["body"]
    assert "consent" not in message.payload["body"]


async def test_a_withdrawn_detailed_report_is_no_longer_delivered(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    detailed = await _publish_detailed(client, demo)
    await _request(client)
    [pending] = await _requests(client, demo)
    await client.post(
        f"/api/v1/report-requests/{pending['id']}/decision",
        json={"decision": "approve"},
        headers=demo.organiser.headers,
    )
    link = _link((await _mails(db, "reader@example.org"))[0])
    assert (await client.get(link + "&format=html")).status_code == 200

    await _withdraw(client, demo, detailed["id"])

    stopped = await client.get(link + "&format=html")
    assert stopped.status_code == 410
    assert "withdrawn" in stopped.text
    assert "Detailed report" not in stopped.text


async def test_a_newsletter_cannot_announce_a_withdrawn_summary(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    await _withdraw(client, demo, demo.summary.id)
    refused = await client.post(
        f"/api/v1/series/{demo.series.id}/newsletters",
        json={"subject": "S", "body_markdown": "B", "report_id": str(demo.summary.id)},
        headers=demo.organiser.headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "report_id"


async def test_only_organisers_withdraw_and_only_once(
    demo: Demo, client: httpx.AsyncClient, factory: Factory
) -> None:
    url = f"/api/v1/reports/{demo.summary.id}/withdraw"
    rapporteur = await client.post(url, json={"reason": REASON}, headers=demo.rapporteur.headers)
    assert rapporteur.status_code == 403
    stranger = await factory.caller()
    outsider = await client.post(url, json={"reason": REASON}, headers=stranger.headers)
    assert outsider.status_code == 404
    assert (await client.get(f"/api/v1/public/reports/{demo.summary.id}")).status_code == 200

    assert (await _withdraw(client, demo, demo.summary.id)).status_code == 200
    again = await _withdraw(client, demo, demo.summary.id)
    assert again.status_code == 409


@pytest.mark.parametrize("reason", [None, "", "   "])
async def test_a_withdrawal_needs_a_reason(
    demo: Demo, client: httpx.AsyncClient, reason: str | None
) -> None:
    refused = await _withdraw(client, demo, demo.summary.id, reason)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    assert (await client.get(f"/api/v1/public/reports/{demo.summary.id}")).status_code == 200
