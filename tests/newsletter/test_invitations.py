"""Session invitations: one per invitee, naming only that invitee, with the session's ICS."""

from __future__ import annotations

from icalendar import Calendar
from sqlalchemy import update

from app.people.models import Attendance, AttendanceRole, AttendanceStatus, Person
from app.sessions.calendar import event_uid
from app.sessions.models import DialogueSession, SessionStatus
from tests.newsletter.conftest import NewsKit

INVITEES = [
    ("Farida", "Rahimi", "farida.rahimi@example.org"),
    ("Omar", "Zaheer", "omar.zaheer@example.org"),
    ("Lena", "Lindqvist", "lena.lindqvist@example.org"),
]


async def _arrange(news: NewsKit) -> tuple[object, DialogueSession, list[Person]]:
    organiser = await news.factory.caller()
    series = await news.factory.series(organiser=organiser, title="Afghan Peace")
    session = await news.factory.dialogue_session(
        series, status=SessionStatus.SCHEDULED, calendar_sequence=2, title="Regional support"
    )
    people = [
        Person(
            dialogue_series_id=series.id,
            given_name=given,
            family_name=family,
            email=email,
            affiliation=f"{family} Institute",
        )
        for given, family, email in INVITEES
    ]
    people.append(
        Person(dialogue_series_id=series.id, given_name="No", family_name="Address", email=None)
    )
    people.append(
        Person(
            dialogue_series_id=series.id,
            given_name="Already",
            family_name="Confirmed",
            email="confirmed.person@example.org",
        )
    )
    news.db.add_all(people)
    await news.db.flush()
    for person in people:
        news.db.add(
            Attendance(
                dialogue_session_id=session.id,
                person_id=person.id,
                role=AttendanceRole.PARTICIPANT,
                status=(
                    AttendanceStatus.CONFIRMED
                    if person.family_name == "Confirmed"
                    else AttendanceStatus.INVITED
                ),
            )
        )
    await news.db.commit()
    return organiser, session, people


async def test_each_invitation_names_only_its_recipient(news: NewsKit) -> None:
    organiser, session, _ = await _arrange(news)

    response = await news.client.post(
        f"/api/v1/sessions/{session.id}/invitations",
        headers=organiser.headers,  # type: ignore[attr-defined]
    )

    assert response.status_code == 202, response.text
    assert response.json() == {"queued": 3, "already_queued": 0, "without_email": 1}
    received = await news.deliver()
    assert sorted(r for m in received for r in m.rcpt_tos) == sorted(e for *_, e in INVITEES)
    for mail in received:
        [recipient] = mail.rcpt_tos
        raw = mail.data.decode("utf-8", "replace")
        message = mail.message
        parts = [raw]
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(payload.decode("utf-8", "replace"))
        everything = "\n".join(parts)
        mine = next(p for p in INVITEES if p[2] == recipient)
        assert f"{mine[0]} {mine[1]}" in everything
        for other in INVITEES:
            if other is mine:
                continue
            for word in other:
                assert word not in everything, (recipient, word)
        assert "Confirmed" not in everything
        assert "confirmed.person" not in everything
        assert "secret-room-42" in everything  # the meeting link goes to the invitee

        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        calendar = Calendar.from_ical(attachment.get_payload(decode=True))
        assert str(calendar["METHOD"]) == "REQUEST"
        [event] = list(calendar.walk("VEVENT"))
        assert str(event["UID"]) == event_uid(session, news.settings.base_url)
        assert int(event["SEQUENCE"]) == 2
        attendees = event.get("ATTENDEE")
        assert not isinstance(attendees, list)
        assert str(attendees).lower() == f"mailto:{recipient}"
        assert str(event["ORGANIZER"]).lower() == f"mailto:{news.settings.mail.sender_address}"


async def test_invitations_go_once_per_calendar_version(news: NewsKit) -> None:
    organiser, session, _ = await _arrange(news)
    path = f"/api/v1/sessions/{session.id}/invitations"
    headers = organiser.headers  # type: ignore[attr-defined]

    await news.client.post(path, headers=headers)
    again = await news.client.post(path, headers=headers)
    assert again.json() == {"queued": 0, "already_queued": 3, "without_email": 1}
    assert len(await news.deliver()) == 3

    await news.db.execute(
        update(DialogueSession).where(DialogueSession.id == session.id).values(calendar_sequence=3)
    )
    await news.db.commit()
    updated = await news.client.post(path, headers=headers)
    assert updated.json()["queued"] == 3
    received = await news.deliver()
    assert len(received) == 6
    assert all(str(m.message["Subject"]).startswith("Updated invitation") for m in received[3:])


async def test_invitations_need_a_scheduled_session_and_an_organiser(news: NewsKit) -> None:
    organiser = await news.factory.caller()
    rapporteur = await news.factory.caller()
    outsider = await news.factory.caller()
    series = await news.factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    draft = await news.factory.dialogue_session(series)
    path = f"/api/v1/sessions/{draft.id}/invitations"

    assert (await news.client.post(path, headers=organiser.headers)).status_code == 409
    assert (await news.client.post(path, headers=rapporteur.headers)).status_code == 403
    assert (await news.client.post(path, headers=outsider.headers)).status_code == 404
    assert (await news.client.post(path)).status_code == 401
    assert await news.deliver() == []
