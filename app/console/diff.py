"""A word diff of two texts, for reviewers: what changed between a point's revisions."""

from __future__ import annotations

import difflib
import re
from typing import Literal

Op = Literal["same", "added", "removed"]
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[Op, str]]:
    """``old`` -> ``new`` as runs of unchanged, added and removed words (spaces kept)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[tuple[Op, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(("removed", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("added", "".join(b[j1:j2])))
    return [(op, text) for op, text in out if text]
