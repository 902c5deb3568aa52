# ruff: noqa: RUF001  (the corpus spells names with the letters real text uses)
"""Write the guard's second labelled corpus: many cultures, every disguise, nasty clean prose.

Run with ``python -m bench.checker_corpus``. Deterministic (seeded). It writes two files in
``tests/confidentiality/``:

* ``corpus_guard_tune.json`` -- the part the checker was tuned on;
* ``corpus_guard_valid.json`` -- a validation part, split **by person** (the disguised names
  of half the roster never appear in the tuning part) and by alternate clean sentence, used
  only to see whether a rule tuned on the first part generalises.

Both share one directory of 30 fictional people (Afghan, Iranian, Arab, Central Asian,
Pakistani, Turkish, Russian and European names; several family names are also English words
or place names: Young-like traps such as Fisher, Hill, Ward, Baker, Wardak). Leak items are
rapporteur notes in which a name, affiliation, acronym, e-mail or full position is disguised
in one of the classes of issue 15 and 18.3; clean items are policy prose full of ordinary
words spelled like the roster's names, place names, titles without names, public figures and
common acronyms (UN, EU, NGO, UNAMA, SCO ...), which must not block.

This is *not* the coordinator's held-out corpus (``heldout.json``), which the checker's author
never reads.
"""

from __future__ import annotations

import random
from typing import Any

from bench.corpus_items import HERE, SplitItems, write_corpus

SEED = 1503


def _p(
    pid: str,
    hon: str | None,
    given: str,
    family: str,
    position: str,
    affiliation: str | None,
    acronym: str | None,
    country: str,
    email: str | None = None,
    aliases: tuple[str, ...] = (),
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "person_id": pid,
        "given_name": given,
        "family_name": family,
        "position": position,
        "affiliation": affiliation,
        "affiliation_acronym": acronym,
        "country": country,
    }
    if hon:
        out["honorific"] = hon
    if email:
        out["email"] = email
    if aliases:
        out["aliases"] = list(aliases)
    return out


ROSTER: list[dict[str, Any]] = [
    # Afghan
    _p(
        "noorzai",
        "Dr.",
        "Farida",
        "Noorzai",
        "Senior Adviser on Water Diplomacy",
        "Kabul Institute for Peace Studies",
        "KIPS",
        "AF",
        "f.noorzai@kips.af",
        ("فریده نورزی",),
    ),
    _p(
        "wardak",
        "Mr.",
        "Naseer Ahmad",
        "Wardak",
        "Former Deputy Minister of Rural Rehabilitation and Development",
        "Afghan Civil Society Forum",
        "ACSF",
        "AF",
    ),
    _p(
        "stanikzai",
        "Ms.",
        "Mariam",
        "Stanikzai",
        "Programme Director",
        "Herat Women's Peace Network",
        "HWPN",
        "AF",
        "mariam.s@hwpn.org",
    ),
    _p(
        "popal",
        "Eng.",
        "Abdul Qadir",
        "Popalzai",
        "Chief Hydrologist",
        "Helmand Basin Authority",
        None,
        "AF",
    ),
    # Iranian
    _p(
        "ghaffari",
        "Dr.",
        "Shirin",
        "Ghaffari",
        "Associate Professor of International Law",
        "Isfahan Centre for Middle East Studies",
        "ICMES",
        "IR",
        "ghaffari@icmes.ac.ir",
        ("شیرین غفاری",),
    ),
    _p(
        "mohammadi",
        "Prof.",
        "Reza",
        "Mohammadi-Nejad",
        "Dean of the Faculty of Economics",
        "University of Mashhad",
        None,
        "IR",
    ),
    _p(
        "tabatabaei",
        "Dr.",
        "Mahmoud",
        "Tabatabaei",
        "Special Representative for Afghan Refugees and Border Affairs",
        "Ministry of Interior of Iran",
        None,
        "IR",
    ),
    # Arab
    _p(
        "harthy",
        "H.E. Sheikh",
        "Khalid",
        "bin Saeed Al-Harthy",
        "Ambassador-at-Large",
        "Oman Foreign Ministry",
        None,
        "OM",
        None,
        ("خالد بن سعيد الحارثي",),
    ),
    _p(
        "abdelfattah",
        "Dr.",
        "Layla",
        "Abdel-Fattah",
        "Director of Research",
        "Cairo Centre for Strategic Dialogue",
        "CCSD",
        "EG",
        "l.abdelfattah@ccsd.org.eg",
    ),
    _p(
        "nuaimi",
        "Dr.",
        "Faisal",
        "Al-Nuaimi",
        "Senior Fellow",
        "Doha Forum for Conflict Mediation",
        "DFCM",
        "QA",
    ),
    _p(
        "haddad",
        "Ms.",
        "Rania",
        "Haddad",
        "Humanitarian Coordinator",
        "Levant Relief Alliance",
        "LRA",
        "JO",
    ),
    # Central Asian
    _p(
        "yusupova",
        "Dr.",
        "Dilnoza",
        "Yusupova",
        "Head of the Water Security Programme",
        "Tashkent Institute for Regional Security",
        "TIRES",
        "UZ",
        "d.yusupova@tires.uz",
    ),
    _p(
        "abdrakhmanov",
        "Mr.",
        "Bakhtiyar",
        "Abdrakhmanov",
        "Deputy Foreign Minister",
        "Ministry of Foreign Affairs of Kazakhstan",
        None,
        "KZ",
    ),
    _p(
        "sharipov",
        "Dr.",
        "Rustam",
        "Sharipov",
        "First Deputy Minister of Energy and Water Resources",
        "Dushanbe Energy Policy Centre",
        "DEPC",
        "TJ",
        "r.sharipov@depc.tj",
    ),
    _p(
        "ataeva",
        "Ms.",
        "Ogulgerek",
        "Atayeva",
        "Researcher",
        "Ashgabat Caspian Studies Group",
        "ACSG",
        "TM",
    ),
    _p(
        "osmonov",
        "Mr.",
        "Azamat",
        "Osmonov",
        "Chairman of the Board",
        "Bishkek Water and Land Council",
        "BWLC",
        "KG",
    ),
    # Pakistani
    _p(
        "chaudhry",
        "Dr.",
        "Bilal",
        "Chaudhry",
        "Senior Research Fellow",
        "Islamabad Policy Research Institute",
        "IPRI",
        "PK",
        "bilal.chaudhry@ipri.pk",
    ),
    _p("baig", "Ms.", "Hina", "Baig", "Journalist", "Dawn Media Group", None, "PK"),
    _p(
        "mehsud",
        "Brig. (retd)",
        "Tariq",
        "Mehsud",
        "Former Commander of the Frontier Corps",
        "Peshawar Security Dialogue",
        "PSD",
        "PK",
    ),
    # Turkish, Russian
    _p(
        "yilmaz",
        "Dr.",
        "Elif",
        "Yılmaz",
        "Senior Analyst",
        "Ankara Centre for Eurasian Research",
        "ACER",
        "TR",
        "elif.yilmaz@acer.org.tr",
    ),
    _p(
        "volkov",
        "Dr.",
        "Sergei",
        "Volkov",
        "Leading Researcher",
        "Moscow Institute of Oriental Studies",
        "MIOS",
        "RU",
    ),
    # European (several family names are ordinary English words)
    _p(
        "fisher",
        "Dr.",
        "Claire",
        "Fisher",
        "Senior Programme Manager",
        "Westminster Peace Initiative",
        "WPI",
        "GB",
        "claire.fisher@wpi.org.uk",
    ),
    _p(
        "hill", "Prof.", "Emma", "Hill", "Professor of Hydrology", "University of Leeds", None, "GB"
    ),
    _p(
        "ward",
        "Mr.",
        "Mark",
        "Ward",
        "Special Envoy for Afghan Water and Border Cooperation",
        "European External Action Service",
        "EEAS",
        "IE",
    ),
    _p(
        "baker",
        "Dr.",
        "Thomas",
        "Baker",
        "Director",
        "Geneva Centre for Dialogue Practice",
        "GCDP",
        "CH",
    ),
    _p(
        "marchand",
        "Dr.",
        "Sophie",
        "Marchand",
        "Chargée de mission",
        "Institut d'études de la paix",
        "IEP",
        "FR",
    ),
    _p(
        "eriksen",
        "Mr.",
        "Lars",
        "Eriksen",
        "Senior Adviser",
        "Oslo Mediation Centre",
        "OMC",
        "NO",
        "lars.eriksen@omc.no",
    ),
    _p(
        "mueller",
        "Prof.",
        "Heinz",
        "Müller",
        "Chair of Conflict Studies",
        "Berlin Institute for Security Policy",
        "BISP",
        "DE",
    ),
    _p(
        "kowalczyk",
        "Dr.",
        "Anna",
        "Kowalczyk",
        "Analyst",
        "Warsaw Centre for Eastern Studies",
        "WCES",
        "PL",
    ),
    _p(
        "long",
        "Dr.",
        "Grace",
        "Long",
        "Senior Lecturer in Peace Studies",
        "University of Bradford",
        None,
        "GB",
    ),
]

