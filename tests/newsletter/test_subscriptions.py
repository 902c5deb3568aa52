"""Double opt-in: the public API, the confirmation mail and page, and what they reveal."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select, update

from app.kit.clock import utcnow
from app.newsletter import deps
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from app.newsletter.schemas import CONSENT_TEXT
from app.newsletter.service import NewsletterService
from app.newsletter.tokens import LinkSigner, Purpose
from app.outbox.models import OutboxMessage
from tests.newsletter.conftest import NewsKit, links

PROBLEM = "application/problem+json"


async def _statuses(news: NewsKit, email: str) -> dict[str, str]:
    async with news.maker() as session:
        rows = await session.execute(
            select(Subscription.dialogue_series_id, Subscription.status)
            .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
            .where(Subscriber.email == email)
        )
        return {str(series_id): status.value for series_id, status in rows.all()}


async def test_double_opt_in_confirms_only_after_the_page_is_posted(news: NewsKit) -> None:
    series = await news.factory.series(title="Regional Support for Afghan Peace")

    answer = await news.subscribe("Reader@Example.org", [series.slug], name="A. Reader")

    assert answer.status_code == 202
    assert await _statuses(news, "reader@example.org") == {str(series.id): "pending"}
    [mail] = await news.deliver()
    assert mail.rcpt_tos == ["reader@example.org"]
    assert "Regional Support for Afghan Peace" in str(mail.message["Subject"])
    token = links(mail)["/subscriptions/confirm"]

    page = await news.client.get("/subscriptions/confirm", params={"token": token})
    assert page.status_code == 200
    assert "Confirm my subscription" in page.text
    assert CONSENT_TEXT in page.text
    assert await _statuses(news, "reader@example.org") == {str(series.id): "pending"}

    done = await news.client.post("/subscriptions/confirm", data={"token": token})
    assert done.status_code == 200
    assert "Your subscription is confirmed" in done.text
    assert await _statuses(news, "reader@example.org") == {str(series.id): "confirmed"}
    async with news.maker() as session:
        row = (await session.execute(select(Subscription))).scalar_one()
    assert row.consent_text == CONSENT_TEXT
    assert row.consent_ip == "127.0.0.1"
    assert row.confirmed_at is not None
    async with news.maker() as session:
        service = NewsletterService(session)
        assert await service.is_confirmed_subscriber(" READER@example.org", series.id)
        assert not await service.is_confirmed_subscriber("other@example.org", series.id)

    again = await news.client.post("/subscriptions/confirm", data={"token": token})
    assert again.status_code == 200
    assert len(await news.deliver()) == 1


async def test_consent_ip_is_not_kept_when_switched_off(news: NewsKit) -> None:
    series = await news.factory.series()
    news.app.state.settings = news.settings.model_copy(
        update={"public": news.settings.public.model_copy(update={"record_consent_ip": False})}
    )
    await news.subscribe("reader@example.org", [series.slug])
    [mail] = await news.deliver()
    await news.client.post(
        "/subscriptions/confirm", data={"token": links(mail)["/subscriptions/confirm"]}
    )
    async with news.maker() as session:
        row = (await session.execute(select(Subscription))).scalar_one()
    assert row.status is SubscriptionStatus.CONFIRMED
    assert row.consent_ip is None


async def test_every_request_gets_the_same_answer_whatever_the_address(news: NewsKit) -> None:
    series = await news.factory.series()
    other = await news.factory.series()
    await news.subscribe("pending@example.org", [series.slug])
    await news.subscribe("confirmed@example.org", [series.slug])
    await news.subscribe("left@example.org", [series.slug])
    for mail in await news.deliver():
        token = links(mail)["/subscriptions/confirm"]
        if mail.rcpt_tos != ["pending@example.org"]:
            await news.client.post("/subscriptions/confirm", data={"token": token})
    async with news.maker() as session:
        left = await session.scalar(
            select(Subscriber).where(Subscriber.email == "left@example.org")
        )
        assert left is not None
        unsubscribe = NewsletterService(session, news.settings).unsubscribe_link(left.id, series.id)
    await news.client.post(unsubscribe.removeprefix("http://testserver"))

    answers = [
        await news.subscribe("new@example.org", [series.slug]),
        await news.subscribe("pending@example.org", [series.slug]),
        await news.subscribe("confirmed@example.org", [series.slug]),
        await news.subscribe("left@example.org", [series.slug]),
        await news.subscribe("new2@example.org", ["no-such-series"]),
        await news.subscribe("confirmed@example.org", ["no-such-series", other.slug]),
    ]

    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    assert len({a.headers["content-type"] for a in answers}) == 1
    assert await _statuses(news, "new2@example.org") == {}


async def test_every_answer_is_held_to_the_same_floor_time(
    news: NewsKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deps, "MIN_SUBSCRIBE_SECONDS", 0.25)
    series = await news.factory.series()
    await news.subscribe("known@example.org", [series.slug])

    def timed(seconds: list[float], started: float) -> None:
        seconds.append(time.perf_counter() - started)

    known: list[float] = []
    fresh: list[float] = []
    for n in range(3):
        started = time.perf_counter()
        await news.subscribe("known@example.org", [series.slug])
        timed(known, started)
        started = time.perf_counter()
        await news.subscribe(f"fresh{n}@example.org", [series.slug])
        timed(fresh, started)

    # The floor is a sleep, so this lower bound holds on any machine; comparing averages would
    # be a timing assertion that a busy machine breaks, so it is not made here.
    assert min(known + fresh) >= 0.25


async def test_consent_must_be_literally_true(news: NewsKit) -> None:
    series = await news.factory.series()
    for consent in (False, "true", 1, None):
        answer = await news.client.post(
            "/api/v1/public/subscriptions",
            json={"email": "a@example.org", "series": [series.slug], "consent": consent},
        )
        assert answer.status_code == 422, consent
        assert answer.headers["content-type"] == PROBLEM
    missing = await news.client.post(
        "/api/v1/public/subscriptions", json={"email": "a@example.org", "series": [series.slug]}
    )
    assert missing.status_code == 422
    too_many = await news.subscribe("a@example.org", [f"s-{n}" for n in range(21)])
    assert too_many.status_code == 422
    assert await news.deliver() == []


async def test_at_most_one_confirmation_per_address_per_hour(
    news: NewsKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = await news.factory.series()
    for _ in range(3):
        assert (await news.subscribe("reader@example.org", [series.slug])).status_code == 202
    assert len(await news.deliver()) == 1

    an_hour_later = utcnow() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr("app.newsletter.service.utcnow", lambda: an_hour_later)
    await news.subscribe("reader@example.org", [series.slug])
    assert len(await news.deliver()) == 2


async def test_confirmed_address_gets_no_new_confirmation(news: NewsKit) -> None:
    series = await news.factory.series()
    await news.subscribe("reader@example.org", [series.slug])
    [mail] = await news.deliver()
    await news.client.post(
        "/subscriptions/confirm", data={"token": links(mail)["/subscriptions/confirm"]}
    )
    async with news.maker() as session:
        await session.execute(update(Subscriber).values(confirmation_sent_at=None))
        await session.commit()

    await news.subscribe("reader@example.org", [series.slug])

    assert len(await news.deliver()) == 1


async def test_get_never_confirms_even_when_followed_repeatedly(news: NewsKit) -> None:
    series = await news.factory.series()
    await news.subscribe("reader@example.org", [series.slug])
    [mail] = await news.deliver()
    token = links(mail)["/subscriptions/confirm"]
    for _ in range(3):
        assert (
            await news.client.get("/subscriptions/confirm", params={"token": token})
        ).status_code == 200
        assert (
            await news.client.head("/subscriptions/confirm", params={"token": token})
        ).status_code in (200, 405)
    assert await _statuses(news, "reader@example.org") == {str(series.id): "pending"}


async def test_expired_confirmation_link_gets_a_clear_400_page(
    news: NewsKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = await news.factory.series()
    await news.subscribe("reader@example.org", [series.slug])
    async with news.maker() as session:
        subscriber = (await session.execute(select(Subscriber))).scalar_one()
    hours = news.settings.public.confirmation_link_hours
    past = int(time.time()) - (hours * 3600 + 60)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: past)
    signer = LinkSigner(news.settings.secret_key.get_secret_value(), confirmation_hours=hours)
    old = signer.make(Purpose.CONFIRM, subscriber.id, (series.id,))
    monkeypatch.undo()
    monkeypatch.setattr(deps, "MIN_SUBSCRIBE_SECONDS", 0.0)

    for response in (
        await news.client.get("/subscriptions/confirm", params={"token": old}),
        await news.client.post("/subscriptions/confirm", data={"token": old}),
    ):
        assert response.status_code == 400
        assert "This link has expired" in response.text
        assert 'href="/subscribe"' in response.text
    assert await _statuses(news, "reader@example.org") == {str(series.id): "pending"}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.split(".")[0],
        lambda t: "",
        lambda t: "not-a-token",
        lambda t: t + "x" * 3000,
    ],
)
async def test_tampered_links_get_a_400_page_never_a_500(news: NewsKit, mangle: object) -> None:
    series = await news.factory.series()
    await news.subscribe("reader@example.org", [series.slug])
    [mail] = await news.deliver()
    bad = mangle(links(mail)["/subscriptions/confirm"])  # type: ignore[operator]
    for path in ("confirm", "unsubscribe", "preferences"):
        got = await news.client.get(f"/subscriptions/{path}", params={"token": bad})
        posted = await news.client.post(f"/subscriptions/{path}", data={"token": bad})
        for response in (got, posted):
            assert response.status_code == 400, (path, response.text)
            assert "This link does not work" in response.text
    assert await _statuses(news, "reader@example.org") == {str(series.id): "pending"}


async def test_a_token_for_one_purpose_is_refused_for_another(news: NewsKit) -> None:
    series = await news.factory.series()
    await news.subscribe("reader@example.org", [series.slug])
    [mail] = await news.deliver()
    confirm = links(mail)["/subscriptions/confirm"]

    for path in ("unsubscribe", "preferences"):
        response = await news.client.post(
            f"/subscriptions/{path}?token={confirm}", data={"token": confirm}
        )
        assert response.status_code == 400
    assert await _statuses(news, "reader@example.org") == {str(series.id): "pending"}


async def test_a_rolled_back_request_sends_nothing(news: NewsKit) -> None:
    series = await news.factory.series()
    async with news.maker() as session:
        await NewsletterService(session, news.settings).request_subscription(
            "reader@example.org", [series.slug], None
        )
        assert (await session.execute(select(OutboxMessage))).scalars().all()
        await session.rollback()

    assert await news.deliver() == []
    assert await _statuses(news, "reader@example.org") == {}


async def test_unknown_and_known_slugs_together_subscribe_to_the_known_one(news: NewsKit) -> None:
    series = await news.factory.series(title="Known Series")
    await news.subscribe("reader@example.org", ["no-such-series", series.slug])
    [mail] = await news.deliver()
    assert "Known Series" in str(mail.message["Subject"])
    assert await _statuses(news, "reader@example.org") == {str(series.id): "pending"}


async def test_a_name_with_line_breaks_cannot_break_the_message(news: NewsKit) -> None:
    series = await news.factory.series()

    answer = await news.subscribe("reader@example.org", [series.slug], name="A.\r\nBcc: x@y.z")

    # A name is a single line: refused, naming the field, and nothing is stored or sent.
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["name"]
    assert await news.deliver() == []
    async with news.maker() as session:
        assert (await session.execute(select(Subscriber))).scalar_one_or_none() is None
