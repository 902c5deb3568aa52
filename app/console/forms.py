"""Forms on console pages: read a posted form into the API's own request schema, and turn
what refused it (the schema, or a rule of the service) into one message per field.

Pages validate with the same Pydantic schemas as the API (``SeriesCreate``, ``PersonCreate``
...), so a form accepts exactly what the API accepts. Empty inputs of optional fields count
as "not given"; list fields (partners, aliases) are one item per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.errors import DomainError

M = TypeVar("M", bound=BaseModel)

MAX_FIELDS = 400


async def read_form(request: Request) -> FormData:
    """The posted form (files refused unless the page reads them itself)."""
    return await request.form(max_files=0, max_fields=MAX_FIELDS)


def text(form: FormData | Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def values(
    form: FormData,
    fields: Iterable[str],
    *,
    lists: Iterable[str] = (),
    keep_empty: Iterable[str] = (),
) -> dict[str, Any]:
    """The named fields as the schema wants them: stripped text, empty ones left out (unless
    in ``keep_empty``), ``lists`` split into lines."""
    out: dict[str, Any] = {}
    keep = set(keep_empty)
    for name in fields:
        raw = text(form, name)
        if raw or name in keep:
            out[name] = raw
    for name in lists:
        out[name] = [line.strip() for line in text(form, name).splitlines() if line.strip()]
    return out


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    message = str(error.get("msg", "This value is not valid"))
    if kind == "missing":
        return "This is required."
    if kind == "extra_forbidden":
        return "This field is not part of the form."
    message = message.removeprefix("Value error, ")
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")


def schema_errors(exc: ValidationError) -> dict[str, str]:
    """One message per top-level field (the first one found)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc")
        message = _message(error)
        if not loc:
            # A rule across fields names its field first ("ends_at must be after starts_at").
            head, _, rest = str(error.get("msg", "")).removeprefix("Value error, ").partition(" ")
            if head.isidentifier() and rest:
                loc, message = (head,), _message({"msg": rest.replace("_at", "")})
            else:
                loc = ("form",)
        errors.setdefault(str(loc[0]), message)
    return errors


def parse(schema: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate ``data`` with ``schema``: (model, {}) or (None, errors by field)."""
    try:
        return schema.model_validate(dict(data)), {}
    except ValidationError as exc:
        return None, schema_errors(exc)


def domain_errors(exc: DomainError, default_field: str = "form") -> dict[str, str]:
    """What a service's refusal says, by field where it names one."""
    errors: dict[str, str] = {}
    for item in exc.extensions.get("errors") or []:
        field = str(item.get("field") or default_field).split(".")[0]
        errors.setdefault(field, str(item.get("reason") or exc.detail))
    if not errors:
        errors[str(exc.extensions.get("field") or default_field)] = exc.detail
    return errors