# Validation people: their disguised names are never in the tuning part.
VALID = frozenset(
    {
        "stanikzai",
        "tabatabaei",
        "nuaimi",
        "haddad",
        "sharipov",
        "osmonov",
        "baig",
        "volkov",
        "hill",
        "baker",
        "kowalczyk",
        "eriksen",
        "popal",
        "ataeva",
    }
)
BY_ID = {p["person_id"]: p for p in ROSTER}


def _family(pid: str) -> str:
    """The family name as notes write it alone: the last part ("Al-Harthy", "Mohammadi-Nejad")."""
    fam = BY_ID[pid]["family_name"]
    return fam.split()[-1]


def _full(pid: str) -> str:
    p = BY_ID[pid]
    return f"{p['given_name']} {p['family_name']}"


# Family names that are not ordinary words: the disguise classes apply to them.
DISTINCT = [
    "noorzai",
    "wardak",
    "stanikzai",
    "popal",
    "ghaffari",
    "mohammadi",
    "tabatabaei",
    "harthy",
    "abdelfattah",
    "nuaimi",
    "haddad",
    "yusupova",
    "abdrakhmanov",
    "sharipov",
    "ataeva",
    "osmonov",
    "chaudhry",
    "mehsud",
    "yilmaz",
    "volkov",
    "marchand",
    "eriksen",
    "mueller",
    "kowalczyk",
]
WORDLIKE = ["fisher", "hill", "ward", "baker", "long", "baig"]

SENTENCES = (
    "{N} argued that the water-sharing treaty must be renegotiated before the dry season.",
    "According to {N}, the border markets could reopen if customs fees were aligned.",
    "{N} warned that returnees from Iran and Pakistan would overwhelm the provincial services.",
    "The proposal by {N} for a joint hydrological commission received broad support.",
    "In the second round {N} asked whether the railway could be insulated from politics.",
    "{N} noted that remittances are now the largest source of income in the border districts.",
    "Several participants agreed with {N} that the drought will shape the next decade.",
    "{N} said that women's access to education remains the main test for engagement.",
    "A question from {N} on sequencing prompted a long exchange.",
    "{N} was sceptical that the regional contact group could agree on a common text.",
    "It was {N} who first raised the question of frozen central bank assets.",
    "Responding to {N}, another participant defended the humanitarian exemption.",
)
AFF_SENTENCES = (
    "A study by the {A} found that transit fees fell by a third after the agreement.",
    "Researchers at the {A} have mapped the smuggling routes across the border.",
    "The {A} proposed a ministerial meeting before the end of the year.",
    "It was suggested that the {A} could host the next round of technical talks.",
    "Data from the {A} show that groundwater levels fell by two metres.",
    "Colleagues from the {A} circulated a non-paper on the corridor.",
)

LOOKALIKE = {
    "a": "\u0430",
    "e": "\u0435",
    "o": "\u043e",
    "p": "\u0440",
    "c": "\u0441",
    "x": "\u0445",
    "i": "\u0456",
    "y": "\u0443",
    "K": "\u041a",
    "H": "\u041d",
    "M": "\u041c",
    "T": "\u0422",
    "O": "\u039f",
    "A": "\u0391",
    "N": "\u039d",
    "B": "\u0392",
    "E": "\u0395",
    "S": "\u0405",
    "s": "\u0455",
    "j": "\u0458",
    "h": "\u04bb",
    "d": "\u0501",
    "l": "\u04cf",
    "r": "\u0433",
}


def _map(text: str, upper: int, lower: int) -> str:
    return "".join(
        chr(upper + ord(c) - 65)
        if "A" <= c <= "Z"
        else chr(lower + ord(c) - 97)
        if "a" <= c <= "z"
        else c
        for c in text
    )


def _ascii(word: str) -> str:
    return word.replace("ı", "i").replace("ü", "u")


def invisible(rng: random.Random, pid: str) -> list[str]:
    fam = _family(pid)
    k = rng.randint(2, max(2, len(fam) - 2))
    a, b = fam[:k], fam[k:]
    return [
        a + "\u200b" + b,
        a + "\u00ad" + b,
        a + "&shy;" + b,
        "\u200b".join(fam),
        a + "\u2063" + b,
        a + "\u180e" + b,
        a + "\ufeff" + b,
        _full(pid).replace(" ", "\u00a0"),
        _full(pid).replace(" ", "\u2009"),
        a + "\u034f" + b,
    ]


