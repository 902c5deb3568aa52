"""Attendance over HTTP: the session roster, consent to be named, double-booking warnings."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from app.people.models import AttendanceStatus
from app.series.models import DialogueSeries, DisclosureRegime
from app.sessions.models import DialogueSession, SessionStatus
from tests.factories import Caller, Factory
from tests.people.conftest import PROBLEM, START, RosterFactory, field_errors


async def setup_series(
    factory: Factory, roster: RosterFactory, **session_kwargs: object
) -> tuple[Caller, DialogueSeries, DialogueSession]:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await roster.session(series, **session_kwargs)  # type: ignore[arg-type]
    return organiser, series, session


def attendance_url(session: DialogueSession, person_id: object | None = None) -> str:
    base = f"/api/v1/sessions/{session.id}/attendance"
    return base if person_id is None else f"{base}/{person_id}"


async def test_organiser_adds_attendance_with_consent_and_lists_it(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    on_record = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    person = await roster.person(series, honorific="Amb.", given_name="Mutlaq", family_name="Q")
    response = await client.post(
        attendance_url(session),
        json={
            "person_id": str(person.id),
            "role": "speaker",
            "status": "confirmed",
            "on_record_part_ids": [str(on_record.id)],
        },
        headers=organiser.headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["warnings"] == []
    assert body["on_record_part_ids"] == [str(on_record.id)]
    assert body["person"] == {"honorific": "Amb.", "given_name": "Mutlaq", "family_name": "Q"}
    listed = await client.get(attendance_url(session), headers=organiser.headers)
    [item] = listed.json()["items"]
    assert (item["person_id"], item["role"], item["status"]) == (
        str(person.id),
        "speaker",
        "confirmed",
    )
    assert item["on_record_part_ids"] == [str(on_record.id)]


async def test_status_defaults_to_invited(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    person = await roster.person(series)
    response = await client.post(
        attendance_url(session),
        json={"person_id": str(person.id), "role": "participant"},
        headers=organiser.headers,
    )
    assert response.json()["status"] == "invited"


async def test_person_of_another_series_is_404(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, _, session = await setup_series(factory, roster)
    stranger = await roster.person(await factory.series(organiser=organiser))
    response = await client.post(
        attendance_url(session),
        json={"person_id": str(stranger.id), "role": "participant"},
        headers=organiser.headers,
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_person_already_on_the_roster_is_409(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    person = await roster.person(series)
    await roster.attend(session, person)
    response = await client.post(
        attendance_url(session),
        json={"person_id": str(person.id), "role": "chair"},
        headers=organiser.headers,
    )
    assert response.status_code == 409


async def test_consent_to_a_part_that_is_not_on_record_or_not_of_this_session_is_422(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    on_record = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    chatham = await roster.part(session, regime=DisclosureRegime.CHATHAM_HOUSE, position=2)
    elsewhere = await roster.part(
        await roster.session(series, starts_at=START + timedelta(days=7)),
        regime=DisclosureRegime.ON_RECORD,
    )
    person = await roster.person(series)
    ids = [on_record.id, chatham.id, elsewhere.id, uuid.uuid4()]
    response = await client.post(
        attendance_url(session),
        json={
            "person_id": str(person.id),
            "role": "speaker",
            "on_record_part_ids": [str(i) for i in ids],
        },
        headers=organiser.headers,
    )
    assert response.status_code == 422
    errors = field_errors(response)
    assert set(errors) == {
        "on_record_part_ids.1",
        "on_record_part_ids.2",
        "on_record_part_ids.3",
    }
    assert "chatham_house" in errors["on_record_part_ids.1"]
    listed = await client.get(attendance_url(session), headers=organiser.headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": "moderator"}, "role"),
        ({"status": "maybe"}, "status"),
        ({"person_id": "not-a-uuid"}, "person_id"),
        ({"on_record_part_ids": [str(uuid.uuid4())] * 51}, "on_record_part_ids"),
        ({"seat": "front"}, "seat"),
    ],
)
async def test_invalid_attendance_is_422_naming_the_field(
    client: httpx.AsyncClient,
    factory: Factory,
    roster: RosterFactory,
    overrides: dict[str, object],
    field: str,
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    person = await roster.person(series)
    payload: dict[str, object] = {"person_id": str(person.id), "role": "participant"}
    response = await client.post(
        attendance_url(session), json=payload | overrides, headers=organiser.headers
    )
    assert response.status_code == 422
    assert field in field_errors(response)


async def test_patch_changes_status_and_replaces_consents(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    first = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    second = await roster.part(session, regime=DisclosureRegime.ON_RECORD, position=2)
    person = await roster.person(series)
    await roster.attend(session, person, consent=[first])
    response = await client.patch(
        attendance_url(session, person.id),
        json={"status": "attended", "on_record_part_ids": [str(second.id)]},
        headers=organiser.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["role"]) == ("attended", "participant")
    assert body["on_record_part_ids"] == [str(second.id)]
    role_only = await client.patch(
        attendance_url(session, person.id), json={"role": "chair"}, headers=organiser.headers
    )
    assert role_only.json()["on_record_part_ids"] == [str(second.id)]


async def test_consent_to_a_part_no_longer_on_record_is_not_listed(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    part = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    await roster.attend(session, await roster.person(series), consent=[part])
    response = await client.patch(
        f"/api/v1/parts/{part.id}", json={"regime": "chatham_house"}, headers=organiser.headers
    )
    assert response.status_code == 200
    listed = await client.get(attendance_url(session), headers=organiser.headers)
    assert listed.json()["items"][0]["on_record_part_ids"] == []


async def test_rapporteur_reads_the_roster_but_cannot_change_it(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, rapporteur = await factory.caller(), await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    session = await roster.session(series)
    person = await roster.person(series)
    await roster.attend(session, person)
    listed = await client.get(attendance_url(session), headers=rapporteur.headers)
    assert len(listed.json()["items"]) == 1
    added = await client.post(
        attendance_url(session),
        json={"person_id": str(person.id), "role": "chair"},
        headers=rapporteur.headers,
    )
    changed = await client.patch(
        attendance_url(session, person.id), json={"role": "chair"}, headers=rapporteur.headers
    )
    removed = await client.delete(attendance_url(session, person.id), headers=rapporteur.headers)
    assert [added.status_code, changed.status_code, removed.status_code] == [403, 403, 403]


async def test_remove_takes_a_person_off_a_scheduled_sessions_roster(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    person = await roster.person(series)
    await roster.attend(session, person)
    response = await client.delete(attendance_url(session, person.id), headers=organiser.headers)
    assert response.status_code == 204
    again = await client.delete(attendance_url(session, person.id), headers=organiser.headers)
    assert again.status_code == 404


async def test_remove_from_a_held_sessions_roster_is_409(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster, status=SessionStatus.HELD)
    person = await roster.person(series)
    await roster.attend(session, person)
    response = await client.delete(attendance_url(session, person.id), headers=organiser.headers)
    assert response.status_code == 409
    listed = await client.get(attendance_url(session), headers=organiser.headers)
    assert len(listed.json()["items"]) == 1


async def test_roster_list_pages(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    people = [await roster.person(series) for _ in range(3)]
    for person in people:
        await roster.attend(session, person)
    first = await client.get(
        attendance_url(session), params={"limit": 2}, headers=organiser.headers
    )
    second = await client.get(
        attendance_url(session),
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=organiser.headers,
    )
    seen = [a["person_id"] for a in first.json()["items"] + second.json()["items"]]
    assert seen == [str(p.id) for p in people]
    assert second.json()["next_cursor"] is None


# -- double booking -------------------------------------------------------------------------


async def add(
    client: httpx.AsyncClient, caller: Caller, session: DialogueSession, person_id: uuid.UUID
) -> httpx.Response:
    response = await client.post(
        attendance_url(session),
        json={"person_id": str(person_id), "role": "participant", "status": "confirmed"},
        headers=caller.headers,
    )
    assert response.status_code == 201
    return response


async def test_same_person_in_an_overlapping_session_of_the_series_is_a_warning(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    other = await roster.session(series, starts_at=START + timedelta(hours=1))
    person = await roster.person(series)
    await roster.attend(other, person)
    [warning] = (await add(client, organiser, session, person.id)).json()["warnings"]
    assert warning["code"] == "person_double_booked"
    assert (warning["session_id"], warning["number"]) == (str(other.id), other.number)


async def test_the_double_booking_warning_is_silent_across_series_the_caller_cannot_see(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    # Anyone may create a series and add a target's e-mail: the warning must not tell them
    # whether (or, by binary search on times, when) that address attends a session elsewhere.
    organiser, series, session = await setup_series(factory, roster)
    secret_series = await factory.series(title="Secret Back Channel on Prisoner Release")
    secret_session = await roster.session(secret_series, starts_at=START - timedelta(minutes=30))
    twin = await roster.person(secret_series, email="farida@example.org")
    await roster.attend(secret_session, twin)
    person = await roster.person(series, email="farida@example.org")
    response = await add(client, organiser, session, person.id)
    assert response.status_code == 201, response.text
    assert response.json()["warnings"] == []
    assert "Secret" not in response.text


async def test_same_email_in_another_series_of_the_caller_warns_without_describing_it(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    secret_series = await factory.series(
        title="Secret Back Channel on Prisoner Release", organiser=organiser
    )
    secret_session = await roster.session(secret_series, starts_at=START - timedelta(minutes=30))
    twin = await roster.person(secret_series, email="farida@example.org")
    await roster.attend(secret_session, twin)
    person = await roster.person(series, email="farida@example.org")
    response = await add(client, organiser, session, person.id)
    [warning] = response.json()["warnings"]
    assert warning == {
        "code": "person_double_booked",
        "message": "This person is on the roster of another session that overlaps this one",
        "session_id": None,
        "number": None,
        "report_id": None,
        "findings": None,
    }
    assert str(secret_session.id) not in response.text
    assert "Secret" not in response.text


async def test_cancelled_sessions_declined_and_adjacent_bookings_do_not_warn(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    person = await roster.person(series)
    cancelled = await roster.session(series, status=SessionStatus.CANCELLED)
    declined = await roster.session(series, starts_at=START + timedelta(minutes=30))
    adjacent = await roster.session(series, starts_at=START + timedelta(hours=2))
    await roster.attend(cancelled, person)
    await roster.attend(declined, person, status=AttendanceStatus.DECLINED)
    await roster.attend(adjacent, person)
    assert (await add(client, organiser, session, person.id)).json()["warnings"] == []


async def test_declined_attendance_is_not_warned_about(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser, series, session = await setup_series(factory, roster)
    person = await roster.person(series)
    await roster.attend(await roster.session(series), person)
    response = await client.post(
        attendance_url(session),
        json={"person_id": str(person.id), "role": "participant", "status": "declined"},
        headers=organiser.headers,
    )
    assert response.json()["warnings"] == []
