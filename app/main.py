"""The application factory: routers, problem handlers, middleware, lifespan."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import swagger_ui_bundle  # type: ignore[import-untyped]  # ships no type information
from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from app import health, housekeeping, wiring
from app.confidentiality import gate as guard
from app.config import Settings, get_settings
from app.console import editions as console_editions
from app.console import home as console_home
from app.console import landing as console_landing
from app.console.rendering import STATIC_DIR
from app.console.routing import install_console_errors
from app.db import create_engine, create_sessionmaker, one_process_per_sqlite_file
from app.errors import Problem, Unauthenticated, install_problem_handlers, problem_responses
from app.key_points import pages as key_points_pages
from app.key_points.router import router as key_points_router
from app.key_points.search_router import router as search_router
from app.kit.csrf import CsrfMiddleware
from app.kit.documents import DocumentCache, DocumentFront
from app.kit.idempotency import CallerLookup, IdempotencyMiddleware
from app.kit.logging import configure_logging
from app.kit.middleware import BodyLimitMiddleware, EdgeMiddleware, RequestIdMiddleware
from app.kit.security_headers import SecurityHeadersMiddleware
from app.newsletter import console_pages as newsletter_console
from app.newsletter.pages import router as newsletter_pages
from app.newsletter.router import public_router as newsletter_public_router
from app.newsletter.router import router as newsletter_router
from app.outbox.router import router as outbox_router
from app.outbox.worker import worker_in_background
from app.people import pages as people_pages
from app.people.router import router as people_router
from app.reports import console_pages as reports_console
from app.reports.pages import router as reports_pages
from app.reports.render import warm_up
from app.reports.router import public_router as reports_public_router
from app.reports.router import router as reports_router
from app.security import SAFE_METHODS, get_principal
from app.series import pages as series_pages
from app.series.router import router as series_router
from app.sessions import pages as sessions_pages
from app.sessions.router import public_router as sessions_public_router
from app.sessions.router import router as sessions_router
from app.users import pages as users_pages
from app.users.router import router as users_router
from app.users.service import UserService
from app.users.signin import SESSION_COOKIE
from app.users.tokens import TokenCache
from app.webhooks import delivery as webhook_delivery
from app.webhooks.router import router as webhooks_router

API_PREFIX = "/api/v1"
API_DESCRIPTION = """\
Track2 runs Track 2 dialogues under the Chatham House Rule: series of sessions, a
confidential roster, non-attributed key points, reports and newsletters.

Authenticate with `Authorization: Bearer <token>`. Every error is an RFC 9457
`application/problem+json` document. Lists are cursor-paginated: pass `next_cursor` back
as `cursor`.
"""


def _api_router() -> APIRouter:
    # Authenticated by default: every route below needs a valid token. Public routes are
    # mounted on their own router, outside this one.
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(get_principal)])
    api.include_router(users_router)
    api.include_router(series_router)
    api.include_router(sessions_router)
    api.include_router(people_router)
    api.include_router(key_points_router)
    api.include_router(search_router)
    api.include_router(newsletter_router)
    api.include_router(reports_router)
    api.include_router(outbox_router)
    api.include_router(webhooks_router)
    return api


# Imported for its side effect: it registers the outbox handler for webhooks.
assert webhook_delivery.SCHEDULE


def _idempotency_sessions(scope: Scope) -> Callable[[], AsyncSession]:
    # Tests swap in sessions joined to their rolled-back transaction.
    state = scope["app"].state
    override: Callable[[], AsyncSession] | None = getattr(state, "idempotency_sessions", None)
    return override or state.sessionmaker


def _idempotency_caller(app: FastAPI) -> CallerLookup:
    """The user behind a valid bearer token that may write, for Idempotency-Key records: the
    one authentication path, from the application's token cache (``app.users.tokens``)."""

    async def caller(db: AsyncSession, token: str, _now: datetime) -> uuid.UUID | None:
        try:
            principal = await UserService(db).authenticate(token, None, app.state.tokens)
        except Unauthenticated:
            return None
        return None if principal.read_only else principal.user_id

    return caller


def _document_unreadable_bodies(schema: dict[str, Any]) -> None:
    """Every operation that takes a body answers 400 when the body cannot be parsed."""
    bad_request = problem_responses(400)[400]
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("400", bad_request)


