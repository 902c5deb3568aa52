"""P3: CPU cost of the non-attribution checker against small and large rosters.

Run with ``python -m bench.checker_speed``. Builds deterministic (seeded) synthetic rosters of
10 and 1,000 people, runs 10,000 checks of realistic ~40-word key points against each and
prints the CPU seconds (``time.process_time``), the ratio and PASS/FAIL against the targets:

* 10,000 checks against the 1,000-person roster in <= 1.0 s of CPU;
* the 1,000-person roster costs <= 1.5x the 10-person roster.

The run is bounded: it stops early (and fails) if one measurement exceeds 20 s of CPU.
"""

from __future__ import annotations

import gc
import random
import sys
import time

from app.confidentiality.checker import Checker, RosterEntry

CHECKS = 10_000
SEED = 20200629
LIMIT_S = 1.0
RATIO_LIMIT = 1.5
ABORT_S = 20.0

GIVEN = (
    "Farida",
    "Ahmad",
    "Habiba",
    "Zalmay",
    "Khalid",
    "Nasser",
    "Yousef",
    "Hope",
    "Lars",
    "Ingrid",
    "Katharina",
    "Can",
    "Rose",
    "Mehmet",
    "Ayse",
    "Marcelo",
    "Priya",
    "Mohammad-Reza",
    "Said",
    "Sana",
    "Tariq",
    "Bilal",
    "Dmitri",
    "Eleanor",
    "James",
    "Sarah",
    "Kwok-wai",
    "Mingyu",
    "Jian",
    "Pieter",
    "Daniel",
    "Amina",
    "Omar",
    "Leila",
    "Hamid",
    "Rahim",
    "Nadia",
    "Sergei",
    "Olga",
    "Anders",
    "Sofia",
    "Lucas",
    "Mariam",
    "Tahmina",
    "Wei",
    "Hiroshi",
    "Aiko",
    "Fatima",
    "Javier",
    "Elena",
    "Jamal",
    "Noor",
)
SYLLABLES = (
    "ra",
    "hi",
    "mi",
    "ka",
    "ri",
    "za",
    "da",
    "ni",
    "sa",
    "ho",
    "se",
    "ba",
    "kh",
    "al",
    "ja",
    "mo",
    "ne",
    "li",
    "ro",
    "ve",
    "ta",
    "qu",
    "re",
    "sh",
    "ah",
    "ma",
    "zi",
    "na",
    "ko",
    "lu",
    "be",
    "ge",
    "to",
    "fa",
    "ya",
    "sen",
    "ber",
    "gam",
    "tur",
    "vol",
    "kov",
    "gul",
    "ar",
    "in",
    "der",
)
PARTICLES = ("", "", "", "", "al-", "van der ", "de ", "bin ", "el-")
POSITIONS = (
    "Former Deputy Foreign Minister",
    "Former Ambassador to {c}",
    "Senior Fellow",
    "Special Envoy for {c}",
    "Former Member of Parliament",
    "Director of Research",
    "Former State Secretary",
    "Professor of International Relations",
    "Retired Lieutenant General",
    "Former Head of Mission",
    "Senior Researcher",
    "Former Special Representative for {c} and {c2}",
)
COUNTRIES = ("AF", "PK", "IR", "QA", "TR", "IN", "BR", "NO", "DE", "US", "CN", "RU", "NL", "GB")
COUNTRY_NAMES = {"AF": "Afghanistan", "PK": "Pakistan", "IR": "Iran", "CN": "China"}
TOPICS = ("Peace", "Strategic", "Regional", "Conflict", "Security", "Humanitarian", "Asian")

SENTENCES = (
    "Participants said the pace of the process has been slower than early expectations "
    "raised by the sweeping progress on the mutual prisoners' release.",
    "Both sides seem to have reached a mutual understanding that a reduction of violence is "
    "an important step towards intra-Afghan negotiations.",
    "There is the need to establish monitoring tools to guarantee that released prisoners do "
    "not return to fighting, as well as rehabilitation and reintegration programmes.",
    "The role of a third party as a mediator or facilitator is believed by many actors to be "
    "important if not inevitable.",
    "It was emphasized that Afghan peace, economic growth and regional connectivity are "
    "closely linked and mutually supportive.",
    "Continued foreign assistance will play a significant role as a leverage tool, as it is "
    "linked to the quality of the end state.",
    "Norway has hosted talks on several occasions and Turkish mediation efforts were "
    "described as complementary to those of Doha.",
    "The former Deputy Foreign Minister argued that the negotiating team lacks a clear "
    "mandate from the leadership in Kabul.",
    "The Turkish discussant noted that Ankara keeps channels open to all the parties.",
    "In our foreign ministry we always assumed that the Taliban would negotiate only with "
    "Washington.",
    "There is little hope that the ceasefire will hold without a credible monitoring "
    "mechanism agreed by both sides.",
    "US special envoy Zalmay Khalilzad and the head of the DFC toured the region to promote "
    "economic cooperation.",
    "The chair reminded participants that the meeting was held under the Chatham House Rule.",
    "Most participants supported the preservation of the continuity of government and of "
    "the democratic achievements of the last twenty years.",
)


