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


async def _named_guest(client: httpx.AsyncClient, demo: Demo) -> tuple[str, str]:
    """The demo's on-record guest: (person id, part id) of the consent the summary rests on."""
    roster = await client.get(
        f"/api/v1/sessions/{demo.session.id}/attendance", headers=demo.organiser.headers
    )
    [guest] = [a for a in roster.json()["items"] if a["on_record_part_ids"]]
    [part_id] = guest["on_record_part_ids"]
    return guest["person_id"], part_id


async def _summary_names_the_guest(client: httpx.AsyncClient, demo: Demo) -> bool:
    public = await client.get(f"/api/v1/public/reports/{demo.summary.id}", params={"format": "md"})
    assert public.status_code == 200
    return "al-Qahtani" in public.text


async def test_a_withdrawn_consent_to_be_named_warns(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    person_id, _ = await _named_guest(client, demo)
    assert await _summary_names_the_guest(client, demo)
    before = len(await _mails(db, ORGANISER_EMAIL))

    withdrawn = await client.patch(
        f"/api/v1/sessions/{demo.session.id}/attendance/{person_id}",
        json={"on_record_part_ids": []},
        headers=demo.organiser.headers,
    )

    assert withdrawn.status_code == 200, withdrawn.text
    [warning] = _published_warnings(withdrawn)
    assert any(".named." in place.get("field", "") for place in warning["findings"])
    assert [m["subject"] for m in (await _mails(db, ORGANISER_EMAIL))[before:]] == [SUBJECT]

    # A later, unrelated roster change finds the same problem: warned, not mailed again.
    other = await _person(client, demo, given_name="Farida", family_name="Rahimi")
    added = await _attend(client, demo, other["id"])
    assert len(_published_warnings(added)) == 1
    assert [m["subject"] for m in (await _mails(db, ORGANISER_EMAIL))[before:]] == [SUBJECT]


async def test_declining_after_the_fact_withdraws_the_consent_too(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    person_id, _ = await _named_guest(client, demo)

    declined = await client.patch(
        f"/api/v1/sessions/{demo.session.id}/attendance/{person_id}",
        json={"status": "declined"},
        headers=demo.organiser.headers,
    )

    assert declined.status_code == 200, declined.text
    assert len(_published_warnings(declined)) == 1


async def test_a_part_taken_off_the_record_warns(demo: Demo, client: httpx.AsyncClient) -> None:
    _, part_id = await _named_guest(client, demo)

    changed = await client.patch(
        f"/api/v1/parts/{part_id}", json={"regime": "chatham_house"}, headers=demo.organiser.headers
    )

    assert changed.status_code == 200, changed.text
    [warning] = _published_warnings(changed)
    assert any(".named." in place.get("field", "") for place in warning["findings"])


async def test_a_deleted_part_mails_the_organisers(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    _, part_id = await _named_guest(client, demo)
    before = len(await _mails(db, ORGANISER_EMAIL))

    deleted = await client.delete(f"/api/v1/parts/{part_id}", headers=demo.organiser.headers)

    assert deleted.status_code == 204, deleted.text
    assert [m["subject"] for m in (await _mails(db, ORGANISER_EMAIL))[before:]] == [SUBJECT]


async def test_reordering_the_agenda_is_no_false_alarm(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    parts = (
        await client.get(
            f"/api/v1/sessions/{demo.session.id}/parts", headers=demo.organiser.headers
        )
    ).json()
    last = parts[-1]

    moved = await client.patch(
        f"/api/v1/parts/{last['id']}", json={"position": 1}, headers=demo.organiser.headers
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["warnings"] == []
