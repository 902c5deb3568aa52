"""Key points over HTTP: no attribution anywhere, the checker on every write, regimes,
the four-eyes review, revisions, history and themes."""

from __future__ import annotations

import httpx
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.key_points.models import KeyPoint, KeyPointRevision
from app.people.models import AttendanceRole
from tests.factories import Factory
from tests.key_points.conftest import Dialogue, add_person

PROBLEM = "application/problem+json"
CLEAN = "Participants agreed that a reduction of violence is an important step towards talks."


async def record(
    client: httpx.AsyncClient, d: Dialogue, text: str, **extra: object
) -> httpx.Response:
    return await client.post(
        f"/api/v1/sessions/{d.session.id}/key-points",
        json={"text": text, **extra},
        headers=d.rapporteur.headers,
    )


async def review(
    client: httpx.AsyncClient, point_id: str, headers: dict[str, str], action: str, **extra: object
) -> httpx.Response:
    return await client.post(
        f"/api/v1/key-points/{point_id}/review", json={"action": action, **extra}, headers=headers
    )


async def test_key_point_table_has_no_person_column(db: AsyncSession) -> None:
    columns = await db.run_sync(
        lambda s: {c["name"] for c in inspect(s.get_bind()).get_columns("key_point")}
    )
    assert columns == {
        "id",
        "dialogue_session_id",
        "agenda_part_id",
        "position",
        "text",
        "status",
        "warnings",
        "acknowledged_warnings",
        "review_note",
        "revision",
        "approved_at",
        "created_at",
        "updated_at",
    }
    foreign = await db.run_sync(
        lambda s: {
            fk["referred_table"] for fk in inspect(s.get_bind()).get_foreign_keys("key_point")
        }
    )
    assert foreign == {"dialogue_session", "agenda_part"}
    revision_columns = await db.run_sync(
        lambda s: {c["name"] for c in inspect(s.get_bind()).get_columns("key_point_revision")}
    )
    assert not revision_columns & {"app_user_id", "author", "user_id", "person_id", "speaker"}
    assert not {c.key for c in KeyPoint.__mapper__.relationships}


