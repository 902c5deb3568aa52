"""Representations rendered once per version and served as bytes: the one response cache.

A representation that is the same for everyone allowed to see it (a page of a session's key
points, a published report in one format, a series' public page, a calendar feed) is rendered
once per *version* of what it shows and kept here as its final bytes with a strong ETag. The
version is a number the database bumps in the transaction of every change (a trigger or the
write's own statement), read by the request in the same snapshot as its access check, so a
cached document is never served after the change that made it stale, by any process sharing
the database. The key is the full variant of the representation: what it is (path and the
query parameters that change it, such as a page cursor, a format or a language) and the
version, so a new variant needs only a new key part.

Every answer carries the ETag and a ``Cache-Control`` chosen by its route, and
``If-None-Match`` naming the current ETag answers 304 without a body.

**Answered before routing.** A GET the route answered from a document leaves behind its
*address*: everything in the request that can change the answer (the path, the raw query,
the negotiated headers ``Accept``, ``Accept-Language`` and ``Accept-Encoding``), the
statement that read the version (:class:`Version`) and the document's key. A later GET
identical at that address is answered by :class:`DocumentFront`, a middleware just outside
the router: it runs that same statement on a connection of its own (no ORM session, no
routing, no dependencies) and sends the document kept for the version it reads, or 304. When
the version moved, or the document is not kept, or the statement finds nothing, the request
goes to the route, which stays the one source of truth (and answers a withdrawal or a
takedown). Requests with credentials or cookies are never answered there, nor do they leave
an address, and only :func:`serve`, the public documents' path, leaves addresses.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit.etag import matches

__all__ = [
    "CALENDAR",
    "PUBLIC",
    "Document",
    "DocumentCache",
    "DocumentFront",
    "Documents",
    "Version",
    "read_version",
    "serve",
    "variant",
]

# Published documents: any cache may keep them but must revalidate every time (a 304 from
# memory at the origin), so a withdrawal or a takedown reaches readers behind a proxy or CDN
# on their very next request (a revalidation after it is a 410, never a 304). When in doubt,
# leave it out: a longer shared lifetime is an operator's choice, with purging on the
# ``report.withdrawn`` and ``*.taken_down`` webhooks (docs/operations.md).
PUBLIC = "public, no-cache"
# Calendar feeds name no one, but carry session titles a takedown can withdraw: the same.
CALENDAR = "public, no-cache"
_NOT_KEPT = frozenset({"content-length", "content-type", "etag", "cache-control"})
# The request headers a document may be negotiated on; the address of a request holds their
# values. A document that varies on anything else is never answered before routing.
_NEGOTIATED = (b"accept", b"accept-language", b"accept-encoding")
_NEGOTIATED_NAMES = frozenset(name.decode() for name in _NEGOTIATED)


@dataclass(frozen=True, slots=True)
class Version:
    """A document's version as the database holds it, and the statement that read it (a
    Core ``SELECT`` of one integer, run again to answer the same request before routing)."""

    value: int
    statement: Select[Any]


async def read_version(connection: AsyncConnection, statement: Select[Any]) -> Version | None:
    """The version ``statement`` reads (None: no such resource)."""
    value = (await connection.execute(statement)).scalar_one_or_none()
    return None if value is None else Version(int(value), statement)


@dataclass(frozen=True, slots=True)
class _Address:
    statement: Select[Any]
    key: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """One representation's final bytes, media type, strong ETag and cache policy."""

    body: bytes
    media_type: str
    etag: str
    cache_control: str
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls,
        body: bytes,
        media_type: str,
        cache_control: str,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> Document:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(body, media_type, etag, cache_control, headers)

    def respond(self, if_none_match: str | None) -> Response:
        """200 with the bytes, or 304 when ``If-None-Match`` names this document."""
        headers = {"ETag": self.etag, "Cache-Control": self.cache_control, **dict(self.headers)}
        if matches(if_none_match, self.etag, weak=True):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


Render = Callable[[], Awaitable[Document]]


class DocumentCache:
    """Documents by (variant, version), least recently used out first."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._documents: OrderedDict[Hashable, Document] = OrderedDict()
        self._addresses: OrderedDict[Hashable, _Address] = OrderedDict()
        self._reader: tuple[AsyncEngine, AsyncEngine] | None = None
        # Requests answered before routing (DocumentFront), for tests and operators.
        self.answered_before_routing = 0

    async def get(self, key: Hashable, render: Render) -> Document:
        """The document under ``key`` (which must include the version), rendered on a miss."""
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
            return document
        document = await render()
        self._documents[key] = document
        while len(self._documents) > self.size:
            self._documents.popitem(last=False)
        return document

    def kept(self, key: Hashable) -> Document | None:
        """The document under ``key`` if it is kept (nothing rendered)."""
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
        return document

    def remember_address(
        self, address: Hashable, statement: Select[Any], key: tuple[object, ...]
    ) -> None:
        """A request at ``address`` is answered by the document under ``key`` and the version
        ``statement`` reads."""
        self._addresses[address] = _Address(statement, key)
        self._addresses.move_to_end(address)
        while len(self._addresses) > self.size:
            self._addresses.popitem(last=False)

    def reader(self, engine: AsyncEngine) -> AsyncConnection:
        """A connection for reading a version again. On PostgreSQL without a transaction
        (one SELECT is its own snapshot: no BEGIN and ROLLBACK round trips); SQLite's reads
        run on the event loop and keep the engine's own BEGIN (``app.db``)."""
        if self._reader is None or self._reader[0] is not engine:
            reads = engine
            if engine.dialect.name != "sqlite":
                reads = engine.execution_options(isolation_level="AUTOCOMMIT")
            self._reader = (engine, reads)
        return self._reader[1].connect()

    def address(self, address: Hashable) -> _Address | None:
        return self._addresses.get(address)

    def clear(self) -> None:
        self._documents.clear()
        self._addresses.clear()


