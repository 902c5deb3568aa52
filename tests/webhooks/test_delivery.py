"""Delivery through the outbox worker: signatures, the retry schedule, 410, redirects, the
SSRF guard at connect time, and a real receiver on loopback."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.kit.sealing import sealer_for
from app.outbox.events import emit
from app.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from app.series.events import series_data
from app.series.service import public_series_texts
from app.webhooks.delivery import SCHEDULE, WebhookSender
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import new_secret
from tests.factories import Factory
from tests.outbox.conftest import WorkerKit


@dataclass
class Setup:
    endpoint_id: uuid.UUID
    secret: str
    owner_email: str


async def _setup(kit: WorkerKit, url: str) -> Setup:
    """An organiser's endpoint on a new series, and one event queued for it."""
    secret = new_secret()
    async with kit.maker() as db:
        factory = Factory(db)
        owner = await factory.caller()
        series = await factory.series(organiser=owner)
        endpoint = WebhookEndpoint(
            owner_id=owner.id,
            dialogue_series_id=series.id,
            url=url,
            events=["*"],
            secret=sealer_for(kit.settings()).seal(secret),
        )
        db.add(endpoint)
        await db.flush()
        texts = await public_series_texts(db, series)
        assert texts is not None
        assert await emit(db, "series.updated", series.id, series_data(series, texts)) == 1
        await db.commit()
        return Setup(endpoint.id, secret, owner.user.email)


def _mock(answer: Callable[[httpx.Request], httpx.Response], calls: list[httpx.Request]) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answer(request)

    def factory(settings: Settings) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(handle), follow_redirects=False)

    return factory


async def _message(maker: async_sessionmaker[AsyncSession]) -> OutboxMessage:
    async with maker() as db:
        return (
            await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK))
        ).one()


async def _endpoint(maker: async_sessionmaker[AsyncSession], id_: uuid.UUID) -> WebhookEndpoint:
    async with maker() as db:
        endpoint = await db.get(WebhookEndpoint, id_)
        assert endpoint is not None
        return endpoint


async def _deliveries(
    maker: async_sessionmaker[AsyncSession], id_: uuid.UUID
) -> list[WebhookDelivery]:
    async with maker() as db:
        rows = await db.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_endpoint_id == id_)
            .order_by(WebhookDelivery.id)
        )
        return list(rows.all())


async def _owner_notices(maker: async_sessionmaker[AsyncSession], to: str) -> list[OutboxMessage]:
    async with maker() as db:
        rows = await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL))
        return [m for m in rows.all() if m.payload["to"] == to]


async def test_failures_follow_the_schedule_then_disable_and_tell_the_owner(
    kit: WorkerKit,
) -> None:
    setup = await _setup(kit, "https://hooks.example.org/in")
    calls: list[httpx.Request] = []
    sender = WebhookSender(
        _mock(lambda r: httpx.Response(503), calls), clock=lambda: kit.clock().timestamp()
    )
    worker = kit.worker(handlers={"webhook": sender})
    for attempt in range(1, len(SCHEDULE) + 1):
        assert await worker.run_once() == 1, attempt
        message = await _message(kit.maker)
        assert message.attempts == attempt
        if attempt < len(SCHEDULE):
            assert message.status is OutboxStatus.PENDING
            wait = message.available_at - kit.clock()
            assert abs(wait - timedelta(seconds=SCHEDULE[attempt])) < timedelta(seconds=2)
            assert await worker.run_once() == 0  # not due before its time
            kit.clock.advance(SCHEDULE[attempt])
    assert message.status is OutboxStatus.DEAD
    assert [d.attempt for d in await _deliveries(kit.maker, setup.endpoint_id)] == list(
        range(1, 11)
    )
    assert {d.status_code for d in await _deliveries(kit.maker, setup.endpoint_id)} == {503}
    assert len({r.headers["webhook-id"] for r in calls}) == 1  # stable across retries
    assert len({r.headers["webhook-timestamp"] for r in calls}) == 10  # fresh on each
    endpoint = await _endpoint(kit.maker, setup.endpoint_id)
    assert endpoint.is_active is False
    assert endpoint.disabled_reason is not None
    assert "10 attempts" in endpoint.disabled_reason
    [notice] = await _owner_notices(kit.maker, setup.owner_email)
    assert "disabled" in notice.payload["subject"]


