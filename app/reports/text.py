"""Small English prose helpers for reports: dates, numbers in words, lists, articles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.kit.clock import as_utc

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)
# Organisation names that read with "the" in running text ("organized by the Heart of Asia
# Society"); a name already starting with "The", or one without such a word, is left alone.
_THE_WORDS = frozenset(
    {
        "association",
        "center",
        "centre",
        "commission",
        "council",
        "foundation",
        "forum",
        "group",
        "initiative",
        "institute",
        "network",
        "office",
        "program",
        "programme",
        "society",
        "university",
    }
)
_THE_LINKS = re.compile(r"\b(of|for|on)\b")
# First words of a topic that are ordinary nouns or determiners, so a topic can be run into
# a sentence in lower case ("presentations on perspectives from Europe"); anything else (a
# country, a name, an acronym) keeps its capital.
_COMMON_LEADS = frozenset(
    {
        "a",
        "an",
        "the",
        "perspectives",
        "perspective",
        "prospects",
        "challenges",
        "views",
        "view",
        "lessons",
        "options",
        "role",
        "regional",
        "international",
        "economic",
        "recent",
        "future",
        "update",
        "updates",
        "reflections",
        "priorities",
    }
)


def local_date(value: datetime, timezone: str) -> date:
    """The calendar date of an instant in an IANA zone."""
    return as_utc(value).astimezone(ZoneInfo(timezone)).date()


def long_date(day: date) -> str:
    """'29 June 2020' (no locale involved)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def number_word(n: int) -> str:
    """Numbers up to ten in words, larger ones in digits (house style)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def join_and(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def with_article(name: str) -> str:
    """'the Heart of Asia Society', 'the Center for ...'; 'Chatham House' stays as it is."""
    stripped = name.strip()
    if not stripped or stripped.lower().startswith("the "):
        return stripped
    words = stripped.lower().split()
    if _THE_LINKS.search(stripped.lower()) or words[-1] in _THE_WORDS or words[0] in _THE_WORDS:
        return "the " + stripped
    return stripped


def run_in(topic: str) -> str:
    """A topic as it reads inside a sentence: a common first word loses its capital."""
    first, _, rest = topic.strip().partition(" ")
    if first.lower() in _COMMON_LEADS and first[:1].isupper() and first[1:].islower():
        return first.lower() + (" " + rest if rest else "")
    return topic.strip()


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def paragraphs(text: str) -> tuple[str, ...]:
    """Split text on blank lines into paragraphs, each with its whitespace collapsed."""
    out = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        collapsed = " ".join(chunk.split())
        if collapsed:
            out.append(collapsed)
    return tuple(out)


def ensure_period(sentence: str) -> str:
    s = sentence.rstrip()
    return s if not s or s[-1] in ".!?:" else s + "."
