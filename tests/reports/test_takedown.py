"""Nothing public outlives a change that makes it name someone (issue 15, item 9).

When consent is withdrawn, a person is added to the directory or renamed, an attendance stops
counting, or a part's regime changes, every published public text that now names someone is
taken down at once: its public addresses answer 410 "being revised" (without saying why), in
every format and on the public API, calendars and webhooks are told, the organisers are
e-mailed, and republishing after the fix is one action."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import ORGANISER_EMAIL
from app.outbox.models import OutboxKind, OutboxMessage
from app.sessions.models import DialogueSession, SessionStatus
from app.webhooks.models import WebhookEndpoint
from app.webhooks.signing import new_secret
from tests.reports.conftest import Demo
from tests.reports.test_requests import _mails

FORMATS = ("html", "md", "pdf", "docx", "json")
# The demo's published summary says what "the Taliban" agreed to; someone from it in the
# directory would now be identified by the text.
FROM_THE_TALIBAN = {"given_name": "Amir", "family_name": "Karimi", "affiliation": "Taliban"}


async def _person(client: httpx.AsyncClient, demo: Demo, **names: str) -> httpx.Response:
    return await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={"sector": "former_official", "country": "AF", **names},
        headers=demo.organiser.headers,
    )


def _taken_down(answer: httpx.Response) -> list[dict[str, Any]]:
    return [w for w in answer.json()["warnings"] if w["code"] == "published_text_taken_down"]


async def _hook(db: AsyncSession, demo: Demo) -> None:
    db.add(
        WebhookEndpoint(
            owner_id=demo.organiser.id,
            dialogue_series_id=demo.series.id,
            url="https://hooks.example.org/in",
            events=["*"],
            secret=new_secret(),
        )
    )
    await db.commit()


async def _events(db: AsyncSession) -> list[dict[str, Any]]:
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == OutboxKind.WEBHOOK)
        .order_by(OutboxMessage.created_at)
    )
    return [json.loads(m.payload["body"]) for m in rows]


async def _assert_down_everywhere(client: httpx.AsyncClient, demo: Demo) -> None:
    rid = demo.summary.id
    for fmt in FORMATS:
        answer = await client.get(f"/api/v1/public/reports/{rid}", params={"format": fmt})
        assert answer.status_code == 410, (fmt, answer.text)
        problem = answer.json()
        assert problem["type"] == "/problems/being-revised"
        for why in ("consent", "Taliban", "Karimi", "al-Qahtani", "directory"):
            assert why not in answer.text
    page = await client.get(f"/reports/{rid}")
    assert page.status_code == 410
    assert "being revised" in page.text
    assert "consent" not in page.text
    listing = await client.get(f"/api/v1/public/series/{demo.series.slug}")
    assert listing.status_code == 200
    [session] = [s for s in listing.json()["sessions"] if s["number"] == 3]
    assert session["summary"] is None
    series_page = await client.get(f"/series/{demo.series.slug}")
    assert series_page.status_code == 200
    assert str(rid) not in series_page.text


async def test_adding_someone_the_summary_identifies_takes_it_down_at_once(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _hook(db, demo)
    before = len(await _mails(db, ORGANISER_EMAIL))
    assert (await client.get(f"/api/v1/public/reports/{demo.summary.id}")).status_code == 200

    added = await _person(client, demo, **FROM_THE_TALIBAN)

    assert added.status_code == 201, added.text
    [warning] = _taken_down(added)
    assert warning["report_id"] == str(demo.summary.id)
    assert f"/api/v1/series/{demo.series.id}/republish" in warning["message"]
    await _assert_down_everywhere(client, demo)
    mails = (await _mails(db, ORGANISER_EMAIL))[before:]
    assert len(mails) == 1
    assert "Taken down while it is revised" in str(mails[0]["subject"])
    # It leads to the console's list, where the organiser fixes and republishes.
    assert f"/console/series/{demo.series.id}#takedowns" in str(mails[0]["text"])
    for identifying in ("Taliban", "Amir", "Karimi"):
        assert identifying not in str(mails[0])
    events = [e for e in await _events(db) if e["type"] == "report.taken_down"]
    assert [e["data"]["id"] for e in events] == [str(demo.summary.id)]
    assert "Taliban" not in json.dumps(events)

    # The organisers see what and why.
    listed = await client.get(
        f"/api/v1/series/{demo.series.id}/takedowns", headers=demo.organiser.headers
    )
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["kind"] == "report"
    assert item["fields"]

    # Republishing before the fix changes nothing.
    refused = await client.post(
        f"/api/v1/series/{demo.series.id}/republish", headers=demo.organiser.headers
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/republish-blocked"
    await _assert_down_everywhere(client, demo)

    # The fix (the affiliation was a mistake), then one action.
    fixed = await client.patch(
        f"/api/v1/people/{added.json()['id']}",
        json={"affiliation": "Kabul University"},
        headers=demo.organiser.headers,
    )
    assert fixed.status_code == 200, fixed.text
    republished = await client.post(
        f"/api/v1/series/{demo.series.id}/republish", headers=demo.organiser.headers
    )
    assert republished.status_code == 200, republished.text
    assert [r["id"] for r in republished.json()["released"]] == [str(demo.summary.id)]
    for fmt in FORMATS:
        answer = await client.get(
            f"/api/v1/public/reports/{demo.summary.id}", params={"format": fmt}
        )
        assert answer.status_code == 200, fmt
    assert any(e["type"] == "report.republished" for e in await _events(db))


async def _named_guest(client: httpx.AsyncClient, demo: Demo) -> tuple[str, str]:
    """The demo's on-record guest: (person id, part id) of the consent the summary rests on."""
    roster = await client.get(
        f"/api/v1/sessions/{demo.session.id}/attendance", headers=demo.organiser.headers
    )
    [guest] = [a for a in roster.json()["items"] if a["on_record_part_ids"]]
    [part_id] = guest["on_record_part_ids"]
    return guest["person_id"], part_id


