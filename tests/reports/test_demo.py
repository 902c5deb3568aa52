"""The demo series and its published summary against the reference report."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.reports.conftest import Demo


async def test_demo_summary_smoke(demo: Demo, client: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await client.get(f"/api/v1/public/reports/{demo.summary.id}?format=md")
    assert response.status_code == 200
    print(response.text)
