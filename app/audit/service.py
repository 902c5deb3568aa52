"""Recording and reading the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent


class AuditService:
    """Append-only audit events; read back per subject, oldest first."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        *,
        action: str,
        subject_type: str,
        subject_id: uuid.UUID,
        series_id: uuid.UUID | None,
        user_id: uuid.UUID | None,
        data: dict[str, Any] | None = None,
    ) -> AuditEvent:
        event = self.stage(
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            series_id=series_id,
            user_id=user_id,
            data=data,
        )
        await self.session.flush()
        return event

    def stage(
        self,
        *,
        action: str,
        subject_type: str,
        subject_id: uuid.UUID,
        series_id: uuid.UUID | None,
        user_id: uuid.UUID | None,
        data: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Add an event to the session without flushing: it is written by the caller's next
        flush, together with whatever else that flush writes (one unit of work)."""
        event = AuditEvent(
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            dialogue_series_id=series_id,
            app_user_id=user_id,
            data=data or {},
        )
        self.session.add(event)
        return event

    async def history(self, subject_type: str, subject_id: uuid.UUID) -> Sequence[AuditEvent]:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()
