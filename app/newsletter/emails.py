"""Building the e-mails of the newsletter domain: confirmation requests, newsletter issues,
data exports and session invitations (with their iCalendar attachment).

Every builder returns an outbox payload (``app.outbox.mail.email_payload``). Newsletter issues
are rendered once per send with placeholder links, then the per-recipient links are put in
by plain string replacement: 10,000 recipients cost 10,000 token signatures, not 10,000
template renders.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from app.confidentiality.gate import ClearedDocument
from app.kit.clock import as_utc, utcnow
from app.outbox.mail import Attachment, email_payload, render_email
from app.reports.locales import LANGUAGES
from app.reports.page_texts import PAGE_TEXTS
from app.series.models import DialogueSeries
from app.sessions.calendar import event_uid, ordinal_word
from app.sessions.models import DialogueSession

# Placeholders put in at render time and replaced per recipient. They contain no character
# that HTML escaping would change.
UNSUBSCRIBE_MARK = "TRACK2UNSUBSCRIBEURLMARK"
PREFERENCES_MARK = "TRACK2PREFERENCESURLMARK"
# The announced summary's link: its words, and the link's language attributes, per reader.
REPORT_LABEL_MARK = "TRACK2REPORTLABELMARK"
REPORT_ATTRS_MARK = "TRACK2REPORTATTRSMARK"
READ_SUMMARY = "Read the summary of the session"

ICS_CONTENT_TYPE = "text/calendar"

# CommonMark without raw HTML: "<script>" in a body is shown as text. markdown-it also
# refuses javascript:, vbscript: and file: link targets.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])


def render_markdown(source: str) -> Markup:
    """Markdown to safe HTML: raw HTML in the source is escaped, unsafe links dropped."""
    return Markup(_markdown.render(source))  # markdown-it escaped the source


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: a one-click unsubscribe link for mail clients."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirmation_email(
    *,
    to: str,
    to_name: str | None,
    series_titles: list[str],
    confirm_url: str,
    link_hours: int,
    consent_text: str,
) -> dict[str, Any]:
    """The double opt-in message: one link to a page where the subscriber confirms."""
    subject, text, html = render_email(
        "newsletter/confirm",
        {
            "series_titles": series_titles,
            "confirm_url": confirm_url,
            "link_hours": link_hours,
            "consent_text": consent_text,
        },
    )
    return email_payload(to=to, to_name=to_name, subject=subject, text=text, html=html)


@dataclass(frozen=True, slots=True)
class RenderedIssue:
    """A newsletter issue rendered with placeholder links."""

    subject: str
    text: str
    html: str

    report_url: str | None = None

    def personalise(
        self,
        unsubscribe_url: str,
        preferences_url: str,
        report_url: str | None = None,
        language: str | None = None,
    ) -> tuple[str, str]:
        """(text, html) with this recipient's links; ``report_url``: the announced summary
        in the recipient's language ``language`` (its edition), instead of the one rendered,
        its link then worded in that language (the public pages' own words, never a text
        of the edition)."""
        text = self.text.replace(UNSUBSCRIBE_MARK, unsubscribe_url).replace(
            PREFERENCES_MARK, preferences_url
        )
        html = self.html.replace(UNSUBSCRIBE_MARK, unsubscribe_url).replace(
            PREFERENCES_MARK, preferences_url
        )
        label, attrs = READ_SUMMARY, ""
        if report_url and self.report_url:
            text = text.replace(self.report_url, report_url)
            html = html.replace(escape(self.report_url), escape(report_url))
            if language is not None and language in PAGE_TEXTS and language in LANGUAGES:
                lang = LANGUAGES[language]
                label = f"{PAGE_TEXTS[language]['read_summary']} ({lang.name})"
                attrs = f' lang="{language}" dir="{"rtl" if lang.rtl else "ltr"}"'
        text = text.replace(REPORT_LABEL_MARK, label)
        html = html.replace(REPORT_LABEL_MARK, escape(label)).replace(REPORT_ATTRS_MARK, attrs)
        return text, html


def render_issue(
    *, series: DialogueSeries, subject: str, body_markdown: str, report_url: str | None = None
) -> RenderedIssue:
    """The issue's subject, text and HTML, with placeholders for the recipient's links and,
    when the issue announces a published summary, a link to its public page."""
    rendered_subject, text, html = render_email(
        "newsletter/issue",
        {
            "series_title": series.title,
            "organiser": series.organiser,
            "subject": subject,
            "body_markdown": body_markdown,
            "body_html": render_markdown(body_markdown),
            "report_url": report_url,
            "report_label": REPORT_LABEL_MARK,
            "report_attrs": REPORT_ATTRS_MARK,
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "preferences_url": PREFERENCES_MARK,
        },
    )
    return RenderedIssue(subject=rendered_subject, text=text, html=html, report_url=report_url)


def issue_email(
    rendered: RenderedIssue,
    *,
    to: str,
    to_name: str | None,
    unsubscribe_url: str,
    preferences_url: str,
    report_url: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """One subscriber's copy of an issue, with the RFC 8058 unsubscribe headers."""
    text, html = rendered.personalise(unsubscribe_url, preferences_url, report_url, language)
    return email_payload(
        to=to,
        to_name=to_name,
        subject=rendered.subject,
        text=text,
        html=html,
        headers=unsubscribe_headers(unsubscribe_url),
    )


