"""Sessions over HTTP: numbering, times and zones, validation, permissions, overlaps."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from tests.factories import Factory

PROBLEM = "application/problem+json"


def payload(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "While Doha Prepares to Host the IAN, What Are the Challenges Still Ahead?",
        "context": "Afghanistan has seen a resurgence of violence.",
        "starts_at": "2020-06-29T14:00:00+04:30",
        "ends_at": "2020-06-29T16:30:00+04:30",
        "format": "online",
        "meeting_url": "https://meet.example.org/has-3",
    }
    body.update(overrides)
    return body


async def test_sessions_are_numbered_in_order_and_stored_in_utc(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser, timezone="Asia/Kabul")
    url = f"/api/v1/series/{series.id}/sessions"
    numbers = []
    for day in (1, 8, 15):
        response = await client.post(
            url,
            json=payload(
                starts_at=f"2020-06-{day:02d}T14:00:00+04:30",
                ends_at=f"2020-06-{day:02d}T16:00:00+04:30",
            ),
            headers=organiser.headers,
        )
        assert response.status_code == 201, response.text
        numbers.append(response.json()["number"])
    assert numbers == [1, 2, 3]
    first = (await client.get(url, headers=organiser.headers)).json()["items"][0]
    assert first["starts_at"] == "2020-06-01T09:30:00Z"
    assert first["timezone"] == "Asia/Kabul"
    assert first["local"]["starts_at"] == "2020-06-01T14:00:00+04:30"
    assert first["status"] == "draft"
    assert first["default_regime"] == "chatham_house"


async def test_requested_timezone_renders_beside_utc(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser, timezone="Asia/Kabul")
    created = await client.post(
        f"/api/v1/series/{series.id}/sessions", json=payload(), headers=organiser.headers
    )
    session_id = created.json()["id"]
    for tz, expected in [
        ("Asia/Qatar", "2020-06-29T12:30:00+03:00"),
        ("America/New_York", "2020-06-29T05:30:00-04:00"),
        ("Asia/Kabul", "2020-06-29T14:00:00+04:30"),
    ]:
        body = (
            await client.get(
                f"/api/v1/sessions/{session_id}", params={"tz": tz}, headers=organiser.headers
            )
        ).json()
        assert body["starts_at"] == "2020-06-29T09:30:00Z"
        assert body["requested"]["timezone"] == tz
        assert body["requested"]["starts_at"] == expected


async def test_new_york_session_across_the_november_change(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    """US daylight saving ended on 1 November 2020 at 02:00 local (06:00 UTC)."""
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser, timezone="America/New_York")
    created = await client.post(
        f"/api/v1/series/{series.id}/sessions",
        json=payload(starts_at="2020-11-01T05:00:00Z", ends_at="2020-11-01T08:00:00Z"),
        headers=organiser.headers,
    )
    assert created.status_code == 201
    local = created.json()["local"]
    assert local["starts_at"] == "2020-11-01T01:00:00-04:00"
    assert local["starts_utc_offset"] == "-04:00"
    assert local["abbreviation"] == "EDT"
    assert local["ends_at"] == "2020-11-01T03:00:00-05:00"
    assert local["ends_utc_offset"] == "-05:00"
    # Three hours of real time, though the wall clock only moved two.
    start = datetime.fromisoformat(local["starts_at"])
    end = datetime.fromisoformat(local["ends_at"])
    assert (end - start).total_seconds() == 3 * 3600
    # The same instant seen from Kabul has no daylight saving at all.
    kabul = await client.get(
        f"/api/v1/sessions/{created.json()['id']}",
        params={"tz": "Asia/Kabul"},
        headers=organiser.headers,
    )
    assert kabul.json()["requested"]["starts_at"] == "2020-11-01T09:30:00+04:30"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2020-06-29T13:00:00+04:30"}, "body"),
        ({"ends_at": "2020-06-30T14:00:01+04:30"}, "body"),
        ({"starts_at": "2020-06-29T14:00:00"}, "starts_at"),
        ({"timezone": "Asia/Nowhere"}, "timezone"),
        ({"format": "telepathy"}, "format"),
        ({"meeting_url": "not a url"}, "meeting_url"),
        ({"title": ""}, "title"),
        ({"speaker": "Someone"}, "speaker"),
    ],
)
async def test_invalid_session_is_422_and_nothing_is_stored(
    client: httpx.AsyncClient, factory: Factory, overrides: dict[str, object], field: str
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    url = f"/api/v1/series/{series.id}/sessions"
    response = await client.post(url, json=payload(**overrides), headers=organiser.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields
    assert (await client.get(url, headers=organiser.headers)).json()["items"] == []


async def test_end_before_start_message_names_ends_at(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    response = await client.post(
        f"/api/v1/series/{series.id}/sessions",
        json=payload(ends_at="2020-06-29T13:00:00+04:30"),
        headers=organiser.headers,
    )
    assert "ends_at must be after starts_at" in response.json()["detail"]


async def test_patch_end_before_existing_start_is_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    response = await client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"ends_at": "2000-01-01T00:00:00Z"},
        headers=organiser.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ends_at"


async def test_overlapping_session_is_created_with_a_warning(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    url = f"/api/v1/series/{series.id}/sessions"
    first = await client.post(url, json=payload(), headers=organiser.headers)
    assert first.json()["warnings"] == []
    second = await client.post(
        url,
        json=payload(starts_at="2020-06-29T15:00:00+04:30", ends_at="2020-06-29T17:00:00+04:30"),
        headers=organiser.headers,
    )
    assert second.status_code == 201
    warnings = second.json()["warnings"]
    assert [(w["code"], w["number"]) for w in warnings] == [("session_overlap", 1)]
    # Moving it away clears the warning.
    moved = await client.patch(
        f"/api/v1/sessions/{second.json()['id']}",
        json={"starts_at": "2020-07-06T14:00:00+04:30", "ends_at": "2020-07-06T16:00:00+04:30"},
        headers=organiser.headers,
    )
    assert moved.json()["warnings"] == []


async def test_changing_time_bumps_calendar_sequence(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status="scheduled")
    url = f"/api/v1/sessions/{session.id}"
    retitled = await client.patch(url, json={"title": "Renamed"}, headers=organiser.headers)
    assert retitled.json()["calendar_sequence"] == 0
    moved = await client.patch(
        url,
        json={"starts_at": "2020-07-29T10:00:00Z", "ends_at": "2020-07-29T12:00:00Z"},
        headers=organiser.headers,
    )
    assert moved.status_code == 200
    assert moved.json()["calendar_sequence"] == 1


async def test_meeting_url_and_venue_are_for_members(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    rapporteur = await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    session = await factory.dialogue_session(series, venue="Serena Hotel, Kabul")
    body = (await client.get(f"/api/v1/sessions/{session.id}", headers=rapporteur.headers)).json()
    assert body["meeting_url"] == "https://meet.example.org/secret-room-42"
    assert body["venue"] == "Serena Hotel, Kabul"


async def test_outsider_gets_404_for_sessions(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    outsider = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    for method, path, body in [
        ("GET", f"/api/v1/series/{series.id}/sessions", None),
        ("POST", f"/api/v1/series/{series.id}/sessions", payload()),
        ("GET", f"/api/v1/sessions/{session.id}", None),
        ("PATCH", f"/api/v1/sessions/{session.id}", {"title": "x"}),
        ("POST", f"/api/v1/sessions/{session.id}/status", {"status": "scheduled"}),
        ("GET", f"/api/v1/sessions/{session.id}/parts", None),
        ("POST", f"/api/v1/sessions/{session.id}/parts", {"title": "x", "kind": "other"}),
    ]:
        response = await client.request(method, path, json=body, headers=outsider.headers)
        assert response.status_code == 404, (method, path)


async def test_rapporteur_cannot_schedule_or_change(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    rapporteur = await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    session = await factory.dialogue_session(series)
    create = await client.post(
        f"/api/v1/series/{series.id}/sessions", json=payload(), headers=rapporteur.headers
    )
    assert create.status_code == 403
    patch = await client.patch(
        f"/api/v1/sessions/{session.id}", json={"title": "x"}, headers=rapporteur.headers
    )
    assert patch.status_code == 403
    move = await client.post(
        f"/api/v1/sessions/{session.id}/status",
        json={"status": "scheduled"},
        headers=rapporteur.headers,
    )
    assert move.status_code == 403


async def test_series_with_sessions_cannot_be_deleted(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    await factory.dialogue_session(series)
    response = await client.delete(f"/api/v1/series/{series.id}", headers=organiser.headers)
    assert response.status_code == 409
    assert (
        await client.get(f"/api/v1/series/{series.id}", headers=organiser.headers)
    ).status_code == 200


async def test_session_timezone_defaults_to_series(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser, timezone="Asia/Qatar")
    created = await client.post(
        f"/api/v1/series/{series.id}/sessions", json=payload(), headers=organiser.headers
    )
    assert created.json()["timezone"] == "Asia/Qatar"
    assert created.json()["local"]["starts_at"] == "2020-06-29T12:30:00+03:00"
