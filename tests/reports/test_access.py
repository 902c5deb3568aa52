"""Member endpoints: 401 without a token, 404 for callers outside the series (ids leak
nothing), 403 for members without the organiser role."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Factory
from tests.reports.conftest import Demo


@pytest.fixture
async def detailed_id(demo: Demo, client: httpx.AsyncClient) -> str:
    response = await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports",
        json={"kind": "detailed"},
        headers=demo.organiser.headers,
    )
    return str(response.json()["id"])


async def _request_id(demo: Demo, client: httpx.AsyncClient) -> str:
    await client.post(
        "/api/v1/public/report-requests",
        json={"email": "reader@example.org", "series": "afghan-peace", "session": 3},
    )
    listed = await client.get(
        f"/api/v1/series/{demo.series.id}/report-requests", headers=demo.organiser.headers
    )
    return str(listed.json()["items"][0]["id"])


async def test_outsiders_get_404_on_every_member_endpoint(
    demo: Demo, client: httpx.AsyncClient, factory: Factory, detailed_id: str
) -> None:
    outsider = await factory.caller()
    request_id = await _request_id(demo, client)
    calls = [
        ("GET", f"/api/v1/sessions/{demo.session.id}/report?format=json", None),
        ("GET", f"/api/v1/sessions/{demo.session.id}/report?kind=detailed", None),
        ("GET", f"/api/v1/series/{demo.series.id}/report?kind=digest", None),
        ("GET", f"/api/v1/sessions/{demo.session.id}/reports", None),
        ("POST", f"/api/v1/sessions/{demo.session.id}/reports", {"kind": "summary"}),
        ("GET", f"/api/v1/reports/{detailed_id}", None),
        ("GET", f"/api/v1/reports/{demo.summary.id}?format=pdf", None),
        ("GET", f"/api/v1/series/{demo.series.id}/report-requests", None),
        ("POST", f"/api/v1/report-requests/{request_id}/decision", {"decision": "approve"}),
    ]
    for method, url, body in calls:
        response = await client.request(method, url, json=body, headers=outsider.headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        anonymous = await client.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, url)


async def test_rapporteurs_read_but_do_not_run_requests(
    demo: Demo, client: httpx.AsyncClient, detailed_id: str
) -> None:
    auth = demo.rapporteur.headers
    assert (await client.get(f"/api/v1/reports/{detailed_id}", headers=auth)).status_code == 200
    preview = await client.get(f"/api/v1/sessions/{demo.session.id}/report", headers=auth)
    assert preview.status_code == 200
    request_id = await _request_id(demo, client)
    listed = await client.get(f"/api/v1/series/{demo.series.id}/report-requests", headers=auth)
    assert listed.status_code == 403
    decided = await client.post(
        f"/api/v1/report-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=auth,
    )
    assert decided.status_code == 403
