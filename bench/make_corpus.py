"""Write the guard's tuning corpus of disguised names (``corpus_caspian.json``).

Run with ``python -m bench.make_corpus``. Deterministic (seeded). The roster is the fictional
"Caspian Dialogue" of issue 15 and a few more people (with e-mail addresses and names in
Arabic script); the items are report-style sentences in which a name, an affiliation, an
acronym, an e-mail address or a full position is disguised the ways real text disguises them
(one class per way), and clean sentences that use ordinary words spelled like family names,
public figures, countries as subjects and the series' own organisers. Each item has a
``label`` (leak, indirect, clean) and a ``class``; ``format: "markdown"`` items are checked
as rendered.

The held-out corpus (``tests/confidentiality/heldout.json``) is written by someone else and is
never read by the checker's author: only its aggregate figures are printed.
"""

from __future__ import annotations

import random
from typing import Any

from bench.corpus_items import HERE, item, write_corpus

OUT = HERE / "corpus_caspian.json"
SEED = 15

ROSTER: list[dict[str, Any]] = [
    {
        "person_id": "karimova",
        "honorific": "Dr.",
        "given_name": "Leyla",
        "family_name": "Karimova",
        "aliases": ["لیلا کریموا"],
        "position": "Senior Fellow",
        "affiliation": "Baku Centre for Strategic Analysis",
        "affiliation_acronym": "BCSA",
        "country": "AZ",
        "email": "leyla.karimova@bcsa.az",
    },
    {
        "person_id": "hosseini",
        "honorific": "Prof.",
        "given_name": "Omid",
        "family_name": "Hosseini",
        "aliases": ["امید حسینی"],
        "position": "Professor of Regional Studies",
        "affiliation": "Tehran Institute for Regional Studies",
        "affiliation_acronym": "TIRS",
        "country": "IR",
        "email": "o.hosseini@tirs.ac.ir",
    },
    {
        "person_id": "young",
        "honorific": "Dr.",
        "given_name": "Paul",
        "family_name": "Young",
        "position": "Director",
        "affiliation": "Nordic Peace Lab",
        "country": "NO",
        "email": "paul.young@nordicpeacelab.no",
    },
    {
        "person_id": "mills",
        "honorific": "Dr.",
        "given_name": "Rachel",
        "family_name": "Mills",
        "position": "Senior Researcher",
        "affiliation": "Atlantic Policy Forum",
        "affiliation_acronym": "APF",
        "country": "GB",
        "email": "rmills@apf.org.uk",
    },
    {
        "person_id": "mansouri",
        "honorific": "H.E. Dr.",
        "given_name": "Yusuf",
        "family_name": "bin Tariq al-Mansouri",
        "aliases": ["يوسف بن طارق المنصوري"],
        "position": "Special Envoy for Regional Dialogue and Maritime Security",
        "affiliation": "Ministry of Foreign Affairs of Oman",
        "country": "OM",
    },
    {
        "person_id": "haqqani",
        "honorific": "Dr.",
        "given_name": "Omar",
        "family_name": "Haqqani",
        "position": "Former Deputy Minister of Economy",
        "affiliation": "Kabul Economic Forum",
        "affiliation_acronym": "KEF",
        "country": "AF",
    },
    {
        "person_id": "wells",
        "given_name": "Hannah",
        "family_name": "Wells",
        "position": "Programme Officer",
        "affiliation": "Caspian Water Initiative",
        "affiliation_acronym": "CWI",
        "country": "KZ",
    },
    {
        "person_id": "rose",
        "given_name": "Daniel",
        "family_name": "Rose",
        "position": "Adviser",
        "affiliation": "Institute of Energy Studies",
        "affiliation_acronym": "IES",
        "country": "US",
    },
    {
        "person_id": "nurlanov",
        "honorific": "Ambassador",
        "given_name": "Timur",
        "family_name": "Nurlanov",
        "position": "Former Ambassador to Iran",
        "affiliation": "Astana Centre for Eurasian Dialogue",
        "affiliation_acronym": "ACED",
        "country": "KZ",
    },
    {
        "person_id": "rahmani",
        "given_name": "Zahra",
        "family_name": "Rahmani",
        "aliases": ["زهرا رحمانی"],
        "position": "Researcher",
        "affiliation": "Herat Water Council",
        "country": "AF",
        "email": "zahra.rahmani@hwc.af",
    },
]
# Omid Hosseini's and Omar Haqqani's sessions differ from the others'; the whole directory
# counts ("people of other sessions").

