"""The DomainError family and its RFC 9457 (problem+json) rendering.

Domain code raises a ``DomainError`` subclass; one handler renders every error, including
FastAPI's own validation errors, Starlette's 404/405, oversized bodies and unexpected
exceptions, as ``application/problem+json``. Problem types are relative URIs under
``/problems/``; docs/errors.md lists every one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import asyncpg.exceptions as asyncpg_exceptions  # type: ignore[import-untyped]  # no hints
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.kit.request_id import current_request_id

logger = logging.getLogger("track2.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/problems/"


_RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "request_id"})


class FieldError(BaseModel):
    """One reason a request was refused, located in the request."""

    location: str = Field(description="Where: 'body', 'query', 'path', 'header' or 'row N'.")
    field: str = Field(description="Dotted path of the field, e.g. 'partners.0'.")
    reason: str
    code: str | None = Field(default=None, description="Machine-readable reason.")


class Problem(BaseModel):
    """RFC 9457 problem details, with Track2's extension members."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["/problems/validation-error"])
    title: str = Field(examples=["The request is not valid"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["title: String should have at most 200 characters"])
    instance: str | None = Field(default=None, examples=["/api/v1/series"])
    request_id: str | None = None
    errors: list[FieldError] | None = None


class DomainError(Exception):
    """Base for errors that carry an HTTP status and a stable problem type slug."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        clash = _RESERVED_MEMBERS.intersection(extensions)
        if clash:
            raise ValueError(f"problem extensions may not redefine {sorted(clash)}")
        self.detail = detail or self.title
        self.extensions = extensions
        super().__init__(self.detail)


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class ReadOnlyToken(Forbidden):
    slug = "read-only-token"
    title = "The token is read-only"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class InvalidRequest(DomainError):
    """A rule the request breaks, reported like a schema validation error."""

    status = 422
    slug = "validation-error"
    title = "The request is not valid"

    def __init__(self, errors: Sequence[FieldError], detail: str | None = None) -> None:
        detail = detail or "; ".join(f"{e.field}: {e.reason}" for e in errors)
        super().__init__(detail, errors=[e.model_dump(exclude_none=True) for e in errors])

    @classmethod
    def single(cls, field: str, reason: str, location: str = "body") -> InvalidRequest:
        """The common case: one field, one reason."""
        return cls([FieldError(location=location, field=field, reason=reason)])


class PreconditionFailed(DomainError):
    """``If-Match`` names a representation that is no longer current: someone else wrote."""

    status = 412
    slug = "precondition-failed"
    title = "Precondition failed"


class PayloadTooLarge(DomainError):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class ServiceUnavailable(DomainError):
    """A 503 that the client should retry: ``Retry-After`` says when."""

    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(detail, retry_after=retry_after, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class DatabaseBusy(ServiceUnavailable):
    """SQLite: this writer did not get its turn at the write lock in time."""

    slug = "database-busy"
    title = "The database is busy"

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(
            "Too many writes are waiting for the database; nothing was changed, retry later",
            retry_after=retry_after,
        )


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached (restarting, failing over, out of connections)."""

    slug = "database-unavailable"
    title = "The database is unavailable"

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__(
            "The database cannot be reached just now; retry later (a write that got this "
            "answer may or may not have been committed: retry it with the same "
            "Idempotency-Key)",
            retry_after=retry_after,
        )


# SQLSTATE classes and codes that mean "the database is not there right now": connection
# exceptions (08), operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03
# cannot connect now), too many connections (53300), and read-only standby after a failover.
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "25006"})
_SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")