def variant(request: Request, *params: str) -> tuple[object, ...]:
    """What identifies a representation besides its version: the path and the values of the
    query parameters that change it (a format, a language, a selected session)."""
    query = request.query_params
    return (request.url.path, *((name, tuple(query.getlist(name))) for name in params))


class _Uncacheable(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


async def serve(
    request: Request,
    key: tuple[object, ...],
    version: Version | None,
    produce: Callable[[], Awaitable[Response]],
    cache_control: str,
) -> Response:
    """Answer a published document from the application's cache, keyed by ``key`` and the
    ``version`` the database bumps with every change of it; ``produce`` renders it (the
    route's own code) on a miss. Only a 200 is kept: any other answer (404, 410, a 304 the
    renderer chose) is produced afresh every time. ``version`` None: the resource does not
    exist, and ``produce`` answers it. A GET answered from a document leaves its address for
    :class:`DocumentFront`. Only for documents that are the same for everyone."""
    if version is None:
        return await produce()

    async def render() -> Document:
        response = await produce()
        if response.status_code != 200:
            raise _Uncacheable(response)
        headers = tuple((k, v) for k, v in response.headers.items() if k not in _NOT_KEPT)
        body = bytes(response.body)
        media_type = response.headers.get("content-type", "application/octet-stream")
        document = Document.of(body, media_type, cache_control, headers)
        own = response.headers.get("etag")
        return document if own is None else Document(body, media_type, own, cache_control, headers)

    cache: DocumentCache = request.app.state.documents
    try:
        document = await cache.get((*key, version.value), render)
    except _Uncacheable as refused:
        return refused.response
    address = _address_of(request.scope)
    if address is not None and _negotiated_only(document):
        cache.remember_address(address, version.statement, key)
    return document.respond(request.headers.get("if-none-match"))


def _negotiated_only(document: Document) -> bool:
    for name, value in document.headers:
        if name.lower() == "vary":
            named = {part.strip().lower() for part in value.split(",")}
            return named <= _NEGOTIATED_NAMES
    return True


def _address_of(scope: Scope) -> tuple[object, ...] | None:
    """What identifies a GET's answer from a document: path, raw query and the negotiated
    headers. None for any other method and for requests that carry credentials or cookies
    (public documents set none and read none; a browser signed in to the console goes to
    the route)."""
    if scope["method"] != "GET":
        return None
    negotiated: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in (b"authorization", b"cookie"):
            return None
        if name in _NEGOTIATED:
            # Repeated headers are one list (RFC 9110, 5.3).
            negotiated[name] = negotiated[name] + b"," + value if name in negotiated else value
    return (
        scope["path"],
        scope["query_string"],
        *(negotiated.get(name) for name in _NEGOTIATED),
    )


Connect = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


class DocumentFront:
    """Answer a GET identical to one already answered from a document, before routing.

    The version is read again by the statement the route used, on a connection of its own
    (:meth:`DocumentCache.reader`); the document kept for that version is sent (or 304). On
    anything else (no address, a new version, a document no longer kept) the request goes
    on to the route. Registered innermost (``app/main.py``): every middleware outside it
    (security headers, request id, access log, limits) treats its answers as the route's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            state = scope["app"].state
            cache: DocumentCache = state.documents
            address = _address_of(scope)
            found = None if address is None else cache.address(address)
            if found is not None:
                # Tests hand in connections joined to their rolled-back transaction.
                connect: Connect | None = getattr(state, "document_connections", None)
                async with connect() if connect else cache.reader(state.engine) as connection:
                    version = (await connection.execute(found.statement)).scalar_one_or_none()
                document = None if version is None else cache.kept((*found.key, version))
                if document is not None:
                    cache.answered_before_routing += 1
                    response = document.respond(_header(scope, b"if-none-match"))
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


async def _documents(request: Request) -> DocumentCache:
    cache: DocumentCache = request.app.state.documents
    return cache


Documents = Annotated[DocumentCache, Depends(_documents)]
"""The application's cache of rendered documents (``app.state.documents``)."""