async def test_key_point_json_has_no_author(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    created = await record(client, dialogue, CLEAN)
    assert created.status_code == 201, created.text
    expected = {
        "id",
        "session_id",
        "part_id",
        "position",
        "text",
        "themes",
        "status",
        "warnings",
        "acknowledged_warnings",
        "review_note",
        "revision",
        "approved_at",
        "created_at",
        "updated_at",
    }
    assert set(created.json()) == expected | {"findings"}
    fetched = await client.get(
        f"/api/v1/key-points/{created.json()['id']}", headers=dialogue.organiser.headers
    )
    assert set(fetched.json()) == expected
    listed = await client.get(
        f"/api/v1/sessions/{dialogue.session.id}/key-points", headers=dialogue.organiser.headers
    )
    assert set(listed.json()["items"][0]) == expected
    text = created.text + fetched.text + listed.text
    assert str(dialogue.rapporteur.id) not in text
    assert dialogue.rapporteur.user.email not in text


async def test_a_name_blocks_and_nothing_is_stored(
    client: httpx.AsyncClient, dialogue: Dialogue, db: AsyncSession
) -> None:
    for text in (
        "Farida Rahimi argued that the ceasefire must come first.",
        "Prof. Rahimi's view was that talks should start at once.",
        "RAHIMI said the ceasefire must come first.",
        "A speaker from KIPS stressed regional consensus.",
        "The Kabul Institute for Peace Studies hosted the side event.",
        "Mehmet Yilmaz spoke about trade.",
    ):
        response = await record(client, dialogue, text, part_id=str(dialogue.discussion.id))
        assert response.status_code == 422, text
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["type"] == "/problems/attribution-blocked"
        assert any(f["severity"] == "block" for f in problem["findings"])
        assert problem["errors"][0]["field"] == "text"
    count = (await db.execute(select(KeyPoint))).scalars().all()
    assert count == []


async def test_near_misses_pass(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    for text in (
        "There is little hope of a quick settlement without regional support.",
        "Participants noted that Zalmay Khalilzad's tour could engender cooperation.",
        "Turkey and Qatar have hosted talks before.",
    ):
        response = await record(client, dialogue, text, part_id=str(dialogue.discussion.id))
        assert response.status_code == 201, (text, response.text)
        assert response.json()["findings"] == []


async def test_off_record_part_refuses(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    response = await record(client, dialogue, CLEAN, part_id=str(dialogue.off_record.id))
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/off-record"
    check = await client.post(
        f"/api/v1/sessions/{dialogue.session.id}/key-points/check",
        json={"text": CLEAN, "part_id": str(dialogue.off_record.id)},
        headers=dialogue.rapporteur.headers,
    )
    assert check.status_code == 409


async def test_on_record_consent_names_only_in_its_part(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    text = "Dr. al-Qahtani shared his insights on the efforts to start negotiations."
    opening = await record(client, dialogue, text, part_id=str(dialogue.opening.id))
    assert opening.status_code == 201, opening.text
    for part in (dialogue.presentations, dialogue.discussion):
        elsewhere = await record(client, dialogue, text, part_id=str(part.id))
        assert elsewhere.status_code == 422, part.title
    no_part = await record(client, dialogue, text)
    assert no_part.status_code == 422
    # Consent covers the envoy only: the chair stays protected in the on-record part.
    other = await record(
        client, dialogue, "Farida Rahimi welcomed the envoy.", part_id=str(dialogue.opening.id)
    )
    assert other.status_code == 422


async def test_dry_run_lists_blocks_and_warnings(
    client: httpx.AsyncClient, dialogue: Dialogue, db: AsyncSession
) -> None:
    response = await client.post(
        f"/api/v1/sessions/{dialogue.session.id}/key-points/check",
        json={"text": "Farida Rahimi, the chair, said little."},
        headers=dialogue.rapporteur.headers,
    )
    assert response.status_code == 200
    findings = response.json()["findings"]
    assert {(f["severity"], f["kind"]) for f in findings} >= {("block", "name"), ("warn", "role")}
    name = next(f for f in findings if f["kind"] == "name")
    assert (
        "Farida Rahimi"[: name["end"] - name["start"]]
        == name["excerpt"][: name["end"] - name["start"]]
    )
    assert (await db.execute(select(KeyPoint))).scalars().all() == []


async def test_warnings_block_approval_until_acknowledged(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    created = await record(
        client, dialogue, "The chair stressed that prisoner releases must be monitored."
    )
    assert created.status_code == 201
    point = created.json()
    assert [w["kind"] for w in point["warnings"]] == ["role"]
    code = point["warnings"][0]["code"]
    point_id = point["id"]
    submitted = await review(client, point_id, dialogue.rapporteur.headers, "submit")
    assert submitted.json()["status"] == "submitted"
    refused = await review(client, point_id, dialogue.organiser.headers, "approve")
    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/unacknowledged-warnings"
    assert [f["code"] for f in refused.json()["findings"]] == [code]
    bad_ack = await review(client, point_id, dialogue.organiser.headers, "approve", acknowledge=[7])
    assert bad_ack.status_code == 422
    approved = await review(
        client, point_id, dialogue.organiser.headers, "approve", acknowledge=[code]
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["acknowledged_warnings"] == [code]


async def test_changing_the_text_clears_a_warning(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    created = await record(client, dialogue, "The chair stressed that releases must be monitored.")
    point_id = created.json()["id"]
    edited = await client.patch(
        f"/api/v1/key-points/{point_id}",
        json={"text": "Released prisoners must be monitored."},
        headers=dialogue.rapporteur.headers,
    )
    assert edited.json()["warnings"] == []
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    approved = await review(client, point_id, dialogue.organiser.headers, "approve")
    assert approved.json()["status"] == "approved"


async def test_four_eyes(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    # An organiser writes a point; they cannot approve it, a rapporteur cannot either.
    created = await client.post(
        f"/api/v1/sessions/{dialogue.session.id}/key-points",
        json={"text": CLEAN},
        headers=dialogue.organiser.headers,
    )
    point_id = created.json()["id"]
    await review(client, point_id, dialogue.organiser.headers, "submit")
    own = await review(client, point_id, dialogue.organiser.headers, "approve")
    assert own.status_code == 403
    assert "Four eyes" in own.json()["detail"]
    by_rapporteur = await review(client, point_id, dialogue.rapporteur.headers, "approve")
    assert by_rapporteur.status_code == 403
    other = await review(client, point_id, dialogue.second_organiser.headers, "approve")
    assert other.status_code == 200
    assert other.json()["status"] == "approved"
    # Approving twice is a conflict, not a silent success.
    again = await review(client, point_id, dialogue.second_organiser.headers, "approve")
    assert again.status_code == 409


async def test_an_editor_becomes_an_author(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    created = await record(client, dialogue, CLEAN)
    point_id = created.json()["id"]
    await client.patch(
        f"/api/v1/key-points/{point_id}",
        json={"text": CLEAN + " Economic development must be a priority."},
        headers=dialogue.organiser.headers,
    )
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    refused = await review(client, point_id, dialogue.organiser.headers, "approve")
    assert refused.status_code == 403


async def test_return_needs_a_note(client: httpx.AsyncClient, dialogue: Dialogue) -> None:
    point_id = (await record(client, dialogue, CLEAN)).json()["id"]
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    no_note = await review(client, point_id, dialogue.organiser.headers, "return")
    assert no_note.status_code == 422
    returned = await review(
        client, point_id, dialogue.organiser.headers, "return", note="Too close to a quote"
    )
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_note"] == "Too close to a quote"
    resubmitted = await review(client, point_id, dialogue.rapporteur.headers, "submit")
    assert resubmitted.json()["status"] == "submitted"


async def test_editing_an_approved_point_returns_it_to_draft_and_keeps_a_revision(
    client: httpx.AsyncClient, dialogue: Dialogue, db: AsyncSession
) -> None:
    point_id = (await record(client, dialogue, CLEAN)).json()["id"]
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    await review(client, point_id, dialogue.organiser.headers, "approve")
    edited = await client.patch(
        f"/api/v1/key-points/{point_id}",
        json={"text": "A reduction of violence must come before talks."},
        headers=dialogue.rapporteur.headers,
    )
    assert edited.status_code == 200
    assert edited.json()["status"] == "draft"
    assert edited.json()["approved_at"] is None
    assert edited.json()["revision"] == 2
    revisions = (await db.execute(select(KeyPointRevision))).scalars().all()
    assert [(r.revision, r.text, r.status.value) for r in revisions] == [(1, CLEAN, "approved")]


async def test_approval_rechecks_against_the_current_roster(
    client: httpx.AsyncClient, dialogue: Dialogue, db: AsyncSession
) -> None:
    text = "Khalid Noorzai's proposal for a monitoring mechanism found wide support."
    point_id = (await record(client, dialogue, text)).json()["id"]
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    # Noorzai was not on the roster when the point was written; now he is.
    await add_person(
        db,
        dialogue.series,
        dialogue.session,
        AttendanceRole.PARTICIPANT,
        given_name="Khalid",
        family_name="Noorzai",
        country="AF",
    )
    refused = await review(client, point_id, dialogue.organiser.headers, "approve")
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/attribution-blocked"


async def test_history_is_for_organisers_only(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    point_id = (await record(client, dialogue, CLEAN)).json()["id"]
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    await review(client, point_id, dialogue.organiser.headers, "approve")
    url = f"/api/v1/key-points/{point_id}/history"
    assert (await client.get(url, headers=dialogue.rapporteur.headers)).status_code == 403
    history = (await client.get(url, headers=dialogue.organiser.headers)).json()
    assert [(e["action"], e["user_id"]) for e in history["events"]] == [
        ("key_point.created", str(dialogue.rapporteur.id)),
        ("key_point.submitted", str(dialogue.rapporteur.id)),
        ("key_point.approved", str(dialogue.organiser.id)),
    ]


async def test_outsider_gets_404_for_key_points(
    client: httpx.AsyncClient, dialogue: Dialogue, factory: Factory
) -> None:
    outsider = await factory.caller()
    point_id = (await record(client, dialogue, CLEAN)).json()["id"]
    for method, path, body in [
        ("GET", f"/api/v1/sessions/{dialogue.session.id}/key-points", None),
        ("POST", f"/api/v1/sessions/{dialogue.session.id}/key-points", {"text": CLEAN}),
        ("POST", f"/api/v1/sessions/{dialogue.session.id}/key-points/check", {"text": CLEAN}),
        ("GET", f"/api/v1/key-points/{point_id}", None),
        ("PATCH", f"/api/v1/key-points/{point_id}", {"text": CLEAN}),
        ("DELETE", f"/api/v1/key-points/{point_id}", None),
        ("POST", f"/api/v1/key-points/{point_id}/review", {"action": "submit"}),
        ("GET", f"/api/v1/key-points/{point_id}/history", None),
        ("GET", f"/api/v1/series/{dialogue.series.id}/themes", None),
    ]:
        response = await client.request(method, path, json=body, headers=outsider.headers)
        assert response.status_code == 404, (method, path)


async def test_closed_session_takes_no_points(
    client: httpx.AsyncClient, dialogue: Dialogue, db: AsyncSession
) -> None:
    dialogue.session.status = "closed"  # type: ignore[assignment]
    db.add(dialogue.session)
    await db.commit()
    assert (await record(client, dialogue, CLEAN)).status_code == 409


async def test_text_over_two_thousand_characters_is_422(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    response = await record(client, dialogue, "x" * 2001)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"


async def test_points_are_ordered_and_reorderable(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    ids = [(await record(client, dialogue, f"{CLEAN} ({i})")).json()["id"] for i in range(3)]
    await client.patch(
        f"/api/v1/key-points/{ids[2]}", json={"position": 1}, headers=dialogue.rapporteur.headers
    )
    listed = await client.get(
        f"/api/v1/sessions/{dialogue.session.id}/key-points", headers=dialogue.rapporteur.headers
    )
    assert [p["id"] for p in listed.json()["items"]] == [ids[2], ids[0], ids[1]]
    assert [p["position"] for p in listed.json()["items"]] == [1, 2, 3]


async def test_themes_tag_points_and_count_by_session(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    unknown = await record(client, dialogue, CLEAN, themes=["astrology"])
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "themes.0"
    point_id = (
        await record(client, dialogue, CLEAN, themes=["reduction-of-violence-and-ceasefire"])
    ).json()["id"]
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    await review(client, point_id, dialogue.organiser.headers, "approve")
    await record(client, dialogue, CLEAN, themes=["reduction-of-violence-and-ceasefire"])  # draft
    matrix = (
        await client.get(
            f"/api/v1/series/{dialogue.series.id}/themes",
            params={"with": "counts"},
            headers=dialogue.rapporteur.headers,
        )
    ).json()["matrix"]
    slugs = [t["slug"] for t in matrix["themes"]]
    assert len(slugs) == 10
    row = matrix["counts"][slugs.index("reduction-of-violence-and-ceasefire")]
    assert row == [1]  # approved points only
    assert matrix["sessions"][0]["number"] == dialogue.session.number


async def test_series_created_over_http_gets_the_default_taxonomy(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    series = await client.post(
        "/api/v1/series",
        json={
            "title": "Peace",
            "slug": "peace-talks",
            "organiser": "HAS",
            "timezone": "Asia/Kabul",
        },
        headers=caller.headers,
    )
    themes = await client.get(
        f"/api/v1/series/{series.json()['id']}/themes", headers=caller.headers
    )
    labels = [t["label"] for t in themes.json()["items"]]
    assert labels[0] == "Trust and confidence-building"
    assert "Economy and connectivity" in labels
    added = await client.post(
        f"/api/v1/series/{series.json()['id']}/themes",
        json={"slug": "water-sharing", "label": "Water sharing", "position": 1},
        headers=caller.headers,
    )
    assert added.status_code == 201
    duplicate = await client.post(
        f"/api/v1/series/{series.json()['id']}/themes",
        json={"slug": "water-sharing", "label": "Again"},
        headers=caller.headers,
    )
    assert duplicate.status_code == 409


async def test_consent_does_not_survive_the_part_leaving_the_record(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    text = "Dr. al-Qahtani shared his insights on the efforts to start negotiations."
    url = f"/api/v1/parts/{dialogue.opening.id}"
    for regime in ("chatham_house", "on_record"):
        moved = await client.patch(url, json={"regime": regime}, headers=dialogue.organiser.headers)
        assert moved.status_code == 200, moved.text
    again = await record(client, dialogue, text, part_id=str(dialogue.opening.id))
    assert again.status_code == 422  # back on record, but nobody has consented again


async def test_a_declined_invitee_is_never_nameable(
    client: httpx.AsyncClient, dialogue: Dialogue, db: AsyncSession
) -> None:
    from app.people.models import Attendance, AttendanceStatus

    attendance = (
        await db.execute(select(Attendance).where(Attendance.person_id == dialogue.envoy.id))
    ).scalar_one()
    attendance.status = AttendanceStatus.DECLINED
    await db.commit()
    text = "Dr. al-Qahtani shared his insights on the efforts to start negotiations."
    response = await record(client, dialogue, text, part_id=str(dialogue.opening.id))
    assert response.status_code == 422
