"""Four eyes means four eyes (issue 15, item 8): only the approving organiser, who neither
wrote nor edited the point, acknowledges its warnings, in the approval; and a rapporteur
cannot delete someone else's approved point by editing it back to a draft first."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.series.models import MemberRole, SeriesMember
from tests.factories import Factory
from tests.key_points.conftest import Dialogue
from tests.key_points.test_key_points_api import record, review

WARNED = "The chair stressed that prisoner releases must be monitored."


async def test_an_author_cannot_acknowledge_a_warning(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    created = await record(client, dialogue, WARNED)
    assert created.status_code == 201, created.text
    point = created.json()
    code = point["warnings"][0]["code"]

    refused = await client.patch(
        f"/api/v1/key-points/{point['id']}",
        json={"acknowledged_warnings": [code]},
        headers=dialogue.rapporteur.headers,
    )

    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/forbidden"
    fetched = await client.get(
        f"/api/v1/key-points/{point['id']}", headers=dialogue.rapporteur.headers
    )
    assert fetched.json()["acknowledged_warnings"] == []


async def test_the_approver_sees_and_acknowledges_the_warnings_in_the_approval(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    created = await record(client, dialogue, WARNED)
    point_id = created.json()["id"]
    code = created.json()["warnings"][0]["code"]
    # Not even an organiser's acknowledgement on an edit stands in for the approval's.
    early = await client.patch(
        f"/api/v1/key-points/{point_id}",
        json={"acknowledged_warnings": [code]},
        headers=dialogue.organiser.headers,
    )
    assert early.status_code == 403
    await review(client, point_id, dialogue.rapporteur.headers, "submit")

    blind = await review(client, point_id, dialogue.organiser.headers, "approve")

    assert blind.status_code == 409
    assert [f["code"] for f in blind.json()["findings"]] == [code]
    seen = await review(client, point_id, dialogue.organiser.headers, "approve", acknowledge=[code])
    assert seen.status_code == 200, seen.text
    assert seen.json()["acknowledged_warnings"] == [code]


async def test_an_organiser_who_edited_the_point_cannot_approve_it(
    client: httpx.AsyncClient, dialogue: Dialogue
) -> None:
    created = await record(client, dialogue, "Participants agreed the talks must continue.")
    point_id = created.json()["id"]
    edited = await client.patch(
        f"/api/v1/key-points/{point_id}",
        json={"text": "Participants agreed that the talks must go on."},
        headers=dialogue.organiser.headers,
    )
    assert edited.status_code == 200, edited.text
    await review(client, point_id, dialogue.rapporteur.headers, "submit")

    refused = await review(client, point_id, dialogue.organiser.headers, "approve")

    assert refused.status_code == 403
    approved = await review(client, point_id, dialogue.second_organiser.headers, "approve")
    assert approved.status_code == 200, approved.text


async def test_a_rapporteur_cannot_delete_someone_elses_approved_point_by_editing_it(
    client: httpx.AsyncClient, dialogue: Dialogue, factory: Factory, db: AsyncSession
) -> None:
    other = await factory.caller()
    db.add(
        SeriesMember(
            dialogue_series_id=dialogue.series.id,
            app_user_id=other.id,
            role=MemberRole.RAPPORTEUR,
        )
    )
    await db.commit()
    created = await record(client, dialogue, "Participants agreed the talks must continue.")
    point_id = created.json()["id"]
    await review(client, point_id, dialogue.rapporteur.headers, "submit")
    approved = await review(client, point_id, dialogue.organiser.headers, "approve")
    assert approved.status_code == 200, approved.text

    edited = await client.patch(
        f"/api/v1/key-points/{point_id}",
        json={"text": "Participants agreed that the talks must go on."},
        headers=other.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "draft"
    refused = await client.delete(f"/api/v1/key-points/{point_id}", headers=other.headers)

    assert refused.status_code == 403
    # Its own author cannot either, once it was approved: that is the organisers' call.
    own = await client.delete(f"/api/v1/key-points/{point_id}", headers=dialogue.rapporteur.headers)
    assert own.status_code == 403
    fresh = await record(client, dialogue, "A draft nobody approved yet.")
    gone = await client.delete(
        f"/api/v1/key-points/{fresh.json()['id']}", headers=dialogue.rapporteur.headers
    )
    assert gone.status_code == 204
