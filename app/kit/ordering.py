"""Dense 1..n ordering for things with a ``position`` (agenda parts, key points, themes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class Positioned(Protocol):
    position: int


P = TypeVar("P", bound=Positioned)


def place(others: Sequence[P], item: P | None, position: int | None) -> list[P]:
    """Put ``item`` at ``position`` (1-based, clamped; None appends) among ``others`` and
    renumber everything 1..n. Returns the new order. Only changed positions are written."""
    ordered = list(others)
    if item is not None:
        slot = len(ordered) if position is None else min(max(position, 1), len(ordered) + 1) - 1
        ordered.insert(slot, item)
    for number, entry in enumerate(ordered, start=1):
        if entry.position != number:
            entry.position = number
    return ordered
