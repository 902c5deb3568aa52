"""One gate, every public surface (issue 15, item 1).

The public-bound text fields are discovered from the schemas: every public projection (a
``*Public``/``Public*`` schema, or the answer of a route anyone may call) is walked, and each
text field must be a ``ClearedText`` (a str only the gate makes) or a structural field listed
below with the reason it cannot carry a name. Each cleared field must have a gated write path,
exercised here over HTTP: writing a participant's name into it is a 422 naming the field. A
new public text field fails this test until it is both cleared and gated."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
import uuid
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

import app as app_package
from app.confidentiality.gate import Cleared
from app.main import create_app
from app.reports.guard import report_texts, strings
from app.reports.model import SessionReport
from app.series.events import series_data
from app.sessions.calendar import render_calendar
from app.sessions.events import session_data
from app.sessions.models import SessionStatus
from tests.conftest import make_settings
from tests.factories import Caller, Factory

# Structural fields of public projections: built by Track2, never typed by a user.
STRUCTURAL = {
    "PublicSeries.timezone": "an IANA zone name, validated against the zone list",
    "PublicSeries.url": "base URL + the series' cleared slug",
    "PublicSeries.subscribe_url": "base URL + the series' cleared slug",
    "PublicSession.date": "an ISO date",
    "PublicSession.date_long": "a date written by Track2",
    "PublicSession.timezone": "an IANA zone name, validated against the zone list",
    "PublicSession.status": "a lifecycle state (closed set)",
    "PublicReportRef.url": "base URL + the report's id",
    "PublicReportRef.formats": "format names and URLs built from the report's id",
    "PublicEditionRef.name": "the language's own name, from Track2's fixed locale table",
    "PublicEditionRef.version": "'n.m', two numbers Track2 assigns",
    "PublicEditionRef.url": "base URL + the report's id + a language tag of a closed set",
    "PublicEditionRef.formats": "format names and URLs built from the report's id and language",
    "CompositionPublic.basis": "attended|confirmed",
    "ReportRequestAccepted.status": "a constant",
    "ReportRequestAccepted.detail": "a constant",
    "SubscriptionAccepted.status": "a constant",
    "SubscriptionAccepted.detail": "a constant",
    "Page.next_cursor": "an opaque cursor over ids",
}
# Each cleared field of a public projection, and the write that gates it (see the tests).
GATED = {
    "PublicSeries.slug": "series",
    "PublicSeries.title": "series",
    "PublicSeries.description": "series",
    "PublicSeries.organiser": "series",
    "PublicSeries.partners": "series",
    "PublicSeries.strapline": "series",
    "PublicSession.title": "session",
}


def _models() -> dict[str, type[BaseModel]]:
    for info in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(info.name)
    found: dict[str, type[BaseModel]] = {}
    application = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    for route in application.routes:
        if not isinstance(route, APIRoute):
            continue
        public = not any(
            "principal" in str(d.call).lower() or "token" in str(d.call).lower()
            for d in route.dependant.dependencies
        ) and not _needs_auth(route)
        if public and route.response_model is not None:
            for model in _nested(route.response_model):
                found[model.__name__] = model
    for module_name, module in list(_app_modules()):
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseModel)
                and (name.endswith("Public") or name.startswith("Public"))
                and obj.__module__ == module_name
            ):
                for model in _nested(obj):
                    found[model.__name__] = model
    return found


def _needs_auth(route: APIRoute) -> bool:
    return (
        route.path.startswith("/api/v1")
        and "/public/" not in route.path
        and not (route.path.endswith("calendar.ics"))
    )


def _app_modules() -> list[tuple[str, types.ModuleType]]:
    import sys

    return [(n, m) for n, m in sys.modules.items() if n.startswith("app.") and m is not None]


def _nested(annotation: Any) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        out.append(annotation)
        for field in annotation.model_fields.values():
            out += _nested(field.annotation)
    for arg in typing.get_args(annotation):
        out += _nested(arg)
    return out


def _text_fields(model: type[BaseModel]) -> dict[str, bool]:
    """``{Model.field: cleared?}`` for each field that holds text."""
    out: dict[str, bool] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        flat = [annotation, *typing.get_args(annotation)]
        for arg in list(flat):
            flat += list(typing.get_args(arg))
        if any(a is Cleared for a in flat):
            out[f"{model.__name__}.{name}"] = True
        elif any(a is str for a in flat):
            out[f"{model.__name__}.{name}"] = False
    return out


def test_every_public_text_field_is_cleared_or_structural() -> None:
    models = _models()
    assert {"PublicSeries", "PublicSession", "CompositionPublic"} <= set(models)
    seen: dict[str, bool] = {}
    for model in models.values():
        seen.update(_text_fields(model))
    unchecked = sorted(f for f, cleared in seen.items() if not cleared and f not in STRUCTURAL)
    assert unchecked == [], "public text fields that do not pass the guard"
    cleared = {f for f, c in seen.items() if c}
    assert cleared - set(GATED) == set(), "cleared public fields with no gated write tested"


def test_every_text_of_the_report_model_is_checked() -> None:
    # Fill every string of a report with a marker, and require the guard's walk to see each.
    example = SessionReport.model_validate_json(_example_report())
    marked = _mark(example)
    texts = {t.value for t in report_texts(marked, []).texts}
    markers = {value for _, value in strings(marked) if value.startswith("MARK")}
    assert markers
    assert markers <= texts


def _example_report() -> str:
    import json

    from app.reports import examples

    return json.dumps(examples.SESSION_REPORT)


def _mark(node: Any, counter: list[int] | None = None) -> Any:
    counter = counter if counter is not None else [0]
    if isinstance(node, BaseModel):
        return node.model_copy(
            update={k: _mark(getattr(node, k), counter) for k in type(node).model_fields}
        )
    if isinstance(node, tuple):
        return tuple(_mark(v, counter) for v in node)
    if isinstance(node, str):
        counter[0] += 1
        return f"MARK{counter[0]}"
    return node


def test_projections_refuse_texts_that_did_not_pass_the_guard() -> None:
    class Row:
        id = uuid.uuid4()
        dialogue_series_id = uuid.uuid4()
        partners: typing.ClassVar[list[str]] = []
        number = 1
        status = SessionStatus.SCHEDULED
        timezone = "UTC"

    with pytest.raises(TypeError):
        series_data(Row(), {"title": "Plain", "slug": "s", "organiser": "O"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        session_data(Row(), {"title": "Plain"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        render_calendar(Row(), {"title": "Plain", "organiser": "O"}, [], "http://x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Cleared("made by hand")


# -- every gated write, over HTTP ---------------------------------------------------------------

NAME = "Leyla Karimova"


async def _series_with_karimova(client: httpx.AsyncClient, factory: Factory) -> tuple[Caller, Any]:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    person = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={
            "honorific": "Dr",
            "given_name": "Leyla",
            "family_name": "Karimova",
            "affiliation": "Baku Centre for Strategic Analysis",
            "affiliation_acronym": "BCSA",
            "email": "leyla.karimova@bcsa.example.org",
        },
        headers=organiser.headers,
    )
    assert person.status_code == 201, person.text
    return organiser, series


def _refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == "/problems/attribution-blocked"
    assert field in {e["field"] for e in problem["errors"]}, problem["errors"]


SERIES_FIELDS = {
    "title": f"Talks with {NAME}",
    "slug": "leyla-karimova-talks",
    "description": f"Hosted by {NAME}.",
    "organiser": "BCSA",
    "strapline": f"As {NAME} says",
    "title_prefix": "The Karimova Series",
    "dateline": "KARIMOVA",
    "closing": "Thanks to the B.C.S.A.",
}


@pytest.mark.parametrize("field", sorted(SERIES_FIELDS))
async def test_series_texts_refuse_a_name(
    client: httpx.AsyncClient, factory: Factory, field: str
) -> None:
    organiser, series = await _series_with_karimova(client, factory)
    answer = await client.patch(
        f"/api/v1/series/{series.id}", json={field: SERIES_FIELDS[field]}, headers=organiser.headers
    )
    _refused(answer, field)


async def test_series_partners_refuse_a_name(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser, series = await _series_with_karimova(client, factory)
    answer = await client.patch(
        f"/api/v1/series/{series.id}",
        json={"partners": ["Kabul University", "Baku Center for Strategic Analysis"]},
        headers=organiser.headers,
    )
    _refused(answer, "partners.1")


@pytest.mark.parametrize("field", ["title", "context"])
async def test_session_texts_refuse_a_name(
    client: httpx.AsyncClient, factory: Factory, field: str
) -> None:
    organiser, series = await _series_with_karimova(client, factory)
    body = {
        "title": "Regional connectivity",
        "starts_at": "2031-01-01T10:00:00+00:00",
        "ends_at": "2031-01-01T12:00:00+00:00",
        "format": "online",
        field: f"A conversation with {NAME}",
    }
    created = await client.post(
        f"/api/v1/series/{series.id}/sessions", json=body, headers=organiser.headers
    )
    _refused(created, field)


@pytest.mark.parametrize("field", ["title", "topic"])
async def test_part_texts_refuse_a_name(
    client: httpx.AsyncClient, factory: Factory, field: str
) -> None:
    organiser, series = await _series_with_karimova(client, factory)
    session = await factory.dialogue_session(series)
    body = {"title": "Opening", "kind": "discussion", field: f"Remarks by {NAME}"}
    added = await client.post(
        f"/api/v1/sessions/{session.id}/parts", json=body, headers=organiser.headers
    )
    _refused(added, field)
    part = await client.post(
        f"/api/v1/sessions/{session.id}/parts",
        json={"title": "Opening", "kind": "discussion"},
        headers=organiser.headers,
    )
    assert part.status_code == 201
    changed = await client.patch(
        f"/api/v1/parts/{part.json()['id']}",
        json={field: f"Remarks by {NAME}"},
        headers=organiser.headers,
    )
    _refused(changed, field)


async def test_theme_label_and_slug_refuse_a_name(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser, series = await _series_with_karimova(client, factory)
    url = f"/api/v1/series/{series.id}/themes"
    _refused(
        await client.post(
            url, json={"slug": "karimova-plan", "label": "A plan"}, headers=organiser.headers
        ),
        "slug",
    )
    _refused(
        await client.post(
            url, json={"slug": "plan", "label": "The BCSA plan"}, headers=organiser.headers
        ),
        "label",
    )


@pytest.mark.parametrize("field", ["subject", "body_markdown"])
async def test_newsletter_texts_refuse_a_name(
    client: httpx.AsyncClient, factory: Factory, field: str
) -> None:
    organiser, series = await _series_with_karimova(client, factory)
    body = {"subject": "News", "body_markdown": "Plain news.", field: f"{NAME} spoke"}
    answer = await client.post(
        f"/api/v1/series/{series.id}/newsletters", json=body, headers=organiser.headers
    )
    _refused(answer, field)


@pytest.mark.parametrize(
    "markdown",
    [
        "Kari&#109;ova opened the session.",
        "[Kari](https://example.org)mova opened the session.",
        "Kari*mov*a opened the session.",
        "Kari&shy;mova opened the session.",
        "Kari\u00admova opened the session.",
        "Kari***mov***a opened the session.",
        "Kari`mova` opened the session.",
        "Write to <leyla.karimova@bcsa.example.org>.",
    ],
)
async def test_a_newsletter_is_checked_as_rendered(
    client: httpx.AsyncClient, factory: Factory, markdown: str
) -> None:
    organiser, series = await _series_with_karimova(client, factory)
    answer = await client.post(
        f"/api/v1/series/{series.id}/newsletters",
        json={"subject": "News", "body_markdown": markdown},
        headers=organiser.headers,
    )
    _refused(answer, "body_markdown")


async def test_a_key_point_refuses_a_name_of_another_session(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    # Checked against the whole directory, not only the session's roster.
    organiser, series = await _series_with_karimova(client, factory)
    session = await factory.dialogue_session(series, status=SessionStatus.HELD)
    answer = await client.post(
        f"/api/v1/sessions/{session.id}/key-points",
        json={"text": "Karimova argued that the corridor is the key."},
        headers=organiser.headers,
    )
    _refused(answer, "text")
