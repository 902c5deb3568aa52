"""Sending webhook messages: the outbox handler for ``kind="webhook"``.

Each message is POSTed with the Standard Webhooks headers (``webhook-id`` stable across
attempts, ``webhook-timestamp`` and ``webhook-signature`` fresh on each), redirects are not
followed, and every attempt is written to the endpoint's delivery log. Failures are retried on
the Standard Webhooks schedule; a 410 disables the endpoint at once, and so does the last
failed attempt, after which the owner is told by e-mail.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Final

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import sqlite_write_intent
from app.kit.clock import utcnow
from app.kit.sealing import Unreadable, sealer_for
from app.outbox.mail import email_payload
from app.outbox.models import OutboxKind, OutboxMessage
from app.outbox.queue import enqueue
from app.outbox.worker import HandlerContext, register_handler, register_retry_policy
from app.users.models import User
from app.webhooks.guard import GuardedTransport, TargetRefused
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import sign

logger = logging.getLogger("track2.webhooks")

# Seconds before each attempt (Standard Webhooks): at once, 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 14 h, 20 h, 24 h. After the last one fails the endpoint is disabled.
SCHEDULE: Final = (0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
# Errors that end a message at once (no further attempt).
FINAL_PREFIX: Final = "final: "
_MAX_CONCURRENCY: Final = 8


def retry_delay(message: OutboxMessage, error: str) -> float | None:
    """The outbox retry policy for webhooks: the next step of the schedule, or None. A manual
    redelivery is one attempt: its owner asked for it and reads the log."""
    if error.startswith(FINAL_PREFIX) or message.attempts >= len(SCHEDULE):
        return None
    if message.payload.get("redelivery"):
        return None
    return float(SCHEDULE[message.attempts])


def default_client(settings: Settings) -> httpx.AsyncClient:
    """The production client: SSRF-guarded, no redirects, the configured timeout."""
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private=settings.webhooks.allow_private_targets),
        timeout=settings.webhooks.timeout_seconds,
        follow_redirects=False,
    )


def _outcome(response: httpx.Response) -> str | None:
    code = response.status_code
    if 200 <= code < 300:
        return None
    if code == 410:
        return FINAL_PREFIX + "410 Gone: the receiver retired the endpoint; it is disabled"
    if 300 <= code < 400:
        return f"HTTP {code}: redirects are not followed"
    return f"HTTP {code}"


class WebhookSender:
    """The handler: ``register_handler("webhook", WebhookSender())``. Tests give it their
    own client factory (an ``httpx.MockTransport``, a loopback receiver) and clock."""

    def __init__(
        self,
        client_factory: Callable[[Settings], httpx.AsyncClient] = default_client,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_factory = client_factory
        self.clock = clock

    async def __call__(
        self, rows: Sequence[OutboxMessage], context: HandlerContext
    ) -> dict[uuid.UUID, str | None]:
        maker = context.sessionmaker
        if maker is None:
            return {row.id: "the worker gave the webhook handler no database" for row in rows}
        semaphore = asyncio.Semaphore(_MAX_CONCURRENCY)
        async with self.client_factory(context.settings) as client:

            async def one(row: OutboxMessage) -> tuple[uuid.UUID, str | None]:
                async with semaphore:
                    return row.id, await self._deliver(row, client, maker, context)

            results = await asyncio.gather(*(one(row) for row in rows))
        return dict(results)

    async def _deliver(
        self,
        row: OutboxMessage,
        client: httpx.AsyncClient,
        maker: async_sessionmaker[AsyncSession],
        context: HandlerContext,
    ) -> str | None:
        payload = row.payload
        endpoint_id = uuid.UUID(payload["endpoint_id"])
        async with maker() as db:
            endpoint = await db.get(WebhookEndpoint, endpoint_id)
            if endpoint is None or not endpoint.is_active:
                return FINAL_PREFIX + "the endpoint is disabled or deleted; not sent"
            url, sealed = endpoint.url, endpoint.secret
        try:
            secret = sealer_for(context.settings).open(sealed)
        except Unreadable as exc:
            # Not the receiver's fault: keep to the schedule, an operator can restore the key.
            logger.error("webhook secret unreadable", extra={"endpoint_id": str(endpoint_id)})
            return f"not sent: the endpoint's secret is unreadable ({exc})"
        body: str = payload["body"]
        message_id: str = payload["message_id"]
        timestamp = int(self.clock())
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
            "user-agent": "Track2-Webhooks/1",
        }
        started = time.perf_counter()
        status_code: int | None = None
        try:
            response = await client.post(url, content=body.encode(), headers=headers)
            status_code = response.status_code
            error = _outcome(response)
        except TargetRefused as exc:
            error = f"refused: {exc}"
        except httpx.TimeoutException:
            error = f"timed out after {context.settings.webhooks.timeout_seconds:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        duration_ms = int((time.perf_counter() - started) * 1000)
        if error is None:
            context.delivered(row.id)
        redelivery = bool(payload.get("redelivery"))
        # A failed manual redelivery does not disable the endpoint (a 410 still does).
        exhausted = error is not None and not redelivery and retry_delay(row, error) is None
        await self._record(
            maker,
            row,
            endpoint_id,
            WebhookDelivery(
                webhook_endpoint_id=endpoint_id,
                outbox_message_id=row.id,
                message_id=message_id,
                event_type=str(payload.get("event_type", "")),
                # Attempts count on across manual redeliveries of the same message.
                attempt=int(payload.get("attempts_before", 0)) + row.attempts,
                status_code=status_code,
                duration_ms=duration_ms,
                error=error,
            ),
            disable_reason=(
                "the receiver answered 410 Gone"
                if status_code == 410
                else f"{row.attempts} attempts failed; last: {error}"
                if exhausted
                else None
            ),
        )
        return error

    async def _record(
        self,
        maker: async_sessionmaker[AsyncSession],
        row: OutboxMessage,
        endpoint_id: uuid.UUID,
        delivery: WebhookDelivery,
        *,
        disable_reason: str | None,
    ) -> None:
        token = sqlite_write_intent.set(True)
        try:
            async with maker() as db:
                db.add(delivery)
                if disable_reason is not None:
                    await _disable(db, endpoint_id, disable_reason)
                await db.commit()
        except Exception:
            # The log is diagnostic; the outcome itself is recorded by the worker.
            logger.exception(
                "recording a webhook delivery failed", extra={"outbox_id": str(row.id)}
            )
        finally:
            sqlite_write_intent.reset(token)


async def _disable(db: AsyncSession, endpoint_id: uuid.UUID, reason: str) -> None:
    """Disable an endpoint and tell its owner (an e-mail through the outbox)."""
    endpoint = await db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.is_active:
        return
    endpoint.is_active = False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = reason[:500]
    logger.warning("webhook endpoint disabled", extra={"endpoint_id": str(endpoint_id)})
    owner = await db.get(User, endpoint.owner_id)
    if owner is None:
        return
    text = (
        f"Track2 stopped sending events to your webhook endpoint\n\n    {endpoint.url}\n\n"
        f"because {reason}.\n\nFix the receiver, then re-enable the endpoint with "
        f'PATCH /api/v1/webhooks/{endpoint.id} and {{"active": true}}; its delivery log '
        f"(GET /api/v1/webhooks/{endpoint.id}/deliveries) shows every attempt.\n"
    )
    await enqueue(
        db,
        kind=OutboxKind.EMAIL,
        payload=email_payload(
            to=owner.email,
            to_name=owner.display_name,
            subject="Your Track2 webhook endpoint was disabled",
            text=text,
        ),
        dedupe_key=f"webhook-disabled:{endpoint.id}:{endpoint.disabled_at.isoformat()}",
    )


register_handler(OutboxKind.WEBHOOK, WebhookSender())
register_retry_policy(OutboxKind.WEBHOOK, retry_delay)
