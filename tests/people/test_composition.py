"""The aggregate composition: counting, small-cell suppression, and the endpoint."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.people.models import AttendanceStatus, Sector
from app.people.schemas import CompositionPublic
from app.people.service import compose
from app.sessions.models import SessionStatus
from tests.factories import Factory
from tests.people.conftest import RosterFactory

S, D, C = Sector.SCHOLAR, Sector.FORMER_DIPLOMAT, Sector.CIVIL_SOCIETY


def rows(*groups: tuple[int, str | None, Sector]) -> list[tuple[str | None, Sector]]:
    out: list[tuple[str | None, Sector]] = []
    for count, country, sector in groups:
        out.extend([(country, sector)] * count)
    return out


@pytest.mark.parametrize("n", [0, 1, 2])
def test_fewer_than_three_people_shows_nothing(n: int) -> None:
    result = compose(rows((n, "AF", S)))
    assert result.model_dump() == {
        "suppressed": True,
        "basis": "attended",
        "total": None,
        "countries": None,
        "by_sector": None,
        "by_country": None,
    }


def test_groups_of_three_or_more_are_shown() -> None:
    result = compose(rows((4, "AF", S), (3, "PK", D)), basis="confirmed")
    assert not result.suppressed
    assert (result.total, result.countries, result.basis) == (7, 2, "confirmed")
    assert result.by_country == {"AF": 4, "PK": 3}
    assert result.by_sector == {S: 4, D: 3}


def test_small_groups_are_counted_under_other() -> None:
    result = compose(rows((4, "AF", S), (1, "QA", D), (1, "NO", D), (1, "US", D)))
    assert result.by_country == {"AF": 4, "other": 3}
    assert result.by_sector == {S: 4, D: 3}
    # "7 from 4 countries" with "AF: 4, other: 3" says the other three have one each.
    assert result.countries is None


def test_seven_from_seven_countries_is_never_said() -> None:
    result = compose(rows(*((1, c, S) for c in ("AF", "PK", "IR", "QA", "US", "NO", "TR"))))
    assert result.total == 7
    assert result.countries is None
    assert result.by_country == {"other": 7}


def test_the_country_count_is_shown_when_every_country_has_three() -> None:
    result = compose(rows((4, "AF", S), (3, "PK", D), (3, None, D)))
    assert result.countries == 2


def test_other_of_one_or_two_absorbs_the_smallest_shown_group() -> None:
    result = compose(rows((5, "AF", S), (4, "PK", S), (3, "IR", S), (1, "QA", D)))
    assert result.by_country == {"AF": 5, "PK": 4, "other": 4}
    # Sector: 12 scholars and 1 diplomat; the diplomat cannot be shown, nor can "other: 1".
    assert result.by_sector == {Sector.OTHER: 13}


def test_people_without_a_country_count_under_other_but_not_as_a_country() -> None:
    result = compose(rows((3, "AF", S), (3, None, S)))
    assert result.by_country == {"AF": 3, "other": 3}
    assert result.by_country == {"AF": 3, "other": 3}
    assert result.countries == 1


def test_the_other_sector_merges_with_folded_sectors() -> None:
    result = compose(rows((3, "AF", S), (2, "AF", Sector.OTHER), (1, "AF", Sector.MEDIA)))
    assert result.by_sector == {S: 3, Sector.OTHER: 3}


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["AF", "PK", "IR", "QA", "US", "NO"])),
            st.sampled_from(list(Sector)),
        ),
        max_size=40,
    )
)
def test_no_count_below_three_is_ever_shown_and_counts_add_up(
    people: list[tuple[str | None, Sector]],
) -> None:
    result = compose(people)
    if len(people) < 3:
        assert result.suppressed
        assert result.total is None
        return
    assert result.total == len(people)
    for breakdown in (result.by_sector, result.by_country):
        assert breakdown is not None
        assert all(count >= 3 for count in breakdown.values())
        assert sum(breakdown.values()) == len(people)


def test_the_public_shape_refuses_small_counts_and_anything_but_codes() -> None:
    base = {"suppressed": False, "basis": "attended", "total": 5, "countries": 1}
    with pytest.raises(ValidationError):
        CompositionPublic.model_validate(base | {"by_country": {"AF": 2}})
    with pytest.raises(ValidationError):
        CompositionPublic.model_validate(base | {"by_country": {"Farida Rahimi": 5}})
    with pytest.raises(ValidationError):
        CompositionPublic.model_validate(base | {"names": ["Farida Rahimi"]})


async def test_held_session_counts_who_attended(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await roster.session(series, status=SessionStatus.HELD)
    for status in [AttendanceStatus.ATTENDED] * 3 + [AttendanceStatus.CONFIRMED] * 2:
        await roster.attend(session, await roster.person(series, country="AF"), status=status)
    response = await client.get(
        f"/api/v1/sessions/{session.id}/composition", headers=organiser.headers
    )
    assert response.status_code == 200
    assert response.json() == {
        "suppressed": False,
        "basis": "attended",
        "total": 3,
        "countries": 1,
        "by_sector": {"scholar": 3},
        "by_country": {"AF": 3},
    }


async def test_scheduled_session_counts_confirmed_and_attended_only(
    client: httpx.AsyncClient, factory: Factory, roster: RosterFactory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    session = await roster.session(series, status=SessionStatus.SCHEDULED)
    statuses = [
        AttendanceStatus.CONFIRMED,
        AttendanceStatus.ATTENDED,
        AttendanceStatus.INVITED,
        AttendanceStatus.DECLINED,
        AttendanceStatus.ABSENT,
    ]
    for status in statuses:
        await roster.attend(session, await roster.person(series), status=status)
    response = await client.get(
        f"/api/v1/sessions/{session.id}/composition", headers=organiser.headers
    )
    assert response.json() == {
        "suppressed": True,
        "basis": "confirmed",
        "total": None,
        "countries": None,
        "by_sector": None,
        "by_country": None,
    }
