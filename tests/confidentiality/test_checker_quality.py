"""Quality targets of the non-attribution checker on the labelled corpus.

The corpus (tests/confidentiality/corpus.json) holds a fictional roster and labelled key points:
"leak" (must block), "indirect" (must warn or block) and "clean" (should pass untouched).
No timing here: speed is measured by ``python -m bench.checker_speed``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.confidentiality.checker import Checker, RosterEntry

CORPUS = Path(__file__).with_name("corpus.json")


def _load() -> tuple[list[RosterEntry], list[dict[str, Any]]]:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    roster = [
        RosterEntry(**{**p, "aliases": tuple(p.get("aliases") or ())}) for p in data["roster"]
    ]
    return roster, data["items"]


ROSTER, ITEMS = _load()


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[str, str]]:
    """(label, predicted) per item: any block is a leak, any warning indirect."""
    checker = Checker(ROSTER)
    out = []
    for item in ITEMS:
        findings = checker.check(
            item["text"], allowed_person_ids=frozenset(item.get("allowed_person_ids") or ())
        )
        if any(f.severity == "block" for f in findings):
            predicted = "leak"
        else:
            predicted = "indirect" if findings else "clean"
        out.append((item["label"], predicted))
    return out


def _rate(outcomes: list[tuple[str, str]], label: str, predicted: set[str]) -> float:
    chosen = [p for lab, p in outcomes if lab == label]
    return sum(p in predicted for p in chosen) / len(chosen)


def test_corpus_is_large_and_balanced_enough() -> None:
    counts = Counter(item["label"] for item in ITEMS)
    assert set(counts) == {"leak", "indirect", "clean"}
    assert len(ITEMS) >= 200
    assert counts["clean"] >= 70
    assert counts["leak"] >= 70
    assert counts["indirect"] >= 60
    assert 25 <= len(ROSTER) <= 40
    assert len({p.person_id for p in ROSTER}) == len(ROSTER)
    ids = {p.person_id for p in ROSTER}
    for item in ITEMS:
        assert set(item.get("allowed_person_ids") or ()) <= ids


def test_block_recall_on_leaks(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "leak", {"leak"}) >= 0.98


def test_warn_or_block_recall_on_indirect(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "indirect", {"leak", "indirect"}) >= 0.80


def test_block_rate_on_clean(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "clean", {"leak"}) <= 0.02


def test_any_finding_rate_on_clean(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "clean", {"leak", "indirect"}) <= 0.10
