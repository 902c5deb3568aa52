"""Housekeeping forgets what is no longer needed, and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app import housekeeping
from app.config import Settings
from app.kit.clock import utcnow
from app.kit.idempotency import IdempotencyRecord
from app.kit.outbox import OutboxKind, OutboxMessage, enqueue
from app.kit.ratelimit import RateLimitCounter
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from app.reports.models import ReportRequest
from app.series.models import DialogueSeries
from tests.conftest import _joined_session
from tests.factories import Factory


@pytest.fixture
def maker(connection: AsyncConnection) -> object:
    """Sessions joined to the test's transaction, as the sweep's own would be."""
    return lambda: _joined_session(connection)


async def _subscriber(
    db: AsyncSession,
    email: str,
    hours_ago: float,
    *statuses: tuple[DialogueSeries, SubscriptionStatus],
) -> Subscriber:
    at = utcnow() - timedelta(hours=hours_ago)
    subscriber = Subscriber(email=email, created_at=at, updated_at=at)
    db.add(subscriber)
    await db.flush()
    for series, status in statuses:
        db.add(
            Subscription(
                subscriber_id=subscriber.id,
                dialogue_series_id=series.id,
                status=status,
                requested_at=at,
                confirmed_at=at if status is SubscriptionStatus.CONFIRMED else None,
            )
        )
    await enqueue(
        db,
        kind=OutboxKind.EMAIL,
        payload={"to": email, "subject": "Please confirm", "text": f"Confirm {email}"},
    )
    await db.commit()
    return subscriber


async def test_unconfirmed_requests_go_once_their_link_has_long_expired(
    db: AsyncSession, factory: Factory, settings: Settings, maker: object
) -> None:
    expiry = settings.public.confirmation_link_hours
    a = await factory.series()
    b = await factory.series()
    pending, confirmed = SubscriptionStatus.PENDING, SubscriptionStatus.CONFIRMED
    await _subscriber(db, "stale@example.org", expiry + 25, (a, pending))
    await _subscriber(db, "fresh@example.org", expiry, (a, pending))
    await _subscriber(db, "reader@example.org", expiry + 25, (a, confirmed))
    mixed = await _subscriber(db, "mixed@example.org", expiry + 25, (a, confirmed), (b, pending))

    done = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]

    assert done["unconfirmed_subscribers"] == 1
    left = set((await db.scalars(select(Subscriber.email))).all())
    assert left == {"fresh@example.org", "reader@example.org", "mixed@example.org"}
    kept = (
        await db.scalars(select(Subscription).where(Subscription.subscriber_id == mixed.id))
    ).all()
    assert [(s.dialogue_series_id, s.status) for s in kept] == [(a.id, confirmed)]
    # The stale address is gone from the outbox too; the others' mail is untouched.
    payloads = [m.payload for m in (await db.scalars(select(OutboxMessage))).all()]
    assert not any("stale@example.org" in str(p) for p in payloads)
    assert any(p.get("to") == "fresh@example.org" for p in payloads)


async def test_an_address_that_asked_for_a_report_keeps_its_mail(
    db: AsyncSession, factory: Factory, settings: Settings, maker: object
) -> None:
    """A stale subscription request goes, but the address also asked for a report: the
    request's mail (queued or sent) is its own business, so the subscriber row stays too."""
    expiry = settings.public.confirmation_link_hours
    series = await factory.series()
    session = await factory.dialogue_session(series)
    await _subscriber(db, "asker@example.org", expiry + 25, (series, SubscriptionStatus.PENDING))
    db.add(
        ReportRequest(
            dialogue_series_id=series.id, dialogue_session_id=session.id, email="asker@example.org"
        )
    )
    await enqueue(
        db,
        kind=OutboxKind.EMAIL,
        payload={"to": "asker@example.org", "subject": "Your report", "text": "Here it is."},
    )
    await db.commit()

    done = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]

    assert done["unconfirmed_subscribers"] == 0
    assert (await db.scalars(select(Subscription))).all() == []
    payloads = [m.payload for m in (await db.scalars(select(OutboxMessage))).all()]
    assert {p.get("subject") for p in payloads} == {"Please confirm", "Your report"}


async def test_expired_idempotency_records_and_counters_go(
    db: AsyncSession, factory: Factory, settings: Settings, maker: object
) -> None:
    user = (await factory.caller()).user
    now = utcnow()
    for key, expires in (("old", now - timedelta(minutes=1)), ("live", now + timedelta(hours=1))):
        db.add(
            IdempotencyRecord(
                app_user_id=user.id,
                key=key,
                fingerprint="0" * 64,
                status="done",
                response_status=201,
                created_at=expires - timedelta(hours=24),
                expires_at=expires,
            )
        )
    db.add(
        RateLimitCounter(
            bucket="ip:a",
            window_start=now - timedelta(hours=2),
            hits=3,
            expires_at=now - timedelta(hours=1),
        )
    )
    db.add(
        RateLimitCounter(
            bucket="ip:b", window_start=now, hits=1, expires_at=now + timedelta(hours=1)
        )
    )
    await db.commit()

    done = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]

    assert (done["idempotency_records"], done["rate_limit_counters"]) == (1, 1)
    assert (await db.scalars(select(IdempotencyRecord.key))).all() == ["live"]
    assert (await db.scalars(select(RateLimitCounter.bucket))).all() == ["ip:b"]
