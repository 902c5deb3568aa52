"""Publishing: the gate (status, approved points, the checker against the current roster),
numbered versions with a content hash, and immutability whatever happens to the records."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.key_points.models import KeyPoint
from app.sessions.models import DialogueSession, SessionStatus
from tests.factories import Factory
from tests.reports.conftest import Demo, docx_text


async def _publish(
    client: httpx.AsyncClient, demo: Demo, kind: str = "summary", **extra: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports",
        json={"kind": kind, **extra},
        headers=demo.organiser.headers,
    )


@pytest.mark.parametrize("status", [SessionStatus.DRAFT, SessionStatus.SCHEDULED])
async def test_publish_a_session_not_yet_held_is_409(
    factory: Factory, client: httpx.AsyncClient, status: SessionStatus
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=status)
    response = await client.post(
        f"/api/v1/sessions/{session.id}/reports",
        json={"kind": "summary"},
        headers=organiser.headers,
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/report-not-publishable"
    assert response.json()["current"] == status.value


async def test_publish_without_approved_points_is_409(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series, status=SessionStatus.HELD)
    response = await client.post(
        f"/api/v1/sessions/{session.id}/reports",
        json={"kind": "detailed"},
        headers=organiser.headers,
    )
    assert response.status_code == 409
    assert "no approved key points" in response.json()["detail"]


async def test_publish_refused_when_the_roster_now_names_someone_in_a_point(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """A point that was fine when approved blocks publication once someone it names joins
    the roster; the problem lists the point by id."""
    auth = demo.organiser.headers
    person = await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={"given_name": "Zalmay", "family_name": "Khalilzad", "country": "US"},
        headers=auth,
    )
    assert person.status_code == 201, person.text
    joined = await client.post(
        f"/api/v1/sessions/{demo.session.id}/attendance",
        json={"person_id": person.json()["id"], "role": "participant", "status": "attended"},
        headers=auth,
    )
    assert joined.status_code == 201, joined.text
    response = await _publish(client, demo, "detailed")
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "/problems/report-attribution-blocked"
    point = (
        await db.execute(select(KeyPoint).where(KeyPoint.text.like("%Zalmay Khalilzad%")))
    ).scalar_one()
    assert [p["point_id"] for p in body["points"]] == [str(point.id)]
    [finding] = body["points"][0]["findings"]
    assert finding["severity"] == "block"
    assert "Zalmay Khalilzad" in finding["excerpt"]
    assert body["fields"] == []


async def test_publish_refused_when_the_session_context_names_someone(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    # The API refuses such a context for a public session (tests/sessions/test_public_texts.py);
    # a roster that grew after the context was written gets here the same way.
    await db.execute(
        update(DialogueSession)
        .where(DialogueSession.id == demo.session.id)
        .values(context="Ambassador Farid Sultani opened the meeting.")
    )
    await db.commit()
    response = await _publish(client, demo, "detailed")
    assert response.status_code == 409
    assert [f["field"] for f in response.json()["fields"]] == ["session.context"]


async def test_versions_are_numbered_hashed_and_listed(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    auth = demo.organiser.headers
    unchanged = await _publish(client, demo)
    assert unchanged.status_code == 409
    assert unchanged.json()["type"] == "/problems/report-unchanged"

    first = await _publish(client, demo, "detailed", changelog="For requesters")
    assert first.status_code == 201
    assert first.json()["number"] == 1
    assert first.json()["public_url"] is None
    # A changed record makes a new version.
    await client.patch(
        f"/api/v1/sessions/{demo.session.id}", json={"context": "A new framing."}, headers=auth
    )
    second = await _publish(client, demo, "detailed")
    assert second.status_code == 201
    assert second.json()["number"] == 2
    assert second.json()["content_sha256"] != first.json()["content_sha256"]

    listed = await client.get(f"/api/v1/sessions/{demo.session.id}/reports", headers=auth)
    assert [(v["kind"], v["number"]) for v in listed.json()] == [
        ("summary", 1),
        ("detailed", 1),
        ("detailed", 2),
    ]
    assert listed.json()[0]["public_url"] == f"http://testserver/reports/{demo.summary.id}"
    events = (
        await db.execute(select(AuditEvent.action).where(AuditEvent.action == "report.published"))
    ).scalars()
    assert len(list(events)) == 3


async def test_rapporteurs_cannot_publish(demo: Demo, client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports",
        json={"kind": "summary"},
        headers=demo.rapporteur.headers,
    )
    assert response.status_code == 403


async def test_a_published_version_never_changes(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    auth = demo.organiser.headers
    version = (await _publish(client, demo, "detailed")).json()

    async def renderings() -> dict[str, bytes]:
        out = {}
        for fmt in ("md", "html", "json", "pdf", "docx"):
            response = await client.get(
                f"/api/v1/reports/{version['id']}?format={fmt}", headers=auth
            )
            assert response.status_code == 200
            assert response.headers["x-report-sha256"] == version["content_sha256"]
            out[fmt] = response.content
        return out

    before = await renderings()
    assert hashlib.sha256(before["json"]).hexdigest() == version["content_sha256"]

    # Change the records: edit an approved point, rename the series, reframe the session.
    point = (
        (await db.execute(select(KeyPoint).where(KeyPoint.dialogue_session_id == demo.session.id)))
        .scalars()
        .first()
    )
    assert point is not None
    edited = await client.patch(
        f"/api/v1/key-points/{point.id}", json={"text": "An entirely new text."}, headers=auth
    )
    assert edited.status_code == 200, edited.text
    renamed = await client.patch(
        f"/api/v1/series/{demo.series.id}",
        json={"title": "A Renamed Series", "slug": "renamed-series", "dateline": "DOHA"},
        headers=auth,
    )
    assert renamed.status_code == 200, renamed.text
    preview = await client.get(
        f"/api/v1/sessions/{demo.session.id}/report?kind=detailed&format=md", headers=auth
    )
    assert "A Renamed Series" in preview.text  # the records did change ...

    after = await renderings()
    for fmt in ("md", "html", "json", "pdf"):  # ... the version did not, byte for byte
        assert after[fmt] == before[fmt], fmt
    assert docx_text(after["docx"]) == docx_text(before["docx"])
    assert hashlib.sha256(after["json"]).hexdigest() == version["content_sha256"]
    assert "A Renamed Series" not in after["md"].decode()


async def test_version_etag_answers_304(demo: Demo, client: httpx.AsyncClient) -> None:
    url = f"/api/v1/public/reports/{demo.summary.id}?format=html"
    first = await client.get(url)
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
