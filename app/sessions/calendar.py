"""iCalendar rendering for public calendars: the series and session titles, the time in the
session's zone with a VTIMEZONE, a stable UID, and nothing about who takes part.

This module is given a ``DialogueSeries`` and ``DialogueSession`` rows and reads only the
public fields named in ``PUBLIC_FIELDS``; a test renders calendars for sessions with a full
roster and checks that no roster string (and no venue or meeting link) appears.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from app.confidentiality.gate import Cleared
from app.kit.clock import as_utc
from app.series.models import DialogueSeries
from app.sessions.models import DialogueSession, SessionStatus

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
PUBLIC_FIELDS = ("id", "number", "title", "context", "starts_at", "ends_at", "timezone", "status")

_ICS_STATUS = {
    SessionStatus.SCHEDULED: "CONFIRMED",
    SessionStatus.HELD: "CONFIRMED",
    SessionStatus.CLOSED: "CONFIRMED",
    SessionStatus.POSTPONED: "TENTATIVE",
    SessionStatus.CANCELLED: "CANCELLED",
}

_ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
)


def ordinal_word(number: int) -> str:
    """'third' for 3; '21st' style beyond twenty."""
    if 1 <= number <= len(_ORDINALS):
        return _ORDINALS[number - 1]
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def event_uid(session: DialogueSession, base_url: str) -> str:
    """Stable for the life of the session: its id at this installation's host."""
    host = urlsplit(base_url).hostname or "track2"
    return f"session-{session.id}@{host}"


def _description(
    series: Mapping[str, Cleared], session: DialogueSession, texts: Mapping[str, Cleared]
) -> str:
    lines = [
        f"The {ordinal_word(session.number)} session of the series "
        f"{series['title']}, organised by {series['organiser']}."
    ]
    if texts["context"].strip():
        lines += ["", texts["context"].strip()]
    if session.status is SessionStatus.POSTPONED:
        lines += ["", "This session has been postponed; a new date will follow."]
    lines += ["", "Held under the Chatham House Rule."]
    return "\n".join(lines)


def _require_cleared(texts: Mapping[str, str], keys: Iterable[str]) -> None:
    for key in keys:
        if not isinstance(texts.get(key), Cleared):
            raise TypeError(f"calendar text {key!r} must pass the guard first")


def render_calendar(
    series: DialogueSeries,
    series_texts: Mapping[str, Cleared],
    sessions: Iterable[tuple[DialogueSession, Mapping[str, Cleared]]],
    base_url: str,
) -> bytes:
    """An iCalendar document for the given sessions of one series, from their texts as the
    guard cleared them (``title`` and ``organiser`` of the series, ``title`` and ``context``
    of each session)."""
    _require_cleared(series_texts, ("title", "organiser"))
    cal = Calendar()
    cal.add("prodid", "-//Track2//Track 2 dialogues//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", series_texts["title"])
    cal.add("x-wr-timezone", series.timezone)
    for session, texts in sessions:
        _require_cleared(texts, ("title", "context"))
        status = _ICS_STATUS.get(session.status)
        if status is None:  # drafts never reach a calendar
            continue
        zone = ZoneInfo(session.timezone)
        event = Event()
        event.add("uid", event_uid(session, base_url))
        event.add("dtstamp", as_utc(session.updated_at))
        event.add("last-modified", as_utc(session.updated_at))
        event.add("created", as_utc(session.created_at))
        event.add("sequence", session.calendar_sequence)
        event.add("summary", f"{series_texts['title']}: {texts['title']}")
        event.add("description", _description(series_texts, session, texts))
        event.add("dtstart", as_utc(session.starts_at).astimezone(zone))
        event.add("dtend", as_utc(session.ends_at).astimezone(zone))
        event.add("status", status)
        event.add("transp", "OPAQUE")
        event.add("class", "PUBLIC")
        event.add("url", f"{base_url}/api/v1/sessions/{session.id}/calendar.ics")
        cal.add_component(event)
    cal.add_missing_timezones()
    ical: bytes = cal.to_ical()
    return ical