class IssueMailer:
    """Builds many subscribers' copies of one issue quickly.

    The first copy goes through :func:`email_payload` with all its checks; the others reuse
    its checked parts and only swap the recipient and the links. Addresses were validated
    when they subscribed; a name that could break a header line is left out.
    """

    def __init__(self, cleared: ClearedDocument[RenderedIssue]) -> None:
        # Only an issue the guard passed, as rendered, is sent to subscribers.
        if not isinstance(cleared, ClearedDocument) or not isinstance(cleared.value, RenderedIssue):
            raise TypeError("an issue must pass the guard before it is sent")
        self.rendered = cleared.value
        self._checked = False

    def copy_for(
        self,
        *,
        to: str,
        to_name: str | None,
        unsubscribe_url: str,
        preferences_url: str,
        report_url: str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        if to_name is not None and ("\r" in to_name or "\n" in to_name):
            to_name = None
        if not self._checked:
            self._checked = True
            return issue_email(
                self.rendered,
                to=to,
                to_name=to_name,
                unsubscribe_url=unsubscribe_url,
                preferences_url=preferences_url,
                report_url=report_url,
                language=language,
            )
        text, html = self.rendered.personalise(
            unsubscribe_url, preferences_url, report_url, language
        )
        return {
            "to": to,
            "to_name": to_name,
            "subject": self.rendered.subject,
            "text": text,
            "html": html,
            "headers": unsubscribe_headers(unsubscribe_url),
            "attachments": [],
            "reply_to": None,
        }


def export_email(*, to: str, to_name: str | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """A subscriber's data, as a JSON attachment, sent to their own address."""
    subject, text, html = render_email("newsletter/export", {"exported_at": data["exported_at"]})
    content = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()
    return email_payload(
        to=to,
        to_name=to_name,
        subject=subject,
        text=text,
        html=html,
        attachments=[Attachment("track2-subscriber-data.json", "application/json", content)],
    )


# --- invitations -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invitee:
    """The one recipient of an invitation: nothing about anybody else is passed in."""

    email: str
    display_name: str


def _display_time(session: DialogueSession) -> str:
    zone = ZoneInfo(session.timezone)
    start = as_utc(session.starts_at).astimezone(zone)
    end = as_utc(session.ends_at).astimezone(zone)
    return (
        f"{start:%A %d %B %Y, %H:%M}-{end:%H:%M} {start.tzname() or session.timezone} "
        f"({session.timezone})"
    )


def invitation_ics(
    *,
    series: DialogueSeries,
    session: DialogueSession,
    invitee: Invitee,
    organiser_address: str,
    base_url: str,
    now: datetime | None = None,
) -> bytes:
    """METHOD:REQUEST with one VEVENT: the public calendar's UID and SEQUENCE, the sender as
    ORGANIZER and this invitee as the only ATTENDEE."""
    zone = ZoneInfo(session.timezone)
    cal = Calendar()
    cal.add("prodid", "-//Track2//Track 2 dialogues//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", event_uid(session, base_url))
    event.add("sequence", session.calendar_sequence)
    event.add("dtstamp", now or utcnow())
    event.add("summary", f"{series.title}: {session.title}")
    description = [
        f"The {ordinal_word(session.number)} session of the series {series.title}, "
        f"organised by {series.organiser}.",
        "",
        "Held under the Chatham House Rule.",
    ]
    if session.meeting_url:
        description[1:1] = ["", f"Join online: {session.meeting_url}"]
    event.add("description", "\n".join(description))
    event.add("dtstart", as_utc(session.starts_at).astimezone(zone))
    event.add("dtend", as_utc(session.ends_at).astimezone(zone))
    location = session.venue or session.meeting_url
    if location:
        event.add("location", location)
    if session.meeting_url:
        event.add("url", session.meeting_url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{organiser_address}")
    organizer.params["cn"] = vText(series.organiser)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{invitee.email}")
    attendee.params["cn"] = vText(invitee.display_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    cal.add_component(event)
    cal.add_missing_timezones()
    ical: bytes = cal.to_ical()
    return ical


def invitation_email(
    *,
    series: DialogueSeries,
    session: DialogueSession,
    invitee: Invitee,
    organiser_address: str,
    base_url: str,
) -> dict[str, Any]:
    """An invitation addressed to one invitee, naming nobody else, with the ICS attached."""
    subject, text, html = render_email(
        "newsletter/invitation",
        {
            "invitee_name": invitee.display_name,
            "series_title": series.title,
            "organiser": series.organiser,
            "session_title": session.title,
            "ordinal": ordinal_word(session.number),
            "when": _display_time(session),
            "venue": session.venue,
            "meeting_url": session.meeting_url,
            "updated": session.calendar_sequence > 0,
        },
    )
    ics = invitation_ics(
        series=series,
        session=session,
        invitee=invitee,
        organiser_address=organiser_address,
        base_url=base_url,
    )
    return email_payload(
        to=invitee.email,
        to_name=invitee.display_name,
        subject=subject,
        text=text,
        html=html,
        attachments=[Attachment("invitation.ics", f"{ICS_CONTENT_TYPE}", ics)],
    )