def lookalike(rng: random.Random, pid: str) -> list[str]:
    fam = _family(pid)
    return [
        "".join(LOOKALIKE.get(c, c) if i % 2 else c for i, c in enumerate(fam)),
        "".join(LOOKALIKE.get(c, c) for c in fam),
        "".join(LOOKALIKE.get(c, c) if i == len(fam) - 2 else c for i, c in enumerate(fam)),
        fam.replace("o", "0", 1) if "o" in fam else fam.replace("a", "@", 1),
        fam[:1] + fam[1:].replace("i", "1", 1).replace("l", "1", 1),
    ]


def compatibility(rng: random.Random, pid: str) -> list[str]:
    fam = _ascii(_family(pid))
    return [
        _map(fam, 0x1D400, 0x1D41A),
        _map(fam, 0x1D56C, 0x1D586),  # bold fraktur
        _map(fam, 0x1D5D4, 0x1D5EE),  # sans bold
        _map(fam, 0x1D670, 0x1D68A),
        _map(fam, 0xFF21, 0xFF41),
        _map(fam.upper(), 0x1F130, 0x1F130),  # squared capitals
        _map(fam, 0x24B6, 0x24D0),
        _map(fam.upper(), 0x1F150, 0x1F150),  # negative circled
        fam[:2] + _map(fam[2:], 0xFF21, 0xFF41),
    ]


def bidi(rng: random.Random, pid: str) -> list[str]:
    fam = _family(pid)
    k = len(fam) // 2
    return [
        "\u202e" + fam[::-1] + "\u202c",
        "\u2067" + fam + "\u2069",
        fam[:k] + "\u200e" + fam[k:],
        "\u202d" + fam + "\u202c",
        "\u2068" + _full(pid) + "\u2069",
        fam[:k] + "\u2066" + fam[k:] + "\u2069",
        "\u202e" + _full(pid)[::-1] + "\u202c",
        "\u061c" + fam,
        fam[:k] + "\u202e\u202c" + fam[k:],
    ]


def linebreak(rng: random.Random, pid: str) -> list[str]:
    fam = _family(pid)
    k = rng.randint(2, max(2, len(fam) - 2))
    a, b = fam[:k], fam[k:]
    given = BY_ID[pid]["given_name"]
    return [
        a + "-\n" + b,
        a + "-\r\n" + b,
        a + " -\n" + b,
        a + "-  \n\t" + b,
        a + "\u2010\n" + b,
        a + "\u00ad\r\n" + b,
        a + "-\u2028" + b,
        a + "=\n" + b,
        given + "\n" + BY_ID[pid]["family_name"],
        given + "\r\n" + BY_ID[pid]["family_name"],
        a + "\u2011\n" + b,
        a + "-\n\n" + b,
    ]