SENTENCES = (
    "{N} argued that the corridor across the Caspian must stay open to all littoral states.",
    "According to {N}, sanctions relief should be sequenced with confidence-building measures.",
    "{N} warned that incidents at sea could escalate faster than the hotlines can cope.",
    "The proposal by {N} for a joint monitoring mechanism received broad support.",
    "In the second round {N} asked whether the pipeline could be insulated from politics.",
    "{N} noted that fishing quotas are a neglected source of friction between neighbours.",
    "Several participants agreed with {N} that water scarcity will shape the next decade.",
    "{N} said that trade through the port would only grow if tariffs were harmonised.",
)
AFF_SENTENCES = (
    "A study by the {A} found that transit fees fell by a third after the agreement.",
    "Researchers at the {A} have mapped the smuggling routes across the border.",
    "The {A} proposed a ministerial meeting before the end of the year.",
    "It was suggested that the {A} could host the next round of technical talks.",
)

FAMILY = {p["person_id"]: p["family_name"] for p in ROSTER}
FULL = {p["person_id"]: f"{p['given_name']} {p['family_name']}" for p in ROSTER}
DISTINCT = ("karimova", "hosseini", "nurlanov", "rahmani", "haqqani")

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
}


def _math(text: str, base_upper: int, base_lower: int) -> str:
    out = []
    for c in text:
        if "A" <= c <= "Z":
            out.append(chr(base_upper + ord(c) - 65))
        elif "a" <= c <= "z":
            out.append(chr(base_lower + ord(c) - 97))
        else:
            out.append(c)
    return "".join(out)


def _fullwidth(text: str) -> str:
    return "".join(
        chr(0xFF21 + ord(c) - 65)
        if "A" <= c <= "Z"
        else chr(0xFF41 + ord(c) - 97)
        if "a" <= c <= "z"
        else c
        for c in text
    )


def _circled(text: str) -> str:
    return "".join(
        chr(0x24B6 + ord(c) - 65)
        if "A" <= c <= "Z"
        else chr(0x24D0 + ord(c) - 97)
        if "a" <= c <= "z"
        else c
        for c in text
    )


def _split(rng: random.Random, word: str) -> int:
    return rng.randint(2, max(2, len(word) - 2))


def disguises(rng: random.Random, pid: str) -> dict[str, list[str]]:
    fam = FAMILY[pid].split()[-1]
    full = FULL[pid]
    k = _split(rng, fam)
    a, b = fam[:k], fam[k:]
    out: dict[str, list[str]] = {
        "invisible": [
            a + "\u200b" + b,
            a + "\u00ad" + b,
            a + "\u200c" + b,
            a + "\u200d" + b,
            a + "\u2060" + b,
            "\ufeff" + fam,
            full.replace(" ", " \u200b"),
        ],
        "lookalike": [
            "".join(LOOKALIKE.get(c, c) if i in (1, 3) else c for i, c in enumerate(fam)),
            "".join(LOOKALIKE.get(c, c) if i == 0 else c for i, c in enumerate(fam)),
            "".join(LOOKALIKE.get(c, c) for c in fam[:3]) + fam[3:],
        ],
        "compatibility": [
            _math(fam, 0x1D400, 0x1D41A),  # bold
            _math(fam, 0x1D434, 0x1D44E).replace("\U0001d455", "\u210e"),  # italic
            _math(fam, 0x1D5A0, 0x1D5BA),  # sans
            _math(fam, 0x1D670, 0x1D68A),  # monospace
            _fullwidth(fam),
            _circled(fam),
        ],
        "bidi": [
            "\u202e" + fam[::-1] + "\u202c",
            a + "\u200f" + b,
            "\u202b" + fam + "\u202c",
            "\u2067" + fam + "\u2069",
            a + "\u202a" + b + "\u202c",
        ],
        "linebreak": [
            a + "-\n" + b,
            a + "-\r\n" + b,
            a + "\u00ad\n" + b,
            a + "-\n   " + b,
            full.replace(" ", "\n"),
        ],
    }
    return out


