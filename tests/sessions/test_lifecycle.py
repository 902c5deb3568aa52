"""The session lifecycle: every allowed and every refused move."""

from __future__ import annotations

import httpx
import pytest

from app.sessions.models import SessionStatus
from tests.factories import Factory

S = SessionStatus
ALLOWED = {
    (S.DRAFT, S.SCHEDULED),
    (S.DRAFT, S.CANCELLED),
    (S.SCHEDULED, S.HELD),
    (S.SCHEDULED, S.POSTPONED),
    (S.SCHEDULED, S.CANCELLED),
    (S.POSTPONED, S.SCHEDULED),
    (S.POSTPONED, S.CANCELLED),
    (S.HELD, S.CLOSED),
}
MATRIX = [(a, b) for a in S for b in S]


@pytest.mark.parametrize(("current", "target"), MATRIX, ids=[f"{a}->{b}" for a, b in MATRIX])
async def test_transition_matrix(
    client: httpx.AsyncClient, factory: Factory, current: SessionStatus, target: SessionStatus
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=current)
    response = await client.post(
        f"/api/v1/sessions/{session.id}/status",
        json={"status": target.value, "reason": "The venue is unavailable"},
        headers=organiser.headers,
    )
    if (current, target) in ALLOWED:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == target.value
        assert body["calendar_sequence"] == 1
    else:
        assert response.status_code == 409, response.text
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        expected = sorted(b.value for a, b in ALLOWED if a == current)
        assert sorted(problem["allowed"]) == expected
        assert problem["current"] == current.value
        after = await client.get(f"/api/v1/sessions/{session.id}", headers=organiser.headers)
        assert after.json()["status"] == current.value


@pytest.mark.parametrize("target", [S.CANCELLED, S.POSTPONED])
@pytest.mark.parametrize("reason", [None, "", "   "])
async def test_cancel_or_postpone_without_reason_is_422(
    client: httpx.AsyncClient, factory: Factory, target: SessionStatus, reason: str | None
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=S.SCHEDULED)
    body: dict[str, object] = {"status": target.value}
    if reason is not None:
        body["reason"] = reason
    response = await client.post(
        f"/api/v1/sessions/{session.id}/status", json=body, headers=organiser.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    after = await client.get(f"/api/v1/sessions/{session.id}", headers=organiser.headers)
    assert after.json()["status"] == "scheduled"


async def test_unknown_status_is_422(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    response = await client.post(
        f"/api/v1/sessions/{session.id}/status",
        json={"status": "finished"},
        headers=organiser.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


async def test_cancellation_keeps_its_reason_and_freezes_the_time(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=S.SCHEDULED)
    cancelled = await client.post(
        f"/api/v1/sessions/{session.id}/status",
        json={"status": "cancelled", "reason": "Security situation in Kabul"},
        headers=organiser.headers,
    )
    assert cancelled.json()["status_reason"] == "Security situation in Kabul"
    assert cancelled.json()["allowed_transitions"] == []
    moved = await client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"starts_at": "2021-01-01T10:00:00Z", "ends_at": "2021-01-01T11:00:00Z"},
        headers=organiser.headers,
    )
    assert moved.status_code == 409
