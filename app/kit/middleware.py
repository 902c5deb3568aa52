"""Pure ASGI middleware: the edge (limits, access log, safety net), request ids, body limit.

Pure ASGI (not ``BaseHTTPMiddleware``) so the request id context variable stays visible to
the error handlers and the body is checked as it streams, before anything reads it whole.
"""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import parse_qsl, quote

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, unavailable_error
from app.kit.request_id import accept_or_make, current_request_id, set_request_id


class RequestIdMiddleware:
    """Bind a request id for the request's lifetime and echo it as ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = accept_or_make(incoming)
        set_request_id(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class _BodyTooLarge(HTTPException):
    """Raised from ``receive`` mid-stream; an HTTPException so FastAPI's body parsing
    re-raises it untouched and the problem handler renders the 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body exceeds the limit of {limit} bytes")


class BodyLimitMiddleware:
    """Refuse request bodies over the configured size with a 413 problem."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def _reject(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": PROBLEM_BASE + "payload-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"The request body exceeds the limit of {self.max_body_bytes} bytes",
                "instance": scope.get("path"),
                "request_id": current_request_id(),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_body_bytes:
                    await self._reject(scope, send)
                    return
                break

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge(self.max_body_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._reject(scope, send)


# -- the edge: target and header limits, access log with secrets redacted, safety net ------

access_logger = logging.getLogger("track2.access")
error_logger = logging.getLogger("track2.errors")

# Query parameters whose values are harmless to log (ids, paging, formats). Every other
# value is replaced before the line is written: link tokens (download, confirmation,
# preferences, unsubscribe, sign-in), search queries over members or points, and whatever a
# future route adds, since an unknown name is redacted by default.
LOGGED_QUERY_VALUES = frozenset(
    {
        "limit",
        "cursor",
        "status",
        "part_id",
        "kind",
        "format",
        "series_id",
        "session_id",
        "session",
        "theme",
        "with",
        "role",
        "lang",
    }
)
REDACTED = "[redacted]"
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_SLUG_SEGMENT = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\.[a-z0-9]{1,8})?$")


def _redact_segment(segment: str) -> str:
    # Ids and slugs stay; a long segment that is neither looks like a secret in the path.
    if len(segment) < 16 or _UUID.match(segment) or _SLUG_SEGMENT.match(segment):
        return segment
    return REDACTED


def redact_target(path: str, query_string: bytes) -> str:
    """The request target as it may be logged: secrets in the query or the path replaced."""
    safe_path = "/".join(_redact_segment(segment) for segment in path.split("/"))
    if not query_string:
        return safe_path
    parts = []
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        shown = value if name in LOGGED_QUERY_VALUES else REDACTED
        parts.append(f"{quote(name, safe='')}={quote(shown, safe='[]')}")
    return f"{safe_path}?{'&'.join(parts)}"


def _problem_bytes(scope: Scope, status: int, slug: str, title: str, detail: str) -> bytes:
    return json.dumps(
        {
            "type": PROBLEM_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path"),
            "request_id": current_request_id(),
        }
    ).encode()


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer a problem document straight from ASGI (no FastAPI underneath)."""
    body = _problem_bytes(scope, status, slug, title, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class EdgeMiddleware:
    """The outermost layer: what every request goes through, whichever lane answers it.

    - a request target longer than ``max_target_bytes`` is a 414 problem, headers larger
      than ``max_header_bytes`` (all of them together) a 431 problem;
    - the request id is settled here (accepted from ``X-Request-ID`` when sane, else made)
      and handed to the layers below in the header, so every lane uses the same one;
    - an exception no handler rendered is answered as a problem here instead of escaping to
      the server, which would close the client's connection: a database that is busy or away
      is a 503 with ``Retry-After``, anything else a logged 500;
    - one access-log line per request, with secrets redacted (:func:`redact_target`).
    """

    def __init__(
        self, app: ASGIApp, *, max_target_bytes: int = 8192, max_header_bytes: int = 65536
    ) -> None:
        self.app = app
        self.max_target_bytes = max_target_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = list(scope.get("headers", ()))
        incoming = None
        header_bytes = 0
        for name, value in headers:
            header_bytes += len(name) + len(value) + 4
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        request_id = accept_or_make(incoming)
        set_request_id(request_id)
        headers = [(n, v) for n, v in headers if n != b"x-request-id"]
        headers.append((b"x-request-id", request_id.encode("latin-1")))
        scope = {**scope, "headers": headers}
        status = 0
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                extra = MutableHeaders(scope=message)
                if "x-request-id" not in extra:
                    extra["X-Request-ID"] = request_id
            await send(message)

        target = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b"")
        )
        try:
            if target > self.max_target_bytes:
                await send_problem(
                    scope,
                    tracking_send,
                    414,
                    "uri-too-long",
                    "Request target too long",
                    f"The request target exceeds {self.max_target_bytes} bytes",
                )
            elif header_bytes > self.max_header_bytes:
                await send_problem(
                    scope,
                    tracking_send,
                    431,
                    "headers-too-large",
                    "Request headers too large",
                    f"The request headers exceed {self.max_header_bytes} bytes in all",
                    [(b"connection", b"close")],
                )
            else:
                await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if response_started:
                # Nothing can be said any more; the server ends the response.
                error_logger.exception("error after the response started", exc_info=exc)
                raise
            await self._answer_error(scope, tracking_send, exc)
        finally:
            self._log(scope, status, started)

    async def _answer_error(self, scope: Scope, send: Send, exc: Exception) -> None:
        unavailable = unavailable_error(exc)
        if unavailable is not None:
            error_logger.warning(
                "answered 503", extra={"problem": unavailable.slug, "cause": type(exc).__name__}
            )
            await send_problem(
                scope,
                send,
                503,
                unavailable.slug,
                unavailable.title,
                unavailable.detail,
                [(b"retry-after", str(unavailable.retry_after).encode())],
            )
            return
        error_logger.exception("unhandled error", exc_info=exc)
        await send_problem(
            scope,
            send,
            500,
            "internal-error",
            "Internal server error",
            "Something went wrong on our side; quote the request id when reporting it",
        )

    def _log(self, scope: Scope, status: int, started: float) -> None:
        if not access_logger.isEnabledFor(logging.INFO):
            return
        target = redact_target(scope["path"], scope.get("query_string", b""))
        client = scope.get("client")
        access_logger.info(
            "%s %s %s",
            scope["method"],
            target,
            status,
            extra={
                "method": scope["method"],
                "target": target,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "client": client[0] if client else None,
            },
        )
