"""Quality of the non-attribution checker on the labelled corpus.

Run with ``python -m bench.checker_quality``. Prints precision and recall per class, the rates
on clean texts, the verdict for each target, every miss and false alarm (so that a change can
be judged by the cases it fixes or breaks), and a markdown block for docs/performance.md.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.confidentiality.checker import Checker, Finding, RosterEntry

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "confidentiality" / "corpus.json"
LABELS = ("leak", "indirect", "clean")

TARGETS = {
    "block recall on leaks": (">=", 0.98),
    "warn-or-block recall on indirect": (">=", 0.80),
    "block rate on clean": ("<=", 0.02),
    "any-finding rate on clean": ("<=", 0.10),
}


@dataclass
class Result:
    """Confusion counts and per-item outcomes over the corpus."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, str, list[Finding]]] = field(default_factory=list)
    held_out: Counter[tuple[str, str]] = field(default_factory=Counter)

    def predicted_total(self, label: str) -> int:
        return sum(n for (_, pred), n in self.counts.items() if pred == label)

    def precision(self, label: str) -> float:
        total = self.predicted_total(label)
        return self.counts[(label, label)] / total if total else 1.0

    def recall(self, label: str) -> float:
        total = self.totals[label]
        return self.counts[(label, label)] / total if total else 1.0

    def rate(self, label: str, pred: str | tuple[str, ...]) -> float:
        preds = (pred,) if isinstance(pred, str) else pred
        total = self.totals[label]
        return sum(self.counts[(label, p)] for p in preds) / total if total else 0.0

    def metrics(self) -> dict[str, float]:
        return {
            "block recall on leaks": self.rate("leak", "leak"),
            "warn-or-block recall on indirect": self.rate("indirect", ("leak", "indirect")),
            "block rate on clean": self.rate("clean", "leak"),
            "any-finding rate on clean": self.rate("clean", ("leak", "indirect")),
        }


def load_corpus(path: Path = CORPUS) -> tuple[list[RosterEntry], list[dict[str, Any]]]:
    """Return the corpus roster and its labelled items."""
    data = json.loads(path.read_text(encoding="utf-8"))
    roster = [
        RosterEntry(**{**p, "aliases": tuple(p.get("aliases") or ())}) for p in data["roster"]
    ]
    return roster, data["items"]


def predict(findings: list[Finding]) -> str:
    """The class a list of findings stands for: any block is a leak, any warning indirect."""
    if any(f.severity == "block" for f in findings):
        return "leak"
    return "indirect" if findings else "clean"


def evaluate(path: Path = CORPUS) -> Result:
    """Run the checker over the corpus."""
    roster, items = load_corpus(path)
    checker = Checker(roster)
    result = Result()
    for item in items:
        findings = checker.check(
            item["text"], allowed_person_ids=frozenset(item.get("allowed_person_ids") or ())
        )
        label = item["label"]
        pred = predict(findings)
        result.totals[label] += 1
        result.counts[(label, pred)] += 1
        if pred != label:
            result.misses.append((label, pred, item["text"], findings))
        if str(item.get("note", "")).startswith("held-out"):
            result.held_out[(label, pred)] += 1
    return result


def verdicts(metrics: dict[str, float]) -> dict[str, bool]:
    """Whether each quality target is met."""
    out = {}
    for name, (op, limit) in TARGETS.items():
        value = metrics[name]
        out[name] = value >= limit if op == ">=" else value <= limit
    return out


def markdown(result: Result) -> str:
    """A block for docs/performance.md."""
    metrics = result.metrics()
    ok = verdicts(metrics)
    lines = [
        "### Non-attribution checker: quality (`python -m bench.checker_quality`)",
        "",
        f"Corpus: `tests/confidentiality/corpus.json`, {sum(result.totals.values())} labelled key "
        f"points ({result.totals['leak']} leak, {result.totals['indirect']} indirect, "
        f"{result.totals['clean']} clean) against a 31-person fictional roster.",
        "",
        "| class | n | precision | recall |",
        "|---|---:|---:|---:|",
    ]
    for label in LABELS:
        lines.append(
            f"| {label} | {result.totals[label]} | {result.precision(label):.3f} "
            f"| {result.recall(label):.3f} |"
        )
    lines += ["", "| target | measured | limit | verdict |", "|---|---:|---:|---|"]
    for name, (op, limit) in TARGETS.items():
        verdict = "PASS" if ok[name] else "FAIL"
        lines.append(f"| {name} | {metrics[name]:.3f} | {op} {limit:.2f} | {verdict} |")
    held = result.held_out
    if held:

        def share(label: str, preds: tuple[str, ...]) -> str:
            total = sum(n for (lab, _), n in held.items() if lab == label)
            return f"{sum(held[(label, p)] for p in preds)}/{total}"

        lines += [
            "",
            "Held-out subset (written after the first tuning pass, marked in the corpus notes): "
            f"leaks blocked {share('leak', ('leak',))}, indirect flagged "
            f"{share('indirect', ('leak', 'indirect'))}, clean texts with any finding "
            f"{share('clean', ('leak', 'indirect'))}.",
        ]
    return "\n".join(lines)


def main() -> int:
    result = evaluate()
    print("Misses and false alarms (label -> predicted):")
    for label, pred, text, findings in result.misses:
        shown = ", ".join(f"{f.severity}/{f.kind}:{f.excerpt!r}" for f in findings) or "-"
        print(f"  [{label} -> {pred}] {text}\n      findings: {shown}")
    print()
    print(markdown(result))
    return 0 if all(verdicts(result.metrics()).values()) else 1


if __name__ == "__main__":
    sys.exit(main())