MISSPELLINGS = {
    "karimova": [
        "Karimowa",
        "Kerimova",
        "Karimovva",
        "Karymova",
        "Karimova's",
        "Karimov",
        "Leila Karimova",
        "Laila Karimova",
        "Lejla Karimova",
        "Karimovas",
    ],
    "hosseini": [
        "Husseini",
        "Hosseyni",
        "Hoseini",
        "Hossaini",
        "Hussaini",
        "Omeed Hosseini",
        "Hosseinis",
        "Hosseni",
    ],
    "haqqani": ["Haqani", "Khaqqani", "Haqqany", "Ghaqqani", "Umar Haqqani", "Haqqanis"],
    "nurlanov": ["Nurlanow", "Noorlanov", "Nourlanov", "Nurlanovs", "Teymur Nurlanov"],
    "rahmani": ["Rahmany", "Rahmaani", "Rehmani", "Zara Rahmani", "Rahmanis"],
    "mansouri": [
        "al-Mansuri",
        "Al Mansouri",
        "Almansouri",
        "al-Mansoory",
        "Mansouri's",
        "Yousuf bin Tariq",
        "bin Tareq al-Mansouri",
    ],
}
TRANSLITERATIONS = {
    "karimova": ["Каримова", "Karimovā", "Kərimova"],
    "hosseini": ["Ḥosseini", "Ḩusseini", "Хосейни"],
    "haqqani": ["Ḥaqqānī", "Haqqāni"],
    "nurlanov": ["Нурланов", "Nurlanov"],
    "mansouri": ["al-Manṣūrī", "al-Manşouri"],
}
NOTE_FORMATS = [
    "Young: the corridor must stay open to all littoral states.",
    "(Young) asked whether the pipeline could be insulated from politics.",
    "Young, a presenter, noted that fishing quotas are neglected.",
    "YOUNG: sanctions relief should be sequenced.",
    "- Young: incidents at sea could escalate quickly.",
    "Mills: water scarcity will shape the next decade.",
    "(Mills) disagreed with the sequencing.",
    "Mills, one of the speakers, said the port needs new tariffs.",
    "MILLS SAID THE HOTLINES WERE NOT ENOUGH.",
    "Wells: the aquifers are overdrawn on both sides.",
    "Rose, a discussant, warned against a rushed deal.",
    "(Rose) proposed a technical working group.",
    "[Wells] the basin commission has no budget.",
    "Q from Mills: who pays for the monitoring?",
    "young: the corridor must stay open.",
    "Karimova - the ministerial track is stalled.",
    "HOSSEINI: sanctions relief first.",
    "Per Mills, the tariffs should be harmonised.",
]
AMBIGUOUS_LOWER = [
    "As young put it, the talks are stuck between two capitals.",
    "as mills said, the port is the bottleneck.",
]
ACRONYMS = [
    "B.C.S.A.",
    "B C S A",
    "B-C-S-A",
    "T.I.R.S.",
    "T I R S",
    "A.P.F.",
    "K.E.F.",
    "C.W.I.",
    "BCSA",
    "TIRS",
    "ACED",
    "A.C.E.D.",
    "bcsa",
]
AFFILIATIONS = [
    "Baku Center for Strategic Analysis",
    "Baku Centre of Strategic Analysis",
    "Strategic Analysis Centre in Baku",
    "Baku Ctr. for Strategic Analysis",
    "Tehran Inst. for Regional Studies",
    "Tehran Institute of Regional Studies",
    "Institute for Regional Studies in Tehran",
    "Nordic Peace Laboratory",
    "Nordic Peace Lab",
    "Omani Ministry of Foreign Affairs",
    "Ministry of Foreign Affairs of Oman",
    "Atlantic Policy Forum",
    "Kabul Economic Forum",
    "Caspian Water Initiative",
    "Astana Center for Eurasian Dialogue",
    "Institute of Energy Studies",
    "Herat Water Council",
]
POSITIONS = [
    "The Special Envoy for Regional Dialogue and Maritime Security said the sea lanes matter.",
    "The special envoy for regional dialogue and maritime security stressed the hotlines.",
    "According to the Special Envoy for Maritime Security and Regional Dialogue, talks help.",
    "The Former Deputy Minister of Economy argued that aid is leverage.",
    "As the former deputy minister of economy put it, aid is leverage.",
]
POSITION_WARN = [
    "The former ambassador to Iran recalled the last round of talks.",
    "The Ambassador to Iran at the time was quoted.",
]
EMAILS = [
    "Questions can go to leyla.karimova@bcsa.az before Friday.",
    "Contact o.hosseini@tirs.ac.ir for the data set.",
    "The draft was circulated by rmills@apf.org.uk on Monday.",
    "Write to PAUL.YOUNG@NORDICPEACELAB.NO for the annex.",
    "zahra.rahmani@hwc.af will share the basin map.",
]
MARKDOWN = [
    "[Kari](https://example.org)mova argued for an open corridor.",
    "Kari*mov*a argued for an open corridor.",
    "Kari&#109;ova argued for an open corridor.",
    "Kari&shy;mova argued for an open corridor.",
    "**Hoss**eini warned about escalation.",
    "Hoss&#101;ini warned about escalation.",
    "Hos`seini` warned about escalation.",
    "The [BCSA](https://bcsa.example.org) study was cited.",
    "Nurla&#x6e;ov recalled the last round.",
    "Haq*qan*i questioned the aid figures.",
    "_Rahmani_ described the basin council.",
    "See the note by [Leyla](#) [Karimova](#).",
]
ARABIC = [
    "قالت کریموا إن الممر يجب أن يبقى مفتوحا.",
    "وأشار حسینی إلى أن العقوبات تؤخر الاتفاق.",
    "رأى المنصوري أن الأمن البحري أولوية.",
    "تحدثت لیلا کریموا عن الموانئ.",
    "قال حقاني إن المساعدات أداة ضغط.",
    "أكدت زهرا رحمانی أهمية المياه.",
    "وقال امید حسینی إن المفاوضات متعثرة.",
    "ذكرت كريموفا أن الرسوم انخفضت.",
    "قال الحسيني إن الحوار ضروري.",
    "شارك مركز BCSA في الدراسة.",
    "وبحسب نورلانوف فإن الجولة السابقة فشلت.",
    "کریمووا گفت که راهرو باید باز بماند.",
]
CLEAN = [
    "The old mills along the river were closed after the drought.",
    "Deep wells and irrigation canals are the main concern of farmers on both banks.",
    "Prices rose sharply after the border crossing was closed.",
    "Young people in the border towns have few jobs and many grievances.",
    "As a young diplomat in the nineties, one participant saw the first talks collapse.",
    "The mills and wells of the valley depend on the same aquifer.",
    "Tensions rose again when the tanker was seized.",
    "A rose-coloured view of the agreement was not shared by most participants.",
    "Fishing communities want the quotas reviewed every year.",
    "Participants agreed that the corridor should stay open to all littoral states.",
    "The Caspian Sea is shared by five states with competing claims.",
    "Iran and Azerbaijan have both proposed joint development zones.",
    "Norway has hosted talks on maritime boundaries in the past.",
    "Turkmenistan wants the pipeline built before the next election cycle.",
    "Oman has long played a quiet mediating role in the region.",
    "Sanctions relief remains the most contested issue of the process.",
    "The energy ministers of the littoral states will meet in the spring.",
    "Sirajuddin Haqqani is not part of any channel discussed in the meeting.",
    "The Haqqani network was mentioned as a spoiler in the Afghan context.",
    "Ilham Aliyev and Masoud Pezeshkian met in Baku last year.",
    "President Putin has called the Caspian a sea of peace.",
    "Water wells in Herat province are drying up.",
    "The rapporteur's notes were circulated to the organisers only.",
    "One participant said that the talks are stuck between two capitals.",
    "Several speakers described the aquifers as overdrawn on both sides.",
    "It was argued that the port would only grow if tariffs were harmonised.",
    "A ministerial meeting before the end of the year was proposed.",
    "Many felt the monitoring mechanism would need a neutral secretariat.",
    "The Tehran talks in 2019 were recalled as a missed opportunity.",
    "The Baku declaration is still the reference text for the littoral states.",
    "Karim, a fisherman quoted in a press report, described the quota cuts.",
    "Participants discussed the Nordic model of fisheries management.",
    "The European Union and the United States were described as distant actors.",
    "Smuggling of fuel rose when subsidies were cut.",
    "The young republic had no navy to speak of in 1992.",
    "Grain mills and bakeries in the port city depend on imported wheat.",
    "The well-known dispute over the seabed has never been settled.",
    "Oil wells off the coast were shut during the storm.",
    "Prices of caviar rose as stocks fell.",
    "The sturgeon population has collapsed, scientists say.",
    "Sea levels fell by more than a metre in twenty years.",
    "Mediation by a third party was seen as useful but not decisive.",
    "The convention on the legal status of the sea was signed in Aktau in 2018.",
    "Kazakhstan and Russia share the northern shelf.",
    "A regional water council was proposed for the Harirud basin.",
    "The meeting was held online under the Chatham House Rule.",
    "The organisers thanked the partner institutions for their support.",
    "Institute reports on the basin tend to ignore groundwater.",
    "The ministry of foreign affairs of each state must sign off the text.",
    "A centre for strategic analysis in the region would help, some said.",
    "Peace labs and dialogue forums have multiplied since 2015.",
    "Roses and pomegranates are the main exports of the valley.",
    "The youngest states in the region are also the most dependent on transit.",
    "An open corridor was described as in everyone's interest.",
    "Most participants preferred a step-by-step approach.",
    "A few warned that the window of opportunity is closing.",
    "There was no agreement on who should chair the technical group.",
    "The chairmanship rotates among the littoral states every year.",
    "Freshwater wells are being drilled deeper every season.",
    "The rising cost of insurance has hit small shipping firms.",
    "A senior researcher said the numbers do not add up.",
    "A former ambassador recalled the last round of talks.",
    "The deputy minister in the room was sceptical.",
    "Deep Wells And Irrigation In The Caspian Lowlands",
    "Why Prices Rose After The Border Closed",
    "Young Voices From The Littoral States",
    "St Paul's Cathedral hosted a concert for peace.",
    "The G7 and the B2B platforms were mentioned in passing.",
    "Covid19 slowed the technical talks in 2020.",
    "Omani diplomats have facilitated prisoner exchanges before.",
    "The foreign ministry of Kazakhstan issued a statement.",
    "Nordic countries fund several peace research institutes.",
    "A strategic analysis of the basin was commissioned.",
]


