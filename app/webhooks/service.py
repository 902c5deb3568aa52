"""Rules about webhook endpoints: who may register what, secrets, the delivery log."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Conflict, InvalidRequest, NotFound
from app.kit.clock import utcnow
from app.kit.pagination import PageParams
from app.kit.sealing import sealer_for
from app.outbox.models import OutboxKind
from app.outbox.queue import enqueue
from app.series.service import SeriesService
from app.users.service import Principal
from app.webhooks.guard import TargetRefused, check_url
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.repository import WebhookRepository
from app.webhooks.schemas import (
    RedeliveryQueued,
    WebhookCreate,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.webhooks.signing import new_secret

NOT_FOUND = "No such webhook endpoint"


def webhook_read(endpoint: WebhookEndpoint) -> WebhookRead:
    return WebhookRead(
        id=endpoint.id,
        url=endpoint.url,
        events=list(endpoint.events),
        series_id=endpoint.dialogue_series_id,
        active=endpoint.is_active,
        owner_id=endpoint.owner_id,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def with_secret(endpoint: WebhookEndpoint, secret: str) -> WebhookWithSecret:
    """The endpoint with its plain secret: only in the answers that create or rotate it."""
    return WebhookWithSecret(**webhook_read(endpoint).model_dump(), secret=secret)


def delivery_read(delivery: WebhookDelivery) -> WebhookDeliveryRead:
    return WebhookDeliveryRead(
        id=delivery.id,
        message_id=delivery.message_id,
        event_type=delivery.event_type,
        attempt=delivery.attempt,
        status_code=delivery.status_code,
        duration_ms=delivery.duration_ms,
        error=delivery.error,
        at=delivery.created_at,
    )


class WebhookService:
    """Registering, reading, changing and deleting endpoints; their deliveries."""

    def __init__(self, db: AsyncSession, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.repo = WebhookRepository(db)

    async def _check_url(self, url: str) -> None:
        try:
            await check_url(url, allow_private=self.settings.webhooks.allow_private_targets)
        except TargetRefused as exc:
            raise InvalidRequest.single("url", f"Webhooks cannot be sent there: {exc}") from None

    async def get(self, principal: Principal, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        """An endpoint the caller owns (administrators: any); 404 otherwise."""
        endpoint = await self.repo.get_visible(
            endpoint_id, principal.user_id, is_admin=principal.is_admin
        )
        if endpoint is None:
            raise NotFound(NOT_FOUND)
        return endpoint

    async def list_endpoints(
        self, principal: Principal, params: PageParams
    ) -> tuple[list[WebhookEndpoint], str | None]:
        return await self.repo.list_visible(
            principal.user_id, is_admin=principal.is_admin, params=params
        )

    async def register_endpoint(
        self, principal: Principal, data: WebhookCreate
    ) -> tuple[WebhookEndpoint, str]:
        """Administrators may listen to every series; organisers only to a series they run."""
        if data.series_id is not None:
            access = await SeriesService(self.db).access(principal, data.series_id)
            access.require_manage()
        elif not principal.is_admin:
            raise InvalidRequest.single(
                "series_id",
                "Required: name a series you organise (only administrators may "
                "listen to every series)",
            )
        url = str(data.url)
        await self._check_url(url)
        secret = new_secret()
        endpoint = await self.repo.add(
            WebhookEndpoint(
                owner_id=principal.user_id,
                dialogue_series_id=data.series_id,
                url=url,
                events=list(data.events),
                is_active=data.active,
                secret=sealer_for(self.settings).seal(secret),
            )
        )
        return endpoint, secret

    async def update_endpoint(
        self, endpoint: WebhookEndpoint, data: WebhookUpdate
    ) -> WebhookEndpoint:
        if data.url is not None:
            url = str(data.url)
            await self._check_url(url)
            endpoint.url = url
        if data.events is not None:
            endpoint.events = list(data.events)
        if data.active is not None:
            endpoint.is_active = data.active
            if data.active:
                endpoint.disabled_at = None
                endpoint.disabled_reason = None
        endpoint.updated_at = utcnow()
        await self.db.flush()
        return endpoint

    async def delete_endpoint(self, endpoint: WebhookEndpoint) -> None:
        await self.repo.delete(endpoint)

    async def rotate_secret(self, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
        """A new secret at once; messages already queued are signed with it when sent."""
        secret = new_secret()
        endpoint.secret = sealer_for(self.settings).seal(secret)
        endpoint.updated_at = utcnow()
        await self.db.flush()
        return endpoint, secret

    async def reseal_secrets(self) -> int:
        """Seal every stored secret under the current secret key: those stored in plain text
        before sealing existed and those sealed under a fallback key. Answers how many were
        sealed again; raises ``Unreadable`` (changing nothing) if one cannot be opened."""
        sealer = sealer_for(self.settings)
        changed = 0
        for endpoint in await self.repo.all_endpoints():
            if sealer.needs_reseal(endpoint.secret):
                endpoint.secret = sealer.seal(sealer.open(endpoint.secret))
                changed += 1
        await self.db.flush()
        return changed

    async def deliveries(
        self, endpoint: WebhookEndpoint, params: PageParams
    ) -> tuple[list[WebhookDeliveryRead], str | None]:
        rows, cursor = await self.repo.deliveries(endpoint.id, params)
        return [delivery_read(d) for d in rows], cursor

    async def prune_delivery_log(self, limit: int) -> int:
        """Delete up to ``limit`` delivery-log entries older than
        ``TRACK2_WEBHOOKS__DELIVERY_LOG_DAYS`` (housekeeping; 0 keeps them). Answers how many
        went; call again while it answers ``limit``."""
        days = self.settings.webhooks.delivery_log_days
        if days <= 0:
            return 0
        return await self.repo.delete_deliveries_before(utcnow() - timedelta(days=days), limit)

    async def redeliver(
        self, endpoint: WebhookEndpoint, delivery_id: uuid.UUID
    ) -> RedeliveryQueued:
        """Queue the delivered (or failed) message again, with the same ``webhook-id``."""
        delivery = await self.repo.get_delivery(endpoint.id, delivery_id)
        if delivery is None:
            raise NotFound("No such delivery")
        if not endpoint.is_active:
            raise Conflict("The endpoint is disabled; enable it first")
        original = await self.repo.outbox_message(delivery.outbox_message_id)
        if original is None or original.pruned_at is not None:
            raise Conflict(
                "The message is no longer kept (TRACK2_OUTBOX__SENT_RETENTION_DAYS); "
                "it cannot be sent again"
            )
        payload = {
            **original.payload,
            "url": endpoint.url,
            "redelivery": True,
            "attempts_before": await self.repo.last_attempt(endpoint.id, delivery.message_id),
        }
        message = await enqueue(self.db, kind=OutboxKind.WEBHOOK, payload=payload)
        assert message is not None  # no dedupe key
        return RedeliveryQueued(outbox_message_id=message.id, message_id=delivery.message_id)
