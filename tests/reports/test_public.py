"""Public reading with no token: series with their public sessions and latest summaries,
the summary pages; detailed reports are never public."""

from __future__ import annotations

import httpx

from app.kit.documents import PUBLIC
from app.sessions.models import SessionStatus
from tests.factories import Factory
from tests.reports.conftest import Demo


async def test_public_series_lists_public_sessions_and_summaries_without_a_token(
    demo: Demo, client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.dialogue_session(demo.series, status=SessionStatus.DRAFT, title="Secret draft")
    await factory.dialogue_session(
        demo.series, status=SessionStatus.SCHEDULED, title="Coming up", venue="Hotel Serena"
    )
    response = await client.get("/api/v1/public/series")
    assert response.status_code == 200
    [series] = response.json()["items"]
    assert series["slug"] == "afghan-peace"
    assert series["strapline"].startswith("Building Peace")
    sessions = {s["number"]: s for s in series["sessions"]}
    assert sorted(sessions) == [1, 2, 3, 5]  # the draft (4) is not public
    assert sessions[3]["date_long"] == "29 June 2020"
    assert sessions[3]["status"] == "held"
    assert sessions[3]["summary"]["report_id"] == str(demo.summary.id)
    assert sessions[3]["summary"]["url"] == f"http://testserver/reports/{demo.summary.id}"
    assert sessions[1]["summary"] is None
    assert sessions[5]["status"] == "scheduled"
    text = response.text
    for secret in ("venue", "meeting_url", "Hotel Serena", "meet.example.org", "Secret draft"):
        assert secret not in text

    one = await client.get("/api/v1/public/series/afghan-peace")
    assert one.status_code == 200
    assert one.json() == series
    assert (await client.get("/api/v1/public/series/nope")).status_code == 404


async def test_detailed_reports_are_never_public(demo: Demo, client: httpx.AsyncClient) -> None:
    detailed = await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports",
        json={"kind": "detailed"},
        headers=demo.organiser.headers,
    )
    detailed_id = detailed.json()["id"]
    for fmt in ("json", "html", "pdf"):
        response = await client.get(f"/api/v1/public/reports/{detailed_id}?format={fmt}")
        assert response.status_code == 404
        unknown = await client.get(f"/api/v1/public/reports/{demo.series.id}?format={fmt}")
        assert response.json()["detail"] == unknown.json()["detail"]
    page = await client.get(f"/reports/{detailed_id}")
    assert page.status_code == 404
    assert "Detailed report" not in page.text
    # The public listing still shows only the summary.
    series = (await client.get("/api/v1/public/series/afghan-peace")).json()
    refs = [s["summary"]["report_id"] for s in series["sessions"] if s["summary"]]
    assert refs == [str(demo.summary.id)]


async def test_summary_and_series_pages_show_the_summary_the_form_and_the_newsletter(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    for url in (f"/reports/{demo.summary.id}", "/series/afghan-peace"):
        page = await client.get(url)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        text = page.text
        assert "The third session of the series of online forums" in text
        assert 'action="/reports/request"' in text
        assert '<option value="3" selected>' in text or "/reports/" in url
        assert 'href="/subscribe?series=afghan-peace"' in text
        assert "Chatham House Rule" in text
    assert (await client.get("/series/no-such-series")).status_code == 404
    assert (await client.get("/reports/not-a-uuid")).status_code == 404


async def test_public_summary_formats_need_no_token(demo: Demo, client: httpx.AsyncClient) -> None:
    for fmt, media in (
        ("md", "text/markdown"),
        ("html", "text/html"),
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("json", "application/json"),
    ):
        response = await client.get(f"/api/v1/public/reports/{demo.summary.id}?format={fmt}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        assert response.headers["cache-control"] == PUBLIC == "public, no-cache"