async def test_410_gone_disables_the_endpoint_at_once(kit: WorkerKit) -> None:
    setup = await _setup(kit, "https://hooks.example.org/in")
    calls: list[httpx.Request] = []
    worker = kit.worker(
        handlers={"webhook": WebhookSender(_mock(lambda r: httpx.Response(410), calls))}
    )
    assert await worker.run_once() == 1
    message = await _message(kit.maker)
    assert message.status is OutboxStatus.DEAD
    assert message.attempts == 1
    endpoint = await _endpoint(kit.maker, setup.endpoint_id)
    assert endpoint.is_active is False
    assert endpoint.disabled_reason == "the receiver answered 410 Gone"
    assert len(await _owner_notices(kit.maker, setup.owner_email)) == 1


async def test_redirects_are_failures_and_not_followed(kit: WorkerKit) -> None:
    setup = await _setup(kit, "https://hooks.example.org/in")
    calls: list[httpx.Request] = []
    moved = httpx.Response(302, headers={"location": "http://169.254.169.254/latest"})
    worker = kit.worker(handlers={"webhook": WebhookSender(_mock(lambda r: moved, calls))})
    assert await worker.run_once() == 1
    assert len(calls) == 1
    message = await _message(kit.maker)
    assert message.status is OutboxStatus.PENDING
    assert message.last_error == "HTTP 302: redirects are not followed"
    [delivery] = await _deliveries(kit.maker, setup.endpoint_id)
    assert delivery.status_code == 302
    assert (await _endpoint(kit.maker, setup.endpoint_id)).is_active is True


async def test_a_disabled_endpoint_gets_nothing(kit: WorkerKit) -> None:
    setup = await _setup(kit, "https://hooks.example.org/in")
    async with kit.maker() as db:
        endpoint = await db.get(WebhookEndpoint, setup.endpoint_id)
        assert endpoint is not None
        endpoint.is_active = False
        await db.commit()
    calls: list[httpx.Request] = []
    worker = kit.worker(
        handlers={"webhook": WebhookSender(_mock(lambda r: httpx.Response(200), calls))}
    )
    assert await worker.run_once() == 1
    assert calls == []
    assert (await _message(kit.maker)).status is OutboxStatus.DEAD


# --- a real receiver on loopback ------------------------------------------------------------


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver(url="")

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        chunks = []
        while True:
            event = await receive()
            chunks.append(event.get("body", b""))
            if not event.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        state.received.append((headers, b"".join(chunks)))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", ws="none", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    state.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield state
    finally:
        server.should_exit = True
        await task


def _expected_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def test_a_real_delivery_is_signed_and_verifiable_end_to_end(kit: WorkerKit) -> None:
    async with receiver() as sink:
        setup = await _setup(kit, sink.url)
        settings = kit.settings(webhooks={"allow_private_targets": True})
        worker = kit.worker(settings, handlers={"webhook": WebhookSender()})
        assert await worker.run_once() == 1
    [(headers, body)] = sink.received
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"].startswith("msg_")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert headers["webhook-signature"] == _expected_signature(
        setup.secret, headers["webhook-id"], headers["webhook-timestamp"], body
    )
    event = json.loads(body)
    assert event["type"] == "series.updated"
    assert event["data"]["confidentiality"] == "public"
    assert (await _message(kit.maker)).status is OutboxStatus.SENT
    [delivery] = await _deliveries(kit.maker, setup.endpoint_id)
    assert (delivery.status_code, delivery.error, delivery.attempt) == (204, None, 1)


async def test_the_guard_refuses_loopback_at_delivery(kit: WorkerKit) -> None:
    async with receiver() as sink:
        setup = await _setup(kit, sink.url)
        worker = kit.worker(handlers={"webhook": WebhookSender()})  # private targets refused
        assert await worker.run_once() == 1
    assert sink.received == []
    [delivery] = await _deliveries(kit.maker, setup.endpoint_id)
    assert delivery.status_code is None
    assert delivery.error is not None
    assert "loopback" in delivery.error
