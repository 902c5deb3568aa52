"""A very common word of Dari, Pashto or Arabic is not a participant's family name read
through its consonants on its own ("خیلی", very, is not Khaili), but the same word beside the
person's given name or after an honorific, and a participant's full name in Arabic script,
still block."""

from __future__ import annotations

import pytest

from app.confidentiality.checker import Checker, RosterEntry

ROSTER = (
    RosterEntry(person_id="khaili", given_name="Nasir", family_name="Khaili"),  # Dari "very"
    RosterEntry(person_id="zaini", given_name="Ahmad", family_name="Zaini"),  # Pashto "some"
    RosterEntry(person_id="hawali", given_name="Safar", family_name="al-Hawali"),  # Ar. "about"
)
CHECKER = Checker(ROSTER)


@pytest.mark.parametrize(
    "text",
    [
        # Dari: "The talks were very important and more time is needed."
        "گفتگوها خیلی مهم بود و وقت بیشتر لازم است.",
        # Pashto: "Some participants said the road must stay open."
        "ځینې ګډونوالو وویل چې لاره باید خلاصه پاتې شي.",
        # Pashto: the demo summary's own sentences ("with", "below")
        "دې لړۍ د سیمې او نړیوالې ټولنې ګډونوال سره راټول کړل.",
        "لاندې هغه اصلي ټکي او نظرونه راغلي چې مطرح شول.",
        # Arabic: "About thirty participants attended; while others ..."
        "حضر حوالي ثلاثين مشاركا، بينما تابع آخرون الاجتماع عن بعد.",
        # with an attached conjunction
        "وحوالي نصف المشاركين أيدوا المقترح.",
    ],
)
def test_common_words_alone_are_not_family_names(text: str) -> None:
    assert CHECKER.check(text) == []


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("ناصر خیلی گفت که راه باید باز بماند.", "khaili"),  # Dari, full name
        ("دکتر خیلی گفت که راه باید باز بماند.", "khaili"),  # Dari, honorific
        ("Dr خیلی گفت که راه باید باز بماند.", "khaili"),  # a Latin honorific
        ("احمد زیني وویل چې لاره باید خلاصه پاتې شي.", "zaini"),  # Pashto, full name
        ("احمد ځینې وویل چې لاره باید خلاصه پاتې شي.", "zaini"),  # the common spelling
        ("ښاغلي ځینې وویل چې لاره باید خلاصه پاتې شي.", "zaini"),  # Pashto, honorific
        ("قال سفر الحوالي إن الطريق يجب أن يبقى مفتوحا.", "hawali"),  # Arabic, full name
        ("قال سفر حوالي إن الطريق يجب أن يبقى مفتوحا.", "hawali"),
        ("قال الشيخ حوالي إن الطريق يجب أن يبقى مفتوحا.", "hawali"),  # Arabic, honorific
    ],
)
def test_the_same_words_as_names_still_block(text: str, person: str) -> None:
    found = CHECKER.check(text)
    assert any(f.severity == "block" and f.kind == "name" for f in found), found
    # the finding covers the family-name word
    family = {"khaili": ("خیلی", "خيلي"), "zaini": ("زیني", "ځینې"), "hawali": ("حوالي",)}
    assert any(any(w in f.excerpt for w in family[person]) for f in found), found


def test_a_distinctive_transliterated_family_name_still_blocks_alone() -> None:
    """The rule is about common words only: a family name that is no common word blocks
    on its own, as before."""
    checker = Checker([RosterEntry(person_id="h", given_name="Omid", family_name="Hosseini")])
    assert [f.severity for f in checker.check("وأشار حسینی إلى أن العقوبات تؤخر الاتفاق.")] == [
        "block"
    ]
