"""Periodic clean-up: what Track2 no longer needs, it does not keep.

One pass (:func:`sweep`) deletes
- subscription requests nobody confirmed, a day after their confirmation link expired, and
  the subscribers they leave without any subscription (addresses blanked in the outbox);
- Idempotency-Key records older than their 24 hours;
- rate-limit hits of windows that have ended;
- the content of outbox messages sent more than ``TRACK2_OUTBOX__SENT_RETENTION_DAYS`` ago
  (30): rows without a dedupe key go, rows with one keep only the key (exactly-once);
- webhook delivery-log entries older than ``TRACK2_WEBHOOKS__DELIVERY_LOG_DAYS`` (90).

The outbox worker runs a pass every ``TRACK2_OUTBOX__HOUSEKEEPING_INTERVAL_SECONDS`` (an hour by
default; 0 turns it off), both in ``track2 worker`` and in the worker ``track2 serve`` runs;
``track2 housekeeping`` runs one pass and exits (for cron).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import sqlite_write_intent
from app.kit import idempotency, ratelimit
from app.kit.clock import utcnow
from app.newsletter.service import NewsletterService
from app.outbox import worker as outbox
from app.users.signin import SignInService
from app.webhooks.service import WebhookService

logger = logging.getLogger("track2.housekeeping")


# Rows removed per transaction by the retention steps: a large backlog (the first pass after
# an upgrade, or after housekeeping was off) goes in many short transactions, so SQLite's
# single write lock is never held for long and API writes keep their turn between batches.
RETENTION_BATCH = 1000


async def _in_batches(
    maker: async_sessionmaker[AsyncSession], step: Callable[[AsyncSession], Awaitable[int]]
) -> int:
    """Run ``step`` (which removes up to RETENTION_BATCH rows) in its own transaction until
    it comes back short; answers the total."""
    total = 0
    while True:
        async with maker() as db:
            done = await step(db)
            await db.commit()
        total += done
        if done < RETENTION_BATCH:
            return total


async def _retention(maker: async_sessionmaker[AsyncSession], settings: Settings) -> dict[str, int]:
    deleted = emptied = 0
    days = settings.outbox.sent_retention_days
    if days > 0:
        cutoff = utcnow() - timedelta(days=days)

        async def outbox_step(db: AsyncSession) -> int:
            nonlocal deleted, emptied
            pruned = await outbox.prune_sent(db, cutoff, RETENTION_BATCH)
            deleted += pruned.deleted
            emptied += pruned.emptied
            return max(pruned.deleted, pruned.emptied)

        await _in_batches(maker, outbox_step)

    async def delivery_step(db: AsyncSession) -> int:
        return await WebhookService(db, settings).prune_delivery_log(RETENTION_BATCH)

    return {
        "sent_messages_deleted": deleted,
        "sent_messages_emptied": emptied,
        "webhook_deliveries": await _in_batches(maker, delivery_step),
    }


async def sweep(maker: async_sessionmaker[AsyncSession], settings: Settings) -> dict[str, int]:
    """One pass, in short transactions of their own; answers how many rows of each kind
    went."""
    token = sqlite_write_intent.set(True)
    try:
        # Separate short transactions: each takes its locks in one order (subscribers by id;
        # rate-limit hits apart from them), so none can wait in a cycle with a request.
        async with maker() as db:
            cutoff = await NewsletterService(db, settings).expire_stale_requests()
            await db.commit()
        async with maker() as db:
            done = {
                "unconfirmed_subscribers": await NewsletterService(db, settings).forget_orphans(
                    cutoff
                )
            }
            await db.commit()
        async with maker() as db:
            done["idempotency_records"] = await idempotency.purge_expired(db)
            done["rate_limit_hits"] = await ratelimit.purge_expired(db)
            await db.commit()
        async with maker() as db:
            # Console sign-in links and web sessions that stopped working a day ago.
            done["sign_in_rows"] = await SignInService(db, settings).purge()
            await db.commit()
        done.update(await _retention(maker, settings))
    finally:
        sqlite_write_intent.reset(token)
    logger.info("housekeeping done", extra=done)
    return done


async def _every(
    maker: async_sessionmaker[AsyncSession], settings: Settings, stop: asyncio.Event
) -> None:
    interval = settings.outbox.housekeeping_interval_seconds
    while not stop.is_set():
        try:
            await sweep(maker, settings)
        except Exception:
            logger.exception("housekeeping failed; next pass as planned")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


@contextlib.asynccontextmanager
async def in_background(
    maker: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[None]:
    """Run a pass now and then every interval while the block runs (off at interval 0)."""
    if settings.outbox.housekeeping_interval_seconds <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_every(maker, settings, stop), name="track2-housekeeping")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=10)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
