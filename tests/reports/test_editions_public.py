"""A published edition reaches the outside: the ``report.edition_published`` webhook (queued
in the publishing transaction, signed like every event, naming no one), the public series
JSON (each summary's editions in force, on the very next request of every application), and
the public report documents' ``Link`` alternates."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.config import Settings
from app.outbox.models import OutboxKind, OutboxMessage
from app.outbox.worker import HandlerContext
from app.people.models import Person
from app.webhooks.delivery import WebhookSender
from tests.reports.conftest import Demo
from tests.webhooks.conftest import FakeDns, dns  # noqa: F401  (fixture)

HOOKS = "/api/v1/webhooks"


def _editions(demo: Demo, tail: str = "") -> str:
    return f"/api/v1/reports/{demo.summary.id}/editions{tail}"


async def _approve(client: httpx.AsyncClient, demo: Demo, lang: str, word: str) -> None:
    """A complete edition in ``lang`` (each point prefixed with ``word``, "translation"),
    entered by the rapporteur and approved by the organiser (four eyes)."""
    source = await client.get(_editions(demo, "/source"), headers=demo.rapporteur.headers)
    texts = source.json()["texts"]
    texts = {**texts, "points": {k: f"{word}: {v}" for k, v in texts["points"].items()}}
    r = await client.put(
        _editions(demo, f"/{lang}"), json={"texts": texts}, headers=demo.rapporteur.headers
    )
    assert r.status_code == 201, r.text
    r = await client.post(_editions(demo, f"/{lang}/submit"), headers=demo.rapporteur.headers)
    assert r.status_code == 200, r.text
    r = await client.post(
        _editions(demo, f"/{lang}/review"),
        json={"action": "approve"},
        headers=demo.organiser.headers,
    )
    assert r.status_code == 200, r.text


async def _publish(client: httpx.AsyncClient, demo: Demo, lang: str) -> None:
    r = await client.post(_editions(demo, f"/{lang}/publish"), headers=demo.organiser.headers)
    assert r.status_code == 200, r.text


def verify(secret: str, headers: httpx.Headers, body: bytes) -> bool:
    """docs/webhooks.md's verification, as a receiver would write it."""
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(mac).decode()
    return any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split())


async def _webhooks(db: AsyncSession) -> list[OutboxMessage]:
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == OutboxKind.WEBHOOK)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return list(rows.all())


def _roster_words(people: list[Person]) -> list[str]:
    """Everything that identifies someone on the roster: names (with other spellings, in
    any script), affiliations and their acronyms, addresses."""
    words: list[str] = []
    for p in people:
        words += [p.given_name, p.family_name, f"{p.given_name} {p.family_name}", *p.aliases]
        words += [w for w in (p.affiliation, p.affiliation_acronym, p.email) if w]
        words += list(p.affiliation_aliases)
    return [w for w in words if len(w) >= 2]


async def test_publishing_an_edition_is_a_signed_event_naming_no_one(
    demo: Demo,
    client: httpx.AsyncClient,
    db: AsyncSession,
    connection: AsyncConnection,
    settings: Settings,
    dns: FakeDns,  # noqa: F811
) -> None:
    registered: dict[str, dict[str, Any]] = {}
    for name, events in (
        ("editions", ["report.edition_published"]),
        ("versions", ["report.published"]),
        ("everything", ["*"]),
    ):
        r = await client.post(
            HOOKS,
            json={
                "url": f"https://hooks.example.org/{name}",
                "events": events,
                "series_id": str(demo.series.id),
            },
            headers=demo.organiser.headers,
        )
        assert r.status_code == 201, r.text
        registered[name] = r.json()

    await _approve(client, demo, "ps", "ژباړه")
    assert await _webhooks(db) == []  # approving is no publication
    await _publish(client, demo, "ps")

    queued = await _webhooks(db)
    by_endpoint = {str(m.payload["endpoint_id"]): m for m in queued}
    assert set(by_endpoint) == {registered["editions"]["id"], registered["everything"]["id"]}
    assert {m.payload["event_type"] for m in queued} == {"report.edition_published"}
    message = by_endpoint[registered["editions"]["id"]]
    event = json.loads(message.payload["body"])
    assert event["type"] == "report.edition_published"
    data = event["data"]
    base = str(client.base_url).rstrip("/")
    rid = demo.summary.id
    assert data["report_id"] == str(rid)
    assert data["session_id"] == str(demo.session.id)
    assert data["kind"] == "summary"
    assert data["version"] == "1.2"  # the demo's Dari edition is 1.1
    assert (data["language"], data["name"], data["direction"]) == ("ps", "پښتو", "rtl")
    assert data["url"] == f"{base}/reports/{rid}?lang=ps"
    assert data["formats"]["pdf"] == f"{base}/api/v1/public/reports/{rid}?format=pdf&lang=ps"
    assert data["confidentiality"] == "public"
    listed = (await client.get(_editions(demo), headers=demo.organiser.headers)).json()
    pashto = next(e for e in listed if e["language"] == "ps")
    assert (data["id"], data["sha256"]) == (pashto["id"], pashto["content_sha256"])
    # The addresses it gives answer the edition.
    for url in (data["url"], data["formats"]["json"]):
        answer = await client.get(url.removeprefix(base))
        assert answer.status_code == 200, url
        assert answer.headers["content-language"] == "ps"

    # Nobody on the roster, in any script, in anything sent.
    people = list(
        (await db.scalars(select(Person).where(Person.dialogue_series_id == demo.series.id))).all()
    )
    assert len(people) >= 10
    sent = "\n".join(m.payload["body"] for m in queued)
    for word in _roster_words(people):
        assert not re.search(rf"\b{re.escape(word)}\b", sent), word

    # Delivered through the outbox's webhook sender: signed with the endpoint's secret.
    calls: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(204)

    def client_factory(_settings: Settings) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(receive), follow_redirects=False)

    maker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    context = HandlerContext(settings=settings, worker_name="test", sessionmaker=maker)
    outcome = await WebhookSender(client_factory)([message], context)
    assert outcome == {message.id: None}
    (request,) = calls
    assert str(request.url) == "https://hooks.example.org/editions"
    assert request.content == message.payload["body"].encode()
    assert verify(registered["editions"]["secret"], request.headers, request.content)
    assert not verify(registered["everything"]["secret"], request.headers, request.content)


