"""Every SQL statement about webhook endpoints and their delivery log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.ids import uuid7_floor
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.outbox.models import OutboxMessage
from app.series.models import MemberRole, SeriesMember
from app.users.models import User
from app.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        self.session.add(endpoint)
        await self.session.flush()
        return endpoint

    async def delete(self, endpoint: WebhookEndpoint) -> None:
        await self.session.delete(endpoint)
        await self.session.flush()

    async def get_visible(
        self, endpoint_id: uuid.UUID, user_id: uuid.UUID, *, is_admin: bool
    ) -> WebhookEndpoint | None:
        """An endpoint the caller may see: administrators any, others their own."""
        stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        if not is_admin:
            stmt = stmt.where(WebhookEndpoint.owner_id == user_id)
        return await self.session.scalar(stmt)

    async def list_visible(
        self, user_id: uuid.UUID, *, is_admin: bool, params: PageParams
    ) -> tuple[list[WebhookEndpoint], str | None]:
        stmt = select(WebhookEndpoint)
        if not is_admin:
            stmt = stmt.where(WebhookEndpoint.owner_id == user_id)
        stmt = apply_keyset(stmt, [WebhookEndpoint.id], [uuid.UUID], params)
        rows = (await self.session.scalars(stmt)).all()
        return split_page(rows, params, lambda e: (e.id,))

    async def targets(self, series_id: uuid.UUID) -> Sequence[tuple[WebhookEndpoint, bool]]:
        """Active endpoints that may receive an event of ``series_id``, with whether their
        owner is an administrator. A non-administrator's endpoint receives only while its
        owner still organises the series."""
        organises = exists().where(
            SeriesMember.app_user_id == WebhookEndpoint.owner_id,
            SeriesMember.dialogue_series_id == series_id,
            SeriesMember.role == MemberRole.ORGANISER,
        )
        stmt = (
            select(WebhookEndpoint, User.is_admin)
            .join(User, User.id == WebhookEndpoint.owner_id)
            .where(
                WebhookEndpoint.is_active.is_(True),
                User.is_active.is_(True),
                or_(
                    WebhookEndpoint.dialogue_series_id.is_(None),
                    WebhookEndpoint.dialogue_series_id == series_id,
                ),
                or_(User.is_admin.is_(True), organises),
            )
            .order_by(WebhookEndpoint.id)
        )
        return [(row[0], bool(row[1])) for row in (await self.session.execute(stmt)).all()]

    async def deliveries(
        self, endpoint_id: uuid.UUID, params: PageParams
    ) -> tuple[list[WebhookDelivery], str | None]:
        stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_endpoint_id == endpoint_id)
        stmt = apply_keyset(stmt, [WebhookDelivery.id], [uuid.UUID], params)
        rows = (await self.session.scalars(stmt)).all()
        return split_page(rows, params, lambda d: (d.id,))

    async def get_delivery(
        self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery | None:
        return await self.session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.webhook_endpoint_id == endpoint_id,
            )
        )

    async def outbox_message(self, message_id: uuid.UUID) -> OutboxMessage | None:
        return await self.session.get(OutboxMessage, message_id)

    async def all_endpoints(self) -> Sequence[WebhookEndpoint]:
        """Every endpoint (for operators' maintenance commands; never for a request)."""
        return (await self.session.scalars(select(WebhookEndpoint))).all()

    async def last_attempt(self, endpoint_id: uuid.UUID, message_id: str) -> int:
        """The highest attempt number logged for this message at this endpoint (0: none)."""
        found = await self.session.scalar(
            select(func.max(WebhookDelivery.attempt)).where(
                WebhookDelivery.webhook_endpoint_id == endpoint_id,
                WebhookDelivery.message_id == message_id,
            )
        )
        return int(found or 0)

    async def delete_deliveries_before(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` delivery-log entries made before ``before``, oldest first:
        ids are UUIDv7, so this is a range of the primary key, not a scan of the log."""
        oldest = (
            select(WebhookDelivery.id)
            .where(WebhookDelivery.id < uuid7_floor(before))
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
        result = await self.session.execute(
            delete(WebhookDelivery)
            .where(WebhookDelivery.id.in_(oldest.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
