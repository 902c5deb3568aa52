"""The demo series and its published summary against the reference report."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.reports.conftest import Demo


async def test_demo_summary_smoke(demo: Demo, client: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await client.get(f"/api/v1/public/reports/{demo.summary.id}?format=md")
    assert response.status_code == 200
    print(response.text)


async def test_the_composition_names_countries_not_codes(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    report = await client.get(
        f"/api/v1/sessions/{demo.session.id}/report",
        params={"kind": "detailed", "format": "json"},
        headers=demo.organiser.headers,
    )
    labels = [row["label"] for row in report.json()["composition"]["by_country"]]
    assert "Afghanistan" in labels
    assert not [label for label in labels if len(label) == 2 and label.isupper()]
