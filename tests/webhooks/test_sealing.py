"""Webhook signing secrets are sealed at rest, survive a rotation of TRACK2_SECRET_KEY through
its fallbacks, and manual redeliveries are single, logged attempts that count on."""

from __future__ import annotations

import uuid

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.kit.sealing import PREFIX, Sealer, Unreadable, sealer_for
from app.outbox.models import OutboxMessage, OutboxStatus
from app.webhooks.delivery import SCHEDULE, WebhookSender
from app.webhooks.models import WebhookEndpoint
from app.webhooks.service import WebhookService
from app.webhooks.signing import new_secret, verify
from tests.factories import Factory
from tests.outbox.conftest import WorkerKit
from tests.webhooks.conftest import FakeDns
from tests.webhooks.test_api import URL, body
from tests.webhooks.test_delivery import (
    _deliveries,
    _endpoint,
    _message,
    _mock,
    _owner_notices,
    _setup,
)

OLD_KEY = "an-old-secret-key-that-was-in-use-until-last-week"
NEW_KEY = "the-new-secret-key-after-the-rotation-of-this-week"


# -- the sealer ------------------------------------------------------------------------------


def test_a_sealed_value_opens_and_hides_its_plain_text() -> None:
    sealer = Sealer([NEW_KEY])
    secret = new_secret()
    sealed = sealer.seal(secret)
    assert sealed.startswith(PREFIX)
    assert secret not in sealed
    assert secret.removeprefix("whsec_") not in sealed
    assert sealer.open(sealed) == secret
    assert sealer.seal(secret) != sealed  # a fresh IV every time


def test_a_tampered_or_foreign_value_is_unreadable_not_garbage() -> None:
    sealed = Sealer([OLD_KEY]).seal(new_secret())
    with pytest.raises(Unreadable, match="TRACK2_SECRET_KEY_FALLBACKS"):
        Sealer([NEW_KEY]).open(sealed)
    flipped = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    with pytest.raises(Unreadable):
        Sealer([OLD_KEY]).open(flipped)


def test_fallback_keys_open_and_are_flagged_for_resealing() -> None:
    secret = new_secret()
    under_old = Sealer([OLD_KEY]).seal(secret)
    rotated = Sealer([NEW_KEY, OLD_KEY])
    assert rotated.open(under_old) == secret
    assert rotated.needs_reseal(under_old) is True
    assert rotated.needs_reseal(rotated.seal(secret)) is False
    assert rotated.open(secret) == secret  # stored before sealing existed
    assert rotated.needs_reseal(secret) is True


def _endpoint_row(owner_id: uuid.UUID, stored_secret: str) -> WebhookEndpoint:
    return WebhookEndpoint(
        owner_id=owner_id, url="https://hooks.example.org/a", events=["*"], secret=stored_secret
    )


# -- at rest -------------------------------------------------------------------------------


async def test_the_stored_secret_is_sealed_and_opens_to_the_one_shown(
    client: httpx.AsyncClient, factory: Factory, dns: FakeDns, db: AsyncSession, settings: Settings
) -> None:
    admin = await factory.caller(is_admin=True)
    created = await client.post(URL, json=body(None), headers=admin.headers)
    assert created.status_code == 201, created.text
    shown = created.json()["secret"]
    rotate = f"{URL}/{created.json()['id']}/rotate-secret"
    rotated = await client.post(rotate, headers=admin.headers)
    assert rotated.status_code == 200
    shown_now = rotated.json()["secret"]

    stored = (await db.scalars(select(WebhookEndpoint.secret))).one()
    assert stored.startswith(PREFIX)
    for plain in (shown, shown_now):
        assert plain not in stored
        assert plain.removeprefix("whsec_") not in stored
    assert sealer_for(settings).open(stored) == shown_now


async def test_resealing_moves_every_secret_to_the_current_key(
    factory: Factory, db: AsyncSession, settings: Settings
) -> None:
    owner = await factory.caller(is_admin=True)
    plain, under_old = new_secret(), new_secret()
    for stored in (plain, Sealer([OLD_KEY]).seal(under_old)):
        db.add(_endpoint_row(owner.id, stored))
    await db.flush()
    rotated = settings.model_copy(
        update={"secret_key": SecretStr(NEW_KEY), "secret_key_fallbacks": [SecretStr(OLD_KEY)]}
    )

    assert await WebhookService(db, rotated).reseal_secrets() == 2
    assert await WebhookService(db, rotated).reseal_secrets() == 0

    current_only = Sealer([NEW_KEY])
    stored = set((await db.scalars(select(WebhookEndpoint.secret))).all())
    assert {current_only.open(s) for s in stored} == {plain, under_old}


