"""Importing people from CSV: all rows or none, errors located by row and column."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.people.models import Person
from tests.factories import Caller, Factory
from tests.people.conftest import PROBLEM, RosterFactory

CSV = {"content-type": "text/csv"}

GOOD = (
    "honorific,given_name,family_name,aliases,position,affiliation,affiliation_acronym,"
    "country,sector,email,notes\n"
    "Dr,Farida,Rahimi,F. Rahimi; Farida R. ,Senior Fellow,Kabul Policy Institute,KPI,af,"
    "scholar,Farida@Example.org,\n"
    ',Ahmad,Wali,,,"Center for Conflict and Humanitarian Studies, Kabul",CCHS,AF,'
    'former_diplomat,,"Met in Doha, 2020"\n'
)


async def people_in(db: AsyncSession) -> int:
    return int((await db.execute(select(func.count()).select_from(Person))).scalar_one())


async def post_csv(
    client: httpx.AsyncClient,
    caller: Caller,
    series_id: object,
    body: str | bytes,
    headers: dict[str, str] = CSV,
) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return await client.post(
        f"/api/v1/series/{series_id}/people/import",
        content=content,
        headers=caller.headers | headers,
    )


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    return [(e["location"], e["field"]) for e in response.json()["errors"]]


async def test_import_reads_affiliation_aliases_separated_like_aliases(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    body = (
        "given_name,family_name,affiliation,affiliation_aliases\n"
        "Farid,Sultani,Kabul Forum for Regional Cooperation,"
        "منتدى كابول للتعاون الإقليمي ; مجمع کابل برای همکاری منطقه‌ای;\n"
        "Maria,Lopez,,\n"
    )
    response = await post_csv(client, organiser, series.id, body)
    assert response.status_code == 201, response.text
    farid, maria = response.json()["items"]
    assert farid["affiliation_aliases"] == [
        "منتدى كابول للتعاون الإقليمي",
        "مجمع کابل برای همکاری منطقه‌ای",
    ]
    assert maria["affiliation_aliases"] == []
    too_long = "given_name,family_name,affiliation_aliases\nA,B,ok;" + "x" * 301 + "\n"
    refused = await post_csv(client, organiser, series.id, too_long)
    assert errors_of(refused) == [("row 2", "affiliation_aliases")]
    assert "item 2" in refused.json()["errors"][0]["reason"]
    assert await people_in(db) == 2


async def test_import_creates_every_row(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    response = await post_csv(client, organiser, series.id, GOOD)
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 2
    farida, ahmad = body["items"]
    assert farida["aliases"] == ["F. Rahimi", "Farida R."]
    assert (farida["country"], farida["email"], farida["notes"]) == (
        "AF",
        "farida@example.org",
        "",
    )
    assert ahmad["affiliation"] == "Center for Conflict and Humanitarian Studies, Kabul"
    assert (ahmad["honorific"], ahmad["email"], ahmad["aliases"]) == (None, None, [])
    listed = await client.get(f"/api/v1/series/{series.id}/people", headers=organiser.headers)
    assert len(listed.json()["items"]) == 2


async def test_import_accepts_a_byte_order_mark_and_crlf(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    body = "\ufeffgiven_name,family_name\r\nFarida,Rahimi\r\n\r\nAhmad,Wali\r\n".encode()
    response = await post_csv(
        client, organiser, series.id, body, {"content-type": "text/csv; charset=utf-8"}
    )
    assert response.status_code == 201
    assert [p["family_name"] for p in response.json()["items"]] == ["Rahimi", "Wali"]


async def test_bad_cells_are_each_reported_and_nothing_is_stored(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    body = (
        "given_name,family_name,country,sector,email\n"
        "Farida,Rahimi,AF,scholar,farida@example.org\n"
        "Ahmad,Wali,XX,scholar,\n"
        ",Khan,PK,pundit,not-an-address\n"
    )
    response = await post_csv(client, organiser, series.id, body)
    assert sorted(errors_of(response)) == [
        ("row 3", "country"),
        ("row 4", "email"),
        ("row 4", "given_name"),
        ("row 4", "sector"),
    ]
    country = next(e for e in response.json()["errors"] if e["field"] == "country")
    assert "ISO 3166-1" in country["reason"]
    assert await people_in(db) == 0


async def test_missing_required_column_is_named(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    response = await post_csv(client, organiser, series.id, "given_name,country\nFarida,AF\n")
    assert errors_of(response) == [("row 1", "family_name")]
    assert "family_name" in response.json()["detail"]
    assert await people_in(db) == 0


async def test_unknown_column_is_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    response = await post_csv(
        client, organiser, series.id, "given_name,family_name,twitter\nFarida,Rahimi,@f\n"
    )
    assert errors_of(response) == [("row 1", "twitter")]


async def test_duplicate_emails_in_the_file_and_in_the_series_are_422_per_row(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    await roster.person(series, email="taken@example.org")
    body = (
        "given_name,family_name,email\n"
        "Farida,Rahimi,farida@example.org\n"
        "Ahmad,Wali,Taken@example.org\n"
        "F.,Rahimi,FARIDA@example.org\n"
    )
    response = await post_csv(client, organiser, series.id, body)
    assert errors_of(response) == [("row 4", "email")]
    assert "row 2" in response.json()["errors"][0]["reason"]
    body = body.replace("F.,Rahimi,FARIDA", "Rahim,Khan,rahim")
    response = await post_csv(client, organiser, series.id, body)
    assert errors_of(response) == [("row 3", "email")]
    assert await people_in(db) == 1


@pytest.mark.parametrize(
    "body",
    [
        "",
        "given_name,family_name\n",
        "given_name,family_name\nFarida,Rahimi,extra\n",
        'given_name,family_name\n"Farida,Rahimi\n',
    ],
)
async def test_empty_ragged_or_malformed_file_is_422(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, body: str
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    response = await post_csv(client, organiser, series.id, body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert await people_in(db) == 0


async def test_file_that_is_not_utf8_is_422(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    body = "given_name,family_name\nJosé,Müller\n".encode("latin-1")
    response = await post_csv(client, organiser, series.id, body)
    assert errors_of(response) == [("body", "body")]


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "text/csv; charset=latin-1"]
)
async def test_wrong_content_type_is_415(
    client: httpx.AsyncClient, factory: Factory, content_type: str
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    response = await post_csv(client, organiser, series.id, GOOD, {"content-type": content_type})
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/unsupported-media-type"


async def test_rapporteur_cannot_import_and_outsider_gets_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser, rapporteur, outsider = (
        await factory.caller(),
        await factory.caller(),
        await factory.caller(),
    )
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    assert (await post_csv(client, rapporteur, series.id, GOOD)).status_code == 403
    assert (await post_csv(client, outsider, series.id, GOOD)).status_code == 404


async def test_file_over_the_row_limit_is_422(
    client: httpx.AsyncClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.people.csv_import.MAX_ROWS", 2)
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    body = "given_name,family_name\nA,B\nC,D\nE,F\n"
    response = await post_csv(client, organiser, series.id, body)
    assert response.status_code == 422
    assert "At most 2" in response.json()["detail"]


async def test_rows_are_numbered_as_records_even_with_multiline_cells(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    body = 'given_name,family_name,notes\nFarida,Rahimi,"line one\nline two"\nAhmad,Wali,"\x00"\n'
    response = await post_csv(client, organiser, series.id, body)
    assert errors_of(response) == [("row 3", "notes")]
