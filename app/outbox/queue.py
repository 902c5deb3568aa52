"""Adding messages to the outbox, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.clock import utcnow
from app.outbox.models import OutboxKind, OutboxMessage, OutboxStatus


async def enqueue(
    db: AsyncSession,
    *,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
    available_at: datetime | None = None,
) -> OutboxMessage | None:
    """Add a message to the caller's transaction (flushed, never committed).

    Returns None when a message with ``dedupe_key`` already exists, so sending the same thing
    twice (a repeated newsletter send, a retried request) delivers it once. The existence check
    answers the common case; the unique constraint settles a race between two transactions
    (the loser's flush raises IntegrityError inside a savepoint and also gets None).
    """
    message_kind = OutboxKind(kind)
    if dedupe_key is not None:
        existing = await db.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    now = utcnow()
    message = OutboxMessage(
        kind=message_kind,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        available_at=available_at or now,
        dedupe_key=dedupe_key,
        created_at=now,
    )
    if dedupe_key is None:
        db.add(message)
        await db.flush()
        return message
    try:
        async with db.begin_nested():
            db.add(message)
    except IntegrityError:
        return None
    return message