MISSPELLINGS: dict[str, list[str]] = {
    "noorzai": [
        "Noorzay",
        "Nurzai",
        "Noorzaei",
        "Noorzia",
        "Norzai",
        "Noorzai's",
        "Noorzais",
        "Fareeda Noorzai",
        "Noorzaii",
        "noorzai",
    ],
    "wardak": ["Wardag", "Wardack", "Wardaks", "Nasir Ahmad Wardak", "Wardak's"],
    "stanikzai": [
        "Stanekzai",
        "Stanakzai",
        "Stanikzay",
        "Staniczai",
        "Maryam Stanikzai",
        "Stanikzia",
        "stanikzai",
    ],
    "popal": ["Popalzay", "Popalzei", "Popolzai", "Abdulqadir Popalzai", "Popalzais"],
    "ghaffari": [
        "Ghafari",
        "Gaffari",
        "Qaffari",
        "Ghaffary",
        "Shireen Ghaffari",
        "Ghaffaris",
        "Gahffari",
        "ghaffari",
    ],
    "mohammadi": [
        "Mohammadi Nejad",
        "Mohamadi-Nejad",
        "Muhammadi-Nejad",
        "Mohammadinejad",
        "Mohammadi-Nezhad",
    ],
    "tabatabaei": [
        "Tabatabai",
        "Tabatabaie",
        "Tabatabaee",
        "Tabatabayi",
        "Tabatbaei",
        "Mahmud Tabatabaei",
        "Tabatabaeis",
    ],
    "harthy": [
        "Al-Harthi",
        "al Harthy",
        "Alharthy",
        "El-Harthy",
        "Al-Harithy",
        "Harthy's",
        "Khaled bin Saeed",
        "bin Said Al-Harthy",
    ],
    "abdelfattah": [
        "Abdel Fattah",
        "Abd el-Fattah",
        "Abdelfatah",
        "Abdul-Fattah",
        "Leila Abdel-Fattah",
        "Abdel-Fatah",
    ],
    "nuaimi": ["Al-Nuaymi", "Al-Noaimi", "Al Nuami", "Alnuaimi", "Nuaimi's", "Faysal Al-Nuaimi"],
    "haddad": ["Hadad", "Haddadd", "Rania Hadad", "Haddads"],
    "yusupova": [
        "Yusupowa",
        "Yussupova",
        "Jusupova",
        "Yousupova",
        "Usupova",
        "Yusopova",
        "Dilnoza Yusupova's",
        "Yusupovas",
    ],
    "abdrakhmanov": [
        "Abdrahmanov",
        "Abdrakmanov",
        "Abdurakhmanov",
        "Abdrakhmanow",
        "Bakhtiar Abdrakhmanov",
        "Abdrachmanov",
    ],
    "sharipov": ["Sharipow", "Sharypov", "Shaippov", "Sharipovs", "Sharipov's", "Sharifov"],
    "ataeva": ["Ataeva", "Atayewa", "Ataewa", "Atajeva", "Atayevas"],
    "osmonov": ["Osmanov", "Usmonov", "Osmonow", "Osmonovs", "Azamat Osmanov"],
    "chaudhry": [
        "Chaudhary",
        "Chaudhri",
        "Choudhry",
        "Chowdhury",
        "Chaudry",
        "Chaudhrys",
        "chaudhry",
    ],
    "mehsud": ["Mahsud", "Mehsood", "Mahsood", "Mehsuds", "Tariq Mahsud"],
    "yilmaz": ["Yilmaz", "Yilmas", "Yılmazs", "Yilmaz's", "Yylmaz"],
    "volkov": ["Volkow", "Wolkow", "Volkoff", "Volkovs", "Sergey Volkov"],
    "marchand": ["Marchant", "Marchands", "Marchnad", "Marhcand"],
    "eriksen": ["Eriksson", "Ericksen", "Erikson", "Eriksens", "Erichsen"],
    "mueller": ["Mueller", "Muller", "Möller", "Muellers", "Heinz Mueller"],
    "kowalczyk": ["Kowalcyk", "Kowalczik", "Kovalczyk", "Kowalchyk", "Kowalczyks"],
}
TRANSLITERATIONS: dict[str, list[str]] = {
    "noorzai": ["Nūrzay", "Нурзай", "Nūrzā'ī"],
    "ghaffari": ["Ghaffārī", "Ġaffārī", "Гаффари"],
    "tabatabaei": ["Ṭabāṭabā'ī", "Tabātabā'i", "Табатабаи"],
    "harthy": ["al-Ḥārithī", "al-Ḥarthī", "аль-Харси"],
    "abdelfattah": ["ʿAbd al-Fattāḥ", "Abd al-Fattah"],
    "yusupova": ["Юсупова", "Yūsupova", "Ýusupowa"],
    "abdrakhmanov": ["Абдрахманов", "Äbdirahmanov"],
    "sharipov": ["Шарипов", "Šaripov", "Sharifov"],
    "osmonov": ["Осмонов", "Osmonov"],
    "chaudhry": ["Chaudhrī", "Čaudhrī", "Чаудхри"],
    "volkov": ["Волков", "Volkov"],
    "yilmaz": ["Йылмаз", "YILMAZ"],
    "ataeva": ["Атаева", "Ataýewa"],
    "mehsud": ["Maḥsūd", "Маҳсуд"],
    "kowalczyk": ["Ковальчик", "Kovalchik"],
    "stanikzai": ["Stānikzay", "Станикзай"],
}
# Note formats: every family name, ordinary word or not (that is the point of the class).
NOTE_TEMPLATES = (
    "{F}: the treaty must be renegotiated before the dry season.",
    "({F}) asked whether the railway could be insulated from politics.",
    "{F}, a discussant, noted that remittances are the main income.",
    "{U}: sanctions relief should be sequenced.",
    "- {F}: returnees will overwhelm provincial services.",
    "* {F} -- doubts about the contact group.",
    "Q ({F}): who pays for the monitoring?",
    "{F} (Q&A): the customs fees must be aligned first.",
    "[{F}] the basin commission has no budget.",
    "{U} SAID THE HOTLINES WERE NOT ENOUGH.",
    "Per {F}, the tariffs should be harmonised.",
    "{F} \u2013 the ministerial track is stalled.",
    "{L}: the corridor must stay open.",
    "Response from {F}: the aid figures are inflated.",
    "{F} replied that the figures were wrong.",
    "1. {F}: women's education first.",
    "{F}/{F2}: disagreement on sequencing.",
    "Comment ({F}, {A}): the data are old.",
    "{F} >> the numbers do not add up.",
    "Speaker 2 ({F}) said the drought is worsening.",
    "{F} \u2014 responded to the question on refugees.",
    "{F} intervened twice on the border markets.",
    "As {F} put it, the talks are stuck between two capitals.",
    "{F}'s point on water was widely shared.",
    "{F} had a different view on the railway.",
    "Chair: {F}. Rapporteur: {F2}.",
    "Interventions: {F}, {F2}.",
    "Points raised in the second round\n-- {F}",
    "{F} (session 2) said the drought is worsening.",
    "{F} pushed back on the sequencing.",
    "{F} made the case for a regional fund.",
)
ACRONYM_FORMS = (
    "{D}",
    "{S}",
    "{H}",
    "{X}",
    "{X}'s",
    "{X}-led",
    "({X})",
    "{lower}",
    "{X}s",
    "{X}/{Y}",
    "{Dn}",
    "the {X} team",
)
ACRONYM_SENTENCES = (
    "A note by {A} was circulated before the meeting.",
    "The figures in the {A} paper were disputed.",
    "Several speakers cited work by {A} on the corridor.",
    "Colleagues from {A} argued for a slower timetable.",
)
AFFILIATION_VARIANTS: dict[str, list[str]] = {
    "noorzai": [
        "Kabul Institute of Peace Studies",
        "Kabul Inst. for Peace Studies",
        "Peace Studies Institute in Kabul",
        "Kabul Peace Studies Institute",
    ],
    "wardak": [
        "Afghan Civil Society Forum",
        "Civil Society Forum of Afghanistan",
        "Afghanistan Civil Society Forum",
    ],
    "stanikzai": [
        "Herat Women Peace Network",
        "Herat Women's Network for Peace",
        "Women's Peace Network in Herat",
    ],
    "ghaffari": [
        "Isfahan Center for Middle East Studies",
        "Isfahan Ctr. for Middle East Studies",
        "Middle East Studies Centre, Isfahan",
    ],
    "tabatabaei": [
        "Iranian Ministry of Interior",
        "Interior Ministry of Iran",
        "Iran's Ministry of Interior",
    ],
    "harthy": ["Omani Foreign Ministry", "Foreign Ministry of Oman", "Oman MFA"],
    "abdelfattah": [
        "Cairo Center for Strategic Dialogue",
        "Cairo Centre of Strategic Dialog",
        "Strategic Dialogue Centre in Cairo",
    ],
    "nuaimi": ["Doha Forum on Conflict Mediation", "Doha Forum for Conflict Mediation"],
    "haddad": ["Levant Relief Alliance", "Levantine Relief Alliance"],
    "yusupova": [
        "Tashkent Inst. for Regional Security",
        "Tashkent Institute of Regional Security",
        "Regional Security Institute in Tashkent",
    ],
    "abdrakhmanov": [
        "Kazakh Foreign Ministry",
        "Kazakhstan's Ministry of Foreign Affairs",
        "Kazakh Ministry of Foreign Affairs",
    ],
    "sharipov": ["Dushanbe Energy Policy Center", "Energy Policy Centre in Dushanbe"],
    "osmonov": ["Bishkek Water & Land Council", "Bishkek Council on Water and Land"],
    "chaudhry": ["Islamabad Policy Research Inst.", "Islamabad Policy Research Institute"],
    "mehsud": ["Peshawar Security Dialogue", "Peshawar Dialogue on Security"],
    "yilmaz": ["Ankara Center for Eurasian Research", "Ankara Centre for Eurasian Studies"],
    "volkov": ["Moscow Inst. of Oriental Studies", "Institute of Oriental Studies in Moscow"],
    "fisher": ["Westminster Peace Initiative", "Westminster Initiative for Peace"],
    "ward": ["European External Action Service", "EU External Action Service"],
    "baker": ["Geneva Center for Dialogue Practice", "Geneva Centre for the Practice of Dialogue"],
    "eriksen": ["Oslo Mediation Center", "Oslo Centre for Mediation"],
    "mueller": ["Berlin Institute for Security Policy", "Berlin Inst. of Security Policy"],
    "kowalczyk": ["Warsaw Center for Eastern Studies", "Centre for Eastern Studies in Warsaw"],
}
POSITION_TEMPLATES = (
    "The {P} said the sea lanes matter.",
    "According to the {P}, the talks help.",
    "As the {P} put it, aid is leverage.",
    "{P} (session 2): the border markets must reopen.",
    "The then {P} recalled the first round.",
    "A point from the {P} on returnees was noted.",
)
POSITION_VARIANTS: dict[str, list[str]] = {
    "noorzai": [
        "Senior Adviser on Water Diplomacy",
        "senior adviser on water diplomacy",
        "Senior Advisor on Water Diplomacy",
    ],
    "wardak": [
        "Former Deputy Minister of Rural Rehabilitation and Development",
        "former deputy minister for rural rehabilitation and development",
        "ex-Deputy Minister of Rural Development and Rehabilitation",
    ],
    "tabatabaei": [
        "Special Representative for Afghan Refugees and Border Affairs",
        "special representative for Afghan refugees and border affairs",
        "Special Rep. for Afghan Refugees and Border Affairs",
        "Special Representative on Afghan Refugees and Border Affairs",
    ],
    "mohammadi": ["Dean of the Faculty of Economics", "dean of the economics faculty"],
    "yusupova": ["Head of the Water Security Programme", "head of the water security program"],
    "sharipov": [
        "First Deputy Minister of Energy and Water Resources",
        "first deputy minister of energy and water resources",
        "First Deputy Minister for Water Resources and Energy",
    ],
    "ward": [
        "Special Envoy for Afghan Water and Border Cooperation",
        "special envoy for Afghan water and border cooperation",
        "Special Envoy on Afghan Water and Border Cooperation",
    ],
    "mehsud": [
        "Former Commander of the Frontier Corps",
        "former commander of the Frontier Corps",
        "ex-Commander of the Frontier Corps",
    ],
    "ghaffari": [
        "Associate Professor of International Law",
        "associate professor of international law",
    ],
    "hill": ["Professor of Hydrology", "professor of hydrology"],
    "long": ["Senior Lecturer in Peace Studies", "senior lecturer in peace studies"],
    "mueller": ["Chair of Conflict Studies", "chair of conflict studies"],
}
# Arabic-script notes (Arabic, Dari, Pashto): names as a translator writes them.
ARABIC: dict[str, list[str]] = {
    "noorzai": [
        "قالت نورزی إن المعاهدة يجب أن تراجع.",
        "نورزي گفت که معاهده باید بازنگری شود.",
        "فریده نورزی د اوبو په اړه خبرې وکړې.",
        "وأكدت الدكتورة نورزاي أهمية المياه.",
    ],
    "ghaffari": [
        "قالت غفاري إن القانون الدولي واضح.",
        "غفاری گفت که حقوق بین‌الملل روشن است.",
        "شیرین غفاری تاکید کرد.",
        "وأشارت غفّاري إلى الحدود.",
    ],
    "harthy": [
        "قال الحارثي إن الحوار ضروري.",
        "وبحسب خالد الحارثي فإن الممر مهم.",
        "الشيخ خالد بن سعيد الحارثي افتتح الجلسة.",
        "حارثي گفت که گفتگو لازم است.",
    ],
    "yusupova": [
        "قالت يوسوبوفا إن الجفاف يتفاقم.",
        "یوسوپووا گفت که خشکسالی بدتر می‌شود.",
        "دلنوزا یوسوپووا د وچکالۍ خبره وکړه.",
    ],
    "chaudhry": [
        "قال چودهری إن الأرقام قديمة.",
        "وقال شودري إن الأرقام قديمة.",
        "بلال چودھری وویل چې شمېرې زړې دي.",
    ],
    "volkov": [
        "قال فولكوف إن روسيا لن تتدخل.",
        "ولکوف گفت که روسیه دخالت نمی‌کند.",
        "سيرغي فولكوف شكك في الأرقام.",
    ],
    "wardak": [
        "وردک گفت که انکشاف دهات اولویت است.",
        "قال وردك إن التنمية الريفية أولوية.",
        "نصیر احمد وردک خبرې وکړې.",
    ],
    "eriksen": ["قال إريكسن إن الوساطة بطيئة.", "اریکسن گفت که میانجیگری کند است."],
    "sharipov": ["قال شاريبوف إن الطاقة أولوية.", "شریپوف گفت که انرژی اولویت دارد."],
    "tabatabaei": ["قال طباطبائي إن اللاجئين يعودون.", "طباطبایی گفت که پناهجویان بازمی‌گردند."],
    "stanikzai": ["ستانکزی گفت که زنان باید در مذاکرات باشند.", "قالت ستانكزاي إن النساء مهمشات."],
    "mehsud": ["محسود وویل چې پوله باید پرانیستل شي.", "قال محسود إن الحدود يجب أن تفتح."],
    "haddad": ["قالت حداد إن المساعدات غير كافية.", "وأكدت رانيا حداد الحاجة إلى التمويل."],
    "osmonov": ["عثمانوف گفت که آب کم است.", "قال عصمونوف إن المياه شحيحة."],
}
ARABIC_AFF = {
    "noorzai": ["أصدر KIPS دراسة عن المياه.", "معهد كابول لدراسات السلام نشر تقريرا."],
    "chaudhry": ["گزارش IPRI دربارهٔ مرز منتشر شد.", "د IPRI راپور خپور شو."],
    "yusupova": ["قدم T.I.R.E.S. بيانات جديدة."],
}
EMAILS = (
    "Questions can go to {E} before Friday.",
    "Contact {E} for the data set.",
    "The draft was circulated by {E} on Monday.",
    "Write to {EU} for the annex.",
    "Send comments to {E}.",
    "cc: {E}",
)
MARKDOWN_FORMS = (
    "**{a}**{b}",
    "*{a}*{b}",
    "{a}*{b}*",
    "[{a}](https://example.org){b}",
    "{a}&#{c};{b2}",
    "{a}&shy;{b}",
    "`{a}`{b}",
    "~~{a}~~{b}",
    "{a}**{b}**",
    "{a}&#x{h};{b2}",
    "_{F}_",
    "[{F}](#)",
    "![{F}](photo.png)",
    "{a}&zwnj;{b}",
    "{a}[{b}](#)",
    "__{F}__",
    "[the speaker](https://example.org/people/{lf})",
    "# {F}\n\nThe treaty must be renegotiated.",
    "> {F}: the treaty must be renegotiated.",
    "| Speaker | Point |\n|---|---|\n| {F} | treaty |",
    "- **{F}**: the treaty must be renegotiated.",
    "{a}\\*{b}",
    "{a}\n{b}",
    "{a} {b}",
    "{a}<!-- -->{b}",
)