async def test_a_withdrawn_consent_takes_the_summary_down_in_every_format(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    person_id, part_id = await _named_guest(client, demo)
    md = await client.get(f"/api/v1/public/reports/{demo.summary.id}", params={"format": "md"})
    assert "al-Qahtani" in md.text

    withdrawn = await client.patch(
        f"/api/v1/sessions/{demo.session.id}/attendance/{person_id}",
        json={"on_record_part_ids": []},
        headers=demo.organiser.headers,
    )

    assert withdrawn.status_code == 200, withdrawn.text
    [warning] = _taken_down(withdrawn)
    assert any(".named." in place["field"] for place in warning["findings"])
    await _assert_down_everywhere(client, demo)

    # Consent given again, then one action puts the same version back.
    again = await client.patch(
        f"/api/v1/sessions/{demo.session.id}/attendance/{person_id}",
        json={"on_record_part_ids": [part_id]},
        headers=demo.organiser.headers,
    )
    assert again.status_code == 200
    republished = await client.post(
        f"/api/v1/series/{demo.series.id}/republish", headers=demo.organiser.headers
    )
    assert republished.status_code == 200, republished.text
    md = await client.get(f"/api/v1/public/reports/{demo.summary.id}", params={"format": "md"})
    assert md.status_code == 200
    assert "al-Qahtani" in md.text


@pytest.mark.parametrize("change", [{"status": "declined"}, {"status": "absent"}])
async def test_an_attendance_that_no_longer_counts_takes_it_down(
    demo: Demo, client: httpx.AsyncClient, change: dict[str, str]
) -> None:
    person_id, _ = await _named_guest(client, demo)
    changed = await client.patch(
        f"/api/v1/sessions/{demo.session.id}/attendance/{person_id}",
        json=change,
        headers=demo.organiser.headers,
    )
    assert changed.status_code == 200, changed.text
    assert len(_taken_down(changed)) == 1
    await _assert_down_everywhere(client, demo)


async def test_a_part_taken_off_the_record_takes_it_down(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    _, part_id = await _named_guest(client, demo)
    changed = await client.patch(
        f"/api/v1/parts/{part_id}", json={"regime": "chatham_house"}, headers=demo.organiser.headers
    )
    assert changed.status_code == 200, changed.text
    assert len(_taken_down(changed)) == 1
    await _assert_down_everywhere(client, demo)


async def test_someone_with_no_match_changes_nothing(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    before = len(await _mails(db, ORGANISER_EMAIL))
    added = await _person(client, demo, given_name="Farida", family_name="Rahimi")
    assert added.status_code == 201, added.text
    assert _taken_down(added) == []
    assert len(await _mails(db, ORGANISER_EMAIL)) == before
    assert (await client.get(f"/api/v1/public/reports/{demo.summary.id}")).status_code == 200
    parts = (
        await client.get(
            f"/api/v1/sessions/{demo.session.id}/parts", headers=demo.organiser.headers
        )
    ).json()
    moved = await client.patch(
        f"/api/v1/parts/{parts[-1]['id']}", json={"position": 1}, headers=demo.organiser.headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["warnings"] == []
    assert (await client.get(f"/api/v1/public/reports/{demo.summary.id}")).status_code == 200


async def test_a_withdrawn_version_is_left_alone(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    withdrawn = await client.post(
        f"/api/v1/reports/{demo.summary.id}/withdraw",
        json={"reason": "Under review."},
        headers=demo.organiser.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    before = len(await _mails(db, ORGANISER_EMAIL))
    added = await _person(client, demo, **FROM_THE_TALIBAN)
    assert added.status_code == 201
    assert _taken_down(added) == []
    assert len(await _mails(db, ORGANISER_EMAIL)) == before


async def test_a_session_title_naming_someone_added_later_comes_down_from_calendars(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _hook(db, demo)
    h = demo.organiser.headers
    created = await client.post(
        f"/api/v1/series/{demo.series.id}/sessions",
        json={
            "title": "A conversation with Leyla Karimova",
            "starts_at": "2031-03-01T10:00:00+00:00",
            "ends_at": "2031-03-01T12:00:00+00:00",
            "format": "online",
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    scheduled = await client.post(
        f"/api/v1/sessions/{session_id}/status", json={"status": "scheduled"}, headers=h
    )
    assert scheduled.status_code == 200, scheduled.text
    feed_url = f"/api/v1/series/{demo.series.id}/calendar.ics"
    assert "Karimova" in (await client.get(feed_url)).text

    # The roster was empty when it was scheduled; she is added to the directory now.
    added = await _person(client, demo, given_name="Leyla", family_name="Karimova")

    assert added.status_code == 201
    [warning] = _taken_down(added)
    assert warning["session_id"] == session_id
    own = await client.get(f"/api/v1/sessions/{session_id}/calendar.ics")
    assert own.status_code == 410
    assert own.json()["type"] == "/problems/being-revised"
    feed = await client.get(feed_url)
    assert feed.status_code == 200
    assert "Karimova" not in feed.text
    public = await client.get(f"/api/v1/public/series/{demo.series.slug}")
    assert "Karimova" not in public.text
    events = [e for e in await _events(db) if e["type"] == "session.taken_down"]
    assert [e["data"]["id"] for e in events] == [session_id]
    assert "Karimova" not in json.dumps(events)

    # The fix and one action bring the event back, with a new sequence.
    renamed = await client.patch(
        f"/api/v1/sessions/{session_id}", json={"title": "Regional connectivity"}, headers=h
    )
    assert renamed.status_code == 200, renamed.text
    republished = await client.post(f"/api/v1/series/{demo.series.id}/republish", headers=h)
    assert republished.status_code == 200, republished.text
    back = await client.get(f"/api/v1/sessions/{session_id}/calendar.ics")
    assert back.status_code == 200
    assert "Regional connectivity" in back.text.replace("\r\n ", "")
    session = await db.get(DialogueSession, uuid.UUID(session_id))
    assert session is not None
    await db.refresh(session)
    assert session.status is SessionStatus.SCHEDULED
