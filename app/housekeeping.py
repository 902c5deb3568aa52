"""Periodic clean-up: what Track2 no longer needs, it does not keep.

One pass (:func:`sweep`) deletes
- subscription requests nobody confirmed, a day after their confirmation link expired, and
  the subscribers they leave without any subscription (addresses blanked in the outbox);
- Idempotency-Key records older than their 24 hours;
- rate-limit counters of windows that have ended;
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
from collections.abc import AsyncIterator
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import sqlite_write_intent
from app.kit import idempotency, outbox, ratelimit
from app.kit.clock import utcnow
from app.newsletter.service import NewsletterService
from app.webhooks.service import WebhookService

logger = logging.getLogger("track2.housekeeping")


async def _outbox_retention(db: AsyncSession, settings: Settings) -> dict[str, int]:
    days = settings.outbox.sent_retention_days
    if days <= 0:
        return {"sent_messages_deleted": 0, "sent_messages_emptied": 0}
    pruned = await outbox.prune_sent(db, utcnow() - timedelta(days=days))
    return {"sent_messages_deleted": pruned.deleted, "sent_messages_emptied": pruned.emptied}


async def sweep(maker: async_sessionmaker[AsyncSession], settings: Settings) -> dict[str, int]:
    """One pass, in one transaction; answers how many rows of each kind went."""
    token = sqlite_write_intent.set(True)
    try:
        async with maker() as db:
            done = {
                "unconfirmed_subscribers": await NewsletterService(
                    db, settings
                ).purge_unconfirmed(),
                "idempotency_records": await idempotency.purge_expired(db),
                "rate_limit_counters": await ratelimit.purge_expired(db),
                **await _outbox_retention(db, settings),
                "webhook_deliveries": await WebhookService(db, settings).prune_delivery_log(),
            }
            await db.commit()
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
