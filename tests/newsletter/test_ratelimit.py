"""Abuse limits on the public endpoints: 429 problems with Retry-After, shared by every
process through the database, and the same for every address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.db import create_engine, create_sessionmaker
from app.kit import ratelimit
from app.kit.ratelimit import RateLimited, limit
from tests.conftest import make_settings
from tests.newsletter.conftest import NewsKit
from tests.newsletter.test_issues import confirmed

PROBLEM = "application/problem+json"


def _comparable(body: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in body.items() if k not in {"request_id", "retry_after", "detail"}}


async def test_per_address_limit_answers_429_with_retry_after(news: NewsKit) -> None:
    series = await news.factory.series()
    per_address = news.settings.public.rate_limit_per_address_per_hour
    for _ in range(per_address):
        assert (await news.subscribe("reader@example.org", [series.slug])).status_code == 202

    refused = await news.subscribe("READER@example.org", [series.slug])

    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    body = refused.json()
    assert body["type"] == "/problems/rate-limited"
    assert body["retry_after"] == retry_after
    assert (await news.subscribe("other@example.org", [series.slug])).status_code == 202


async def test_the_limit_looks_the_same_for_subscribed_and_unknown_addresses(
    news: NewsKit,
) -> None:
    series = await news.factory.series()
    await confirmed(news, "known@example.org", series)
    per_address = news.settings.public.rate_limit_per_address_per_hour
    answers = {}
    for address in ("known@example.org", "nobody@example.org"):
        for _ in range(per_address - (1 if address.startswith("known") else 0)):
            await news.subscribe(address, [series.slug])
        answers[address] = await news.subscribe(address, [series.slug])

    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    assert _comparable(known.json()) == _comparable(unknown.json())


async def test_per_ip_limit_covers_many_addresses(news: NewsKit) -> None:
    series = await news.factory.series()
    per_ip = news.settings.public.rate_limit_per_ip_per_hour
    for n in range(per_ip):
        assert (await news.subscribe(f"r{n}@example.org", [series.slug])).status_code == 202

    refused = await news.subscribe("one-more@example.org", [series.slug])
    form = await news.client.post(
        "/subscribe",
        data={"email": "form@example.org", "series": series.slug, "consent": "yes"},
        headers={"Accept": "text/html"},
    )

    assert refused.status_code == 429
    assert form.status_code == 429
    assert form.headers["content-type"].startswith("text/html")
    assert "Retry-After" in form.headers


async def test_token_pages_are_limited_per_ip(news: NewsKit) -> None:
    per_ip = news.settings.public.rate_limit_per_ip_per_hour
    for _ in range(per_ip):
        response = await news.client.post("/subscriptions/confirm", data={"token": "forged"})
        assert response.status_code == 400
    refused = await news.client.post("/subscriptions/confirm", data={"token": "forged"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert int(refused.headers["Retry-After"]) >= 1


async def test_counters_are_shared_between_processes(
    news: NewsKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two engines stand for two app processes on one database.
    other_engine = create_engine(make_settings(news.settings.database_url), pooled=False)
    other = create_sessionmaker(other_engine)
    fixed = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)
    monkeypatch.setattr(ratelimit, "utcnow", lambda: fixed)
    monkeypatch.setattr(ratelimit, "_SWEEP_ONE_IN", 10**9)  # no sweep by chance here
    try:
        for maker in (news.maker, other, news.maker):
            async with maker() as session:
                await limit(session, "test:shared", 3, 60)
                await session.commit()
        async with other() as session:
            with pytest.raises(RateLimited) as refused:
                await limit(session, "test:shared", 3, 60)
        assert refused.value.retry_after == 55

        monkeypatch.setattr(ratelimit, "utcnow", lambda: fixed + timedelta(minutes=1))
        async with news.maker() as session:
            assert await limit(session, "test:shared", 3, 60) == 1
            assert await ratelimit.purge_expired(session) == 3
            await session.commit()
    finally:
        await other_engine.dispose()
