"""The guard reads every language (issue 18, item 3): people have names in several scripts,
the directory takes names and aliases in Arabic script, the checker normalises Arabic-script
text (diacritics and tatweel removed, Arabic and Persian yeh and kaf unified, zero-width
non-joiners handled) and blocks a participant's name, affiliation or acronym in any language,
including a Latin name a translator wrote in Arabic script."""

from __future__ import annotations

import httpx
import pytest

from app.confidentiality.checker import Checker, RosterEntry
from app.sessions.models import SessionStatus
from tests.factories import Factory

KARIMOVA = RosterEntry(
    person_id="karimova",
    given_name="Leyla",
    family_name="Karimova",
    aliases=("لیلا کریموا",),
    affiliation="Baku Centre for Strategic Analysis",
    affiliation_acronym="BCSA",
)
HOSSEINI = RosterEntry(person_id="hosseini", given_name="Omid", family_name="Hosseini")
MANSOURI = RosterEntry(person_id="mansouri", given_name="Yusuf", family_name="al-Mansouri")
YOUNG = RosterEntry(person_id="young", given_name="Paul", family_name="Young")
CHECKER = Checker([KARIMOVA, HOSSEINI, MANSOURI, YOUNG])


@pytest.mark.parametrize(
    "text",
    [
        "قالت لیلا کریموا إن الممر يجب أن يبقى مفتوحا.",  # the alias as given (Persian letters)
        "قالت ليلا كريموا إن الممر يجب أن يبقى مفتوحا.",  # Arabic yeh and kaf
        "قالت لِيلا كَرِيمُوا إن الممر مهم.",  # with diacritics
        "قالت كـريـموا إن الممر مهم.",  # with tatweel
        "قالت کری\u200cموا إن الممر مهم.",  # noqa: RUF001  (Dari, with a ZWNJ inside)
        "وكريموا قالت ذلك.",  # an attached conjunction
        "ذكرت كريموفا أن الرسوم انخفضت.",  # transliterated by the translator
        "وأشار حسینی إلى أن العقوبات تؤخر الاتفاق.",  # Hosseini, never given in Arabic
        "رأى المنصوري أن الأمن البحري أولوية.",  # al-Mansouri with the article attached
        "أكد بول يونغ أهمية الحوار.",  # a short name, given and family together
        "شارك مركز BCSA في الدراسة.",  # a Latin acronym inside an Arabic sentence
        "کریمووا گفت که راهرو باید باز بماند.",  # Dari
    ],
)
def test_arabic_script_forms_of_names_block(text: str) -> None:
    assert any(f.severity == "block" for f in CHECKER.check(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "قال الرئيس إن المفاوضات ستستمر في الأسبوع المقبل.",
        "أكد المشاركون أهمية الحوار الإقليمي والأمن البحري.",
        "كان الموقف كريما من جميع الأطراف.",
        "المنصور مدينة في العراق.",
        "حسن روحانی رئیس جمهور سابق ایران است.",
    ],
)
def test_ordinary_arabic_text_passes(text: str) -> None:
    assert not any(f.severity == "block" for f in CHECKER.check(text)), text


async def test_the_directory_takes_arabic_script_aliases_and_the_gate_reads_them(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    created = await client.post(
        f"/api/v1/series/{series.id}/people",
        json={"given_name": "Leyla", "family_name": "Karimova", "aliases": ["لیلا کریموا"]},
        headers=organiser.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["aliases"] == ["لیلا کریموا"]
    session = await factory.dialogue_session(series, status=SessionStatus.HELD)
    for text in ("قالت ليلا كريموا إن الممر مهم.", "ذكرت كريموفا أن الرسوم انخفضت."):
        refused = await client.post(
            f"/api/v1/sessions/{session.id}/key-points",
            json={"text": text},
            headers=organiser.headers,
        )
        assert refused.status_code == 422, text
        assert refused.json()["type"] == "/problems/attribution-blocked"
    titled = await client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"title": "حوار مع لیلا کریموا"},
        headers=organiser.headers,
    )
    assert titled.status_code == 422
