"""The series' report settings: strapline, title prefix, dateline, closing, request policy."""

from __future__ import annotations

import httpx

from tests.factories import Factory


async def test_report_settings_default_and_update(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    url = f"/api/v1/series/{series.id}"
    read = (await client.get(url, headers=organiser.headers)).json()
    assert read["strapline"] == ""
    assert read["dateline"] == ""
    assert read["report_request_policy"] == "review"
    changed = await client.patch(
        url,
        json={
            "strapline": "Building Peace and Connectivity through Research and Dialogue",
            "title_prefix": "HAS Track 2 Dialogue Series",
            "dateline": "KABUL",
            "closing": "We plan to continue.",
            "report_request_policy": "confirmed_subscribers",
        },
        headers=organiser.headers,
    )
    assert changed.status_code == 200
    assert changed.json()["dateline"] == "KABUL"
    assert changed.json()["report_request_policy"] == "confirmed_subscribers"
    refused = await client.patch(
        url, json={"report_request_policy": "everyone"}, headers=organiser.headers
    )
    assert refused.status_code == 422


async def test_report_settings_given_at_creation_are_kept(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    organiser = await factory.caller()
    created = await client.post(
        "/api/v1/series",
        json={
            "title": "A series",
            "slug": "a-series-with-settings",
            "organiser": "Heart of Asia Society",
            "dateline": "KABUL",
        },
        headers=organiser.headers,
    )
    assert created.status_code == 201
    assert created.json()["dateline"] == "KABUL"
