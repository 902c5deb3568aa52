"""The disguises of issue 15 and 18.3 that the second guard corpus taught the checker.

Each case is a rule, shown on a small directory of its own; the corpora
(``corpus_guard_tune.json``, ``corpus_guard_valid.json``, ``python -m bench.checker_corpus``)
measure the rules at scale and are held to floors below.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.confidentiality.checker import Checker, RosterEntry
from bench.checker_quality import evaluate, recall_below, verdicts

HERE = Path(__file__).parent

ROSTER = (
    RosterEntry(
        "noorzai",
        "Farida",
        "Noorzai",
        honorific="Dr.",
        position="Senior Adviser on Water Diplomacy",
        affiliation="Kabul Institute for Peace Studies",
        affiliation_acronym="KIPS",
        country="AF",
    ),
    RosterEntry("young", "Paul", "Young", honorific="Dr.", country="NO"),
    RosterEntry("mills", "Rachel", "Mills", honorific="Dr.", country="GB"),
    RosterEntry("mueller", "Heinz", "Müller", honorific="Prof.", country="DE"),
    RosterEntry(
        "harthy",
        "Khalid",
        "bin Saeed Al-Harthy",
        honorific="H.E.",
        position="Ambassador-at-Large",
        affiliation="Ministry of Foreign Affairs of Oman",
        country="OM",
    ),
    RosterEntry("mehmood", "Saeed", "Mehmood", country="PK"),
    RosterEntry(
        "mehsud",
        "Tariq",
        "Mehsud",
        position="Former Commander of the Frontier Corps",
        country="PK",
    ),
    RosterEntry("yusupova", "Dilnoza", "Yusupova", country="UZ"),
    RosterEntry("chaudhry", "Bilal", "Chaudhry", country="PK"),
)


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(ROSTER)


def _verdict(checker: Checker, text: str, allowed: frozenset[str] = frozenset()) -> str:
    found = checker.check(text, allowed_person_ids=allowed)
    if any(f.severity == "block" for f in found):
        return "block"
    return "warn" if found else "clean"


@pytest.mark.parametrize(
    "text",
    [
        # markup and soft line breaks
        "Noorz<!-- -->ai argued for a new treaty.",
        "Noor<b>zai</b> argued for a new treaty.",
        "Noor\\*zai argued for a new treaty.",
        "Noo -\nrzai argued for a new treaty.",
        "Noo=\nrzai argued for a new treaty.",
        "Noo-\n\nrzai argued for a new treaty.",
        "Noorz ai argued for a new treaty.",
        "Noor\nzai argued for a new treaty.",
        # enclosed letters NFKC leaves alone
        "It was \U0001f15d\U0001f15e\U0001f15e\U0001f161\U0001f169\U0001f150\U0001f158 who spoke.",
        # partial look-alikes, read by case
        "Responding to Ch\u0430ud\u04bbr\u0443, another participant disagreed.",
        # acronyms
        "A note by KIPSs was circulated.",
        "The Omani MFA circulated a non-paper.",
        # positions, nearly verbatim or abbreviated
        "The Senior Adviser on Water Diplomacy (Kabul) said so.",
        "The former Commander of the Frontier Corps said so.",
        # misspelt names beside the given name or an honorific, one sound off
        "Paul Yong argued for the corridor.",
        "Rachel Mils argued for the corridor.",
        "Dr. Yung argued for the corridor.",
        "Yusopowa argued for the corridor.",
        "Choudhry argued for the corridor.",
        # a weak name written with its diacritics
        "A question from Müller on sequencing.",
        # note formats for names that are words
        "Young intervened twice on the border markets.",
        "Chair: Young. Rapporteur: Mills.",
        "Interventions: Young, Mills.",
        "Young (session 2) said the drought is worsening.",
        "Mills >> the numbers do not add up.",
        "Comment (Young, ministry): the data are old.",
        "Younge argued for the corridor.",
        # Arabic script, letter by letter
        "قالت يوسوبوفا إن الجفاف يتفاقم.",
        "وقال شودري إن الأرقام قديمة.",
        "قال الحارثي إن الحوار ضروري.",
        # transliteration apostrophes
        "Nurza'i argued for a new treaty.",
    ],
)
def test_disguised_names_block(checker: Checker, text: str) -> None:
    assert _verdict(checker, text) == "block"


@pytest.mark.parametrize(
    "text",
    [
        "Mills closed in 2019 after the drought.",
        "Wells dried up across the province.",
        "Young educated women in Herat want jobs.",
        "Young people said they have no jobs.",
        "The old mills (long, narrow buildings) closed.",
        "May saw the worst violence of the year.",
        "The Commander of the Frontier Corps is appointed by the army chief.",
        "Mullah Omar was never seen in public.",
        "St Khalid's school was rebuilt.",
        "Islam Karimov ruled Uzbekistan until 2016.",
        "President Mehsoodi was not mentioned.",
        "A rally in Noorzaiabad was mentioned.",
        "وارد کردن گندم از قزاقستان افزایش یافت.",
        "شبكة حقاني مسؤولة عن الهجوم.",
        "The UN, the EU and NGOs were criticised.",
        "It's a view, don't you think? The Shi'a clerics disagreed.",
        "a < b and c > d",
    ],
)
def test_ordinary_text_does_not_block(checker: Checker, text: str) -> None:
    assert _verdict(checker, text) != "block"


def test_consent_is_narrowed_by_the_rest_of_the_name(checker: Checker) -> None:
    # "Saeed" is also Saeed Mehmood's given name; inside Khalid bin Saeed's name it is his.
    text = "H.E. Khalid bin Saeed welcomed the participants."
    assert _verdict(checker, text, frozenset({"harthy"})) == "clean"
    assert _verdict(checker, text) == "block"
    assert _verdict(checker, "Saeed Mehmood spoke.", frozenset({"harthy"})) == "block"


# -- the second corpus, held to floors ---------------------------------------------------------

GUARD = [HERE / "corpus_guard_tune.json", HERE / "corpus_guard_valid.json"]


@pytest.mark.parametrize("path", GUARD, ids=lambda p: p.name)
def test_guard_corpus_floors(path: Path) -> None:
    """Clean false-block within the target; no class of disguised names below 0.85 (the
    figures per class are in docs/performance.md)."""
    figures = verdicts(evaluate(path))
    assert figures["clean false-block"][2]
    assert recall_below(figures, 0.85) == {}


def test_guard_corpus_is_split_by_person() -> None:
    from bench.checker_corpus import VALID, build

    tune, valid = build()
    assert tune["roster"] == valid["roster"]
    assert len(tune["items"]) >= 1000
    assert len(valid["items"]) >= 1000
    written = json.loads(GUARD[0].read_text(encoding="utf-8"))
    assert written["items"] == tune["items"]  # the committed file is what the script writes
    names = {p["person_id"]: p["family_name"].split()[-1] for p in tune["roster"]}
    for pid in VALID:
        family = names[pid]
        assert not any(
            family in item["text"] for item in tune["items"] if item["label"] == "leak"
        ), pid
