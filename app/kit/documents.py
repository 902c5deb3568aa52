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
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from app.kit.etag import matches

__all__ = ["CALENDAR", "PUBLIC", "Document", "DocumentCache", "Documents", "serve", "variant"]

# Published documents: any cache may keep them but must revalidate every time (a 304 from
# memory at the origin), so a withdrawal or a takedown reaches readers behind a proxy or CDN
# on their very next request (a revalidation after it is a 410, never a 304). When in doubt,
# leave it out: a longer shared lifetime is an operator's choice, with purging on the
# ``report.withdrawn`` and ``*.taken_down`` webhooks (docs/operations.md).
PUBLIC = "public, no-cache"
# Calendar feeds name no one, but carry session titles a takedown can withdraw: the same.
CALENDAR = "public, no-cache"
_NOT_KEPT = frozenset({"content-length", "content-type", "etag", "cache-control"})


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

    def clear(self) -> None:
        self._documents.clear()


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
    version: int | None,
    produce: Callable[[], Awaitable[Response]],
    cache_control: str,
) -> Response:
    """Answer a published document from the application's cache, keyed by ``key`` and the
    ``version`` the database bumps with every change of it; ``produce`` renders it (the
    route's own code) on a miss. Only a 200 is kept: any other answer (404, 410, a 304 the
    renderer chose) is produced afresh every time. ``version`` None: the resource does not
    exist, and ``produce`` answers it."""
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
        document = await cache.get((*key, version), render)
    except _Uncacheable as refused:
        return refused.response
    return document.respond(request.headers.get("if-none-match"))


async def _documents(request: Request) -> DocumentCache:
    cache: DocumentCache = request.app.state.documents
    return cache


Documents = Annotated[DocumentCache, Depends(_documents)]
"""The application's cache of rendered documents (``app.state.documents``)."""
