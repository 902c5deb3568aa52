"""The guard's findings on console forms: next to the field they concern, in words.

Every console form that writes a public-bound text calls the same service as the API, and so
the same gate (``app.confidentiality.gate.Gate.clear``). What the gate refuses comes back as
the API's problem: ``attribution-blocked`` (422: the text would identify someone, nothing is
stored) or ``unacknowledged-warnings`` (409: it may; the writer acknowledges each warning by
its code, or changes the text). :func:`refusal` turns either into what a form shows: a message
per field, and the findings of each field (the exact words and the reason in words), keyed
like the form's inputs, so that the templates' field macros show them beside their inputs
with one acknowledgement checkbox per warning (``acknowledge_warnings``, the API's field).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import FormData

from app.console.forms import domain_errors
from app.errors import DomainError

KIND_WORDS = {
    "name": "name of a participant",
    "affiliation": "affiliation of a participant",
    "position": "position held by a participant",
    "role": "role of a participant in the meeting",
    "descriptor": "describes a participant",
    "quote": "first-person quote that points at its speaker",
    "disguise": "mixed scripts or hidden characters that can disguise a name",
    "regime": "from an agenda part that is off the record now",
}

Guard = dict[str, list[dict[str, Any]]]
"""The findings of a refused form, by input name."""

ACK_FIELD = "acknowledge_warnings"


def finding_view(f: Mapping[str, Any]) -> dict[str, Any]:
    """A finding for the screen: where, what, why in words, and whether it blocks."""
    kind = str(f.get("kind", ""))
    return {
        "start": f.get("start"),
        "end": f.get("end"),
        "excerpt": f.get("excerpt", ""),
        "severity": f.get("severity", "warn"),
        "kind": kind,
        "reason": KIND_WORDS.get(kind, kind),
        "message": f.get("message", ""),
        "code": f.get("code", ""),
    }


def _quoted(found: list[dict[str, Any]]) -> str:
    return "; ".join(f"“{f['excerpt']}” ({f['reason']})" for f in found)


def _guard_fields(fields: object) -> bool:
    """Whether a problem carries the guard's findings by field (``attribution-blocked``,
    ``unacknowledged-warnings``, and the domains' own refusals that reuse their shape, such
    as scheduling a session whose title names someone)."""
    return (
        isinstance(fields, list)
        and bool(fields)
        and all(isinstance(i, dict) and "findings" in i for i in fields)
    )


def refusal(
    exc: DomainError,
    default_field: str = "form",
    key: Callable[[str], str] = lambda name: name,
) -> tuple[dict[str, str], Guard]:
    """(messages by input, findings by input) of a service's refusal.

    ``key`` maps a field as the API names it (``title``, ``partners``) to the form's input
    (``part-title``); a field the API names with an index (``partners.1``) is its list's
    input. A refusal that is not the guard's gives its messages and no findings."""
    fields = exc.extensions.get("fields")
    if not isinstance(fields, list) or not _guard_fields(fields):
        return {key(k): v for k, v in domain_errors(exc, default_field).items()}, {}
    guard: Guard = {}
    for item in fields:
        name = key(str(item.get("field") or default_field).split(".")[0])
        found = guard.setdefault(name, [])
        for f in item.get("findings") or []:
            view = finding_view(f)
            # One line per warning code in a field: ticking it acknowledges them all.
            if not any(v["code"] == view["code"] and v["code"] for v in found):
                found.append(view)
    errors: dict[str, str] = {}
    for name, found in guard.items():
        blocks = [f for f in found if f["severity"] == "block"]
        if blocks:
            errors[name] = (
                "This would identify a participant: "
                + _quoted(blocks)
                + ". Rephrase it; nothing was saved."
            )
        else:
            errors[name] = (
                "This may identify a participant: "
                + _quoted(found)
                + ". Change it, or tick the box under each warning to keep it as it is."
            )
    return errors, guard


def acknowledged(raw: FormData) -> list[str]:
    """The warning codes the writer ticked (the API's ``acknowledge_warnings``)."""
    codes = [v.strip() for v in raw.getlist(ACK_FIELD) if isinstance(v, str) and v.strip()]
    return list(dict.fromkeys(codes))[:50]