def unavailable_error(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 to answer for ``exc`` when it says the database is busy or unreachable."""
    if isinstance(exc, ServiceUnavailable):
        return exc
    if isinstance(exc, PoolTimeout | DisconnectionError | ConnectionError | TimeoutError):
        # Network errors reach a request only from its database connections (mail and
        # webhooks go out from the outbox worker, never from a request).
        return DatabaseUnavailable()
    if isinstance(exc, asyncpg_exceptions.InterfaceError):
        return DatabaseUnavailable()  # asyncpg used directly: "connection is closed"
    if isinstance(exc, asyncpg_exceptions.PostgresError):
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        return DatabaseUnavailable() if _unavailable_sqlstate(sqlstate) else None
    if not isinstance(exc, DBAPIError):
        return None
    message = str(exc.orig).lower()
    if any(text in message for text in _SQLITE_BUSY_MESSAGES):
        return DatabaseBusy()
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    if (
        exc.connection_invalidated
        or _unavailable_sqlstate(sqlstate)
        # asyncpg's "connection is closed" and friends carry no SQLSTATE.
        or (isinstance(exc, InterfaceError) and not sqlstate)
    ):
        return DatabaseUnavailable()
    return None


def _unavailable_sqlstate(sqlstate: str) -> bool:
    return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


# PostgreSQL refuses text it cannot store: NUL characters (SQLSTATE 22021) and characters
# with no equivalent in the server encoding (22P05).
_UNSTORABLE_TEXT = frozenset({"22021", "22P05"})
_UNSTORABLE_TEXT_REASON = "Text must not contain NUL (\\u0000) characters"

_STATUS_PROBLEMS: Mapping[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    410: ("gone", "Gone"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Request body too large"),
    414: ("uri-too-long", "Request target too long"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "The request is not valid"),
    429: ("rate-limited", "Too many requests"),
    431: ("headers-too-large", "Request headers too large"),
    500: ("internal-error", "Internal server error"),
    503: ("service-unavailable", "Service unavailable"),
}


def problem_response(
    request: Request | None,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """Render one problem as ``application/problem+json``."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path if request is not None else None,
        "request_id": current_request_id(),
    }
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _location_and_field(loc: Sequence[Any]) -> tuple[str, str]:
    if not loc:
        return "body", ""
    head, *rest = loc
    location = str(head) if head in {"body", "query", "path", "header", "cookie"} else "body"
    if location != str(head):
        rest = list(loc)
    return location, ".".join(str(part) for part in rest)


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors: list[FieldError] = []
    for err in exc.errors():
        location, field = _location_and_field(err.get("loc", ()))
        kind = str(err.get("type", ""))
        if kind == "json_invalid":
            location, field = "body", "body"
            reason = "Malformed JSON: " + str(err.get("ctx", {}).get("error", err.get("msg")))
        elif kind == "extra_forbidden":
            reason = "Unknown field; it is not part of this resource"
        else:
            reason = str(err.get("msg", "Invalid value"))
            if reason.startswith("Value error, "):
                reason = reason.removeprefix("Value error, ")
        errors.append(
            FieldError(location=location, field=field or location, reason=reason, code=kind)
        )
    return errors


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path, in a stable order: the routes
    are asked, as the router would ask them, whether they fully match with each method."""
    routes = request.app.router.routes
    allowed = []
    for method in _METHOD_ORDER:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error through one problem+json renderer."""

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        if isinstance(exc, ServiceUnavailable):
            logger.warning("answered 503", extra={"problem": exc.slug, "cause": _cause(exc)})
        headers = exc.extensions.get("headers")
        extensions = {k: v for k, v in exc.extensions.items() if k != "headers"}
        return problem_response(
            request,
            status=exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            headers=headers,
            **extensions,
        )

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e.field}: {e.reason}" for e in errors) or "Invalid request"
        if any(e.code == "json_invalid" for e in errors):
            # A body that cannot be parsed at all is a 400 (RFC 9110), not a 422: there is
            # nothing to validate. The same errors member says where it broke.
            return problem_response(
                request,
                status=400,
                slug="bad-request",
                title="Bad request",
                detail=detail,
                errors=[
                    e.model_dump(exclude_none=True) for e in errors if e.code == "json_invalid"
                ],
            )
        return problem_response(
            request,
            status=422,
            slug="validation-error",
            title="The request is not valid",
            detail=detail,
            errors=[e.model_dump(exclude_none=True) for e in errors],
        )

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug, title = _STATUS_PROBLEMS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No resource at this address"
        if exc.status_code == 405:
            # Starlette names the methods of the first route whose path matched; a path
            # served by several routes (GET on one, PATCH and DELETE on another) allows
            # all of theirs.
            allowed = allowed_methods(request)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
                detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        return problem_response(
            request,
            status=exc.status_code,
            slug=slug,
            title=title,
            detail=detail,
            headers=headers or None,
        )

    async def on_integrity_error(request: Request, exc: Exception) -> JSONResponse:
        # The service checks the rules it knows; a constraint that still fires means a
        # concurrent writer got there first. Say so without echoing the SQL.
        assert isinstance(exc, IntegrityError)
        # The driver's message can quote the conflicting value (an e-mail address, say);
        # log the constraint only.
        constraint = getattr(exc.orig, "constraint_name", None) or type(exc.orig).__name__
        logger.info("integrity error mapped to 409", extra={"constraint": constraint})
        return problem_response(
            request,
            status=409,
            slug="conflict",
            title="Conflict",
            detail="The change conflicts with data that already exists",
        )

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        # A database that is busy or away is a 503 the client retries, never a 500.
        unavailable = unavailable_error(exc)
        if unavailable is not None:
            if unavailable is not exc and unavailable.__cause__ is None:
                unavailable.__cause__ = exc
            return await on_domain_error(request, unavailable)
        # The database is the last home of validation: text PostgreSQL cannot store is the
        # client's mistake (422), not ours.
        if (
            not isinstance(exc, DBAPIError)
            or getattr(exc.orig, "sqlstate", None) not in _UNSTORABLE_TEXT
        ):
            return await on_unexpected(request, exc)
        location = "query" if request.method in {"GET", "HEAD", "DELETE"} else "body"
        error = FieldError(
            location=location, field=location, reason=_UNSTORABLE_TEXT_REASON, code="nul_character"
        )
        return problem_response(
            request,
            status=422,
            slug="validation-error",
            title="The request is not valid",
            detail=_UNSTORABLE_TEXT_REASON,
            errors=[error.model_dump()],
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return problem_response(
            request,
            status=500,
            slug="internal-error",
            title="Internal server error",
            detail="Something went wrong on our side; quote the request id when reporting it",
        )

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(IntegrityError, on_integrity_error)
    app.add_exception_handler(SQLAlchemyError, on_database_error)
    app.add_exception_handler(Exception, on_unexpected)


def _cause(exc: BaseException) -> str:
    """The root of a chain of causes, named with its message (what an operator looks for)."""
    while (nxt := exc.__cause__ or exc.__context__) is not None:
        exc = nxt
    return f"{type(exc).__name__}: {str(exc)[:200]}"


NOT_MODIFIED_RESPONSE: dict[str, Any] = {
    "description": "Not modified: `If-None-Match` names the current representation. No body; "
    "the `ETag` header repeats the current entity tag.",
    "headers": {"ETag": {"description": "The current entity tag.", "schema": {"type": "string"}}},
}


def problem_responses(
    *statuses: int, extra: Mapping[int | str, dict[str, Any]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the problem schema for these statuses,
    plus any ``extra`` (non-problem) responses. 304 is documented without a body."""
    out: dict[int | str, dict[str, Any]] = dict(extra or {})
    for status in statuses:
        if status == 304:
            out[status] = NOT_MODIFIED_RESPONSE
            continue
        _, title = _STATUS_PROBLEMS.get(status, ("http-error", "HTTP error"))
        out[status] = {
            "description": title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out
