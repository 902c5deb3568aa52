"""Unit tests for the non-attribution checker (app.confidentiality.checker)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from app.confidentiality.checker import Checker, Finding, RosterEntry, checker_for

ROSTER = (
    RosterEntry(
        "p-rahimi",
        "Farida",
        "Rahimi",
        honorific="Dr",
        position="Former Deputy Foreign Minister",
        affiliation="Kabul Centre for Peace Studies",
        affiliation_acronym="KCPS",
        country="AF",
        role="chair",
    ),
    RosterEntry(
        "p-karimi",
        "Ahmad",
        "Karimi",
        honorific="Ambassador",
        aliases=("Ahmad Shah Karimi",),
        position="Former Ambassador to Pakistan",
        country="AF",
        role="speaker",
    ),
    RosterEntry(
        "p-said",
        "Khalid",
        "Said",
        honorific="H.E. Dr.",
        position="Special Envoy for Counterterrorism and Mediation",
        affiliation="Doha Institute for Mediation",
        affiliation_acronym="DIM",
        country="QA",
        role="speaker",
    ),
    RosterEntry(
        "p-moradi",
        "Said",
        "Moradi",
        position="Senior Researcher",
        affiliation="Tehran Institute for Regional Dialogue",
        affiliation_acronym="TIRD",
        country="IR",
    ),
    RosterEntry(
        "p-hosseini",
        "Mohammad-Reza",
        "Hosseini",
        honorific="Dr",
        position="Former Deputy Foreign Minister",
        affiliation="Tehran Institute for Regional Dialogue",
        affiliation_acronym="TIRD",
        country="IR",
        role="presenter",
    ),
    RosterEntry(
        "p-rashid",
        "Nasser",
        "al-Rashid",
        honorific="Dr",
        aliases=("Abu Faisal",),
        affiliation="Center for Conflict and Humanitarian Studies",
        affiliation_acronym="CCHS",
        country="QA",
    ),
    RosterEntry("p-muller", "Katharina", "Müller", honorific="Dr", country="DE"),
    RosterEntry("p-ozturk", "Can", "Öztürk", country="DE"),
    RosterEntry("p-sahin", "Mehmet", "Şahin", honorific="Prof.", country="TR"),
    RosterEntry("p-angstrom", "Lars", "Ångström", country="NO"),
    RosterEntry("p-souza", "Marcelo", "de Souza", country="BR"),
    RosterEntry("p-raman", "Priya", "Raman", country="IN", role="rapporteur"),
    RosterEntry("p-hope", "Hope", "Sandberg", country="NO"),
    RosterEntry("p-bush", "Eleanor", "Bush", country="US"),
    RosterEntry("p-ng", "Kwok-wai", "Ng", honorific="Dr", country="CN"),
    RosterEntry("p-long", "Jian", "Long", country="CN"),
    RosterEntry("p-ahmadzai", "Zalmay", "Ahmadzai", country="AF"),
    RosterEntry("p-linden", "Pieter", "van der Linden", country="NL"),
    RosterEntry("p-solberg", "Ingrid", "Solberg", country="NO"),
    RosterEntry(
        "p-little",
        "Sarah",
        "Little",
        affiliation="Atlantic Policy Institute",
        affiliation_acronym="API",
        country="US",
    ),
    RosterEntry(
        "p-young",
        "James",
        "Young",
        affiliation="Atlantic Policy Institute",
        affiliation_acronym="API",
        country="US",
    ),
)
CHECKER = Checker(ROSTER)
ALL_IDS = frozenset(p.person_id for p in ROSTER)
GENERIC_MESSAGES = {
    "Matches a participant's full name",
    "Matches a participant's family name",
    "Matches a participant's given name",
    "Matches a name a participant is known by",
    "Matches a participant's name",
    "Matches a participant's affiliation",
    "Matches the acronym of a participant's affiliation",
    "Resembles a participant's name (spelling variant)",
    "Matches a participant's position",
    "Describes a person by a nationality that a participant has",
    "Refers to a participant by their role in the session",
    "First-person reference to an institution may identify the speaker",
}


def check(text: str, **kwargs: frozenset[str]) -> list[Finding]:
    return CHECKER.check(text, **kwargs)


def kinds(text: str, **kwargs: frozenset[str]) -> set[tuple[str, str]]:
    return {(f.severity, f.kind) for f in check(text, **kwargs)}


def excerpts(text: str, severity: str | None = None) -> list[str]:
    return [f.excerpt for f in check(text) if severity in (None, f.severity)]


# -- block: names --------------------------------------------------------------------------


def test_full_name_matches_the_documented_shape() -> None:
    (finding,) = check("Farida Rahimi argued that the ceasefire must hold.")
    assert finding.as_dict() == {
        "severity": "block",
        "kind": "name",
        "start": 0,
        "end": 13,
        "excerpt": "Farida Rahimi",
        "message": "Matches a participant's full name",
        "code": "name:farida-rahimi",
    }


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Rahimi warned that the ceasefire was fragile.", "Rahimi"),
        ("According to RAHIMI, the release created momentum.", "RAHIMI"),
        ("karimi argued that trade corridors need guarantees.", "karimi"),
        ("Farida argued that sequencing matters more than speed.", "Farida"),
        ("Ahmad Shah Karimi said connectivity gives neighbours a stake.", "Ahmad Shah Karimi"),
        ("Abu Faisal stressed that hosts must not compete.", "Abu Faisal"),
        ("Mohammad-Reza Hosseini presented the Iranian view.", "Mohammad-Reza Hosseini"),
        ("Mohammad Reza Hosseini presented the Iranian view.", "Mohammad Reza Hosseini"),
        ("The paper by A. Karimi was circulated.", "Karimi"),
    ],
)
def test_names_in_all_forms_block(text: str, excerpt: str) -> None:
    blocks = [f for f in check(text) if f.severity == "block"]
    assert [f.excerpt for f in blocks] == [excerpt]
    assert blocks[0].kind == "name"


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Ambassador Karimi noted Pakistan's leverage.", "Ambassador Karimi"),
        ("Dr Ng noted that investment depends on security.", "Dr Ng"),
        ("Dr. Ng noted that investment depends on security.", "Dr. Ng"),
        ("H.E. Dr. Said shared his insights on the talks.", "H.E. Dr. Said"),
        ("Prof. Şahin stressed Turkey's channels to all parties.", "Prof. Şahin"),
        ("Amb. Karimi circulated a note on transit fees.", "Amb. Karimi"),
    ],
)
def test_honorific_plus_name_blocks_with_the_honorific_in_the_excerpt(
    text: str, excerpt: str
) -> None:
    assert excerpts(text, "block") == [excerpt]


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Karimi's proposal was welcomed.", "Karimi's"),
        ("Karimi\u2019s proposal was welcomed.", "Karimi\u2019s"),
        ("Hope's suggestion was welcomed by most participants.", "Hope's"),
        ("The note reflected Ng\u2019s point about mining.", "Ng\u2019s"),
    ],
)
def test_possessives_block_and_cover_the_apostrophe(text: str, excerpt: str) -> None:
    assert excerpts(text, "block") == [excerpt]


@pytest.mark.parametrize(
    "variant",
    ["al-Rashid", "Al Rashid", "AL-RASHID", "Al-Rashid", "al Rashid", "Alrashid", "Rashid"],
)
def test_particles_hyphens_and_spacing(variant: str) -> None:
    assert excerpts(f"{variant} noted that access must be unconditional.", "block") == [variant]


@pytest.mark.parametrize(
    "variant",
    ["Müller", "Mueller", "Muller", "MÜLLER", "MUELLER", "Mu\u0308ller"],
)
def test_umlaut_transliterations(variant: str) -> None:
    assert excerpts(f"{variant} stressed that aid will be conditional.", "block") == [variant]


@pytest.mark.parametrize(
    "variant", ["Şahin", "Sahin", "SAHIN", "Ångström", "Angstrom", "Öztürk", "Ozturk", "Oeztuerk"]
)
def test_diacritics(variant: str) -> None:
    assert excerpts(f"{variant} argued for a regional conference.", "block") == [variant]


@pytest.mark.parametrize("variant", ["Husseini", "Hosseyni", "HUSSEINI"])
def test_transliteration_variants_of_family_names(variant: str) -> None:
    (finding,) = check(f"{variant} argued that engagement is pragmatic.")
    assert finding.severity == "block"
    assert finding.message == "Resembles a participant's name (spelling variant)"


def test_middle_name_not_on_the_roster_still_blocks() -> None:
    assert excerpts("Farida Noor Rahimi argued for patience.") == ["Farida", "Rahimi"]
    assert excerpts("Ahmad Wali Karimi said so.") == ["Ahmad", "Karimi"]


def test_van_der_and_de_particles() -> None:
    assert excerpts("Van der Linden noted that aid is conditional.") == ["Van der Linden"]
    assert excerpts("De Souza compared the talks with Colombia.") == ["De Souza"]
    assert excerpts("Souza\u2019s comparison drew questions.") == ["Souza\u2019s"]


def test_shouting_text_still_blocks() -> None:
    text = "ÅNGSTRÖM ARGUED THAT AID CONDITIONALITY IS THE ONLY LEVERAGE LEFT."
    assert excerpts(text, "block") == ["ÅNGSTRÖM"]


# -- block: affiliations -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        (
            "Researchers at the Center for Conflict and Humanitarian Studies mapped ceasefires.",
            "Center for Conflict and Humanitarian Studies",
        ),
        (
            "Colleagues at the Kabul Center for Peace Studies documented local committees.",
            "Kabul Center for Peace Studies",
        ),
        ("CCHS data show a rise in attacks on civilians.", "CCHS"),
        ("According to TIRD estimates, returns have slowed.", "TIRD"),
        ("API researchers polled Afghan opinion.", "API"),
        ("The Doha Institute for Mediation offered a venue.", "Doha Institute for Mediation"),
    ],
)
def test_affiliations_and_acronyms_block(text: str, excerpt: str) -> None:
    findings = [f for f in check(text) if f.severity == "block"]
    assert [f.excerpt for f in findings] == [excerpt]
    assert findings[0].kind == "affiliation"


def test_acronym_that_is_a_word_only_matches_in_capitals() -> None:
    assert check("Hopes of an early deal did not dim despite the violence.") == []
    assert excerpts("DIM offered to host the working group.", "block") == ["DIM"]


# -- warn: indirect identifiers ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The former Deputy Foreign Minister argued that the team lacks a mandate.",
        "A former deputy minister of foreign affairs cautioned against rushing.",
        "The former Afghan deputy foreign minister stressed continuity.",
        "The former Afghan ambassador to Pakistan described the border talks.",
        "The Qatari special envoy stressed that the talks must be Afghan-led.",
    ],
)
def test_positions_warn(text: str) -> None:
    assert ("warn", "position") in kinds(text)
    assert all(f.severity == "warn" for f in check(text))


def test_position_code_is_the_documented_example() -> None:
    (finding,) = check("The former Deputy Foreign Minister argued for patience.")
    assert finding.code == "position:former-deputy-foreign-minister"
    assert finding.excerpt == "former Deputy Foreign Minister"


@pytest.mark.parametrize(
    "text",
    [
        "The Afghan foreign minister travelled to Doha.",  # no "deputy": another office
        "The Pakistani ambassador met the delegation.",  # Karimi is Afghan
        "US special envoy Zalmay Khalilzad toured the region.",  # nationality differs
        "The Secretary of State visited Kabul.",  # nobody on this roster holds it
    ],
)
def test_positions_of_other_offices_do_not_warn(text: str) -> None:
    assert ("warn", "position") not in kinds(text)


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("The Turkish discussant noted Ankara's channels.", "The Turkish discussant"),
        ("The only Indian participant argued for aid.", "The only Indian participant"),
        ("A participant from Brazil compared Colombia.", "A participant from Brazil"),
        ("An expert from the United States spoke.", "An expert from the United States"),
        ("The Russian expert said Moscow would agree.", None),
        ("A senior Qatari diplomat noted progress.", "A senior Qatari diplomat"),
        ("As the only Brazilian in the room put it, peace takes time.", "the only Brazilian"),
    ],
)
def test_nationality_descriptors_warn(text: str, excerpt: str | None) -> None:
    descriptors = [f for f in check(text) if f.kind == "descriptor"]
    if excerpt is None:  # nobody on this roster is Russian
        assert descriptors == []
    else:
        assert [f.excerpt for f in descriptors] == [excerpt]
        assert descriptors[0].severity == "warn"


@pytest.mark.parametrize(
    "text",
    [
        "Norway has hosted talks between the parties.",
        "Iran's role in the region was discussed.",
        "Turkish mediation efforts were described as complementary.",
        "Pakistani officials facilitated the travel of negotiators.",  # plural: aggregate
        "The Uzbek participant noted Termez's potential.",  # no Uzbek on the roster
        "Participants from several countries agreed.",
        "Said Jalili, a former Iranian negotiator, is not part of this process.",
    ],
)
def test_countries_as_subjects_are_not_descriptors(text: str) -> None:
    assert check(text) == []


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("The chair noted that the discussion would continue.", "The chair"),
        ("The session chair reminded participants of the Rule.", "The session chair"),
        ("The rapporteur asked for comments on the summary.", "The rapporteur"),
        ("The moderator opened the discussion.", "The moderator"),
        ("The first presenter outlined the European view.", "The first presenter"),
        ("The chair's summary listed three points.", "The chair"),
    ],
)
def test_session_roles_warn(text: str, excerpt: str) -> None:
    (finding,) = check(text)
    assert (finding.severity, finding.kind, finding.excerpt) == ("warn", "role", excerpt)


@pytest.mark.parametrize(
    "text",
    [
        "The chair of the High Peace Council called for a ceasefire.",
        "The Speaker of the Wolesi Jirga called for consultation.",
        "An observer might conclude that the process has stalled.",
        "The presentation was followed by questions.",
    ],
)
def test_role_near_misses(text: str) -> None:
    assert check(text) == []


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("In our foreign ministry we assumed otherwise.", "In our foreign ministry"),
        ("At my embassy we saw ceasefires collapse.", "At my embassy"),
        ("My government has made its position clear.", "My government"),
        ("When I was ambassador in Kabul, trust was low.", "I was"),
        ("We in the ministry believed in a ceasefire.", "We in the ministry"),
    ],
)
def test_first_person_institutional_quotes_warn(text: str, excerpt: str) -> None:
    (finding,) = check(text)
    assert (finding.severity, finding.kind, finding.excerpt) == ("warn", "quote", excerpt)


# -- not findings: ordinary words, outsiders ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "There is little hope that the ceasefire will hold.",
        "Participants said the pace of the process has been slow.",
        "Fighters have retreated into the bush.",
        "NG-based fuel imports were cited as an example of connectivity.",
        "Natural gas (NG) could flow through the pipeline.",
        "Negotiating a settlement has been a long process.",
        "Long delays have eroded trust.",
        "Hope remains that negotiations will start this year.",
        "Said differently, the parties need a face-saving formula.",
        "Little progress has been made on violence reduction.",
        "Young Afghans make up the majority of the population.",
        "The talks can resume once both sides agree.",
        "Can the neighbours agree on a common position?",
        "Violence rose sharply after the ceasefire ended.",
        "The Young Turks of the civil service pushed for reform.",
        "The Bush administration's decision still shapes perceptions.",
        "The Bush-era framework still shapes policy.",
        "President Bush declared that the Taliban would be held responsible.",
        "George W. Bush launched the intervention in 2001.",
    ],
)
def test_common_words_that_are_names_are_not_findings(text: str) -> None:
    assert check(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Zalmay Khalilzad's tour of the region could engender cooperation.",
        "Ashraf Ghani Ahmadzai insisted the republic be preserved.",
        "Khaled Hosseini's novels shaped how readers see Afghanistan.",
        "Erna Solberg's government pledged support.",
        "Rashid Dostum's forces clashed with the Taliban.",
        "Mullah Baradar led the Taliban delegation in Doha.",
    ],
)
def test_public_figures_not_on_the_roster_are_not_findings(text: str) -> None:
    assert check(text) == []


def test_months_are_not_names() -> None:
    roster = (RosterEntry("p-may", "Daniel", "May", country="GB"),)
    checker = Checker(roster)
    assert checker.check("The talks may resume in May 2021.") == []
    assert checker.check("Participants said a May deadline was unrealistic.") == []
    assert [f.excerpt for f in checker.check("Mr May noted the UK position.")] == ["Mr May"]


def test_short_names_inside_other_words_and_acronyms() -> None:
    roster = (
        RosterEntry("p-li", "Mingyu", "Li", country="CN"),
        RosterEntry("p-ana", "Ana", "Lima", country="BR"),
    )
    checker = Checker(roster)
    assert checker.check("Li-ion supply chains make Afghan lithium relevant.") == []
    assert checker.check("Lithium (Li) deposits attract interest.") == []
    assert checker.check("The ANA has borne the brunt of the fighting.") == []
    assert checker.check("Analysts expect a slow process.") == []
    assert [f.excerpt for f in checker.check("Li Mingyu said projects stalled.")] == ["Li Mingyu"]


def test_empty_and_name_free_texts() -> None:
    assert check("") == []
    assert check("   \n ") == []
    assert check("The peace process must be Afghan-led and Afghan-owned.") == []


# -- on-record consent -----------------------------------------------------------------------


def test_allowed_person_is_not_a_finding_but_others_are() -> None:
    text = "H.E. Dr. Khalid Said spoke on the record; Dr Rahimi added that the truce is fragile."
    findings = check(text, allowed_person_ids=frozenset({"p-said"}))
    assert [f.excerpt for f in findings] == ["Dr Rahimi"]


def test_shared_term_is_allowed_only_when_every_holder_is() -> None:
    text = "Said argued that the Doha office would stay open."
    assert excerpts(text, "block") == ["Said"]
    assert check(text, allowed_person_ids=frozenset({"p-said"})) != []
    assert check(text, allowed_person_ids=frozenset({"p-moradi"})) != []
    assert check(text, allowed_person_ids=frozenset({"p-said", "p-moradi"})) == []


def test_full_name_of_allowed_person_does_not_leak_a_shared_part() -> None:
    text = "Khalid Said argued that Doha would remain a venue."
    assert check(text, allowed_person_ids=frozenset({"p-said"})) == []


def test_allowed_person_position_and_shared_position() -> None:
    text = "The former Deputy Foreign Minister argued for a neutral venue."
    assert kinds(text, allowed_person_ids=frozenset({"p-rahimi"})) == {("warn", "position")}
    assert check(text, allowed_person_ids=frozenset({"p-rahimi", "p-hosseini"})) == []
    # Only the Afghan holder is meant: allowing her is enough.
    text = "The former Afghan deputy foreign minister argued for a neutral venue."
    assert check(text, allowed_person_ids=frozenset({"p-rahimi"})) == []


def test_allowed_affiliation_shared_with_someone_else() -> None:
    text = "API researchers polled Afghan opinion."
    assert check(text, allowed_person_ids=frozenset({"p-little"})) != []
    assert check(text, allowed_person_ids=frozenset({"p-little", "p-young"})) == []


def test_allowed_ids_accept_any_collection() -> None:
    text = "Dr Farida Rahimi opened the session."
    assert check(text, allowed_person_ids=["p-rahimi"]) == []  # type: ignore[arg-type]
    assert check(text, allowed_person_ids={"p-rahimi"}) == []  # type: ignore[arg-type]


def test_role_holders_allowed() -> None:
    text = "The chair noted that the discussion would continue."
    assert check(text, allowed_person_ids=frozenset({"p-rahimi"})) == []
    assert check(text, allowed_person_ids=frozenset({"p-said"})) != []


# -- stable codes, ordering, no person data ------------------------------------------------

MIXED = (
    "Dr Rahimi and the Turkish discussant disagreed; in our foreign ministry we saw it "
    "differently, the chair noted, and Mueller\u2019s paper on CCHS data was cited by the former "
    "deputy minister of foreign affairs."
)


def test_findings_are_sorted_and_codes_are_stable() -> None:
    first = check(MIXED)
    again = Checker(ROSTER).check(MIXED)
    assert first == again
    assert [f.start for f in first] == sorted(f.start for f in first)
    assert {f.kind for f in first} == {
        "name",
        "affiliation",
        "position",
        "role",
        "descriptor",
        "quote",
    }
    assert [f.code for f in first] == [
        "name:rahimi",
        "descriptor:turkish-discussant",
        "quote:in-our-foreign-ministry",
        "role:chair",
        "name:mueller",
        "affiliation:cchs",
        "position:former-deputy-minister-of-foreign-affairs",
    ]


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


def test_findings_hold_nothing_but_the_excerpt() -> None:
    texts = [
        MIXED,
        "Husseini argued that Tehran's engagement is pragmatic.",
        "Abu Faisal and Dr Ng disagreed.",
        "Ahmad Shah Karimi said connectivity matters.",
    ]
    roster_strings = {p.person_id for p in ROSTER}
    for text in texts:
        for f in check(text):
            assert f.excerpt == text[f.start : f.end]
            assert f.message in GENERIC_MESSAGES
            kind, _, body = f.code.partition(":")
            assert kind == f.kind
            assert set(body.split("-")) <= set(re.findall(r"[^\W_]+", _fold(f.excerpt)))
            for value in f.as_dict().values():
                assert str(value) not in roster_strings
                assert not any(pid in str(value) for pid in roster_strings)


def test_spelling_variant_does_not_reveal_the_roster_spelling() -> None:
    (finding,) = check("Husseini argued that engagement is pragmatic.")
    assert "Hosseini" not in str(finding.as_dict())
    assert finding.code == "name:husseini"


def test_checker_for_caches_per_roster() -> None:
    a = checker_for(ROSTER)
    assert checker_for(ROSTER) is a
    assert checker_for(tuple(ROSTER)) is a
    changed = (*ROSTER[:-1], RosterEntry("p-new", "Nadia", "Noor", country="AF"))
    b = checker_for(changed)
    assert b is not a
    assert [f.excerpt for f in b.check("Noor argued for patience.")] == ["Noor"]
    assert a.check("Noor argued for patience.") == []


def test_empty_roster_identifies_nobody() -> None:
    text = "Farida Rahimi, the chair and the Turkish discussant said so in our ministry."
    assert Checker(()).check(text) == []
