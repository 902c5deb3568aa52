"""Shared, bounded field types for request schemas."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any
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

# Line breaks of every kind: CR, LF, VT, FF, NEL and the Unicode line and paragraph separators.
_LINE_BREAKS = frozenset("\r\n\v\f\x85\u2028\u2029")


def single_line(value: str) -> str:
    """Refuse line breaks (and NUL) in a title, subject or name: such a text ends up in mail
    headers, calendar lines and report headings, where a line break starts something else."""
    no_nul(value)
    if any(c in _LINE_BREAKS for c in value):
        raise ValueError("must be a single line (no line breaks)")
    return value


SingleLine = AfterValidator(single_line)

TimeZoneName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_known_zone),
    Field(examples=["Asia/Kabul"], description="IANA time zone name."),
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
]
LongText = Annotated[str, StringConstraints(max_length=10_000), NoNul]
Slug = Annotated[
    str,
    StringConstraints(min_length=2, max_length=80, pattern=_SLUG.pattern),
    Field(description="Lower-case letters, digits and single hyphens.", examples=["afghan-peace"]),
]


def not_nullable(*fields: str) -> Callable[[dict[str, Any]], None]:
    """``json_schema_extra`` for an update schema whose ``fields`` may be left out but not
    sent as ``null`` (a validator refuses it): the OpenAPI document then does not offer
    ``null`` for them, so what it documents as nullable is exactly what accepts null."""

    def drop_null(schema: dict[str, Any]) -> None:
        for name in fields:
            prop = schema.get("properties", {}).get(name)
            if prop is None or "anyOf" not in prop:
                continue
            kept = [branch for branch in prop["anyOf"] if branch.get("type") != "null"]
            if len(kept) == 1:
                prop.pop("anyOf")
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
            if prop.get("default", "") is None:
                prop.pop("default")

    return drop_null