async def _series_json(c: httpx.AsyncClient, demo: Demo) -> tuple[dict[str, Any], str]:
    r = await c.get(f"/api/v1/public/series/{demo.series.slug}")
    assert r.status_code == 200, r.text
    return r.json(), r.headers["etag"]


def _summary_editions(series: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (summary,) = [s["summary"] for s in series["sessions"] if s["summary"]]
    return {e["language"]: e for e in summary["editions"]}


async def test_the_public_series_lists_published_editions_on_the_next_request(
    demo: Demo, client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    rid = demo.summary.id
    base = str(client.base_url).rstrip("/")
    before: dict[int, str] = {}
    for n, c in enumerate((client, second_client)):
        series, before[n] = await _series_json(c, demo)
        dari = _summary_editions(series)
        assert list(dari) == ["fa-AF"]
        assert dari["fa-AF"] | {"published_at": None} == {
            "language": "fa-AF",
            "name": "دری",
            "direction": "rtl",
            "version": "1.1",
            "published_at": None,
            "url": f"{base}/reports/{rid}?lang=fa-AF",
            "formats": {
                f: f"{base}/api/v1/public/reports/{rid}?format={f}&lang=fa-AF"
                for f in ("html", "md", "pdf", "docx", "json")
            },
        }
    # An approved edition that is not published is not listed; a published one is, at once,
    # by this application and by a second one on the same database (their caches are keyed
    # by the version the database bumps).
    await _approve(client, demo, "ar", "ترجمة")
    for c in (client, second_client):
        series, _ = await _series_json(c, demo)
        assert list(_summary_editions(series)) == ["fa-AF"]
    await _approve(client, demo, "ps", "ژباړه")
    await _publish(client, demo, "ps")
    for n, c in reversed(list(enumerate((client, second_client)))):
        r = await c.get(
            f"/api/v1/public/series/{demo.series.slug}", headers={"If-None-Match": before[n]}
        )
        assert r.status_code == 200
        editions = _summary_editions(r.json())
        assert list(editions) == ["fa-AF", "ps"]  # ar is approved, not published
        assert (editions["ps"]["version"], editions["ps"]["name"]) == ("1.2", "پښتو")
        listing = (await c.get("/api/v1/public/series")).json()
        assert _summary_editions(listing["items"][0]) == editions
    # The public documents name their alternates in each format.
    r = await client.get(f"/api/v1/public/reports/{rid}", params={"format": "pdf"})
    links = r.headers["link"]
    for tag, query in (("en", ""), ("fa-AF", "&lang=fa-AF"), ("ps", "&lang=ps")):
        href = f"{base}/api/v1/public/reports/{rid}?format=pdf{query}"
        assert f'<{href}>; rel="alternate"; hreflang="{tag}"' in links, links
    assert "lang=ar" not in links


async def test_a_withdrawn_edition_leaves_the_public_series(
    demo: Demo, client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    """The guard takes the summary down through a word only its Dari edition has; the
    republished summary comes back without the edition, which is withdrawn."""
    r = await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={
            "given_name": "Katalizor",
            "family_name": "Mir",
            "aliases": ["کاتالیزور"],  # in the Dari sixth point only
            "sector": "scholar",
            "country": "AF",
        },
        headers=demo.organiser.headers,
    )
    assert r.status_code in (200, 201), r.text
    series, _ = await _series_json(second_client, demo)
    assert all(s["summary"] is None for s in series["sessions"])
    r = await client.post(
        f"/api/v1/series/{demo.series.id}/republish", headers=demo.organiser.headers
    )
    assert r.status_code == 200, r.text
    for c in (second_client, client):
        series, _ = await _series_json(c, demo)
        assert _summary_editions(series) == {}
        r = await c.get(f"/api/v1/public/reports/{demo.summary.id}", params={"format": "md"})
        assert r.status_code == 200
        assert "link" not in r.headers
