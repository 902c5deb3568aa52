"""Reading a CSV file of people: every row validated before anything is stored.

The file is UTF-8 (a byte-order mark is accepted), comma-separated, with a header row whose
columns are ``PersonCreate``'s field names; ``given_name`` and ``family_name`` are required,
any other known column is optional, and an unknown column refuses the file. ``aliases`` and
``affiliation_aliases`` hold several names separated by ``;``. An empty cell means "not
given". Rows are numbered as in the file, the header being row 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from email.message import Message

from pydantic import ValidationError

from app.errors import DomainError, FieldError, InvalidRequest
from app.people.schemas import PersonCreate

CSV_MEDIA_TYPE = "text/csv"
COLUMNS = tuple(PersonCreate.model_fields)
REQUIRED_COLUMNS = ("given_name", "family_name")
ALIAS_SEPARATOR = ";"
MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One validated row and its row number in the file (the header is row 1)."""

    row: int
    person: PersonCreate


class UnsupportedMediaType(DomainError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


def require_csv(content_type: str | None) -> None:
    """Refuse anything but ``text/csv`` in UTF-8 (the default when no charset is named)."""
    message = Message()
    message["content-type"] = content_type or ""
    if not content_type or message.get_content_type() != CSV_MEDIA_TYPE:
        raise UnsupportedMediaType(
            f"Send the file as {CSV_MEDIA_TYPE} (got {content_type or 'no content type'})"
        )
    charset = message.get_content_charset("utf-8")
    if charset not in {"utf-8", "utf8"}:
        raise UnsupportedMediaType(f"Send the file as UTF-8 (got charset={charset})")


def _file_error(reason: str, *, location: str = "body", field: str = "body") -> InvalidRequest:
    return InvalidRequest.single(field, reason, location=location)


def _header(cells: list[str]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for name in names:
        if name not in COLUMNS:
            errors.append(
                FieldError(
                    location="row 1",
                    field=name or "(empty)",
                    reason=f"unknown column; the columns are {', '.join(COLUMNS)}",
                    code="unknown_column",
                )
            )
        elif name in seen:
            errors.append(
                FieldError(
                    location="row 1",
                    field=name,
                    reason="the column appears twice",
                    code="duplicate_column",
                )
            )
        seen.add(name)
    errors.extend(
        FieldError(
            location="row 1",
            field=name,
            reason="required column is missing",
            code="missing_column",
        )
        for name in REQUIRED_COLUMNS
        if name not in seen
    )
    if errors:
        raise InvalidRequest(errors)
    return names


def _cells_to_fields(header: list[str], cells: list[str]) -> dict[str, object]:
    fields: dict[str, object] = {}
    for name, raw in zip(header, cells, strict=True):
        value = raw.strip()
        if not value:
            continue
        if name in ("aliases", "affiliation_aliases"):
            fields[name] = [a.strip() for a in value.split(ALIAS_SEPARATOR) if a.strip()]
        else:
            fields[name] = value
    return fields


def _row_errors(row: int, exc: ValidationError) -> list[FieldError]:
    errors: list[FieldError] = []
    for err in exc.errors():
        loc = err.get("loc", ())
        field = str(loc[0]) if loc else "row"
        reason = str(err.get("msg", "Invalid value")).removeprefix("Value error, ")
        if len(loc) > 1 and isinstance(loc[1], int):
            reason = f"item {loc[1] + 1}: {reason}"
        errors.append(
            FieldError(location=f"row {row}", field=field, reason=reason, code=err.get("type"))
        )
    return errors


def parse_people_csv(body: bytes) -> list[ImportRow]:
    """Every row of the file as a valid ``PersonCreate``, or a 422 listing each bad cell.

    Also refuses an e-mail address used twice in the file (the service checks the addresses
    already in the series). Blank lines are skipped but still counted.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(f"The file is not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[ImportRow] = []
    errors: list[FieldError] = []
    first_use: dict[str, int] = {}
    header: list[str] | None = None
    record = data_rows = 0
    try:
        for record, cells in enumerate(reader, start=1):
            if header is None:
                header = _header(cells)
                continue
            if not any(c.strip() for c in cells):
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise _file_error(f"At most {MAX_ROWS} people per file; split the file")
            if len(cells) != len(header):
                errors.append(
                    FieldError(
                        location=f"row {record}",
                        field="row",
                        reason=f"the row has {len(cells)} cells; the header has {len(header)}",
                        code="wrong_cell_count",
                    )
                )
                continue
            try:
                person = PersonCreate.model_validate(_cells_to_fields(header, cells))
            except ValidationError as exc:
                errors.extend(_row_errors(record, exc))
                continue
            if person.email:
                earlier = first_use.setdefault(person.email, record)
                if earlier != record:
                    errors.append(
                        FieldError(
                            location=f"row {record}",
                            field="email",
                            reason=f"the same e-mail address as row {earlier}",
                            code="duplicate_email",
                        )
                    )
                    continue
            rows.append(ImportRow(row=record, person=person))
    except csv.Error as exc:
        raise _file_error(
            f"Not a readable CSV file: {exc}", location=f"row {record + 1}", field="row"
        ) from None
    if header is None:
        raise _file_error("The file is empty; it needs a header row and at least one person")
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        detail = f"{len(errors)} error(s) in the file; nothing was imported"
        if more:
            detail += f" (the first {len(shown)} are listed)"
        raise InvalidRequest(shown, detail=detail)
    if not rows:
        raise _file_error("The file has a header row but no people")
    return rows
