"""Searching approved key points: what is found, in which order, for whom.

Every test runs unchanged on SQLite (FTS5 kept in sync by triggers) and on PostgreSQL (the
partial GIN index); the exact orders asserted here are the cross-backend contract.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.key_points import search as search_module
from app.key_points.models import KeyPoint, KeyPointStatus, KeyPointTheme
from app.series.models import DialogueSeries, Theme
from app.sessions.models import DialogueSession
from tests.factories import Caller, Factory

URL = "/api/v1/search/key-points"
APPROVED = KeyPointStatus.APPROVED


@dataclass
class World:
    """A member of one series with a session, and a stranger's series next to it."""

    member: Caller
    series: DialogueSeries
    session: DialogueSession
    other_series: DialogueSeries
    other_session: DialogueSession


@pytest.fixture
async def world(factory: Factory) -> World:
    member = await factory.caller()
    stranger = await factory.caller()
    series = await factory.series(organiser=member, title="Afghanistan peace track")
    other = await factory.series(organiser=stranger, title="Someone else's track")
    return World(
        member=member,
        series=series,
        session=await factory.dialogue_session(series, title="Violence and ceasefire"),
        other_series=other,
        other_session=await factory.dialogue_session(other),
    )


async def add_theme(db: AsyncSession, series: DialogueSeries, slug: str, position: int) -> Theme:
    theme = Theme(dialogue_series_id=series.id, slug=slug, label=slug.title(), position=position)
    db.add(theme)
    await db.commit()
    return theme


async def add_point(
    db: AsyncSession,
    session: DialogueSession,
    text_: str,
    *,
    status: KeyPointStatus = APPROVED,
    themes: Sequence[Theme] = (),
    part_id: uuid.UUID | None = None,
) -> KeyPoint:
    count = len((await db.execute(select(KeyPoint.id))).all())
    point = KeyPoint(
        dialogue_session_id=session.id,
        agenda_part_id=part_id,
        position=count + 1,
        text=text_,
        status=status,
    )
    db.add(point)
    await db.flush()
    for theme in themes:
        db.add(KeyPointTheme(key_point_id=point.id, theme_id=theme.id))
    await db.commit()
    return point


async def search(
    client: httpx.AsyncClient, caller: Caller, q: str | None = None, **params: Any
) -> httpx.Response:
    query = {k: str(v) for k, v in params.items() if v is not None}
    if q is not None:
        query["q"] = q
    return await client.get(URL, params=query, headers=caller.headers)


async def found_ids(client: httpx.AsyncClient, caller: Caller, q: str, **params: Any) -> list[str]:
    response = await search(client, caller, q, limit=100, **params)
    assert response.status_code == 200, response.text
    return [item["key_point_id"] for item in response.json()["items"]]


async def assert_index_matches_approved(db: AsyncSession) -> None:
    """On SQLite, the FTS table holds exactly the approved points (the triggers' contract)."""
    if db.get_bind().dialect.name != "sqlite":
        return
    indexed = (await db.execute(text("SELECT key_point_id, text FROM key_point_search"))).all()
    approved = (
        await db.execute(select(KeyPoint.id, KeyPoint.text).where(KeyPoint.status == APPROVED))
    ).all()
    assert sorted((uuid.UUID(i), t) for i, t in indexed) == sorted((i, t) for i, t in approved)


