"""Agenda parts: order, regimes, permissions, the audit trail of regime changes."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.series.models import DisclosureRegime
from tests.factories import Factory


async def titles(
    client: httpx.AsyncClient, session_id: object, headers: dict[str, str]
) -> list[str]:
    parts = (await client.get(f"/api/v1/sessions/{session_id}/parts", headers=headers)).json()
    assert [p["position"] for p in parts] == list(range(1, len(parts) + 1))
    return [p["title"] for p in parts]


async def test_parts_are_ordered_inserted_and_reordered(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    url = f"/api/v1/sessions/{session.id}/parts"
    ids = {}
    for title, kind in [
        ("Opening remarks", "opening_remarks"),
        ("Presentations", "presentation"),
        ("Discussion", "discussion"),
    ]:
        created = await client.post(
            url, json={"title": title, "kind": kind}, headers=organiser.headers
        )
        assert created.status_code == 201
        ids[title] = created.json()["id"]
    inserted = await client.post(
        url, json={"title": "Q&A", "kind": "q_and_a", "position": 3}, headers=organiser.headers
    )
    assert inserted.json()["position"] == 3
    assert await titles(client, session.id, organiser.headers) == [
        "Opening remarks",
        "Presentations",
        "Q&A",
        "Discussion",
    ]
    moved = await client.patch(
        f"/api/v1/parts/{ids['Discussion']}", json={"position": 1}, headers=organiser.headers
    )
    assert moved.status_code == 200
    assert await titles(client, session.id, organiser.headers) == [
        "Discussion",
        "Opening remarks",
        "Presentations",
        "Q&A",
    ]
    deleted = await client.delete(
        f"/api/v1/parts/{ids['Opening remarks']}", headers=organiser.headers
    )
    assert deleted.status_code == 204
    assert await titles(client, session.id, organiser.headers) == [
        "Discussion",
        "Presentations",
        "Q&A",
    ]


async def test_regime_defaults_to_the_session_and_can_be_set(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, default_regime=DisclosureRegime.CHATHAM_HOUSE)
    url = f"/api/v1/sessions/{session.id}/parts"
    default = await client.post(
        url, json={"title": "Discussion", "kind": "discussion"}, headers=organiser.headers
    )
    assert default.json()["regime"] == "chatham_house"
    on_record = await client.post(
        url,
        json={
            "title": "Opening",
            "kind": "opening_remarks",
            "regime": "on_record",
            "topic": "The view from Doha",
        },
        headers=organiser.headers,
    )
    assert on_record.json()["regime"] == "on_record"
    assert on_record.json()["topic"] == "The view from Doha"


async def test_regime_change_is_audited(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    part = await factory.part(session)
    response = await client.patch(
        f"/api/v1/parts/{part.id}", json={"regime": "off_record"}, headers=organiser.headers
    )
    assert response.json()["regime"] == "off_record"
    events = (
        (await db.execute(select(AuditEvent).where(AuditEvent.subject_id == part.id)))
        .scalars()
        .all()
    )
    assert [(e.action, e.data, e.app_user_id) for e in events] == [
        ("agenda_part.regime_changed", {"from": "chatham_house", "to": "off_record"}, organiser.id)
    ]


async def test_parts_validation_and_permissions(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    rapporteur = await factory.caller()
    outsider = await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    session = await factory.dialogue_session(series)
    part = await factory.part(session)
    url = f"/api/v1/sessions/{session.id}/parts"
    bad_kind = await client.post(
        url, json={"title": "x", "kind": "keynote"}, headers=organiser.headers
    )
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "kind"
    bad_regime = await client.patch(
        f"/api/v1/parts/{part.id}", json={"regime": "secret"}, headers=organiser.headers
    )
    assert bad_regime.status_code == 422
    assert (await client.get(url, headers=rapporteur.headers)).status_code == 200
    by_rapporteur = await client.post(
        url, json={"title": "x", "kind": "other"}, headers=rapporteur.headers
    )
    assert by_rapporteur.status_code == 403
    for method in ("PATCH", "DELETE"):
        response = await client.request(
            method,
            f"/api/v1/parts/{part.id}",
            json={"title": "y"} if method == "PATCH" else None,
            headers=outsider.headers,
        )
        assert response.status_code == 404
