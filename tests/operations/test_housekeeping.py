"""Housekeeping forgets what is no longer needed, and nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app import housekeeping
from app.config import Settings
from app.db import create_sessionmaker
from app.kit.clock import utcnow
from app.kit.idempotency import IdempotencyRecord
from app.kit.ids import uuid7, uuid7_floor
from app.kit.ratelimit import RateLimitHit
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from app.newsletter.repository import NewsletterRepository
from app.newsletter.service import NewsletterService
from app.outbox.models import PRUNED_PAYLOAD, OutboxKind, OutboxMessage, OutboxStatus
from app.outbox.queue import enqueue
from app.outbox.worker import prune_sent
from app.reports.models import ReportRequest
from app.series.models import DialogueSeries
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import new_secret
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
    for _ in range(3):
        db.add(
            RateLimitHit(
                bucket="ip:a",
                window_start=now - timedelta(hours=2),
                expires_at=now - timedelta(hours=1),
            )
        )
    db.add(RateLimitHit(bucket="ip:b", window_start=now, expires_at=now + timedelta(hours=1)))
    await db.commit()

    done = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]

    assert (done["idempotency_records"], done["rate_limit_hits"]) == (1, 3)
    assert (await db.scalars(select(IdempotencyRecord.key))).all() == ["live"]
    assert (await db.scalars(select(RateLimitHit.bucket))).all() == ["ip:b"]


async def _sent(
    db: AsyncSession, name: str, days_ago: float, *, key: str | None = None, status: str = "sent"
) -> OutboxMessage:
    at = utcnow() - timedelta(days=days_ago)
    message = await enqueue(
        db,
        kind=OutboxKind.EMAIL,
        payload={"to": f"{name}@example.org", "subject": name, "text": f"Body of {name}"},
        dedupe_key=key,
    )
    assert message is not None
    message.status = OutboxStatus(status)
    message.created_at = at
    # Every row gets the old time, whatever its status: only the status may keep it.
    message.sent_at = at
    await db.flush()
    return message


async def test_sent_messages_lose_their_content_after_the_retention_period(
    db: AsyncSession, settings: Settings, maker: object
) -> None:
    days = settings.outbox.sent_retention_days
    await _sent(db, "old", days + 1)
    keyed = await _sent(db, "keyed", days + 1, key="newsletter:issue:subscriber")
    await _sent(db, "recent", days - 1)
    await _sent(db, "dead", days + 5, status="dead")
    await _sent(db, "pending", days + 5, status="pending")
    await db.commit()

    done = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]

    assert (done["sent_messages_deleted"], done["sent_messages_emptied"]) == (1, 1)
    db.expire_all()  # the sweep changed the rows in its own session
    rows = {m.id: m for m in (await db.scalars(select(OutboxMessage))).all()}
    subjects = {m.payload.get("subject") for m in rows.values()}
    assert subjects == {None, "recent", "dead", "pending"}
    emptied = rows[keyed.id]
    assert emptied.payload == PRUNED_PAYLOAD
    assert emptied.pruned_at is not None
    assert emptied.status is OutboxStatus.SENT
    assert "keyed@example.org" not in str([m.payload for m in rows.values()])
    # The key still stops a second copy of the same message.
    again = await enqueue(
        db, kind=OutboxKind.EMAIL, payload={"to": "x@example.org"}, dedupe_key=emptied.dedupe_key
    )
    assert again is None

    # A pruned row is pruned once: the next pass finds nothing to do.
    second = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]
    assert (second["sent_messages_deleted"], second["sent_messages_emptied"]) == (0, 0)


async def test_retention_zero_keeps_every_sent_message(
    db: AsyncSession, settings: Settings, maker: object
) -> None:
    await _sent(db, "ancient", 3650)
    await db.commit()
    keep = settings.model_copy(
        update={"outbox": settings.outbox.model_copy(update={"sent_retention_days": 0})}
    )

    done = await housekeeping.sweep(maker, keep)  # type: ignore[arg-type]

    assert (done["sent_messages_deleted"], done["sent_messages_emptied"]) == (0, 0)
    assert (await db.scalars(select(OutboxMessage.payload))).one()["subject"] == "ancient"


async def test_pruning_reads_the_prunable_index_not_the_table(
    db: AsyncSession, connection: AsyncConnection
) -> None:
    """The partial index is only used when the query visibly matches its condition; a
    regression would make every pass scan all the pruned rows the table keeps."""
    if connection.dialect.name != "sqlite":
        pytest.skip("SQLite's EXPLAIN QUERY PLAN; PostgreSQL's planner picks by table size")
    plans: list[str] = []

    def explain(_conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if statement.lstrip().upper().startswith(("DELETE", "UPDATE")):
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)  # type: ignore[attr-defined]
            plans.append(" ".join(str(row) for row in cursor.fetchall()))  # type: ignore[attr-defined]

    sync = connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", explain)
    try:
        await prune_sent(db, utcnow(), 100)
    finally:
        event.remove(sync, "before_cursor_execute", explain)
    assert len(plans) == 2
    assert all("ix_outbox_message_prunable" in plan for plan in plans), plans


async def test_a_backlog_goes_in_batches_and_no_unkeyed_row_is_kept(
    db: AsyncSession, settings: Settings, maker: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(housekeeping, "RETENTION_BATCH", 2)
    days = settings.outbox.sent_retention_days
    for n in range(5):
        await _sent(db, f"plain{n}", days + 1 + n)
    for n in range(3):
        await _sent(db, f"keyed{n}", days + 1 + n, key=f"newsletter:issue:{n}")
    await db.commit()

    done = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]

    assert (done["sent_messages_deleted"], done["sent_messages_emptied"]) == (5, 3)
    db.expire_all()
    rows = (await db.scalars(select(OutboxMessage))).all()
    assert sorted(str(m.dedupe_key) for m in rows) == [f"newsletter:issue:{n}" for n in range(3)]
    assert all(m.payload == PRUNED_PAYLOAD and m.pruned_at is not None for m in rows)


def test_the_uuid7_floor_of_a_moment_separates_ids_made_before_and_after_it() -> None:
    before = uuid7()
    time.sleep(0.003)
    moment = utcnow()
    time.sleep(0.003)
    after = uuid7()
    assert before < uuid7_floor(moment) <= after
    assert uuid7_floor(moment) < uuid7_floor(moment + timedelta(milliseconds=1))


async def _deliveries(db: AsyncSession, factory: Factory, *days_ago: float) -> None:
    """An endpoint with one delivery-log entry per age, ``msg_<days>``; each entry's id is
    the one uuid7() made at that time (made now for age 0)."""
    owner = await factory.caller(is_admin=True)
    endpoint = WebhookEndpoint(
        owner_id=owner.id, url="https://hooks.example.org/in", events=["*"], secret=new_secret()
    )
    db.add(endpoint)
    await db.flush()
    for days in days_ago:
        at = utcnow() - timedelta(days=days)
        db.add(
            WebhookDelivery(
                id=uuid.UUID(int=uuid7_floor(at).int + 1) if days else uuid7(),
                webhook_endpoint_id=endpoint.id,
                outbox_message_id=uuid.uuid4(),
                message_id=f"msg_{days:g}",
                event_type="series.updated",
                attempt=1,
                status_code=200,
                duration_ms=12,
                created_at=at,
            )
        )
    await db.commit()


async def test_delivery_log_entries_older_than_the_window_go(
    db: AsyncSession, factory: Factory, settings: Settings, maker: object
) -> None:
    await _deliveries(db, factory, settings.webhooks.delivery_log_days + 1, 0)

    done = await housekeeping.sweep(maker, settings)  # type: ignore[arg-type]

    assert done["webhook_deliveries"] == 1
    assert (await db.scalars(select(WebhookDelivery.message_id))).all() == ["msg_0"]


async def test_a_delivery_log_window_of_zero_keeps_every_entry(
    db: AsyncSession, factory: Factory, settings: Settings, maker: object
) -> None:
    await _deliveries(db, factory, 3650)
    keep = settings.model_copy(
        update={"webhooks": settings.webhooks.model_copy(update={"delivery_log_days": 0})}
    )

    done = await housekeeping.sweep(maker, keep)  # type: ignore[arg-type]

    assert done["webhook_deliveries"] == 0
    assert (await db.scalars(select(WebhookDelivery.message_id))).all() == ["msg_3650"]


async def _blocked_by(check: AsyncSession, pid: int) -> bool:
    """Whether some backend waits for a lock that ``pid`` holds, within five seconds."""
    for _ in range(100):
        waiting = await check.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
            {"pid": pid},
        )
        if waiting:
            return True
        await asyncio.sleep(0.05)
    return False


async def _waiting_for_a_lock(check: AsyncSession, pid: int) -> bool:
    """Whether the backend ``pid`` is waiting for a lock, within five seconds."""
    for _ in range(100):
        waiting = await check.scalar(
            text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": pid},
        )
        if waiting:
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.parametrize("stale", [False, True], ids=["orphan", "stale-request"])
async def test_a_request_renewing_a_subscription_and_the_sweep_wait_for_each_other(
    engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch, stale: bool
) -> None:
    """On PostgreSQL, a public request subscribing an address again while housekeeping
    forgets it: an orphaned subscriber (no subscription), or one whose only request went
    stale. The request holds the subscriber's row; the sweep waits for it, then sees the
    renewed request and keeps it. Before the lock order was fixed the first case lost the new
    subscription (cascaded away) and the second deadlocked (a 500 for the request)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE instead")
    if not stale:
        # Known flaky (2026-12-03): run after the other operations tests on a shared database,
        # the sweep sometimes never reaches the subscriber's lock (it holds no connection to
        # PostgreSQL while it waits), so the test fails and its clean-up then hangs on the
        # request's lock. It passes alone. Skipped until the cause is found; the stale-request
        # case exercises the same lock order and still runs.
        pytest.skip("flaky after other tests on a shared PostgreSQL; root cause open")
    maker = create_sessionmaker(engine)
    address = f"race-{uuid.uuid4().hex[:8]}@example.org"
    long_ago = utcnow() - timedelta(days=30)
    async with maker() as setup:
        series = DialogueSeries(
            slug=f"race-{uuid.uuid4().hex[:8]}", title="Race", organiser="HAS", timezone="UTC"
        )
        subscriber = Subscriber(email=address, created_at=long_ago, updated_at=long_ago)
        setup.add_all([series, subscriber])
        await setup.flush()
        if stale:
            setup.add(
                Subscription(
                    subscriber_id=subscriber.id,
                    dialogue_series_id=series.id,
                    status=SubscriptionStatus.PENDING,
                    requested_at=long_ago,
                )
            )
        await setup.commit()

    # The request pauses after taking the subscriber's row, before it touches subscriptions.
    locked, go = asyncio.Event(), asyncio.Event()
    original = NewsletterRepository.subscriptions

    async def paused(self: NewsletterRepository, subscriber_id: uuid.UUID) -> object:
        locked.set()
        await go.wait()
        return await original(self, subscriber_id)

    monkeypatch.setattr(NewsletterRepository, "subscriptions", paused)
    pending: list[asyncio.Task[object]] = []
    try:
        async with maker() as request, maker() as sweep, maker() as check:
            # The request's backend, which holds the subscriber's lock until it commits. (The
            # sweep commits between its steps, so its next step may run on another pooled
            # connection: watch for whoever waits on the request, not for one backend.)
            request_pid = int(await request.scalar(text("SELECT pg_backend_pid()")))
            requesting = asyncio.create_task(
                NewsletterService(request, settings).request_subscription(
                    address, [series.slug], None
                )
            )
            pending.append(requesting)  # type: ignore[arg-type]
            await asyncio.wait_for(locked.wait(), timeout=10)

            async def sweeping() -> int:
                cutoff = await NewsletterService(sweep, settings).expire_stale_requests()
                await sweep.commit()
                gone = await NewsletterService(sweep, settings).forget_orphans(cutoff)
                await sweep.commit()
                return gone

            swept = asyncio.create_task(sweeping())
            pending.append(swept)  # type: ignore[arg-type]
            assert await _blocked_by(check, request_pid), "the sweep did not wait"
            go.set()
            await asyncio.wait_for(requesting, timeout=10)
            await request.commit()
            assert await asyncio.wait_for(swept, timeout=10) == 0
        async with maker() as after:
            kept = await after.scalars(
                select(Subscription.status)
                .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
                .where(Subscriber.email == address)
            )
            assert kept.all() == [SubscriptionStatus.PENDING]
    finally:
        go.set()
        for task in pending:
            if not task.done():
                task.cancel()
            with contextlib.suppress(BaseException):
                await task
        async with maker() as cleanup:
            # A failed step may leave the request's task holding the row: fail, never hang.
            await cleanup.execute(text("SET LOCAL lock_timeout = '10s'"))
            await cleanup.execute(delete(Subscriber).where(Subscriber.email == address))
            await cleanup.execute(delete(DialogueSeries).where(DialogueSeries.id == series.id))
            # The request's confirmation mail, committed with it.
            await cleanup.execute(
                delete(OutboxMessage).where(OutboxMessage.payload["to"].as_string() == address)
            )
            await cleanup.commit()


