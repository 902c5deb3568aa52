"""A second pair of eyes on newsletters in the readers' languages (review): a reader's copy
differs from everyone else's only by the address of the edition it links to and that link's
words in the reader's language, so no text of an edition (checked or not) rides in a
newsletter; and once the guard takes the edition
down, what a reader is sent to answers nothing of it."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo_editions import SESSIONS
from app.newsletter.emails import READ_SUMMARY
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from app.outbox.models import OutboxMessage
from app.reports.locales import LANGUAGES
from app.reports.page_texts import PAGE_TEXTS
from tests.reports.conftest import Demo

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


async def _reader(db: AsyncSession, demo: Demo, email: str, language: str) -> None:
    subscriber = Subscriber(email=email, language=language)
    db.add(subscriber)
    await db.flush()
    db.add(
        Subscription(
            subscriber_id=subscriber.id,
            dialogue_series_id=demo.series.id,
            status=SubscriptionStatus.CONFIRMED,
        )
    )
    await db.commit()


async def _create(client: httpx.AsyncClient, demo: Demo) -> str:
    created = await client.post(
        f"/api/v1/series/{demo.series.id}/newsletters",
        json={
            "subject": "The third session",
            "body_markdown": "Read on.",
            "report_id": str(demo.summary.id),
        },
        headers=demo.organiser.headers,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _send(client: httpx.AsyncClient, demo: Demo, issue: str | None = None) -> httpx.Response:
    issue = issue or await _create(client, demo)
    return await client.post(f"/api/v1/newsletters/{issue}/send", headers=demo.organiser.headers)


# The words of the link to the announced summary: a reader with an edition is told in their
# language (the public pages' own words, app/reports/page_texts.py), never in the edition's.
LINK_WORDS = (READ_SUMMARY, f"{PAGE_TEXTS['fa-AF']['read_summary']} ({LANGUAGES['fa-AF'].name})")


def _own(body: str) -> str:
    """The copy without the words of its summary link."""
    for words in LINK_WORDS:
        body = body.replace(words, "")
    return body


def _words(body: str) -> str:
    body = _own(body)
    return " ".join(re.sub(r"https?://[^\s\"'<>]+", "", re.sub(r"<[^>]+>", " ", body)).split())


async def _mails(db: AsyncSession) -> dict[str, dict]:
    messages = (await db.execute(select(OutboxMessage))).scalars().all()
    return {m.payload["to"]: m.payload for m in messages if "to" in m.payload}


async def test_a_readers_copy_carries_no_text_of_the_edition(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _reader(db, demo, "dari@example.org", "fa-AF")
    await _reader(db, demo, "english@example.org", "en")
    sent = await _send(client, demo)
    assert sent.status_code == 202, sent.text
    mails = await _mails(db)
    dari, english = mails["dari@example.org"], mails["english@example.org"]
    assert dari["subject"] == english["subject"]
    for part in ("text", "html"):
        assert LINK_WORDS[1] in dari[part], part
        assert not ARABIC_SCRIPT.search(_own(dari[part])), part
        assert SESSIONS[3][0] not in dari[part]

        # The same words as the English copy once each reader's own links are set aside.
        assert _words(dari[part]) == _words(english[part]), part


async def test_no_reader_is_sent_into_an_edition_the_guard_took_down(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await _reader(db, demo, "dari@example.org", "fa-AF")
    issue = await _create(client, demo)  # composed while the edition was public
    word = "میزبانی"  # in the Dari title only
    r = await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={
            "given_name": "Mezbani",
            "family_name": "Rahmani",
            "aliases": [word],
            "sector": "scholar",
            "country": "AF",
        },
        headers=demo.organiser.headers,
    )
    assert r.status_code in (200, 201), r.text
    sent = await _send(client, demo, issue)
    mails = await _mails(db)
    if sent.status_code == 202:
        # Sent: the copy carries no text of the edition, and the address it gives a Dari
        # reader answers nothing of it (the edition is being revised).
        dari = mails["dari@example.org"]
        assert word not in dari["text"]
        assert not ARABIC_SCRIPT.search(_own(dari["text"]))
        links = re.findall(r"https?://\S+/reports/\S+", dari["text"])
        assert links
        for link in links:
            path = "/" + link.split("/", 3)[3]
            answer = await client.get(path)
            assert answer.status_code == 410, (path, answer.status_code)
            assert word not in answer.text
    else:
        assert sent.status_code in (409, 410, 422), sent.text
        assert "dari@example.org" not in mails
