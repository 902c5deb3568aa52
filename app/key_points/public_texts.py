"""The non-attribution checker over texts that leave the series outside key points.

A session's title and context reach public calendars, the public series and webhooks as soon
as the session is scheduled; a newsletter issue goes to every subscriber. Both are checked
against the roster here, with the same checker as key points: a block finding is a name,
alias, affiliation or acronym of someone who took part.

- Session texts are checked against the session's roster (no one is named on record at the
  session level, so no consent applies).
- Newsletter texts are checked against everyone on the series' roster; people who consented
  to be named for an on-record agenda part of one of the series' sessions may be named (the
  public summary names them too).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.checker import Finding, RosterEntry, checker_for
from app.key_points.service import KeyPointService
from app.people.service import PeopleService


def _blocks(findings: list[Finding]) -> list[dict[str, Any]]:
    return [dict(f.as_dict()) for f in findings if f.severity == "block"]


def field_errors(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``errors`` member of a 422 problem: one entry per block finding, located in the
    request body at the field it was found in."""
    return [
        {"location": "body", "field": f["field"], "reason": b["message"], "code": b["code"]}
        for f in fields
        for b in f["findings"]
    ]


async def session_text_blocks(
    db: AsyncSession, session_id: uuid.UUID, texts: Mapping[str, str]
) -> list[dict[str, Any]]:
    """``[{field, findings}]`` for each text that would identify someone on the session's
    roster (empty: nothing found)."""
    matcher = await KeyPointService(db).session_checker(session_id)
    out: list[dict[str, Any]] = []
    for field, text in texts.items():
        found = _blocks(matcher.checker.check(text))
        if found:
            out.append({"field": field, "findings": found})
    return out


async def series_text_blocks(
    db: AsyncSession, series_id: uuid.UUID, texts: Mapping[str, str]
) -> list[dict[str, Any]]:
    """``[{field, findings}]`` against everyone on the series' roster, allowing the people
    who consented to be named on record."""
    people, consented = await PeopleService(db).series_roster(series_id)
    if not people:
        return []
    checker = checker_for(
        tuple(
            RosterEntry(
                person_id=str(p.id),
                given_name=p.given_name,
                family_name=p.family_name,
                honorific=p.honorific,
                aliases=tuple(p.aliases),
                position=p.position,
                affiliation=p.affiliation,
                affiliation_acronym=p.affiliation_acronym,
                country=p.country,
            )
            for p in people
        )
    )
    allowed = frozenset(str(pid) for pid in consented)
    out: list[dict[str, Any]] = []
    for field, text in texts.items():
        found = _blocks(checker.check(text, allowed_person_ids=allowed))
        if found:
            out.append({"field": field, "findings": found})
    return out
