"""Every route's endpoint and dependencies are coroutines: FastAPI runs a plain ``def`` in a
worker thread, a hop that costs more than most of Track2's reads (docs/performance.md)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts


def _sync_calls(dependant: Dependant) -> Iterator[str]:
    for dependency in dependant.dependencies:
        call: Any = dependency.call
        function = call if inspect.isroutine(call) else getattr(call, "__call__", None)  # noqa: B004
        if function is not None and not (
            inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)
        ):
            yield f"{getattr(call, '__module__', '?')}.{getattr(call, '__qualname__', call)}"
        yield from _sync_calls(dependency)


def test_no_route_runs_code_in_a_worker_thread(app: FastAPI) -> None:
    sync: set[str] = set()
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        if not inspect.iscoroutinefunction(route.endpoint):
            sync.add(f"endpoint {context.path}")
        sync.update(_sync_calls(route.dependant))
    assert sync == set()