def build() -> dict[str, Any]:
    rng = random.Random(SEED)
    items: list[dict[str, Any]] = []

    def add(text: str, label: str, cls: str, **extra: Any) -> None:
        items.append(item(text, label, cls, **extra))

    for pid in (*DISTINCT, "mansouri"):
        for cls, variants in disguises(rng, pid).items():
            for v in variants:
                add(rng.choice(SENTENCES).format(N=v), "leak", cls)
    for variants in MISSPELLINGS.values():
        for v in variants:
            add(rng.choice(SENTENCES).format(N=v), "leak", "misspelling")
    for variants in TRANSLITERATIONS.values():
        for v in variants:
            add(rng.choice(SENTENCES).format(N=v), "leak", "transliteration")
    for text in NOTE_FORMATS:
        add(text, "leak", "note-format")
    for text in AMBIGUOUS_LOWER:
        add(text, "indirect", "note-format")
    for a in ACRONYMS:
        add(rng.choice(AFF_SENTENCES).format(A=a), "leak", "acronym")
    for a in AFFILIATIONS:
        add(rng.choice(AFF_SENTENCES).format(A=a), "leak", "affiliation")
    for text in POSITIONS:
        add(text, "leak", "position")
    for text in POSITION_WARN:
        add(text, "indirect", "position")
    for v in ("Omar Haqqani", "Dr. Haqqani", "Haqqani", "Omid Hosseini", "Prof. Hosseini"):
        add(rng.choice(SENTENCES).format(N=v), "leak", "other-session")
    for text in EMAILS:
        add(text, "leak", "email")
    for text in MARKDOWN:
        add(text, "leak", "markdown", format="markdown")
    for text in ARABIC:
        add(text, "leak", "arabic")
    for text in CLEAN:
        add(text, "clean", "clean")
    # Consent: the envoy may be named in the opening part only (the corpus item says so).
    add(
        "H.E. Dr. Yusuf bin Tariq al-Mansouri opened the session on maritime security.",
        "clean",
        "consent",
        allowed_person_ids=["mansouri"],
    )
    add(
        "H.E. Dr. Yusuf bin Tariq al-Mansouri opened the session on maritime security.",
        "leak",
        "consent",
    )
    return {"roster": ROSTER, "items": items}


def main() -> None:
    data = build()
    write_corpus(OUT, data["roster"], data["items"])


if __name__ == "__main__":
    main()