async def test_resealing_with_a_missing_key_changes_nothing(
    factory: Factory, db: AsyncSession, settings: Settings
) -> None:
    owner = await factory.caller(is_admin=True)
    readable = new_secret()
    db.add(_endpoint_row(owner.id, readable))
    db.add(_endpoint_row(owner.id, Sealer([OLD_KEY]).seal(new_secret())))
    await db.commit()
    without_old = settings.model_copy(update={"secret_key": SecretStr(NEW_KEY)})
    with pytest.raises(Unreadable):
        await WebhookService(db, without_old).reseal_secrets()
    await db.rollback()
    assert readable in set((await db.scalars(select(WebhookEndpoint.secret))).all())


# -- delivery across a key rotation --------------------------------------------------------


async def test_delivery_signs_with_a_secret_sealed_under_a_fallback_key(kit: WorkerKit) -> None:
    setup = await _setup(kit, "https://hooks.example.org/in")  # sealed under kit's key
    calls: list[httpx.Request] = []
    settings = kit.settings(
        secret_key=NEW_KEY, secret_key_fallbacks=[kit.settings().secret_key.get_secret_value()]
    )
    worker = kit.worker(
        settings, handlers={"webhook": WebhookSender(_mock(lambda r: httpx.Response(204), calls))}
    )
    assert await worker.run_once() == 1
    [request] = calls
    assert verify(
        setup.secret,
        request.headers["webhook-id"],
        int(request.headers["webhook-timestamp"]),
        request.content.decode(),
        request.headers["webhook-signature"],
    )


async def test_an_unreadable_secret_sends_nothing_and_keeps_to_the_schedule(
    kit: WorkerKit,
) -> None:
    setup = await _setup(kit, "https://hooks.example.org/in")
    calls: list[httpx.Request] = []
    worker = kit.worker(
        kit.settings(secret_key=NEW_KEY),  # the old key is gone, no fallback
        handlers={"webhook": WebhookSender(_mock(lambda r: httpx.Response(204), calls))},
    )
    assert await worker.run_once() == 1
    assert calls == []
    message = await _message(kit.maker)
    assert message.status is OutboxStatus.PENDING  # retried: an operator can restore the key
    assert "unreadable" in (message.last_error or "")
    assert (await _endpoint(kit.maker, setup.endpoint_id)).is_active is True


# -- manual redelivery -----------------------------------------------------------------------


async def test_a_redelivery_is_one_attempt_that_counts_on_and_disables_nothing(
    kit: WorkerKit,
) -> None:
    setup = await _setup(kit, "https://hooks.example.org/in")
    calls: list[httpx.Request] = []
    failing = WebhookSender(
        _mock(lambda r: httpx.Response(500), calls), clock=lambda: kit.clock().timestamp()
    )
    worker = kit.worker(handlers={"webhook": failing})
    for step in SCHEDULE[1:]:  # the whole schedule fails: the endpoint is disabled
        assert await worker.run_once() == 1
        kit.clock.advance(step)
    assert await worker.run_once() == 1
    assert (await _endpoint(kit.maker, setup.endpoint_id)).is_active is False
    assert len(await _owner_notices(kit.maker, setup.owner_email)) == 1
    assert await worker.run_once() == 1  # the notice goes out

    settings = kit.settings()
    async with kit.maker() as db:
        endpoint = await db.get(WebhookEndpoint, setup.endpoint_id)
        assert endpoint is not None
        endpoint.is_active = True  # the owner fixed the receiver and enabled it again
        last = (await _deliveries(kit.maker, setup.endpoint_id))[-1]
        queued = await WebhookService(db, settings).redeliver(endpoint, last.id)
        await db.commit()

    assert await worker.run_once() == 1  # still failing
    log = await _deliveries(kit.maker, setup.endpoint_id)
    assert [d.attempt for d in log] == list(range(1, len(SCHEDULE) + 2))
    assert {d.message_id for d in log} == {queued.message_id}
    async with kit.maker() as db:
        again = await db.get(OutboxMessage, queued.outbox_message_id)
        assert again is not None
        assert (again.status, again.attempts) == (OutboxStatus.DEAD, 1)
    assert (await _endpoint(kit.maker, setup.endpoint_id)).is_active is True
    assert len(await _owner_notices(kit.maker, setup.owner_email)) == 1  # no new notice
    assert len({r.headers["webhook-id"] for r in calls}) == 1