def _document_read_only_refusals(schema: dict[str, Any]) -> None:
    """Any authenticated operation that is not a read answers 403 to a read-only token
    (``get_principal``): document it where the route did not already."""
    forbidden = problem_responses(403)[403]
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method.upper() not in SAFE_METHODS and operation.get("security"):
                operation.setdefault("responses", {}).setdefault("403", forbidden)


# Standalone report documents keep their stylesheet inside the file; Swagger UI sets style
# attributes. Neither gets inline script (app/kit/security_headers.py).
INLINE_STYLE_PATHS = ("/api/docs", f"{API_PREFIX}/", "/reports/download")


def _include_console(app: FastAPI) -> None:
    """The front door, sign-in and the console's pages, and the files they use."""
    install_console_errors(app)
    app.mount(
        "/static/swagger-ui",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(console_landing.router)
    app.include_router(users_pages.router)
    app.include_router(console_home.router)
    app.include_router(series_pages.router)
    app.include_router(people_pages.router)
    app.include_router(sessions_pages.router)
    app.include_router(key_points_pages.router)
    app.include_router(reports_console.router)
    app.include_router(console_editions.router)
    app.include_router(newsletter_console.router)
    app.include_router(console_home.fallback)


def serve_app() -> FastAPI:
    """The factory ``track2 serve`` hands to uvicorn: logging set up in every process
    (``--workers N`` starts N processes, each of which calls this), then the application."""
    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    return create_app(settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application. Tests pass their own settings."""
    settings = settings or get_settings()
    wiring.wire(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with one_process_per_sqlite_file(settings.database_url, "serve"):
            async with _serving(app):
                yield

    @asynccontextmanager
    async def _serving(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        # The guard builds the next directory matcher in the background after a change.
        guard.provide_sessions(app.state.sessionmaker)
        try:
            # The outbox worker runs in-process on the embedded default (see docs/outbox.md),
            # and with it the hourly housekeeping.
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(
                    worker_in_background(app.state.sessionmaker, settings)
                )
                if settings.outbox.run_in_serve:
                    await stack.enter_async_context(
                        housekeeping.in_background(app.state.sessionmaker, settings)
                    )
                # The PDF and DOCX renderers and their fonts load once the service answers
                # (P7 is unchanged; the first PDF no longer pays ~0.2-0.3 s for them).
                threading.Thread(target=warm_up, name="report-fonts", daemon=True).start()
                yield
        finally:
            guard.provide_sessions(None)
            await guard.settle()
            await engine.dispose()

    app = FastAPI(
        title="Track2",
        version="1.0.0",
        summary="Track 2 dialogues under the Chatham House Rule",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # Served by app.console.landing from Track2's own copy of Swagger UI (works offline).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    # What this application knows between requests, each entry trusted only while a version
    # the database bumps is unchanged: the tokens it authenticated, the documents it rendered.
    app.state.tokens = TokenCache()
    app.state.documents = DocumentCache()
    # The reports domain asks the newsletter domain (above it) whether a report requester
    # subscribes; the answer is wired in here so neither imports the other upwards.
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(_api_router())
    # Public routes: no token. Each answers only what a subscriber may see.
    app.include_router(sessions_public_router, prefix=API_PREFIX)
    app.include_router(newsletter_public_router, prefix=API_PREFIX)
    app.include_router(reports_public_router, prefix=API_PREFIX)
    app.include_router(newsletter_pages)
    app.include_router(reports_pages)
    _include_console(app)
    # Innermost: a GET identical to one already answered from a published document is
    # answered from it before routing, once the version is read again (app/kit/documents.py);
    # every middleware below treats that answer as the route's.
    app.add_middleware(DocumentFront)
    app.add_middleware(
        IdempotencyMiddleware,
        prefix=API_PREFIX,
        sessions=_idempotency_sessions,
        caller=_idempotency_caller(app),
    )
    app.add_middleware(
        CsrfMiddleware,
        secret=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        secure_cookie=users_pages.secure_cookies(settings),
    )
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.http.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    # Limits, the request id, the access log and the last safety net.
    app.add_middleware(
        EdgeMiddleware,
        max_target_bytes=settings.http.max_target_bytes,
        max_header_bytes=settings.http.max_header_bytes,
    )
    # Outermost: every answer, the edge's own problems included, carries
    # the security headers.
    app.add_middleware(SecurityHeadersMiddleware, inline_style_paths=INLINE_STYLE_PATHS)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in problem.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["Problem"] = problem
            _document_read_only_refusals(schema)
            _document_unreadable_bodies(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override hook
    return app