async def test_two_requests_for_a_new_address_take_turns_on_postgresql(
    engine: AsyncEngine,
) -> None:
    """The second request's insert waits for the first, then does nothing; it gets the row the
    first made (no unique-constraint error, which the public endpoint would answer as 409)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE instead")
    maker = create_sessionmaker(engine)
    address = f"twice-{uuid.uuid4().hex[:8]}@example.org"
    try:
        async with maker() as first, maker() as second, maker() as check:
            made = await NewsletterRepository(first).subscriber_for_update(address, "First")
            second_pid = await second.scalar(text("SELECT pg_backend_pid()"))
            again = asyncio.create_task(
                NewsletterRepository(second).subscriber_for_update(address, "Second")
            )
            try:
                assert await _waiting_for_a_lock(check, int(second_pid))
                await first.commit()
                found = await asyncio.wait_for(again, timeout=10)
            finally:
                if not again.done():
                    again.cancel()
                    with contextlib.suppress(BaseException):
                        await again
            assert found.id == made.id
            assert found.name == "First"
            await second.commit()
    finally:
        async with maker() as cleanup:
            # A failed step may leave the request's task holding the row: fail, never hang.
            await cleanup.execute(text("SET LOCAL lock_timeout = '10s'"))
            await cleanup.execute(delete(Subscriber).where(Subscriber.email == address))
            await cleanup.commit()
