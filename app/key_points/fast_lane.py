"""The fast lane of the hot read path: cached pages of a session's key points, before FastAPI.

P1 (docs/performance.md) asks the list at 0.30 of a bare endpoint; FastAPI's per-request
parameter validation and dependency solving alone cost more than that allows. This outermost
ASGI middleware recognises exactly ``GET {prefix}/sessions/{id}/key-points`` with a plain
query (``limit``, ``cursor``, ``status``, ``part_id``, each at most once, in the forms the
route accepts), a bearer token and no body. It runs the same gate as the route
(``listing.fast_page``: token state, membership, the key points' version) and, when the page
is cached and nothing has to be written, answers it with the route's exact status, headers and
body, the request id accepted or made as ``RequestIdMiddleware`` does.

Everything else falls through to the application unchanged, including a page not cached yet,
a token whose last use must be stamped, every 4xx (the route renders its problems) and any
error on the way (the route runs the gate again and reports it). Permissions and token state
are therefore checked on every request, whichever lane answers it.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from app.key_points.listing import ListedPage, fast_page
from app.key_points.models import KeyPointStatus
from app.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageParams
from app.kit.request_id import accept_or_make, set_request_id

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LIMIT = re.compile(r"^[1-9][0-9]{0,2}$")
_STATUSES = {s.value: s for s in KeyPointStatus}
_SUFFIX = "/key-points"
_CURSOR_MAX = 512
_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


class _Query:
    __slots__ = ("cursor", "limit", "part_id", "status")

    def __init__(self) -> None:
        self.limit = DEFAULT_LIMIT
        self.cursor: str | None = None
        self.status: KeyPointStatus | None = None
        self.part_id: uuid.UUID | None = None


def _parse_query(raw: bytes) -> _Query | None:
    """The query the route would read, or None for anything the fast lane leaves to it
    (unknown or repeated names, blank or non-canonical values, values it would refuse)."""
    query = _Query()
    if not raw:
        return query
    seen: set[str] = set()
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name in seen or not value:
            return None
        seen.add(name)
        if name == "limit":
            if not _LIMIT.match(value) or int(value) > MAX_LIMIT:
                return None
            query.limit = int(value)
        elif name == "cursor":
            if len(value) > _CURSOR_MAX:
                return None
            query.cursor = value
        elif name == "status":
            status = _STATUSES.get(value)
            if status is None:
                return None
            query.status = status
        elif name == "part_id":
            if not _UUID.match(value):
                return None
            query.part_id = uuid.UUID(value)
        else:
            return None
    return query


class KeyPointListFastLane:
    """Answer cached key point pages in front of the application (see the module doc).

    Off while ``app.state.list_gate`` is None (no gate outside the ORM: the test fixtures'
    rolled-back transactions, an in-memory database) or ``app.state.list_fast_lane`` is false.
    """

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.head = prefix + "/sessions/"
        self.path_length = len(self.head) + 36 + len(_SUFFIX)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and await self._answer(scope, send):
            return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send) -> bool:
        """Send the cached answer and return True, or return False having sent nothing."""
        path: str = scope["path"]
        if (
            len(path) != self.path_length
            or not path.endswith(_SUFFIX)
            or not path.startswith(self.head)
            or scope.get("root_path")
        ):
            return False
        state = scope["app"].state
        gate = state.list_gate
        if gate is None or not state.list_fast_lane:
            return False
        session_part = path[len(self.head) : -len(_SUFFIX)]
        if not _UUID.match(session_part):
            return False
        authorization = if_none_match = incoming_id = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is None:
                    authorization = value
            elif name == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value
            elif name == b"x-request-id":
                if incoming_id is None:
                    incoming_id = value
            elif name in _BODY_HEADERS:
                return False
        if authorization is None:
            return False
        # As HTTPBearer reads it: the scheme before the first space, the rest stripped.
        scheme, _, credentials = authorization.decode("latin-1").partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            return False
        query = _parse_query(scope["query_string"])
        if query is None:
            return False
        try:
            page = await fast_page(
                gate,
                credentials,
                uuid.UUID(session_part),
                PageParams(limit=query.limit, cursor=query.cursor),
                query.status,
                query.part_id,
                state.settings.security.token_touch_interval,
            )
        except Exception:
            # The route runs the gate again and answers (or reports) whatever went wrong.
            return False
        if page is None:
            return False
        request_id = accept_or_make(None if incoming_id is None else incoming_id.decode("latin-1"))
        set_request_id(request_id)
        await self._send(page, if_none_match, request_id, send)
        return True

    @staticmethod
    async def _send(
        page: ListedPage, if_none_match: bytes | None, request_id: str, send: Send
    ) -> None:
        # The route's test: the ETag appears anywhere in the (first) If-None-Match header.
        rid = (b"x-request-id", request_id.encode("latin-1"))
        if if_none_match is not None and page.etag.encode() in if_none_match:
            headers = [*page.not_modified_headers, rid]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*page.ok_headers, rid]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": page.body})