def make_roster(size: int, seed: int = SEED) -> tuple[RosterEntry, ...]:
    """A deterministic synthetic roster with international names, positions and institutes."""
    rng = random.Random(seed)
    seen: set[str] = set()
    people: list[RosterEntry] = []
    while len(people) < size:
        core = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        family = rng.choice(PARTICLES) + core
        if family in seen or len(core) < 4:
            continue
        seen.add(family)
        k = len(people)
        country = rng.choice(COUNTRIES)
        c, c2 = rng.sample(sorted(COUNTRY_NAMES.values()), 2)
        city = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        topic = rng.choice(TOPICS)
        roles = ("participant", "participant", "participant", "speaker", "presenter", "observer")
        role = ("chair", "rapporteur")[k] if k < 2 else rng.choice(roles)
        people.append(
            RosterEntry(
                person_id=f"person-{k:05d}",
                given_name=rng.choice(GIVEN),
                family_name=family,
                honorific=rng.choice((None, "Dr", "Ambassador", "Prof.", "H.E.")),
                aliases=(f"Abu {core}",) if rng.random() < 0.05 else (),
                position=rng.choice(POSITIONS).format(c=c, c2=c2),
                affiliation=f"{city} Institute for {topic} Studies",
                affiliation_acronym=f"{city[0]}I{topic[0]}S{k % 10}",
                country=country,
                role=role,
            )
        )
    return tuple(people)


def make_texts(roster: tuple[RosterEntry, ...], count: int = 400, seed: int = SEED) -> list[str]:
    """~40-word key points: two report-style sentences, one in five naming a roster member."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        a, b = rng.sample(SENTENCES, 2)
        if rng.random() < 0.2:
            p = rng.choice(roster)
            name = rng.choice(
                (f"{p.given_name} {p.family_name}", p.family_name, f"Dr {p.family_name}")
            )
            b = f"{name} argued that " + b[0].lower() + b[1:]
        texts.append(f"{a} {b}")
    return texts


def measure(size: int) -> tuple[float, float, int]:
    """Return (build CPU s, CPU s for CHECKS checks, number of findings)."""
    roster = make_roster(size)
    texts = make_texts(roster)
    t0 = time.process_time()
    checker = Checker(roster)
    build = time.process_time() - t0
    for text in texts[:50]:  # warm the token caches, as a long-running process would be
        checker.check(text)
    gc.collect()
    findings = 0
    t0 = time.process_time()
    for n in range(CHECKS):
        findings += len(checker.check(texts[n % len(texts)]))
        if n % 1000 == 999 and time.process_time() - t0 > ABORT_S:
            raise SystemExit(f"aborted: {size}-person roster exceeded {ABORT_S} s of CPU")
    return build, time.process_time() - t0, findings


def main() -> int:
    mean_words = sum(len(t.split()) for t in make_texts(make_roster(10))) / 400
    results = {size: measure(size) for size in (10, 1000)}
    small, large = results[10][1], results[1000][1]
    ratio = large / small
    ok_abs = large <= LIMIT_S
    ok_ratio = ratio <= RATIO_LIMIT
    for size, (build, cpu, findings) in results.items():
        print(
            f"roster {size:>5}: build {build * 1000:7.1f} ms CPU, {CHECKS} checks "
            f"{cpu:.3f} s CPU ({cpu / CHECKS * 1e6:.0f} us/check), {findings} findings"
        )
    print(f"ratio 1000/10: {ratio:.2f}")
    print()
    print("### Non-attribution checker: speed (P3, `python -m bench.checker_speed`)")
    print()
    print(
        f"{CHECKS:,} checks of synthetic report-style key points (mean {mean_words:.0f} words, "
        "one in five naming a roster member), seeded rosters, CPU time via `time.process_time`, "
        f"Python {sys.version.split()[0]}."
    )
    print()
    print("| roster | build (ms CPU) | 10,000 checks (s CPU) | per check (us) |")
    print("|---:|---:|---:|---:|")
    for size, (build, cpu, _) in results.items():
        print(f"| {size:,} | {build * 1000:.1f} | {cpu:.3f} | {cpu / CHECKS * 1e6:.0f} |")
    print()
    print("| target | measured | limit | verdict |")
    print("|---|---:|---:|---|")
    print(
        f"| 10,000 checks, 1,000-person roster | {large:.3f} s | <= {LIMIT_S:.1f} s "
        f"| {'PASS' if ok_abs else 'FAIL'} |"
    )
    print(
        f"| cost ratio 1,000 / 10 people | {ratio:.2f} | <= {RATIO_LIMIT:.1f} "
        f"| {'PASS' if ok_ratio else 'FAIL'} |"
    )
    return 0 if ok_abs and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
