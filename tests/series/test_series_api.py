"""Series and members over HTTP: permissions, validation, conflicts, pagination."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Caller, Factory

PROBLEM = "application/problem+json"


def series_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "title": "Regional and International Support for Afghan Peace",
        "slug": "afghan-peace",
        "description": "Online forums of scholars and former diplomats.",
        "organiser": "Heart of Asia Society",
        "partners": ["Center for Conflict and Humanitarian Studies"],
        "timezone": "Asia/Kabul",
    }
    payload.update(overrides)
    return payload


def field_errors(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == response.status_code
    return {e["field"]: e["reason"] for e in body["errors"]}


async def test_create_makes_the_creator_organiser(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    response = await client.post("/api/v1/series", json=series_payload(), headers=caller.headers)
    assert response.status_code == 201
    series = response.json()
    assert series["default_regime"] == "chatham_house"
    members = await client.get(f"/api/v1/series/{series['id']}/members", headers=caller.headers)
    assert [(m["user_id"], m["role"]) for m in members.json()["items"]] == [
        (str(caller.id), "organiser")
    ]


async def test_timezone_defaults_to_installation_default(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    caller = await factory.caller()
    payload = series_payload()
    del payload["timezone"]
    response = await client.post("/api/v1/series", json=payload, headers=caller.headers)
    assert response.status_code == 201
    assert response.json()["timezone"] == "UTC"


async def test_duplicate_slug_is_409(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller()
    await factory.series(slug="taken")
    response = await client.post(
        "/api/v1/series", json=series_payload(slug="taken"), headers=caller.headers
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["field"] == "slug"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"default_regime": "whatever"}, "default_regime"),
        ({"partners": ["p"] * 21}, "partners"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_invalid_series_is_422_naming_the_field(
    client: httpx.AsyncClient, factory: Factory, overrides: dict[str, object], field: str
) -> None:
    caller = await factory.caller()
    response = await client.post(
        "/api/v1/series", json=series_payload(**overrides), headers=caller.headers
    )
    assert response.status_code == 422
    assert field in field_errors(response)
    listed = await client.get("/api/v1/series", headers=caller.headers)
    assert listed.json()["items"] == []


async def test_malformed_json_is_400(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller()
    response = await client.post(
        "/api/v1/series",
        content=b'{"title": "unterminated',
        headers=caller.headers | {"content-type": "application/json"},
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert "Malformed JSON" in errors["body"]


async def test_two_mebibyte_body_is_413(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller()
    big = series_payload(description="x" * (2 * 1024 * 1024))
    response = await client.post("/api/v1/series", json=big, headers=caller.headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/payload-too-large"


async def test_streamed_body_over_limit_is_413(client: httpx.AsyncClient, factory: Factory) -> None:
    caller = await factory.caller()

    async def chunks() -> object:
        for _ in range(3):
            yield b"x" * (512 * 1024)

    response = await client.post(
        "/api/v1/series",
        content=chunks(),  # type: ignore[arg-type]
        headers=caller.headers | {"content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_outsider_gets_404_for_series_and_members(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.caller()
    outsider = await factory.caller()
    series = await factory.series(organiser=owner)
    own_series = await factory.series(organiser=outsider)
    for method, path, body in [
        ("GET", f"/api/v1/series/{series.id}", None),
        ("PATCH", f"/api/v1/series/{series.id}", {"title": "Mine now"}),
        ("DELETE", f"/api/v1/series/{series.id}", None),
        ("GET", f"/api/v1/series/{series.id}/members", None),
        (
            "POST",
            f"/api/v1/series/{series.id}/members",
            {"user_id": str(outsider.id), "role": "organiser"},
        ),
        ("DELETE", f"/api/v1/series/{series.id}/members/{owner.id}", None),
    ]:
        response = await client.request(method, path, json=body, headers=outsider.headers)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == PROBLEM
    # The outsider's own series is still theirs; only that one is listed.
    listed = await client.get("/api/v1/series", headers=outsider.headers)
    assert [s["id"] for s in listed.json()["items"]] == [str(own_series.id)]


async def test_unknown_series_and_foreign_series_answer_alike(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.caller()
    outsider = await factory.caller()
    series = await factory.series(organiser=owner)
    foreign = await client.get(f"/api/v1/series/{series.id}", headers=outsider.headers)
    missing = await client.get(
        "/api/v1/series/01a21832-0000-7000-8000-000000000000", headers=outsider.headers
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"] == missing.json()["detail"]


async def test_rapporteur_reads_but_cannot_change(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    rapporteur = await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    path = f"/api/v1/series/{series.id}"
    assert (await client.get(path, headers=rapporteur.headers)).status_code == 200
    patch = await client.patch(path, json={"title": "Renamed"}, headers=rapporteur.headers)
    assert patch.status_code == 403
    assert (await client.delete(path, headers=rapporteur.headers)).status_code == 403
    add = await client.post(
        f"{path}/members",
        json={"user_id": str(rapporteur.id), "role": "organiser"},
        headers=rapporteur.headers,
    )
    assert add.status_code == 403
    unchanged = await client.get(path, headers=organiser.headers)
    assert unchanged.json()["title"] == series.title


async def test_organiser_updates_and_deletes(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    path = f"/api/v1/series/{series.id}"
    patched = await client.patch(
        path, json={"title": "Renamed", "timezone": "Asia/Qatar"}, headers=organiser.headers
    )
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["timezone"]) == ("Renamed", "Asia/Qatar")
    assert patched.json()["slug"] == series.slug
    assert (await client.delete(path, headers=organiser.headers)).status_code == 204
    assert (await client.get(path, headers=organiser.headers)).status_code == 404


async def test_slug_change_to_taken_slug_is_409(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    await factory.series(slug="first-one")
    series = await factory.series(organiser=organiser)
    response = await client.patch(
        f"/api/v1/series/{series.id}", json={"slug": "first-one"}, headers=organiser.headers
    )
    assert response.status_code == 409


async def test_admin_sees_every_series(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.caller(is_admin=True)
    series = await factory.series(organiser=await factory.caller())
    response = await client.get(f"/api/v1/series/{series.id}", headers=admin.headers)
    assert response.status_code == 200


async def add_member(
    client: httpx.AsyncClient, series_id: object, by: Caller, user: Caller, role: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/series/{series_id}/members",
        json={"user_id": str(user.id), "role": role},
        headers=by.headers,
    )


async def test_members_added_changed_and_removed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    newcomer = await factory.caller()
    series = await factory.series(organiser=organiser)
    added = await add_member(client, series.id, organiser, newcomer, "rapporteur")
    assert added.status_code == 201
    assert added.json()["role"] == "rapporteur"
    # The newcomer can now read the series.
    readable = await client.get(f"/api/v1/series/{series.id}", headers=newcomer.headers)
    assert readable.status_code == 200
    promoted = await add_member(client, series.id, organiser, newcomer, "organiser")
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "organiser"
    removed = await client.delete(
        f"/api/v1/series/{series.id}/members/{newcomer.id}", headers=organiser.headers
    )
    assert removed.status_code == 204
    gone = await client.get(f"/api/v1/series/{series.id}", headers=newcomer.headers)
    assert gone.status_code == 404


async def test_last_organiser_stays(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    demote = await add_member(client, series.id, organiser, organiser, "rapporteur")
    assert demote.status_code == 409
    remove = await client.delete(
        f"/api/v1/series/{series.id}/members/{organiser.id}", headers=organiser.headers
    )
    assert remove.status_code == 409


async def test_adding_unknown_user_is_404(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    response = await client.post(
        f"/api/v1/series/{series.id}/members",
        json={"user_id": "01a21832-0000-7000-8000-000000000000", "role": "rapporteur"},
        headers=organiser.headers,
    )
    assert response.status_code == 404


async def test_delete_series_with_sessions_is_409_and_keeps_everything(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    await factory.dialogue_session(series)
    refused = await client.delete(f"/api/v1/series/{series.id}", headers=organiser.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    assert "sessions" in refused.json()["detail"]
    kept = await client.get(f"/api/v1/series/{series.id}", headers=organiser.headers)
    assert kept.status_code == 200
    members = await client.get(f"/api/v1/series/{series.id}/members", headers=organiser.headers)
    assert [m["user_id"] for m in members.json()["items"]] == [str(organiser.id)]


async def test_delete_empty_series_removes_it(client: httpx.AsyncClient, factory: Factory) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    deleted = await client.delete(f"/api/v1/series/{series.id}", headers=organiser.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/api/v1/series/{series.id}", headers=organiser.headers)
    assert gone.status_code == 404
