"""A roster change after publication: versions in force are read again with the checker, the
organiser who made the change is warned, every organiser of the series is e-mailed (once, and
without saying who or where), and nothing published is changed behind their backs."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import ORGANISER_EMAIL
from tests.reports.conftest import Demo
from tests.reports.test_requests import _mails

# The demo's published summary says what "the Taliban" agreed to; someone from it on the
# roster would now be identified by the text.
FROM_THE_TALIBAN = {"given_name": "Amir", "family_name": "Karimi", "affiliation": "Taliban"}
SUBJECT = "A published public summary of session 3 needs review"


async def _person(client: httpx.AsyncClient, demo: Demo, **names: str) -> dict[str, Any]:
    created = await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={"sector": "former_official", "country": "AF", **names},
        headers=demo.organiser.headers,
    )
    assert created.status_code == 201, created.text
    out: dict[str, Any] = created.json()
    return out


async def _attend(client: httpx.AsyncClient, demo: Demo, person_id: str) -> httpx.Response:
    return await client.post(
        f"/api/v1/sessions/{demo.session.id}/attendance",
        json={"person_id": person_id, "role": "participant", "status": "attended"},
        headers=demo.organiser.headers,
    )


def _published_warnings(answer: httpx.Response) -> list[dict[str, Any]]:
    return [
        w for w in answer.json()["warnings"] if w["code"] == "published_report_names_participant"
    ]


async def test_adding_someone_a_published_summary_identifies_warns_and_mails_the_organisers(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    person = await _person(client, demo, **FROM_THE_TALIBAN)
    before = len(await _mails(db, ORGANISER_EMAIL))

    added = await _attend(client, demo, person["id"])

    assert added.status_code == 201, added.text
    [warning] = _published_warnings(added)
    assert warning["report_id"] == str(demo.summary.id)
    assert warning["session_id"] == str(demo.session.id)
    assert warning["number"] == 3
    assert any(
        f["code"].startswith("affiliation:") or f["code"].startswith("name:")
        for place in warning["findings"]
        for f in place["findings"]
    )
    assert f"/api/v1/reports/{demo.summary.id}/withdraw" in warning["message"]
    # The attendance is recorded all the same, and the ETag is of the attendance alone.
    fetched = await client.get(
        f"/api/v1/sessions/{demo.session.id}/attendance/{person['id']}",
        headers=demo.organiser.headers,
    )
    assert fetched.headers["etag"] == added.headers["etag"]

    mails = (await _mails(db, ORGANISER_EMAIL))[before:]
    assert [m["subject"] for m in mails] == [SUBJECT]
    body = str(mails[0])
    for identifying in ("Taliban", "Amir", "Karimi"):
        assert identifying not in body
    assert f"/api/v1/reports/{demo.summary.id}/withdraw" in body

    # Nothing was withdrawn behind the organisers' backs.
    public = await client.get(f"/api/v1/public/reports/{demo.summary.id}")
    assert public.status_code == 200

    # The same roster state warns again, but mails only once.
    again = await client.patch(
        f"/api/v1/sessions/{demo.session.id}/attendance/{person['id']}",
        json={"role": "participant"},
        headers=demo.organiser.headers,
    )
    assert again.status_code == 200, again.text
    assert len(_published_warnings(again)) == 1
    assert [m["subject"] for m in (await _mails(db, ORGANISER_EMAIL))[before:]] == [SUBJECT]


async def test_renaming_an_attendee_into_a_published_text_warns(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    person = await _person(client, demo, given_name="Amir", family_name="Karimi")
    added = await _attend(client, demo, person["id"])
    assert added.status_code == 201, added.text
    assert _published_warnings(added) == []

    changed = await client.patch(
        f"/api/v1/people/{person['id']}",
        json={"affiliation": "Taliban"},
        headers=demo.organiser.headers,
    )

    assert changed.status_code == 200, changed.text
    [warning] = _published_warnings(changed)
    assert warning["report_id"] == str(demo.summary.id)
    assert changed.json()["affiliation"] == "Taliban"
    fetched = await client.get(f"/api/v1/people/{person['id']}", headers=demo.organiser.headers)
    assert fetched.headers["etag"] == changed.headers["etag"]
    assert "warnings" not in fetched.json()


async def test_a_withdrawn_version_is_not_read_again(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    withdrawn = await client.post(
        f"/api/v1/reports/{demo.summary.id}/withdraw",
        json={"reason": "Under review."},
        headers=demo.organiser.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    person = await _person(client, demo, **FROM_THE_TALIBAN)
    before = len(await _mails(db, ORGANISER_EMAIL))

    added = await _attend(client, demo, person["id"])

    assert added.status_code == 201, added.text
    assert _published_warnings(added) == []
    assert len(await _mails(db, ORGANISER_EMAIL)) == before


async def test_someone_with_no_match_changes_nothing(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    person = await _person(client, demo, given_name="Farida", family_name="Rahimi")
    before = len(await _mails(db, ORGANISER_EMAIL))

    added = await _attend(client, demo, person["id"])

    assert added.status_code == 201, added.text
    assert _published_warnings(added) == []
    assert len(await _mails(db, ORGANISER_EMAIL)) == before
    parts = await client.get(
        f"/api/v1/sessions/{demo.session.id}/parts", headers=demo.organiser.headers
    )
    first = parts.json()[0]
    renamed = await client.patch(
        f"/api/v1/parts/{first['id']}", json={"topic": "Framing"}, headers=demo.organiser.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["warnings"] == []
    fetched = await client.get(f"/api/v1/parts/{first['id']}", headers=demo.organiser.headers)
    assert fetched.headers["etag"] == renamed.headers["etag"]
