"""Preferences, export and erasure: what a subscriber controls, and what erasure leaves."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from sqlalchemy import select, text

from app.db import Base
from app.kit.clock import utcnow
from app.newsletter.models import EmailSuppression, Subscriber, Subscription, SubscriptionStatus
from app.newsletter.service import NewsletterService
from app.series.service import SeriesAccess
from app.users.service import Principal
from tests.newsletter.conftest import NewsKit, links
from tests.newsletter.test_issues import compose, confirmed

ADDRESS = "erase.me@example.org"


async def _preferences_token(news: NewsKit, email: str) -> str:
    async with news.maker() as session:
        subscriber = await session.scalar(select(Subscriber).where(Subscriber.email == email))
        assert subscriber is not None
        link = NewsletterService(session, news.settings).preferences_link(subscriber.id)
    return link.split("token=")[1]


async def _everything_stored(news: NewsKit) -> str:
    """Every row of every table (the search index included), as text."""
    chunks: list[str] = []
    async with news.maker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            chunks.extend(repr(tuple(row)) for row in rows)
        if news.settings.is_sqlite:
            names = (
                await session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
            ).scalars()
            for name in list(names):
                rows = (await session.execute(text(f'SELECT * FROM "{name}"'))).all()
                chunks.extend(repr(tuple(row)) for row in rows)
    return "\n".join(chunks)


async def test_preferences_page_changes_series_and_name(news: NewsKit) -> None:
    first = await news.factory.series(title="First Series", listed_at=utcnow())
    second = await news.factory.series(title="Second Series", listed_at=utcnow())
    await confirmed(news, "reader@example.org", first)
    token = await _preferences_token(news, "reader@example.org")

    page = await news.client.get("/subscriptions/preferences", params={"token": token})
    assert page.status_code == 200
    assert "First Series" in page.text
    assert "Second Series" in page.text
    assert "reader@example.org" in page.text

    saved = await news.client.post(
        "/subscriptions/preferences",
        data={"token": token, "action": "save", "series": [str(second.id)], "name": "Ann Reader"},
    )

    assert saved.status_code == 200
    assert "Your choices are saved" in saved.text
    async with news.maker() as session:
        rows = {
            s.dialogue_series_id: s for s in (await session.execute(select(Subscription))).scalars()
        }
        subscriber = (await session.execute(select(Subscriber))).scalar_one()
    assert rows[first.id].status is SubscriptionStatus.UNSUBSCRIBED
    assert rows[second.id].status is SubscriptionStatus.CONFIRMED
    assert rows[second.id].consent_text is not None
    assert subscriber.name == "Ann Reader"


async def test_export_mails_the_data_as_a_json_attachment(news: NewsKit) -> None:
    series = await news.factory.series(title="Afghan Peace")
    await confirmed(news, "reader@example.org", series)
    news.sink.clear()
    token = await _preferences_token(news, "reader@example.org")

    response = await news.client.post(
        "/subscriptions/preferences", data={"token": token, "action": "export"}
    )

    assert response.status_code == 200
    [mail] = await news.deliver()
    assert mail.rcpt_tos == ["reader@example.org"]
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "application/json"
    data = json.loads(attachment.get_payload(decode=True))
    assert data["email"] == "reader@example.org"
    [subscription] = data["subscriptions"]
    assert subscription["series"] == "Afghan Peace"
    assert subscription["status"] == "confirmed"
    assert subscription["consent_text"]
    assert subscription["consent_ip"] == "127.0.0.1"


async def test_erasure_leaves_no_trace_of_the_address(
    news: NewsKit, caplog: pytest.LogCaptureFixture
) -> None:
    organiser = await news.factory.caller()
    series = await news.factory.series(organiser=organiser)
    await confirmed(news, ADDRESS, series)
    issue = await compose(news, organiser, series)
    await news.client.post(f"/api/v1/newsletters/{issue['id']}/send", headers=organiser.headers)
    await news.deliver()  # a sent newsletter ...
    token = await _preferences_token(news, ADDRESS)
    await news.client.post("/subscriptions/preferences", data={"token": token, "action": "export"})
    # ... and a data export still waiting in the outbox
    assert ADDRESS in await _everything_stored(news)
    caplog.set_level(logging.INFO)

    unconfirmed = await news.client.post(
        "/subscriptions/preferences", data={"token": token, "action": "erase"}
    )
    assert unconfirmed.status_code == 200
    assert "Tick the box" in unconfirmed.text
    erased = await news.client.post(
        "/subscriptions/preferences",
        data={"token": token, "action": "erase", "confirm_erase": "yes"},
    )

    assert erased.status_code == 200
    assert "Your data is erased" in erased.text
    stored = await _everything_stored(news)
    assert ADDRESS not in stored.lower()
    assert ADDRESS.split("@")[0] not in stored.lower()
    assert base64.b64encode(ADDRESS.encode()).decode()[:16] not in stored
    assert ADDRESS not in caplog.text
    assert "subscriber erased" in caplog.text
    async with news.maker() as session:
        assert len((await session.execute(select(EmailSuppression))).scalars().all()) == 1
    again = await news.client.get("/subscriptions/preferences", params={"token": token})
    assert again.status_code == 400
    news.sink.clear()
    assert await news.deliver() == []


async def test_an_erased_address_is_not_imported_but_may_opt_in_afresh(news: NewsKit) -> None:
    organiser = await news.factory.caller()
    series = await news.factory.series(organiser=organiser)
    await confirmed(news, ADDRESS, series)
    token = await _preferences_token(news, ADDRESS)
    await news.client.post(
        "/subscriptions/preferences",
        data={"token": token, "action": "erase", "confirm_erase": "yes"},
    )
    principal = Principal(
        user_id=organiser.id, email=organiser.user.email, is_admin=False, token_id=organiser.id
    )
    from app.series.models import MemberRole

    access = SeriesAccess(series=series, role=MemberRole.ORGANISER, principal=principal)

    async with news.maker() as session:
        result = await NewsletterService(session, news.settings).import_subscribers(
            access, [(ADDRESS.upper(), None), ("new@example.org", "New")], "CRM import, 2026"
        )
        await session.commit()
    assert (result.added, result.skipped_suppressed) == (1, 1)
    async with news.maker() as session:
        assert await session.scalar(select(Subscriber).where(Subscriber.email == ADDRESS)) is None

    news.sink.clear()
    await news.subscribe(ADDRESS, [series.slug])
    [mail] = await news.deliver()
    await news.client.post(
        "/subscriptions/confirm", data={"token": links(mail)["/subscriptions/confirm"]}
    )
    async with news.maker() as session:
        assert await NewsletterService(session).is_confirmed_subscriber(ADDRESS, series.id)
        assert (await session.execute(select(EmailSuppression))).first() is None