CLEAN: list[str] = [
    # Words spelled like the roster's family names
    "Fisher communities on the lower Amu Darya have lost half their catch.",
    "Fishers and herders in the delta were consulted by the provincial council.",
    "The hill districts of Badakhshan are cut off for five months every winter.",
    "A long ceasefire was seen as the precondition for any return.",
    "Long queues at the Torkham crossing were described by several participants.",
    "Ward councils in Kabul were dissolved after 2021.",
    "The maternity ward of the provincial hospital has no electricity at night.",
    "A baker in Herat was quoted in the press saying bread prices had doubled.",
    "Bakers and grocers in Kandahar have stopped extending credit.",
    "The long-term outlook for the basin is poor, scientists warn.",
    "Hill farming depends on snowmelt that now arrives earlier.",
    "The ward system of local representation was proposed as a model.",
    "Long before the talks began, water was already a security issue.",
    "The head of the ward explained how aid is distributed.",
    "Trout fishers in the Pamirs complained about the new dam.",
    "Fisher folk near the Caspian shore depend on sturgeon quotas.",
    "Baker Street in London hosted a small protest about the evacuations.",
    "A long list of grievances was presented by the women's groups.",
    "Hill tribes along the Durand Line resist any fencing.",
    "Tea and bread from the local baker were offered at the jirga.",
    # Place names (some shared with family names) and geography
    "Wardak province saw heavy fighting in the past and is now calm.",
    "Roads from Maidan Wardak to Kabul were repaired last year.",
    "The Helmand river treaty of 1973 was discussed at length.",
    "Kunduz, Balkh and Jawzjan are the provinces most affected by the canal.",
    "Mazar-i-Sharif remains the main logistics hub of the north.",
    "Trade through Hairatan and Termez doubled in two years.",
    "Peshawar traders fear that the border will close again.",
    "Quetta and Chaman are linked by a road that floods every spring.",
    "The Qosh Tepa canal will divert water from the Amu Darya.",
    "Isfahan and Mashhad host large numbers of Afghan students.",
    "Tashkent has proposed a trans-Afghan railway to Peshawar.",
    "Dushanbe and Bishkek disagree on the release schedule of the reservoirs.",
    "Ashgabat hosted the last summit of the Caspian states.",
    "Islamabad has recalled its ambassador twice this year.",
    "Doha remains the venue of choice for talks with the de facto authorities.",
    "Oslo and Geneva have hosted quiet meetings on humanitarian access.",
    "The Wakhan corridor is the only border Afghanistan shares with China.",
    "Herat's water council met with farmers from the Harirud basin.",
    "The Farah and Nimroz provinces depend on the Helmand.",
    "The Panj river marks the border with Tajikistan.",
    # Titles without names
    "The Special Envoy for Afghanistan of the European Union visited Kabul in May.",
    "The deputy minister in the room was sceptical.",
    "A former ambassador recalled the last round of talks.",
    "The Foreign Minister of Pakistan visited Kabul last month.",
    "The chairman of the board of the water company resigned.",
    "A senior adviser to the government said the numbers were wrong.",
    "The dean of a Kabul faculty described the ban on women's education.",
    "Ministers of energy from the region will meet in the autumn.",
    "The Deputy Minister of Economy of Uzbekistan announced new credit lines.",
    "The head of the UN mission briefed the Security Council.",
    "A professor of hydrology explained the glacier data.",
    "A programme director described the women's shelters.",
    "The Special Representative of the Secretary-General will report in March.",
    "An analyst from a think tank in Ankara spoke about trade.",
    "Senior researchers disagreed on the causes of the drought.",
    "The Commander of the Frontier Corps is appointed by the army chief.",
    # Acronyms that are not the roster's
    "The UN and the EU both fund the returnee programme.",
    "NGOs working in the south have lost a third of their staff.",
    "UNAMA's mandate was renewed for another year.",
    "The SCO and the CSTO were mentioned as possible frameworks.",
    "The ECO trade agreement has never been implemented.",
    "The OIC special envoy met with the de facto authorities.",
    "The IMF and the World Bank have suspended most lending.",
    "The ADB financed the CASA-1000 transmission line.",
    "TAPI pipeline construction has resumed on the Afghan side.",
    "UNHCR and IOM estimate that a million people returned.",
    "The WFP warned of a funding gap for the winter.",
    "ISKP attacks have declined, according to UN reports.",
    "The TTP remains the main security concern of Islamabad.",
    "CPEC projects were discussed as a model for the corridor.",
    "The ICRC and MSF run the only hospitals in some districts.",
    "The GCC states have pledged support for reconstruction.",
    "The OSCE office in Dushanbe trains border guards.",
    "The EU's humanitarian office (ECHO) increased its budget.",
    "An NGO coalition issued a statement on women's rights.",
    "The US and the UK have reopened consular services in Doha.",
    "ICG and USIP published reports on the drought.",
    "FAO figures show wheat production fell by a fifth.",
    "The UNDP's area-based programme covers 20 provinces.",
    "IDPs in camps near Herat need winter supplies.",
    "The G20 statement did not mention Afghanistan.",
    "The NATO withdrawal is still debated in the region.",
    "The ISI and the NDS were described as rivals.",
    "A UNICEF report on girls' schooling was cited.",
    "The OHCHR report on detentions was discussed.",
    "The IPCC scenarios for the Pamirs are alarming.",
    # Public figures and outsiders with names near the roster's
    "Zalmay Khalilzad negotiated the 2020 agreement in Doha.",
    "Ashraf Ghani left the country in August 2021.",
    "Hamid Karzai remains in Kabul.",
    "Abdullah Abdullah led the High Council for National Reconciliation.",
    "Shavkat Mirziyoyev has opened Uzbekistan to regional trade.",
    "Emomali Rahmon has ruled Tajikistan since 1992.",
    "Imran Khan's government had recognised the new reality.",
    "Sergey Lavrov hosted the Moscow format in October.",
    "Josep Borrell called for an inclusive government.",
    "Reza Shah built the first railways in Iran.",
    "Mullah Omar was never seen in public.",
    "Omar Khayyam's verses were quoted at the dinner.",
    "Prophet Yusuf's story was recalled by an elder.",
    "Islam Karimov ruled Uzbekistan until 2016.",
    "Ahmad Shah Massoud's legacy divides the north.",
    "Pervez Musharraf's policies were discussed.",
    "Nursultan Nazarbayev founded the Astana process.",
    "Angela Merkel's government hosted the Bonn conference.",
    "Malala Yousafzai spoke about girls' education.",
    "Heinz ketchup was, oddly, mentioned as a symbol of US aid.",
    "St Thomas's Hospital in London trained some Afghan doctors.",
    "Mark Twain was quoted on lies and statistics.",
    "Grace periods on loans were extended.",
    "Claire de Lune played at the opening reception.",
    "Lars von Trier films were shown at the festival in Herat in 2019.",
    "Emma Watson's UN speech was cited in a session on women.",
    # Ordinary policy prose
    "Participants agreed that the water-sharing treaty must be renegotiated.",
    "The drought has pushed a million people into food insecurity.",
    "Several speakers described the returnees as a burden on host communities.",
    "It was argued that remittances are the largest source of income.",
    "A ministerial meeting before the end of the year was proposed.",
    "Many felt the monitoring mechanism would need a neutral secretariat.",
    "The border markets could reopen if customs fees were aligned.",
    "Women's access to education remains the main test for engagement.",
    "Frozen central bank assets were discussed in the third session.",
    "The humanitarian exemption was defended by most participants.",
    "The regional contact group could not agree on a common text.",
    "A joint hydrological commission was proposed by one participant.",
    "The railway could be insulated from politics, some said.",
    "No agreement was reached on the sequencing of sanctions relief.",
    "There was a long exchange on the sequencing of steps.",
    "One participant said that the talks are stuck between two capitals.",
    "Another participant defended the humanitarian exemption.",
    "The question of recognition was left open.",
    "Most participants preferred a step-by-step approach.",
    "A few warned that the window of opportunity is closing.",
    "The meeting was held online under the Chatham House Rule.",
    "The organisers thanked the partner institutions for their support.",
    "Opium cultivation fell sharply after the ban but may recover.",
    "The de facto authorities have signed a contract for oil extraction.",
    "Electricity imports from Uzbekistan cover most of Kabul's needs.",
    "Farmers in the north are switching to drought-resistant wheat.",
    "The exchange rate has been surprisingly stable.",
    "Teachers have not been paid for three months in some provinces.",
    "Microfinance institutions have almost disappeared.",
    "Participants noted the growing role of China in mining.",
    "Deep Wells And Irrigation In The Northern Provinces",
    "Why Prices Rose After The Border Closed",
    "Long Roads To Peace: Notes From The Third Session",
    "The Hill And The Valley: Water Politics In Badakhshan",
    "Young people in the border towns have few jobs and many grievances.",
    "Prices rose sharply after the border crossing was closed.",
    "The old mills along the river were closed after the drought.",
    "Oil wells in the Amu Darya basin are operated by a Chinese firm.",
    "Water wells in Herat province are drying up.",
    "The well-known dispute over the Helmand has never been settled.",
    "A rose garden in Kabul was restored with Indian funding.",
    "The Baker plan for water was mentioned as a precedent.",
    "Said Jalili, a former Iranian negotiator, was quoted in a press report.",
    "Iranian officials have said they will enforce the treaty.",
    "Pakistani traders complained about the new visa rules.",
    "Uzbek and Turkmen engineers have worked together on the canal.",
    "Tajik and Kyrgyz officials met to discuss the reservoirs.",
    "A Turkish company is building the new terminal.",
    "Russian diplomats attended the Moscow format meeting.",
    "Norwegian funding supports the dialogue in Doha.",
    "The German development bank has paused new projects.",
    "French and Polish diplomats spoke at the EU briefing.",
    "Omani mediation was credited with several prisoner exchanges.",
    "Egyptian scholars have written about the Nile as a comparison.",
    "Qatari officials hosted the latest round in Doha.",
    "A Kazakh delegation visited the northern provinces.",
    "Fishers closed the market in protest.",
    "Wells dried up across the province.",
    "Young educated women in Herat want jobs.",
    "Long queues formed at the bank.",
    "Hill farmers sold their livestock.",
    "The Deputy Minister of Energy of Uzbekistan announced new credit lines.",
    "The current Commander of the Frontier Corps was not present.",
    "Ward 7 of the city has no clinic.",
    "Interventions: none recorded.",
    "Chair: the organisers.",
    "Bakers, butchers and tailors were interviewed.",
    "A rally in Mansoura was mentioned by an Egyptian scholar.",
    "President Mirziyoyev visited Kabul in 2024.",
    "قاتلت شبكة حقاني في الولايات الشرقية.",
    "د حقاني شبکې مشران په کابل کې دي.",
    "زار الرئيس الأوزبكي كابول العام الماضي.",
    "قال وزير الخارجية الباكستاني إن الحدود ستفتح.",
    "افتتح السد الجديد في ولاية هلمند.",
    "وارد کردن گندم از قزاقستان افزایش یافت.",
    "Sirajuddin Haqqani's network was mentioned.",
    "The Volkov family of translators worked in Kabul in the 1980s.",
    "Fisher, Hill and Ward are common surnames in England, one participant joked about name lists.",
]
# Arabic-script prose (Arabic, Dari, Pashto) with no participant in it.
CLEAN += [
    "قال أحد المشاركين إن معاهدة المياه يجب أن تراجع قبل موسم الجفاف.",
    "أشار عدد من المتحدثين إلى أن الأسواق الحدودية قد تفتح من جديد.",
    "ناقش المشاركون دور الأمم المتحدة والاتحاد الأوروبي في المساعدات.",
    "أكدت إحدى المشاركات أن تعليم الفتيات هو الاختبار الأهم.",
    "تحدث المشاركون عن الجفاف في ولايات الشمال وعن نهر آمو داريا.",
    "اقترح أحد الحاضرين إنشاء لجنة مشتركة للمياه.",
    "يعيش آلاف العائدين في مخيمات قرب هرات وقندهار.",
    "يرى بعض الخبراء أن العقوبات تضر بالسكان أكثر من السلطات.",
    "أعلن الحداد في المدينة بعد الهجوم على السوق.",
    "قال سفير سابق إن الجولة الأخيرة من المحادثات فشلت.",
    "یکی از شرکت‌کنندگان گفت که معاهده آب باید بازنگری شود.",
    "چند سخنران گفتند که بازارهای مرزی ممکن است دوباره باز شوند.",
    "شرکت‌کنندگان درباره نقش سازمان ملل و اتحادیه اروپا بحث کردند.",
    "خشکسالی در ولایات شمال زندگی کشاورزان را دشوار کرده است.",
    "بازگشت مهاجران از ایران و پاکستان فشار زیادی بر خدمات وارد کرده است.",
    "یک سفیر پیشین گفت که دور آخر گفتگوها شکست خورد.",
    "د ګډونوالو یوه ډله وویل چې د اوبو تړون باید بیا وکتل شي.",
    "د کډوالو بیرته راستنېدل د ولایتونو خدمتونه ستړي کوي.",
    "د ملګرو ملتونو او اروپايي ټولنې مرستې کمې شوې دي.",
    "د نجونو زده کړه د تعامل تر ټولو مهمه ازموینه ده.",
    "وزارت الخارجية في مسقط أصدر بيانا عن الحوار.",
    "مركز الدراسات الاستراتيجية في الدوحة نشر تقريرا عن الحدود.",
    "قال الشيخ في خطبته إن السلام ممكن.",
    "التقى الوزير بنظيره الباكستاني في إسلام آباد.",
]
# Clean items with a roster family name only because the sentence ends up near (edge of class).
CLEAN = [c for c in CLEAN if "surnames" not in c]


