"""Every SQL statement of outbox administration."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.pagination import PageParams, apply_keyset
from app.outbox.models import OutboxMessage, OutboxStatus

_M = OutboxMessage


def _summary_columns() -> tuple[Any, ...]:
    # Only the envelope is read out of the JSON payload: bodies never leave the database.
    return (
        _M.id,
        _M.kind,
        _M.status,
        func.coalesce(_M.payload["to"].as_string(), _M.payload["url"].as_string()).label(
            "recipient"
        ),
        _M.payload["subject"].as_string().label("subject"),
        _M.attempts,
        _M.last_error,
        _M.created_at,
        _M.available_at,
        _M.sent_at,
        _M.pruned_at,
    )


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_summaries(
        self, status: OutboxStatus | None, page: PageParams
    ) -> Sequence[Row[Any]]:
        """Messages oldest first (ids are time-ordered), optionally of one status."""
        stmt = select(*_summary_columns())
        if status is not None:
            stmt = stmt.where(_M.status == status)
        stmt = apply_keyset(stmt, [_M.id], [uuid.UUID], page)
        return (await self.session.execute(stmt)).all()

    async def get_summary(self, message_id: uuid.UUID) -> Row[Any] | None:
        stmt = select(*_summary_columns()).where(_M.id == message_id)
        return (await self.session.execute(stmt)).one_or_none()

    async def get_status(self, message_id: uuid.UUID) -> OutboxStatus | None:
        return await self.session.scalar(select(_M.status).where(_M.id == message_id))

    async def requeue(
        self, message_id: uuid.UUID, allowed: Sequence[OutboxStatus], now: datetime
    ) -> bool:
        """Make the message due now with a fresh attempt budget, if it is in ``allowed``.

        Conditional on the status so a worker claiming it at the same moment wins cleanly.
        """
        result = await self.session.execute(
            update(_M)
            .where(_M.id == message_id, _M.status.in_(allowed))
            .values(
                status=OutboxStatus.PENDING,
                attempts=0,
                available_at=now,
                locked_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def delete_if(self, message_id: uuid.UUID, allowed: Sequence[OutboxStatus]) -> bool:
        """Delete the message if it is in ``allowed`` (conditional on the status, so a worker
        claiming it at the same moment wins cleanly)."""
        result = await self.session.execute(
            delete(_M)
            .where(_M.id == message_id, _M.status.in_(allowed))
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))
