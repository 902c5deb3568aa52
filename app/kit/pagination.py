"""Cursor (keyset) pagination shared by every list endpoint.

A cursor is the opaque, URL-safe encoding of the sort key of the last row on a page. The next
page asks for rows strictly after that key, so rows inserted between two requests never shift
a page (each existing row is returned exactly once) and a page deep into a large table costs
the same index seek as the first.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import InvalidRequest

T = TypeVar("T")
SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    """One page of a list, and the cursor for the next one (null on the last page)."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null when done."
    )


@dataclass(frozen=True, slots=True)
class PageParams:
    """The ``limit`` and ``cursor`` query parameters, validated."""

    limit: int
    cursor: str | None


async def _page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (1-100).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="Opaque cursor from the previous page's next_cursor."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageQuery = Annotated[PageParams, Depends(_page_params)]


def encode_cursor(values: Sequence[Any]) -> str:
    """Encode a sort key; UUIDs and other values are stored as their string form."""
    raw = json.dumps([str(v) if isinstance(v, uuid.UUID) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> tuple[Any, ...]:
    """Decode and type-check a cursor; anything malformed is a 422 naming ``cursor``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("wrong arity")
        out: list[Any] = []
        for kind, value in zip(kinds, values, strict=True):
            if kind is uuid.UUID:
                out.append(uuid.UUID(str(value)))
            elif type(value) is kind and kind in (int, str):
                out.append(value)
            else:
                raise ValueError("wrong type")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidRequest.single(
            "cursor", "Not a cursor this API issued; start again without it", location="query"
        ) from None
    return tuple(out)


def apply_keyset(
    stmt: SelectT,
    columns: Sequence[InstrumentedAttribute[Any]],
    kinds: Sequence[type],
    params: PageParams,
) -> SelectT:
    """Order by ``columns`` ascending, start after the cursor, and fetch one extra row."""
    stmt = stmt.order_by(*columns).limit(params.limit + 1)
    if params.cursor is not None:
        after = decode_cursor(params.cursor, kinds)
        if len(columns) == 1:
            stmt = stmt.where(columns[0] > after[0])
        else:
            stmt = stmt.where(tuple_(*columns) > tuple_(*after))
    return stmt


def split_page(rows: Sequence[T], params: PageParams, key: Any) -> tuple[list[T], str | None]:
    """Trim the look-ahead row and build the next cursor from the last row kept.

    ``key`` maps a row to its sort key tuple.
    """
    items = list(rows[: params.limit])
    if len(rows) > params.limit:
        return items, encode_cursor(key(items[-1]))
    return items, None