# On-record parts: people who consented are named; the same texts without consent leak.
CONSENT: list[tuple[str, list[str]]] = [
    ("Dr. Farida Noorzai opened the session on water diplomacy.", ["noorzai"]),
    (
        "Dr. Farida Noorzai of the Kabul Institute for Peace Studies (KIPS) opened the session.",
        ["noorzai"],
    ),
    ("H.E. Sheikh Khalid bin Saeed Al-Harthy welcomed the participants.", ["harthy"]),
    ("H.E. Khalid bin Saeed welcomed the participants on the record.", ["harthy"]),
    (
        "The Senior Adviser on Water Diplomacy, Dr. Farida Noorzai, presented the agenda.",
        ["noorzai"],
    ),
    (
        "Mr. Mark Ward, Special Envoy for Afghan Water and Border Cooperation, spoke on the "
        "record.",
        ["ward"],
    ),
    (
        "Dr. Shirin Ghaffari (ICMES) and Dr. Claire Fisher (WPI) gave the opening remarks.",
        ["ghaffari", "fisher"],
    ),
    ("Brig. (retd) Tariq Mehsud chaired the opening part.", ["mehsud"]),
    ("Prof. Heinz Müller of the Berlin Institute for Security Policy spoke first.", ["mueller"]),
    ("افتتحت الدكتورة فريدة نورزي الجلسة.", ["noorzai"]),
    ("Dr. Elif Yılmaz (elif.yilmaz@acer.org.tr) will share the slides.", ["yilmaz"]),
    ("Dr. Grace Long and Dr. Emma Hill presented the glacier data.", ["long", "hill"]),
]


