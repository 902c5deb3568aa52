"""Subscribers read in a language of their choice: set when subscribing, changed in their
preferences (page and API); a newsletter announcing a summary links each reader to its
edition in their language where one is published, and to the summary itself otherwise."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from app.newsletter.service import NewsletterService
from app.newsletter.tokens import Purpose
from app.outbox.models import OutboxMessage
from tests.reports.conftest import Demo


async def _reader(db: AsyncSession, demo: Demo, email: str, language: str) -> Subscriber:
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
    return subscriber


async def test_each_reader_gets_the_edition_in_their_language(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    for email, language in (
        ("dari@example.org", "fa-AF"),
        ("pashto@example.org", "ps"),
        ("english@example.org", "en"),
    ):
        await _reader(db, demo, email, language)
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
    sent = await client.post(
        f"/api/v1/newsletters/{created.json()['id']}/send", headers=demo.organiser.headers
    )
    assert sent.status_code == 202, sent.text
    messages = (await db.execute(select(OutboxMessage))).scalars().all()
    by_address = {m.payload["to"]: m.payload for m in messages if "to" in m.payload}
    page = f"/reports/{demo.summary.id}"
    dari = by_address["dari@example.org"]
    assert f"{page}?lang=fa-AF" in dari["text"]
    assert f"{page}?lang=fa-AF" in dari["html"]
    # No Pashto edition: the summary itself.
    for address in ("pashto@example.org", "english@example.org"):
        assert page in by_address[address]["text"]
        assert "?lang=" not in by_address[address]["text"]


async def test_preferences_api_and_page_change_the_language(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    subscriber = await _reader(db, demo, "reader@example.org", "en")
    token = NewsletterService(db, settings).signer.make(Purpose.PREFERENCES, subscriber.id)
    url = "/api/v1/public/subscriptions/preferences"
    r = await client.get(url, params={"token": token})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "email": "reader@example.org",
        "name": None,
        "language": "en",
        "series": [demo.series.slug],
    }
    r = await client.patch(url, json={"token": token, "language": "fa-AF"})
    assert r.status_code == 200, r.text
    assert r.json()["language"] == "fa-AF"
    assert r.json()["series"] == [demo.series.slug]  # untouched
    r = await client.patch(url, json={"token": token, "language": "de"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "language"
    r = await client.get(url, params={"token": token + "x"})
    assert r.status_code == 404
    # The preferences page shows the choice, and saves another.
    page = await client.get("/subscriptions/preferences", params={"token": token})
    assert '<option value="fa-AF" lang="fa-AF" selected>' in page.text
    saved = await client.post(
        "/subscriptions/preferences",
        data={"token": token, "action": "save", "series": str(demo.series.id), "language": "ar"},
    )
    assert saved.status_code == 200
    await db.refresh(subscriber)
    assert subscriber.language == "ar"


async def test_a_new_subscriber_chooses_a_language(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    r = await client.post(
        "/api/v1/public/subscriptions",
        json={
            "email": "new@example.org",
            "series": [demo.series.slug],
            "consent": True,
            "language": "ps",
        },
    )
    assert r.status_code == 202, r.text
    found = (
        await db.execute(select(Subscriber).where(Subscriber.email == "new@example.org"))
    ).scalar_one()
    assert found.language == "ps"
