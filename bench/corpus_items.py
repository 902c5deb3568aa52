"""The item writer shared by the guard's corpus generators (``bench.make_corpus``,
``bench.checker_corpus``, ``bench.checker_corpus3``).

A corpus is ``{"roster": [...], "items": [...]}``; each item has a ``label`` (``leak``,
``indirect``, ``clean``), a ``class``, its ``text`` and optionally ``format: "markdown"`` or
``allowed_person_ids`` (consent). A split corpus sends each item to the tuning or the
validation part: by person when the item names one, else at random (seeded).
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent / "tests" / "confidentiality"


def item(text: str, label: str, cls: str, **extra: Any) -> dict[str, Any]:
    """One labelled item."""
    return {"label": label, "class": cls, "text": text, **extra}


class SplitItems:
    """Items of a corpus split by person into a tuning and a validation part."""

    def __init__(self, rng: random.Random, valid_people: Collection[str]) -> None:
        self.rng = rng
        self.valid_people = valid_people
        self.tune: list[dict[str, Any]] = []
        self.valid: list[dict[str, Any]] = []

    def add(self, pid: str | None, text: str, label: str, cls: str, **extra: Any) -> None:
        """Add an item to the part of person ``pid`` (None: either part, at random)."""
        if pid is None:
            part = self.valid if self.rng.random() < 0.5 else self.tune
        else:
            part = self.valid if pid in self.valid_people else self.tune
        part.append(item(text, label, cls, **extra))


def write_corpus(path: Path, roster: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Write one corpus file as the harness reads it, and say so."""
    data = {"roster": roster, "items": items}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(items)} items)")
