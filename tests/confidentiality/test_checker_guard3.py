"""The rules the third guard corpus taught the checker (clean texts as an outsider writes
them), each on a small directory of its own, and that corpus held to floors.

Consent semantics: a consenting speaker may be named every way people write them; an
affiliation or acronym they share with someone who did not consent is theirs only in a text
that names them unambiguously; a name part they share blocks unless the rest of the name
around it is theirs; a non-consenting person's own name still blocks.
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
        "suwaidi",
        "Hamad",
        "bin Nasser Al-Suwaidi",
        honorific="H.E.",
        position="Special Envoy for Mediation and Conflict Resolution",
        affiliation="Ministry of Foreign Affairs of Qatar",
        affiliation_acronym="MOFA",
        country="QA",
        email="h.alsuwaidi@mofa.example.qa",
        aliases=("حمد بن ناصر السويدي",),
    ),
    RosterEntry(
        "othman",
        "Hamad",
        "Othman",
        honorific="Dr.",
        affiliation="Ministry of Foreign Affairs of Qatar",
        affiliation_acronym="MOFA",
        country="QA",
        email="h.othman@mofa.example.qa",
    ),
    RosterEntry("noorzai", "Zalmay", "Noorzai", honorific="Mr.", country="AF"),
    RosterEntry("sultani", "Hamid", "Sultani", honorific="Mr.", country="AF"),
    RosterEntry(
        "karzai",
        "Laila",
        "Karzai",
        honorific="Ms.",
        affiliation="Ministry of Refugees and Repatriation",
        affiliation_acronym="MoRR",
        country="AF",
    ),
    RosterEntry("tehrani", "Parisa", "Tehrani", honorific="Prof.", country="IR"),
    RosterEntry("karimzada", "Nasser", "Karimzada", honorific="Mr.", country="AF"),
    RosterEntry("kohistani", "Mahbouba", "Kohistani", honorific="Dr.", country="AF"),
    RosterEntry("yusupov", "Dilshod", "Yusupov", aliases=("Юсупов",), country="UZ"),
    RosterEntry("mohmand", "Abdul Wali", "Mohmand", country="AF"),
    RosterEntry("shinwari", "Gul Rahman", "Shinwari", country="AF"),
    RosterEntry("wardak", "Farid", "Wardak", country="AF"),
    RosterEntry("ward", "Mark", "Ward", country="GB"),
    RosterEntry("stanikzai", "Nazanin", "Stanikzai", country="AF"),
    RosterEntry("mehmood", "Tariq", "Mehmood", country="PK"),
    RosterEntry(
        "wazir",
        "Ahmad Naeem",
        "Wazir",
        aliases=("احمد نعیم وزیر",),
        position="Spokesperson of the Khyber Peace Jirga",
        country="PK",
    ),
)
ENVOY = frozenset({"suwaidi"})


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(ROSTER)


def _blocks(checker: Checker, text: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(f.severity == "block" for f in checker.check(text, allowed_person_ids=allowed))


@pytest.mark.parametrize(
    "text",
    [
        "H.E. Hamad bin Nasser Al-Suwaidi of the Ministry of Foreign Affairs of Qatar opened.",
        "Al-Suwaidi (MOFA, Qatar) reminded participants that the process remains open.",
        "Questions for the envoy may be sent to h.alsuwaidi@mofa.example.qa.",
        "Hamad bin Naser Al-Suwaydi spoke on the record.",
    ],
)
def test_consenting_speaker_named_with_what_others_share(checker: Checker, text: str) -> None:
    assert not _blocks(checker, text, ENVOY)
    assert _blocks(checker, text)  # without consent, every one of them names him


@pytest.mark.parametrize(
    "text",
    [
        "Hamad stressed that the ministry would stay neutral.",  # may be Dr Othman
        # Even after the envoy is named, "Hamad" alone may be Dr Othman ("Al-Suwaidi thanked
        # Hamad"): the guard cannot tell, so the leak wins.
        "Hamad bin Nasser Al-Suwaidi opened the session. Hamad then invited questions.",
        "The MOFA delegation circulated a paper.",  # Dr Othman's ministry too
        "H.E. Al-Suwaidi and Dr. Hamad Othman opened the session.",
        "Al-Suwaidi was followed by Nasser Karimzada.",
        "Al-Suwaidi agreed; h.othman@mofa.example.qa circulated the text.",
        "Al-Suwaidi agreed, and Dr. Othman disagreed.",
    ],
)
def test_consent_does_not_cover_who_shares_a_name(checker: Checker, text: str) -> None:
    assert _blocks(checker, text, ENVOY)


@pytest.mark.parametrize(
    "text",
    [
        "Sheikh Tamim bin Hamad Al Thani hosted the signing ceremony.",
        "A Tehrani merchant and a Herati trader met at Islam Qala.",
        "اشرف غنی و زلمی خلیلزاد دربارهٔ زندانیان گفتگو کردند.",
        "حامد کرزی در کابل گفت که صلح باید افغانی باشد.",
        "Hamid Karzai addressed the Loya Jirga.",  # a Hamid and a Karzai are participants
        "Hamad International Airport was busy; Lake Nasser was low.",
        "Kohistan is a district of Kapisa.",  # one letter from Kohistani: the place
        "Prince Felix Yusupov's palace is in St Petersburg.",
        "The Mohmand and Shinwari elders met at the Mohmand Agency.",
        "والی وردک دربارهٔ امنیت شاهراه صحبت کرد.",  # the governor of Wardak province
        "شیر محمد عباس ستانکزی سخنگوی هیئت طالبان بود.",  # a public figure's full name
        "محمد اشرف غنی رئیس جمهور پیشین است.",  # not Mehmood
        "وزیر خارجه دربارهٔ توافق سخن گفت.",  # the minister, not Wazir
        "Ḥāmid Karzay, as some texts write him, led the interim administration.",
        "Noorzai tribal elders met the governor.",
        "The Ward 5 clinic in Kabul reopened.",
    ],
)
def test_someone_elses_name_is_not_a_participant(checker: Checker, text: str) -> None:
    assert not _blocks(checker, text)


@pytest.mark.parametrize(
    "text",
    [
        "Hamad said the ministry would stay neutral.",
        "Prof. Tehrani argued for a treaty.",
        "زلمی نورزی گفت که امنیت بهتر شده است.",
        "به گفتهٔ کرزی، مهاجرین زمین ندارند.",
        "خانم کرزی گزارش داد.",
        "The proposal by Kar-zai was welcomed.",
        "According to Karim-zada, the returnees need land.",
        "Tamim bin Hamad Othman spoke.",
        "Colleagues from the M.o.R.R. circulated a paper.",  # the acronym in its own case
        "It was Oth\nman who raised the prisoner lists.",  # a word broken at a line end
        "Oth\ufe63man argued for a ceasefire.",
        "Kohistani argued for schools; Yusupov agreed; Mohmand said no.",
        "Hamid Sultani and Laila Karzai presented.",
        "ښاغلي وزیر وویل چې لاره باید پرانیستل شي.",
        "احمد نعیم وزیر وویل چې جرګه به ګډون ونکړي.",
        "ستانکزی گفت که توافق ممکن است.",
        "Ward argued that the clinic should reopen.",
        "The spokesman of the Khyber jirga declined.",  # spokesman, spokesperson: one office
        "به گفتهٔ وردک، بند کمال خان مهم است.",
    ],
)
def test_participants_still_block(checker: Checker, text: str) -> None:
    assert _blocks(checker, text)


# -- the third corpus, held to floors ----------------------------------------------------------

GUARD3 = [HERE / "corpus_guard3_tune.json", HERE / "corpus_guard3_valid.json"]
# Clean false-block ceilings: the tuning part, and the validation part measured once after
# tuning (0.090: ordinary words, public figures and a shared given name alone, which the
# guard cannot tell from a leak).
CEILING = {"corpus_guard3_tune.json": 0.05, "corpus_guard3_valid.json": 0.10}


@pytest.mark.parametrize("path", GUARD3, ids=lambda p: p.name)
def test_guard3_corpus_floors(path: Path) -> None:
    """Every consent leak blocks; no class of disguised names below 0.85; clean false-block
    under the part's ceiling (the figures per class, and the clean texts it still blocks
    because they cannot be told from a leak, are in docs/performance.md)."""
    ev = evaluate(path)
    figures = verdicts(ev)
    assert figures["block recall, leak/consent"][0] == 1.0
    clean = ev.pooled("clean")
    assert clean.blocked / clean.n <= CEILING[path.name]
    assert recall_below(figures, 0.85) == {}


def test_guard3_corpus_is_what_the_script_writes_and_split_by_person() -> None:
    from bench.checker_corpus3 import BY_ID, VALID, build

    tune, valid = build()
    for path, part in zip(GUARD3, (tune, valid), strict=True):
        assert json.loads(path.read_text(encoding="utf-8"))["items"] == part["items"]
    for pid in VALID:
        family = BY_ID[pid]["family_name"].split()[-1]
        assert not any(
            family in item["text"] for item in tune["items"] if item["label"] == "leak"
        ), pid
