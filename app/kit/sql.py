"""Small portable SQL helpers for the two supported backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, func
from sqlalchemy.sql.elements import ColumnElement


def string_agg(column: Any, dialect_name: str, separator: str = ",") -> ColumnElement[str]:
    """Concatenate a column's values over a group: group_concat on SQLite, string_agg on
    PostgreSQL (the same result: values joined by ``separator``, or NULL for no rows)."""
    if dialect_name == "postgresql":
        return func.string_agg(column, separator, type_=String)
    return func.group_concat(column, separator, type_=String)
