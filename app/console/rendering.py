"""Rendering console pages and the fragments htmx asks for.

``page(request, "console/x.html", {...})`` renders a whole page; with ``block="name"`` it
renders one block of the same template (jinja2-fragments), which is what an htmx request
swaps in. Every page gets ``request``, ``csrf_token``, ``principal`` (when signed in),
``static`` (versioned URLs under /static) and ``htmx`` (whether htmx asked). Console pages
are never cached.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block

from app.kit.clock import as_utc
from app.kit.csrf import csrf_token

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
HTMX_FILE = "vendor/htmx-2.0.10.min.js"
NO_STORE = {"Cache-Control": "no-store", "Vary": "HX-Request, Cookie"}


@lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>``: browsers may cache it for good."""
    try:
        digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    except OSError:
        return f"/static/{path}"
    return f"/static/{path}?v={digest}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Jinja2 over ``app/templates``: autoescaped, and a missing variable is an error."""
    env = Environment(
        loader=PackageLoader("app", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    env.filters["local"] = local_time
    env.filters["dict_without"] = lambda d, *keys: {k: v for k, v in d.items() if k not in keys}
    env.globals["htmx_file"] = HTMX_FILE
    return env


def local_time(value: datetime | None, zone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """A stored UTC time as the clock reads in ``zone``, with the zone's abbreviation."""
    if value is None:
        return ""
    try:
        local = as_utc(value).astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return as_utc(value).strftime(fmt) + " UTC"
    return f"{local.strftime(fmt)} {local.tzname() or zone}"


def is_htmx(request: Request) -> bool:
    """Whether htmx (not a full navigation) made the request."""
    return request.headers.get("HX-Request") == "true"


def render(request: Request, template: str, context: dict[str, Any], block: str | None) -> str:
    values = {
        "request": request,
        "csrf_token": csrf_token(request),
        "principal": getattr(request.state, "principal", None),
        "htmx": is_htmx(request),
        "nav": "",
        # The guard's findings of a refused form by input, and the warnings ticked.
        "guard": {},
        "acknowledged": (),
        **context,
    }
    env = environment()
    if block is not None:
        return render_block(env, template, block, values)
    return env.get_template(template).render(values)


def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A console page (or one block of it), never cached."""
    html = render(request, template, context or {}, block)
    return HTMLResponse(html, status_code=status_code, headers={**NO_STORE, **(headers or {})})
