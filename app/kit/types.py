"""Shared, bounded field types for request schemas."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, StringConstraints

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(value: str) -> str:
    # ZoneInfo alone would also accept odd tzdata files such as "posixrules"; the IANA list
    # is the contract.
    if value not in _zone_names():
        raise ValueError(f"unknown IANA time zone {value!r} (e.g. 'Asia/Kabul', 'UTC')")
    return value


def no_nul(value: str) -> str:
    """Refuse NUL: PostgreSQL cannot store it, and SQLite must not keep what PostgreSQL would
    refuse (the same request answers the same on both). Named by field, as every 422 is."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    return value


NoNul = AfterValidator(no_nul)

TimeZoneName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_known_zone),
    Field(examples=["Asia/Kabul"], description="IANA time zone name."),
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul
]
LongText = Annotated[str, StringConstraints(max_length=10_000), NoNul]
Slug = Annotated[
    str,
    StringConstraints(min_length=2, max_length=80, pattern=_SLUG.pattern),
    Field(description="Lower-case letters, digits and single hyphens.", examples=["afghan-peace"]),
]
