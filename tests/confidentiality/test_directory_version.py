"""The database bumps a series' directory version on every change the guard's matcher reads
(migration 0030), so a cached matcher can never outlive the directory it was built from."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality import gate
from app.people.directory import PeopleDirectory
from app.series.models import DisclosureRegime
from tests.factories import Factory
from tests.people.conftest import RosterFactory


async def test_every_change_the_matcher_reads_bumps_the_version(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    elsewhere = await factory.series(organiser=organiser)
    session = await roster.session(series)
    part = await roster.part(session, regime=DisclosureRegime.ON_RECORD)
    source = PeopleDirectory()
    versions = [await source.version(db, series.id)]

    async def bumped() -> bool:
        versions.append(await source.version(db, series.id))
        return versions[-1] != versions[-2]

    h = organiser.headers
    person = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={"given_name": "Leyla", "family_name": "Karimova"},
        headers=h,
    )
    assert person.status_code == 201, person.text
    person_id = person.json()["id"]
    assert await bumped()
    renamed = await client.patch(
        f"/api/v1/people/{person_id}", json={"aliases": ["L. K."]}, headers=h
    )
    assert renamed.status_code == 200, renamed.text
    assert await bumped()
    attendance_url = f"/api/v1/sessions/{session.id}/attendance"
    added = await client.post(
        attendance_url, json={"person_id": person_id, "role": "speaker"}, headers=h
    )
    assert added.status_code == 201, added.text
    assert await bumped()
    consented = await client.patch(
        f"{attendance_url}/{person_id}", json={"on_record_part_ids": [str(part.id)]}, headers=h
    )
    assert consented.status_code == 200, consented.text
    assert await bumped()
    regime = await client.patch(
        f"/api/v1/parts/{part.id}", json={"regime": "chatham_house"}, headers=h
    )
    assert regime.status_code == 200, regime.text
    assert await bumped()
    # Someone else's series: its own version, not this one.
    other = await client.post(
        f"/api/v1/series/{elsewhere.id}/people",
        json={"given_name": "Omid", "family_name": "Hosseini"},
        headers=h,
    )
    assert other.status_code == 201
    assert not await bumped()
    removed = await client.delete(f"{attendance_url}/{person_id}", headers=h)
    assert removed.status_code == 204
    assert await bumped()
    deleted_part = await client.delete(f"/api/v1/parts/{part.id}", headers=h)
    assert deleted_part.status_code == 204
    assert await bumped()
    deleted = await client.delete(f"/api/v1/people/{person_id}", headers=h)
    assert deleted.status_code == 204
    assert await bumped()


async def test_the_matcher_is_rebuilt_when_the_version_moves(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await factory.dialogue_session(series)
    url = f"/api/v1/sessions/{session.id}/key-points/check"
    text = {"text": "Karimova argued that the corridor is the key to peace."}
    before = await client.post(url, json=text, headers=organiser.headers)
    assert before.json()["findings"] == []
    first = gate.cached_version(series.id)
    added = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={"given_name": "Leyla", "family_name": "Karimova"},
        headers=organiser.headers,
    )
    assert added.status_code == 201
    after = await client.post(url, json=text, headers=organiser.headers)
    assert [f["excerpt"] for f in after.json()["findings"]] == ["Karimova"]
    assert gate.cached_version(series.id) != first
