"""Many instances, one PostgreSQL: two `track2 serve` processes and two `track2 worker`
processes share a database, as in the production layout (docs/operations.md).

- every confirmed subscriber gets exactly one copy of a newsletter sent through both
  servers at once and delivered by both workers;
- a cached page served by one process is correct after a write through the other;
- rate limits and Idempotency-Key hold across processes;
- `--workers N` processes log as one process does (JSON lines, access log, request ids).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, create_sessionmaker
from app.kit.clock import utcnow
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from tests.conftest import TEST_DATABASE_URL, create_postgres_database, make_settings
from tests.operations.support import (
    POINT,
    Process,
    admin_token,
    base_env,
    run,
    running,
    scratch_postgres_url,
    seed_series,
    start,
    start_server,
)
from tests.smtp import SmtpSink, running_smtp_sink

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL (TRACK2_TEST_DATABASE_URL)"
)

SUBSCRIBERS = 120
PER_IP = 6


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with running_smtp_sink() as running:
        yield running


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink) -> Iterator[dict[str, object]]:
    """Two servers (no in-process worker) and two workers on one fresh database."""
    tmp = tmp_path_factory.mktemp("instances")
    url = scratch_postgres_url("instances")
    asyncio.run(create_postgres_database(url))
    env = base_env(
        tmp,
        url,
        TRACK2_OUTBOX__RUN_IN_SERVE="false",
        TRACK2_OUTBOX__POLL_INTERVAL_SECONDS="0.2",
        TRACK2_OUTBOX__BATCH_SIZE="10",
        TRACK2_MAIL__BACKEND="smtp",
        TRACK2_MAIL__SMTP_HOST=sink.host,
        TRACK2_MAIL__SMTP_PORT=str(sink.port),
        TRACK2_PUBLIC__RATE_LIMIT_PER_IP_PER_HOUR=str(PER_IP),
    )
    migrated = run(["migrate"], env, tmp)
    assert migrated.returncode == 0, migrated.stderr
    token = admin_token(env, tmp)
    servers = [start_server(env, tmp, f"serve-{n}") for n in (1, 2)]
    workers = [start(["worker"], env, tmp, f"worker-{n}") for n in (1, 2)]
    with running(*servers, *workers):
        yield {"url": url, "token": token, "servers": servers, "workers": workers, "tmp": tmp}


def _servers(shared: dict[str, object]) -> list[Process]:
    servers = shared["servers"]
    assert isinstance(servers, list)
    return servers


async def _confirmed_subscribers(url: str, series_id: str, count: int) -> list[str]:
    engine: AsyncEngine = create_engine(make_settings(url), pooled=False)
    addresses = [f"reader-{uuid.uuid4().hex[:8]}@example.org" for _ in range(count)]
    try:
        async with create_sessionmaker(engine)() as db:
            for address in addresses:
                subscriber = Subscriber(email=address)
                db.add(subscriber)
                await db.flush()
                db.add(
                    Subscription(
                        subscriber_id=subscriber.id,
                        dialogue_series_id=uuid.UUID(series_id),
                        status=SubscriptionStatus.CONFIRMED,
                        requested_at=utcnow(),
                        confirmed_at=utcnow(),
                    )
                )
            await db.commit()
    finally:
        await engine.dispose()
    return addresses


def test_every_subscriber_gets_exactly_one_copy(shared: dict[str, object], sink: SmtpSink) -> None:
    one, two = _servers(shared)
    token = str(shared["token"])

    async def scenario() -> list[str]:
        async with (
            httpx.AsyncClient(base_url=one.base_url, timeout=30) as a,
            httpx.AsyncClient(base_url=two.base_url, timeout=30) as b,
        ):
            seeded = await seed_series(a, token)
            addresses = await _confirmed_subscribers(
                str(shared["url"]), seeded.series_id, SUBSCRIBERS
            )
            issue = await a.post(
                f"/api/v1/series/{seeded.series_id}/newsletters",
                json={"subject": "Third session", "body_markdown": "The main points."},
                headers=seeded.auth,
            )
            assert issue.status_code == 201, issue.text
            send = f"/api/v1/newsletters/{issue.json()['id']}/send"
            # The organiser double-clicks: one send through each server at the same time.
            answers = await asyncio.gather(
                a.post(send, headers=seeded.auth), b.post(send, headers=seeded.auth)
            )
            assert sorted(r.status_code for r in answers)[0] < 300, [r.text for r in answers]
            return addresses

    addresses = asyncio.run(scenario())
    wanted = set(addresses)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = {r for m in sink.received() for r in m.rcpt_tos if r in wanted}
        if got == wanted:
            break
        time.sleep(0.2)
    time.sleep(2)  # anything still in flight would arrive as a duplicate now
    per_recipient = Counter(r for m in sink.received() for r in m.rcpt_tos if r in wanted)
    assert set(per_recipient) == wanted, f"{len(per_recipient)} of {len(wanted)} reached"
    assert max(per_recipient.values()) == 1, per_recipient.most_common(3)
    # Both workers took part.
    logs = [worker.log() for worker in shared["workers"]]  # type: ignore[attr-defined]
    assert all("outbox worker started" in log for log in logs)


def test_a_cached_page_is_right_after_a_write_through_the_other_process(
    shared: dict[str, object],
) -> None:
    one, two = _servers(shared)
    token = str(shared["token"])

    async def scenario() -> None:
        async with (
            httpx.AsyncClient(base_url=one.base_url, timeout=30) as a,
            httpx.AsyncClient(base_url=two.base_url, timeout=30) as b,
        ):
            seeded = await seed_series(a, token)
            listing = f"/api/v1/sessions/{seeded.session_id}/key-points"
            first = await a.post(listing, json={"text": POINT.format(n=1)}, headers=seeded.auth)
            assert first.status_code == 201
            for _ in range(3):  # cached by the first process (and its ETag known)
                cached = await a.get(listing, headers=seeded.auth)
                assert [p["id"] for p in cached.json()["items"]] == [first.json()["id"]]
            etag = cached.headers["etag"]
            second = await b.post(listing, json={"text": POINT.format(n=2)}, headers=seeded.auth)
            assert second.status_code == 201
            after = await a.get(listing, headers=seeded.auth | {"If-None-Match": etag})
            assert after.status_code == 200
            assert [p["id"] for p in after.json()["items"]] == [
                first.json()["id"],
                second.json()["id"],
            ]
            # An edit through the second process shows in the first one's copy, too.
            edited = await b.patch(
                f"/api/v1/key-points/{first.json()['id']}",
                json={"text": POINT.format(n="1, edited")},
                headers=seeded.auth | {"If-Match": first.headers["etag"]},
            )
            assert edited.status_code == 200, edited.text
            again = await a.get(listing, headers=seeded.auth)
            assert again.json()["items"][0]["text"] == POINT.format(n="1, edited")

    asyncio.run(scenario())


def test_rate_limits_and_idempotency_hold_across_processes(shared: dict[str, object]) -> None:
    one, two = _servers(shared)
    token = str(shared["token"])

    async def scenario() -> None:
        async with (
            httpx.AsyncClient(base_url=one.base_url, timeout=30) as a,
            httpx.AsyncClient(base_url=two.base_url, timeout=30) as b,
        ):
            seeded = await seed_series(a, token)
            statuses = []
            for n in range(PER_IP + 2):
                client = (a, b)[n % 2]
                response = await client.post(
                    "/api/v1/public/subscriptions",
                    json={
                        "email": f"limit-{n}@example.org",
                        "series": [seeded.series_slug],
                        "consent": True,
                    },
                    headers={"X-Test": "rate"},
                )
                statuses.append(response.status_code)
                if response.status_code == 429:
                    assert int(response.headers["retry-after"]) >= 1
            assert statuses == [202] * PER_IP + [429, 429]

            key = {"Idempotency-Key": f"create-{uuid.uuid4().hex}"}
            body = {
                "title": "Once only",
                "slug": f"once-{uuid.uuid4().hex[:8]}",
                "organiser": "HAS",
                "timezone": "UTC",
            }
            created = await a.post("/api/v1/series", json=body, headers=seeded.auth | key)
            replayed = await b.post("/api/v1/series", json=body, headers=seeded.auth | key)
            assert created.status_code == replayed.status_code == 201
            assert replayed.headers["idempotent-replayed"] == "true"
            assert replayed.json()["id"] == created.json()["id"]
            listed = await b.get("/api/v1/series", params={"limit": 100}, headers=seeded.auth)
            assert [s["slug"] for s in listed.json()["items"]].count(body["slug"]) == 1

    asyncio.run(scenario())


def test_several_worker_processes_log_like_one(shared: dict[str, object], tmp_path: Path) -> None:
    env = base_env(tmp_path, str(shared["url"]), TRACK2_OUTBOX__RUN_IN_SERVE="false")
    server = start_server(env, tmp_path, "workers", "--workers", "2")
    with running(server):
        for _ in range(10):
            httpx.get(f"{server.base_url}/healthz", headers={"X-Request-ID": "probe-123"})
        httpx.get(f"{server.base_url}/api/v1/series")
        time.sleep(0.5)
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "track2.access"]
    assert len(access) >= 11, server.log()[-2000:]
    for line in access:
        assert {"ts", "level", "request_id", "method", "target", "status", "duration_ms"} <= set(
            line
        )
    probes = [line for line in access if line["request_id"] == "probe-123"]
    assert len(probes) == 10
    assert all(line["target"] == "/healthz" for line in probes)
    assert any(line["status"] == 401 for line in access)
    # The lines come from the worker processes (the supervisor serves nothing).
    assert all(line["pid"] != server.proc.pid for line in access)