async def test_search_finds_only_approved_points(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    approved = await add_point(db, world.session, "A ceasefire in Kandahar is within reach.")
    for status in (KeyPointStatus.DRAFT, KeyPointStatus.SUBMITTED, KeyPointStatus.RETURNED):
        await add_point(
            db, world.session, "A ceasefire in Kandahar is within reach.", status=status
        )

    assert await found_ids(client, world.member, "ceasefire Kandahar") == [str(approved.id)]
    await assert_index_matches_approved(db)


async def test_unapproving_or_editing_a_point_updates_results(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    point = await add_point(db, world.session, "Prisoner releases build trust.")
    assert await found_ids(client, world.member, "prisoner") == [str(point.id)]

    point.status = KeyPointStatus.DRAFT
    await db.commit()
    assert await found_ids(client, world.member, "prisoner") == []
    await assert_index_matches_approved(db)

    point.status = APPROVED
    point.text = "Aid conditionality divides donors."
    await db.commit()
    assert await found_ids(client, world.member, "prisoner") == []
    assert await found_ids(client, world.member, "donors") == [str(point.id)]

    point.warnings = [{"code": "x"}]  # an update that does not touch text or status
    await db.commit()
    assert await found_ids(client, world.member, "donors") == [str(point.id)]
    await assert_index_matches_approved(db)

    await db.delete(point)
    await db.commit()
    assert await found_ids(client, world.member, "donors") == []
    await assert_index_matches_approved(db)


async def test_search_stems_words_on_every_backend(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    point = await add_point(db, world.session, "The ceasefire was negotiated by a prisoner.")

    for q in ("ceasefires", "CEASEFIRE", "negotiations", "prisoners negotiating"):
        assert await found_ids(client, world.member, q) == [str(point.id)], q


async def test_both_backends_stem_with_the_original_porter_stemmer(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    # Porter and Snowball English (PostgreSQL's 'english') disagree on these two.
    news = await add_point(db, world.session, "A new mediator was named.")
    await add_point(db, world.session, "Hopes die slowly.")

    assert await found_ids(client, world.member, "news") == [str(news.id)]
    assert await found_ids(client, world.member, "dying") == []


async def test_every_word_must_match_and_stop_words_are_ignored(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    point = await add_point(db, world.session, "Ceasefire talks resumed in Doha.")

    assert await found_ids(client, world.member, "the ceasefire in Doha") == [str(point.id)]
    assert await found_ids(client, world.member, "ceasefire Kabul") == []


@pytest.mark.parametrize("in_thread", [False, True], ids=["inline", "worker-thread"])
async def test_ranking_order_is_exact_and_deterministic(
    client: httpx.AsyncClient,
    db: AsyncSession,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    in_thread: bool,
) -> None:
    if in_thread:
        monkeypatch.setattr(search_module, "INLINE_RANK_CHARS", 0)
    # Two occurrences, older; two occurrences, newer; three; four; one word missing.
    older = await add_point(db, world.session, "A ceasefire would help prisoners.")
    newer = await add_point(db, world.session, "Prisoners first, then a ceasefire.")
    three = await add_point(db, world.session, "Ceasefires and a ceasefire for prisoners.")
    four = await add_point(
        db, world.session, "Ceasefire, prisoners, ceasefire and prisoners again."
    )
    await add_point(db, world.session, "A ceasefire alone.")

    response = await search(client, world.member, "ceasefire prisoners")
    items = response.json()["items"]
    assert [i["key_point_id"] for i in items] == [
        str(four.id),
        str(three.id),
        str(newer.id),
        str(older.id),
    ]
    assert [i["score"] for i in items] == pytest.approx(
        [2 + 4 / 5, 2 + 3 / 4, 2 + 2 / 3, 2 + 2 / 3]
    )
    again = await search(client, world.member, "prisoners ceasefire")
    assert [i["key_point_id"] for i in again.json()["items"]] == [i["key_point_id"] for i in items]


async def test_hits_describe_the_point_and_no_person(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory, world: World
) -> None:
    part = await factory.part(world.session, title="Ceasefire discussion")
    theme_a = await add_theme(db, world.series, "reduction-of-violence", 1)
    theme_b = await add_theme(db, world.series, "aid", 2)
    point = await add_point(
        db,
        world.session,
        "Monitoring a ceasefire needs local partners.",
        themes=[theme_b, theme_a],
        part_id=part.id,
    )

    item = (await search(client, world.member, "ceasefire")).json()["items"][0]
    assert item == {
        "key_point_id": str(point.id),
        "session_id": str(world.session.id),
        "session_number": 1,
        "session_title": "Violence and ceasefire",
        "series_id": str(world.series.id),
        "series_title": "Afghanistan peace track",
        "part_id": str(part.id),
        "text": "Monitoring a ceasefire needs local partners.",
        "themes": ["reduction-of-violence", "aid"],
        "snippet": "Monitoring a <mark>ceasefire</mark> needs local partners.",
        "score": pytest.approx(1.5),
    }


async def test_snippet_escapes_html_and_trims_around_matches(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    await add_point(db, world.session, "<script>alert('x')</script> A ceasefire & talks.")
    filler = "Participants spoke at length about regional economic questions. " * 6
    await add_point(db, world.session, filler + "Only then did the truce hold. " + filler)

    item = (await search(client, world.member, "ceasefire")).json()["items"][0]
    assert item["snippet"] == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; A <mark>ceasefire</mark> &amp; talks."
    )
    assert item["text"].startswith("<script>")  # JSON carries the text as stored

    long = (await search(client, world.member, "truce")).json()["items"][0]["snippet"]
    assert "<mark>truce</mark>" in long
    assert long.startswith("…")
    assert long.endswith("…")
    assert len(long.replace("<mark>", "").replace("</mark>", "")) <= 202


async def test_other_series_are_invisible_and_their_id_is_404(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory, world: World
) -> None:
    mine = await add_point(db, world.session, "Regional consensus on the ceasefire.")
    theirs = await add_point(db, world.other_session, "Regional consensus on the ceasefire.")

    assert await found_ids(client, world.member, "ceasefire") == [str(mine.id)]
    for series_id in (world.other_series.id, uuid.uuid4()):
        for q in ("ceasefire", "nothingmatchesthis"):
            response = await search(client, world.member, q, series_id=series_id)
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/not-found"

    own = await search(client, world.member, "nothingmatchesthis", series_id=world.series.id)
    assert own.status_code == 200
    assert own.json() == {"items": [], "next_cursor": None}

    admin = await factory.caller(is_admin=True)
    assert set(await found_ids(client, admin, "ceasefire")) == {str(mine.id), str(theirs.id)}
    assert await found_ids(client, admin, "ceasefire", series_id=world.other_series.id) == [
        str(theirs.id)
    ]


async def test_theme_filter_uses_each_series_taxonomy(
    client: httpx.AsyncClient, db: AsyncSession, factory: Factory, world: World
) -> None:
    second = await factory.series(organiser=world.member)
    second_session = await factory.dialogue_session(second)
    consensus = await add_theme(db, world.series, "regional-consensus", 1)
    aid = await add_theme(db, world.series, "aid-and-leverage", 2)
    consensus_2 = await add_theme(db, second, "regional-consensus", 1)
    stranger_theme = await add_theme(db, world.other_series, "regional-consensus", 1)

    tagged = await add_point(db, world.session, "Neighbours back the talks.", themes=[consensus])
    await add_point(db, world.session, "Donors back the talks.", themes=[aid])
    tagged_2 = await add_point(db, second_session, "Neighbours back talks.", themes=[consensus_2])
    await add_point(db, world.other_session, "Neighbours back talks.", themes=[stranger_theme])

    everywhere = await found_ids(client, world.member, "talks", theme="regional-consensus")
    assert everywhere == [str(tagged_2.id), str(tagged.id)]
    in_series = await found_ids(
        client, world.member, "talks", theme="regional-consensus", series_id=world.series.id
    )
    assert in_series == [str(tagged.id)]
    assert await found_ids(client, world.member, "talks", theme="no-such-theme") == []
    bad = await search(client, world.member, "talks", theme="Not A Slug")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "theme"


async def test_pagination_walks_every_result_exactly_once(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    for n in range(7):
        await add_point(db, world.session, "Mediation " * (1 + n % 3) + f"round {n}.")
    everything = await found_ids(client, world.member, "mediation")
    assert len(everything) == 7

    walked: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        response = await search(client, world.member, "mediation", limit=3, cursor=cursor)
        assert response.status_code == 200, response.text
        body = response.json()
        walked += [item["key_point_id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        # A point approved mid-walk that ranks above the cursor does not shift later pages.
        if pages == 1:
            await add_point(db, world.session, "Mediation " * 5)
    assert walked == everything
    assert pages == 3

    first = (await search(client, world.member, "mediation", limit=3)).json()
    elsewhere = await search(client, world.member, "talks", cursor=first["next_cursor"])
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["field"] == "cursor"
    for bad_limit in (0, 101):
        response = await search(client, world.member, "mediation", limit=bad_limit)
        assert response.status_code == 422


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "NEAR(",
        "a:b",
        "-",
        "((",
        "'; DROP TABLE key_point; --",
        'NEAR("ceasefire" "talks", 2)',
        "ceasefire*",
        "ceasefire:*",
        "!ceasefire & | prisoners",
        "ceasefire -talks",
        "ceasefire OR talks AND NOT",
        "^ceasefire",
        "text:ceasefire",
        "{ceasefire}",
        "\\",
        "%_%",
        "ceasefire\x00",
        "ﬁre ÇEASEFİRE ß",
        "🕊️ ceasefire",
    ],
)
async def test_hostile_queries_answer_200_or_422(
    client: httpx.AsyncClient, db: AsyncSession, world: World, q: str
) -> None:
    await add_point(db, world.session, "The ceasefire talks, near Doha: prisoners (all).")

    response = await search(client, world.member, q)

    assert response.status_code in {200, 422}, response.text
    if response.status_code == 422:
        assert response.json()["errors"][0]["field"] == "q"


async def test_query_syntax_is_read_as_plain_words(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    point = await add_point(db, world.session, "The ceasefire talks, near Doha: prisoners.")

    for q in ('"ceasefire" AND (prisoners*)', "NEAR(ceasefire talks)", "ceasefire -talks"):
        assert await found_ids(client, world.member, q) == [str(point.id)], q


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        (None, "Field required"),
        ("", "at least 1 character"),
        ("   ", "at least one word"),
        ("\"'()*", "at least one word"),
        ("the and of", "common words"),
        ("x" * 201, "at most 200 characters"),
    ],
)
async def test_missing_empty_or_useless_q_is_422_naming_q(
    client: httpx.AsyncClient, world: World, q: str | None, reason: str
) -> None:
    response = await search(client, world.member, q)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "q"
    assert error["location"] == "query"
    assert reason in error["reason"]


async def test_search_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, params={"q": "ceasefire"})
    assert response.status_code == 401


async def test_search_uses_two_statements_besides_authentication(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    db: AsyncSession,
    factory: Factory,
    world: World,
) -> None:
    theme = await add_theme(db, world.series, "aid", 1)
    part = await factory.part(world.session)
    for n in range(5):
        await add_point(db, world.session, f"Aid talks {n}.", themes=[theme], part_id=part.id)
    await search(client, world.member, "aid")  # the token's first use records last_used_at

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    try:
        found = await search(client, world.member, "aid talks", series_id=world.series.id)
        nothing = await search(client, world.member, "absent", series_id=world.series.id)
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", record)

    assert len(found.json()["items"]) == 5
    assert nothing.json()["items"] == []
    assert len(statements) == 6, statements  # per request: token, matches, rows or access
