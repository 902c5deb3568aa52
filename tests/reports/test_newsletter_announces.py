"""A newsletter issue may announce a published summary of its own series, and then links its
public page; detailed reports, other series' reports and unknown ids are refused (422)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.models import ReportKind, ReportVersion
from app.sessions.models import SessionStatus
from tests.factories import Factory
from tests.reports.conftest import Demo


async def _compose(client: httpx.AsyncClient, demo: Demo, report_id: str | None) -> httpx.Response:
    return await client.post(
        f"/api/v1/series/{demo.series.id}/newsletters",
        json={"subject": "The third session", "body_markdown": "Read on.", "report_id": report_id},
        headers=demo.organiser.headers,
    )


async def test_an_issue_announcing_a_summary_links_its_public_page(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    created = await _compose(client, demo, str(demo.summary.id))
    assert created.status_code == 201, created.text
    assert created.json()["report_id"] == str(demo.summary.id)

    preview = await client.post(
        f"/api/v1/newsletters/{created.json()['id']}/preview", headers=demo.organiser.headers
    )
    assert preview.status_code == 200
    page = f"/reports/{demo.summary.id}"
    assert page in preview.json()["text"]
    assert f'href="http://testserver{page}"' in preview.json()["html"]


async def test_an_issue_without_a_report_has_no_summary_link(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    created = await _compose(client, demo, None)
    preview = await client.post(
        f"/api/v1/newsletters/{created.json()['id']}/preview", headers=demo.organiser.headers
    )
    assert "/reports/" not in preview.json()["text"]
    assert "Read the summary" not in preview.json()["html"]


async def _detailed(client: httpx.AsyncClient, demo: Demo) -> str:
    published = await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports",
        json={"kind": "detailed"},
        headers=demo.organiser.headers,
    )
    assert published.status_code == 201, published.text
    report_id: str = published.json()["id"]
    return report_id


async def _other_series_summary(factory: Factory, db: AsyncSession, demo: Demo) -> str:
    """A summary of another series, which the organiser may not even know exists (its
    content is the demo's: only the ids matter here)."""
    other = await factory.series()
    session = await factory.dialogue_session(other, status=SessionStatus.HELD)
    version = ReportVersion(
        dialogue_series_id=other.id,
        dialogue_session_id=session.id,
        kind=ReportKind.SUMMARY,
        number=1,
        content=demo.summary.content,
        content_sha256=demo.summary.content_sha256,
    )
    db.add(version)
    await db.commit()
    return str(version.id)


@pytest.mark.parametrize("which", ["unknown", "detailed", "other series"])
async def test_an_issue_may_announce_only_a_summary_of_its_series(
    demo: Demo, client: httpx.AsyncClient, factory: Factory, db: AsyncSession, which: str
) -> None:
    if which == "unknown":
        report_id = str(uuid.uuid4())
    elif which == "detailed":
        report_id = await _detailed(client, demo)
    else:
        report_id = await _other_series_summary(factory, db, demo)

    refused = await _compose(client, demo, report_id)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    (error,) = refused.json()["errors"]
    assert error["field"] == "report_id"
    assert error["reason"] == "must be a published summary of this series"
    listed = await client.get(
        f"/api/v1/series/{demo.series.id}/newsletters", headers=demo.organiser.headers
    )
    assert listed.json()["items"] == []  # nothing half-written