def _acronym_forms(acr: str) -> list[str]:
    forms = []
    for f in ACRONYM_FORMS:
        forms.append(
            f.format(
                D=".".join(acr) + ".",
                Dn=".".join(acr),
                S=" ".join(acr),
                H="-".join(acr),
                X=acr,
                lower=acr.lower(),
                Y="UN",
            )
        )
    return forms


def _markdown_forms(rng: random.Random, pid: str) -> list[str]:
    fam = _family(pid)
    k = rng.randint(2, max(2, len(fam) - 2))
    a, b = fam[:k], fam[k:]
    return [
        f.format(
            a=a,
            b=b,
            b2=b[1:],
            c=ord(b[0]),
            h=format(ord(b[0]), "x"),
            F=fam,
            lf=fam.lower(),
        )
        for f in MARKDOWN_FORMS
    ]


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    rng = random.Random(SEED)
    parts = SplitItems(rng, VALID)
    add = parts.add

    for pid in DISTINCT:
        for cls, maker in (
            ("invisible", invisible),
            ("lookalike", lookalike),
            ("compatibility", compatibility),
            ("bidi", bidi),
            ("linebreak", linebreak),
        ):
            for v in maker(rng, pid):
                add(pid, rng.choice(SENTENCES).format(N=v), "leak", cls)
        for v in _markdown_forms(rng, pid):
            text = rng.choice(SENTENCES).format(N=v) if "\n" not in v and "[the" not in v else v
            if v.startswith(("#", ">", "|", "- ")):
                text = v
            add(pid, text, "leak", "markdown", format="markdown")
    for pid, variants in MISSPELLINGS.items():
        for v in variants:
            add(pid, rng.choice(SENTENCES).format(N=v), "leak", "misspelling")
    for pid, variants in TRANSLITERATIONS.items():
        for v in variants:
            add(pid, rng.choice(SENTENCES).format(N=v), "leak", "transliteration")
    others = list(BY_ID)
    for pid in [*DISTINCT, *WORDLIKE]:
        fam = _family(pid)
        p = BY_ID[pid]
        for t in rng.sample(NOTE_TEMPLATES, 8):
            # The second name comes from the same part (tuning or validation) as the first.
            same_part = [o for o in others if o != pid and (o in VALID) == (pid in VALID)]
            other = _family(rng.choice(same_part))
            text = t.format(
                F=fam,
                U=fam.upper(),
                L=fam.lower(),
                F2=other,
                A=p.get("affiliation_acronym") or "ministry",
            )
            add(pid, text, "leak", "note-format")
    for pid, p in BY_ID.items():
        acr = p.get("affiliation_acronym")
        if acr:
            for form in _acronym_forms(acr):
                add(pid, rng.choice(ACRONYM_SENTENCES).format(A=form), "leak", "acronym")
    for pid, variants in AFFILIATION_VARIANTS.items():
        for v in variants:
            add(pid, rng.choice(AFF_SENTENCES).format(A=v), "leak", "affiliation")
    for pid, variants in POSITION_VARIANTS.items():
        for v in variants:
            for t in rng.sample(POSITION_TEMPLATES, 2):
                text = t.format(P=v)
                # Two words ("Professor of Hydrology") are shared by many: a warning.
                label = "indirect" if pid == "hill" else "leak"
                add(pid, text[0].upper() + text[1:], label, "position")
    for pid, texts in ARABIC.items():
        for text in texts:
            add(pid, text, "leak", "arabic")
    for pid, texts in ARABIC_AFF.items():
        for text in texts:
            add(pid, text, "leak", "arabic")
    for pid, p in BY_ID.items():
        if p.get("email"):
            for t in rng.sample(EMAILS, 2):
                add(pid, t.format(E=p["email"], EU=p["email"].upper()), "leak", "email")
    for text in CLEAN:
        add(None, text, "clean", "clean")
    for text, allowed in CONSENT:
        add(None, text, "clean", "consent", allowed_person_ids=allowed)
        add(None, text, "leak", "consent")
    return {"roster": ROSTER, "items": parts.tune}, {"roster": ROSTER, "items": parts.valid}


def main() -> None:
    tune, valid = build()
    for name, data in (("corpus_guard_tune.json", tune), ("corpus_guard_valid.json", valid)):
        write_corpus(HERE / name, data["roster"], data["items"])


if __name__ == "__main__":
    main()
