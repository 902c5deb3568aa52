"""The application factory: routers, problem handlers, middleware, lifespan."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from app import health, housekeeping
from app.config import Settings, get_settings
from app.db import create_engine, create_sessionmaker
from app.errors import Problem, install_problem_handlers, problem_responses
from app.key_points.fast_lane import KeyPointListFastLane
from app.key_points.list_router import router as key_points_list_router
from app.key_points.listing import open_list_gate
from app.key_points.router import record_router as key_points_record_router
from app.key_points.router import router as key_points_router
from app.key_points.search_router import router as search_router
from app.kit.idempotency import IdempotencyMiddleware
from app.kit.middleware import BodyLimitMiddleware, RequestIdMiddleware
from app.newsletter.pages import router as newsletter_pages
from app.newsletter.router import public_router as newsletter_public_router
from app.newsletter.router import router as newsletter_router
from app.outbox.router import router as outbox_router
from app.outbox.worker import worker_in_background
from app.people.router import router as people_router
from app.reports.pages import router as reports_pages
from app.reports.render import warm_up
from app.reports.router import public_router as reports_public_router
from app.reports.router import router as reports_router
from app.security import SAFE_METHODS, get_principal
from app.series.router import router as series_router
from app.sessions.router import public_router as sessions_public_router
from app.sessions.router import router as sessions_router
from app.users.router import router as users_router
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


def _document_read_only_refusals(schema: dict[str, Any]) -> None:
    """Any authenticated operation that is not a read answers 403 to a read-only token
    (``get_principal``): document it where the route did not already."""
    forbidden = problem_responses(403)[403]
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method.upper() not in SAFE_METHODS and operation.get("security"):
                operation.setdefault("responses", {}).setdefault("403", forbidden)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application. Tests pass their own settings."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.list_gate = await open_list_gate(settings)
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
            if app.state.list_gate is not None:
                await app.state.list_gate.close()
            await engine.dispose()

    app = FastAPI(
        title="Track2",
        version="1.0.0",
        summary="Track 2 dialogues under the Chatham House Rule",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    # The list's gate outside the ORM is opened by the lifespan; until then (and in tests
    # that skip the lifespan) the fast lane stays off and the route answers.
    app.state.list_gate = None
    app.state.list_fast_lane = True
    install_problem_handlers(app)
    app.include_router(health.router)
    # Before the API router, whose per-route auth dependency these routes do in their own
    # access queries (the hot read and write paths of key points).
    app.include_router(key_points_list_router, prefix=API_PREFIX)
    app.include_router(key_points_record_router, prefix=API_PREFIX)
    app.include_router(_api_router())
    # Public routes: no token. Each answers only what a subscriber may see.
    app.include_router(sessions_public_router, prefix=API_PREFIX)
    app.include_router(newsletter_public_router, prefix=API_PREFIX)
    app.include_router(reports_public_router, prefix=API_PREFIX)
    app.include_router(newsletter_pages)
    app.include_router(reports_pages)
    app.add_middleware(IdempotencyMiddleware, prefix=API_PREFIX, sessions=_idempotency_sessions)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.http.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    # Outermost: cached pages of the hot list are answered before routing (P1); everything
    # else falls through to the stack above unchanged.
    app.add_middleware(KeyPointListFastLane, prefix=API_PREFIX)

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
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override hook
    return app
