"""Outbox administration rules: what may be retried or discarded."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.kit.clock import utcnow
from app.kit.pagination import PageParams, split_page
from app.outbox.models import OutboxStatus
from app.outbox.repository import OutboxRepository
from app.outbox.schemas import OutboxMessageRead

# Dead messages, and pending ones waiting out a backoff. Sent ones are done; sending ones
# belong to a worker until their lease runs out.
_RETRYABLE = (OutboxStatus.DEAD, OutboxStatus.PENDING)


def _read(row: Row[Any]) -> OutboxMessageRead:
    return OutboxMessageRead.model_validate(row._mapping)


class OutboxAdminService:
    def __init__(self, session: AsyncSession) -> None:
        self.repository = OutboxRepository(session)

    async def list_messages(
        self, status: OutboxStatus | None, page: PageParams
    ) -> tuple[list[OutboxMessageRead], str | None]:
        """A page of messages, oldest first."""
        rows = await self.repository.list_summaries(status, page)
        items, cursor = split_page(rows, page, key=lambda r: (r.id,))
        return [_read(r) for r in items], cursor

    async def retry(self, message_id: uuid.UUID) -> OutboxMessageRead:
        """Send a dead or failing message again now, with a fresh attempt budget."""
        if not await self.repository.requeue(message_id, _RETRYABLE, utcnow()):
            await self._refuse(message_id, "retried")
        row = await self.repository.get_summary(message_id)
        assert row is not None  # updated a moment ago in this transaction
        return _read(row)

    async def discard(self, message_id: uuid.UUID) -> None:
        """Delete a dead or pending message (and its content) for good: it will not be sent."""
        if not await self.repository.delete_if(message_id, _RETRYABLE):
            await self._refuse(message_id, "discarded")

    async def _refuse(self, message_id: uuid.UUID, verb: str) -> NoReturn:
        status = await self.repository.get_status(message_id)
        if status is None:
            raise NotFound("No such outbox message")
        raise Conflict(
            f"The message is {status.value}; only dead or pending messages can be {verb}",
            status_now=status.value,
        )
