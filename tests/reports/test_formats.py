"""Formats: content negotiation, page numbers, charts, the digest, and a canonical model
that cannot hold roster objects."""

from __future__ import annotations

import io
import types
import typing
import uuid

import httpx
import pytest
from docx import Document
from pydantic import BaseModel, ValidationError

from app.people.models import Person
from app.reports import model as report_model
from app.reports.model import NamedGuest, Node, SessionReport
from tests.reports.conftest import Demo, pdf_pages


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/markdown", "text/markdown"),
        ("text/html,application/xhtml+xml;q=0.9", "text/html"),
        ("application/pdf", "application/pdf"),
        ("application/json", "application/json"),
        ("image/png;q=0.9, text/markdown;q=0.5", "text/markdown"),
        ("*/*", "application/json"),
        ("", "application/json"),
    ],
)
async def test_accept_negotiation(
    demo: Demo, client: httpx.AsyncClient, accept: str, media: str
) -> None:
    response = await client.get(
        f"/api/v1/sessions/{demo.session.id}/report",
        headers={**demo.organiser.headers, "Accept": accept},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("query", "accept"), [("?format=xlsx", None), ("", "image/png"), ("", "text/csv;q=1")]
)
async def test_unsupported_formats_are_a_406_problem(
    demo: Demo, client: httpx.AsyncClient, query: str, accept: str | None
) -> None:
    headers = dict(demo.organiser.headers)
    if accept:
        headers["Accept"] = accept
    response = await client.get(
        f"/api/v1/sessions/{demo.session.id}/report{query}", headers=headers
    )
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/not-acceptable"
    assert response.json()["supported"] == ["md", "html", "pdf", "docx", "json"]


async def test_pdf_and_docx_number_their_pages(demo: Demo, client: httpx.AsyncClient) -> None:
    auth = demo.organiser.headers
    url = f"/api/v1/sessions/{demo.session.id}/report?kind=detailed"
    pages = pdf_pages((await client.get(url + "&format=pdf", headers=auth)).content)
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
    docx = (await client.get(url + "&format=docx", headers=auth)).content
    footer = Document(io.BytesIO(docx)).sections[0].footer._element.xml
    assert "PAGE" in footer
    assert "NUMPAGES" in footer


async def test_detailed_report_has_groups_composition_chart_and_series_context(
    demo: Demo, client: httpx.AsyncClient
) -> None:
    auth = demo.organiser.headers
    url = f"/api/v1/sessions/{demo.session.id}/report?kind=detailed"
    body = (await client.get(url + "&format=json", headers=auth)).json()
    detailed = body["detailed"]
    # Each point once; never under a one-presenter part (presentations, the on-record
    # opening): those points are general points (issue 15, item 11).
    assert [g["heading"] for g in detailed["groups"]] == [
        "General points",
        "Questions and answers",
        "General discussion",
    ]
    assert sorted(n for g in detailed["groups"] for n in g["points"]) == list(range(1, 12))
    assert detailed["groups"][0]["points"] == [1, 2, 3, 4]
    assert "by_theme" not in detailed or detailed["by_theme"] == []
    assert [s["ordinal"] for s in detailed["earlier_sessions"]] == ["first", "second"]
    assert body["composition"]["by_sector"][0] == {"label": "Scholars", "count": 7}
    html = (await client.get(url + "&format=html", headers=auth)).text
    assert "<svg" in html
    assert "Main points per theme" in html
    assert "@media print" in html
    assert "Earlier sessions of the series" in html
    assert '<th scope="col">People</th>' in html


async def test_series_digest(demo: Demo, client: httpx.AsyncClient) -> None:
    auth = demo.organiser.headers
    url = f"/api/v1/series/{demo.series.id}/report?kind=digest"
    body = (await client.get(url + "&format=json", headers=auth)).json()
    assert body["kind"] == "digest"
    assert [s["session"]["number"] for s in body["sessions"]] == [1, 2, 3]
    assert [s["points"] for s in body["sessions"]] == [0, 0, 11]
    rows = {r["slug"]: r for r in body["matrix"]}
    assert rows["regional-consensus"]["counts"] == [0, 0, 2]
    assert sum(len(g["points"]) for g in body["by_theme"]) == sum(r["total"] for r in rows.values())
    html = (await client.get(url + "&format=html", headers=auth)).text
    assert html.count("<svg") == 1
    assert "Approved main points per theme (rows) and session (columns)" in html
    pdf = (await client.get(url + "&format=pdf", headers=auth)).content
    assert pdf.startswith(b"%PDF")
    bad = await client.get(f"/api/v1/series/{demo.series.id}/report?kind=summary", headers=auth)
    assert bad.status_code == 422


def _annotation_types(annotation: object) -> set[object]:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return {str}
    if origin in (typing.Union, types.UnionType, tuple, typing.Annotated):
        out: set[object] = set()
        for arg in typing.get_args(annotation):
            if arg is not Ellipsis:
                out |= _annotation_types(arg)
        return out
    return {annotation}


def test_the_report_model_can_only_hold_text_numbers_and_its_own_nodes() -> None:
    nodes = [
        value
        for value in vars(report_model).values()
        if isinstance(value, type) and issubclass(value, Node) and value is not Node
    ]
    assert SessionReport in nodes
    allowed: set[object] = {str, int, bool, type(None), *nodes}
    for node in nodes:
        for name, field in node.model_fields.items():
            found = _annotation_types(field.annotation)
            assert found <= allowed, f"{node.__name__}.{name}: {found - allowed}"
            assert not any(
                isinstance(t, type) and issubclass(t, BaseModel) and not issubclass(t, Node)
                for t in found
            )


def test_a_roster_object_cannot_be_put_into_the_model() -> None:
    person = Person(given_name="Farida", family_name="Rahimi", id=uuid.uuid4())
    with pytest.raises(ValidationError):
        NamedGuest(name=person, position=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        NamedGuest.model_validate({"name": "Farida Rahimi", "affiliation": "KIPS"})
