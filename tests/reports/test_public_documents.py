"""Published documents (public report versions in every format, the public series page and
API, the calendar feeds) are rendered once per version of what the series publishes and
served with a strong ETag, Cache-Control and 304 on If-None-Match; the version is bumped by
the database, so a withdrawn report or any other change is answered on the very next request,
by every application sharing the database. A request identical to one answered from a
document is answered before routing (``DocumentFront``), with the same status, body and
headers, and the same refusals on the very next request."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.kit.documents import DocumentCache
from app.security import get_page_principal, get_principal
from app.series.models import DialogueSeries
from app.sessions.models import SessionStatus
from tests.factories import Factory
from tests.reports.conftest import Demo

# Public GET routes that are not published documents, and why.
NOT_DOCUMENTS = {
    "/api/v1/public/series": "a listing of every series; paginated, not one document",
    "/reports/download": "a delivered detailed report, marked with its recipient: no-store",
    "/subscribe": "a form",
    "/subscriptions/confirm": "a one-off link",
    "/subscriptions/unsubscribe": "a one-off link",
    "/subscriptions/preferences": "a personal page",
    "/api/v1/public/subscriptions/preferences": "a subscriber's own preferences (a signed token)",
}
_PRIVATE = {get_principal, get_page_principal}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def public_documents(app: FastAPI) -> list[str]:
    """Every public GET route (no token, no console session) that is not listed above."""
    paths = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute) or "GET" not in (context.methods or ()):
            continue
        path = context.path
        if path.startswith(("/console", "/healthz", "/readyz", "/sign-in", "/invitations")):
            continue
        if any(call in _PRIVATE for call in _calls(route.dependant)):
            continue
        if path in NOT_DOCUMENTS or path in ("/", "/api/docs"):
            continue
        paths.append(path)
    return sorted(paths)


def addresses(demo: Demo, path: str) -> list[str]:
    """The route's path filled with the demo's ids, in each variant it serves."""
    filled = (
        path.replace("{slug}", demo.series.slug)
        .replace("{report_id}", str(demo.summary.id))
        .replace("{session_id}", str(demo.session.id))
        .replace("{series_id}", str(demo.series.id))
    )
    assert "{" not in filled, f"no demo value for {path}"
    if path == "/api/v1/public/reports/{report_id}":
        return [f"{filled}?format={fmt}" for fmt in ("json", "md", "html", "pdf", "docx")]
    if path == "/series/{slug}":
        return [filled, f"{filled}?session=1"]
    return [filled]


def before_routing(app: FastAPI) -> int:
    """How many requests ``app`` has answered before routing."""
    answered: int = app.state.documents.answered_before_routing
    return answered


def test_the_public_documents_are_the_expected_ones(app: FastAPI) -> None:
    # A new public route must either be served as a document or be listed in NOT_DOCUMENTS.
    assert public_documents(app) == [
        "/api/v1/public/reports/{report_id}",
        "/api/v1/public/series/{slug}",
        "/api/v1/series/{series_id}/calendar.ics",
        "/api/v1/sessions/{session_id}/calendar.ics",
        "/reports/{report_id}",
        "/series/{slug}",
    ]


async def test_every_public_document_has_a_strong_etag_and_answers_304(
    app: FastAPI, client: httpx.AsyncClient, demo: Demo
) -> None:
    for path in public_documents(app):
        for url in addresses(demo, path):
            first = await client.get(url)
            assert first.status_code == 200, (url, first.text[:200])
            tag = first.headers["etag"]
            assert re.fullmatch(r'"[^"]+"', tag), (url, tag)  # strong
            assert first.headers["cache-control"] == "public, no-cache", url
            again = await client.get(url)
            assert again.content == first.content, url
            assert again.headers["etag"] == tag, url
            cached = await client.get(url, headers={"If-None-Match": tag})
            assert cached.status_code == 304, url
            assert cached.content == b""
            assert cached.headers["etag"] == tag
            other = await client.get(url, headers={"If-None-Match": '"something-else"'})
            assert other.status_code == 200, url


def _headers(response: httpx.Response) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.headers.multi_items() if k != "date"]


async def test_every_public_document_is_answered_before_routing_as_the_route_answers(
    app: FastAPI, client: httpx.AsyncClient, demo: Demo
) -> None:
    asked = {"X-Request-ID": "same-request-id"}
    variants: list[dict[str, str]] = [asked, {**asked, "Accept": "text/markdown"}]
    for path in public_documents(app):
        for url in addresses(demo, path):
            for headers in variants:
                app.state.documents.clear()
                routed = await client.get(url, headers=headers)
                assert routed.status_code == 200, (url, routed.text[:200])
                before = before_routing(app)
                early = await client.get(url, headers=headers)
                assert before_routing(app) == before + 1, url
                assert early.status_code == 200
                assert early.content == routed.content, url
                assert _headers(early) == _headers(routed), url
                # 304: the route's, then the same request before routing.
                app.state.documents.clear()
                revalidate = {**headers, "If-None-Match": routed.headers["etag"]}
                routed_304 = await client.get(url, headers=revalidate)
                assert routed_304.status_code == 304, url
                early_304 = await client.get(url, headers=revalidate)
                assert before_routing(app) == before + 2, url
                assert early_304.status_code == 304
                assert early_304.content == b""
                assert _headers(early_304) == _headers(routed_304), url


async def test_no_public_document_counts_against_a_rate_limit(
    app: FastAPI, client: httpx.AsyncClient, demo: Demo, db: AsyncSession
) -> None:
    # The routes count nothing (the limits are the forms' POSTs), so an answer before
    # routing, which counts nothing either, is limited exactly as the route is.
    async def hits() -> int:
        return int((await db.execute(text("SELECT count(*) FROM rate_limit_hit"))).scalar_one())

    before = await hits()
    app.state.documents.clear()
    for path in public_documents(app):
        for url in addresses(demo, path):
            for _ in range(3):
                assert (await client.get(url)).status_code == 200, url
    assert await hits() == before


async def test_only_identical_anonymous_gets_are_answered_before_routing(
    app: FastAPI, client: httpx.AsyncClient, demo: Demo
) -> None:
    url = f"/api/v1/public/reports/{demo.summary.id}"
    json_answer = await client.get(url)
    assert (await client.get(url)).status_code == 200
    before = before_routing(app)
    # Another negotiated format, another query, credentials, a cookie, HEAD: all routed.
    markdown = await client.get(url, headers={"Accept": "text/markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert (await client.get(url, params={"lang": "fa-AF"})).status_code == 200
    assert (await client.get(url, headers=demo.organiser.headers)).status_code == 200
    assert (await client.get(url, headers={"Cookie": "csrftoken=x"})).status_code == 200
    assert (await client.head(url)).status_code == 405
    assert before_routing(app) == before
    again = await client.get(url)
    assert before_routing(app) == before + 1
    assert again.content == json_answer.content


async def test_a_withdrawn_summary_is_gone_on_the_next_request_everywhere(
    app: FastAPI,
    second_app: FastAPI,
    second_client: httpx.AsyncClient,
    client: httpx.AsyncClient,
    demo: Demo,
) -> None:
    urls = [
        *addresses(demo, "/api/v1/public/reports/{report_id}"),
        f"/reports/{demo.summary.id}",
        f"/api/v1/public/reports/{demo.summary.id}?lang=fa-AF",
        f"/reports/{demo.summary.id}?lang=fa-AF",
    ]
    for a, c in ((app, client), (second_app, second_client)):
        for url in urls:
            assert (await c.get(url)).status_code == 200, url
            # The second time before routing: the withdrawal must reach that path too.
            before = before_routing(a)
            assert (await c.get(url)).status_code == 200, url
            assert before_routing(a) == before + 1, url
    series_before = (await second_client.get(f"/series/{demo.series.slug}")).text
    assert str(demo.summary.id) in series_before
    withdrawn = await client.post(
        f"/api/v1/reports/{demo.summary.id}/withdraw",
        json={"reason": "A participant withdrew consent."},
        headers=demo.organiser.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    for c in (second_client, client):
        for url in urls:
            assert (await c.get(url)).status_code == 410, url
            assert (await c.get(url)).status_code == 410, url
        page = await c.get(f"/series/{demo.series.slug}")
        assert str(demo.summary.id) not in page.text
        api = (await c.get(f"/api/v1/public/series/{demo.series.slug}")).json()
        assert all(s["summary"] is None for s in api["sessions"])


async def test_a_takedown_is_answered_on_the_next_request_everywhere(
    app: FastAPI,
    second_app: FastAPI,
    second_client: httpx.AsyncClient,
    client: httpx.AsyncClient,
    demo: Demo,
) -> None:
    from app.demo_editions import SESSIONS

    urls = [
        f"/api/v1/public/reports/{demo.summary.id}?lang=fa-AF",
        f"/api/v1/public/reports/{demo.summary.id}?lang=fa-AF&format=md",
        f"/reports/{demo.summary.id}?lang=fa-AF",
    ]
    for a, c in ((app, client), (second_app, second_client)):
        for url in urls:
            assert (await c.get(url)).status_code == 200, url
            before = before_routing(a)
            assert (await c.get(url)).status_code == 200, url
            assert before_routing(a) == before + 1, url
    # A person whose other name is a word of the Dari edition: the guard takes it down.
    word = "میزبانی"
    assert word in SESSIONS[3][0]
    added = await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={
            "given_name": "Mezbani",
            "family_name": "Rahmani",
            "aliases": [word],
            "sector": "scholar",
            "country": "AF",
        },
        headers=demo.organiser.headers,
    )
    assert added.status_code in (200, 201), added.text
    for c in (second_client, client):
        for url in urls:
            assert (await c.get(url)).status_code == 410, url


async def test_a_changed_session_is_in_the_next_calendar(
    client: httpx.AsyncClient, demo: Demo, factory: Factory
) -> None:
    feed = f"/api/v1/series/{demo.series.id}/calendar.ics"
    before = await client.get(feed)
    assert (await client.get(feed)).content == before.content  # before routing
    await factory.dialogue_session(demo.series, status=SessionStatus.SCHEDULED, title="Newly set")
    after = await client.get(feed, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert "Newly set" in after.text


async def test_the_front_reads_versions_on_a_connection_of_its_own(engine: AsyncEngine) -> None:
    # Tests hand the front their joined connection; the served application uses this one
    # (on PostgreSQL without a transaction). It reads what is committed: here the schema's
    # revision, which migrations committed.
    cache = DocumentCache()
    for _ in range(2):  # the reading engine is made once and reused
        async with cache.reader(engine) as connection:
            revisions = await connection.execute(text("SELECT count(*) FROM alembic_version"))
            assert revisions.scalar_one() == 1


def _tables(statement: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN)\s+"?([a-z_]+)"?', statement, flags=re.IGNORECASE))


# Tables a public document reads that hold nothing a public document shows: the version is
# looked up there, or they only answer who may see what.
_NOT_SHOWN = {"theme", "key_point_theme"}
# Rows that are never updated, only inserted and deleted.
_CHANGED_BY_INSERT_AND_DELETE = {"on_record_consent"}


async def test_every_table_a_public_document_reads_bumps_the_public_version(
    app: FastAPI, client: httpx.AsyncClient, demo: Demo, engine: AsyncEngine, db: AsyncSession
) -> None:
    read: set[str] = set()

    def collect(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        read.update(_tables(statement))

    app.state.documents.clear()
    event.listen(engine.sync_engine, "before_cursor_execute", collect)
    try:
        for path in public_documents(app):
            for url in addresses(demo, path):
                assert (await client.get(url)).status_code == 200, url
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", collect)
    read -= _NOT_SHOWN
    assert {"dialogue_series", "dialogue_session", "report_version"} <= read, read
    # The guard reads the directory (people, attendance, consents, part regimes) through a
    # matcher cached per directory version; every change there bumps that version, an update
    # of the series row.
    read |= {"person", "attendance", "on_record_consent", "agenda_part"}

    async def version() -> int:
        stmt = select(DialogueSeries.public_version).where(DialogueSeries.id == demo.series.id)
        return (await db.execute(stmt)).scalar_one()

    for table in sorted(read):
        row = (await db.execute(text(f"SELECT * FROM {table} LIMIT 1"))).mappings().first()
        assert row is not None, f"the demo has no {table}"
        # A real change of a text (an update that changes nothing may bump nothing); the
        # first free text the constraints let change.
        texts = [
            c
            for c, value in row.items()
            if isinstance(value, str) and not c.endswith(("id", "_at", "version"))
        ]
        before = await version()
        if table in _CHANGED_BY_INSERT_AND_DELETE:
            rows = await db.execute(text(f"DELETE FROM {table}"))
            assert rows.rowcount, f"the demo has no {table} to delete"  # type: ignore[attr-defined]
        else:
            for column in texts:
                try:
                    async with db.begin_nested():
                        await db.execute(text(f"UPDATE {table} SET {column} = {column} || '.'"))
                except IntegrityError:
                    continue
                break
            else:  # only constrained values: an update as such
                column = next(c for c in row if c != "id")
                await db.execute(text(f"UPDATE {table} SET {column} = {column}"))
        assert await version() > before, f"a change of {table} leaves the public version"
