"""Choosing a report format from ``?format=`` or the ``Accept`` header."""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import DomainError
from app.reports.render import MEDIA_TYPES, Format

_BY_MEDIA_TYPE: dict[str, Format] = {
    "text/markdown": Format.MD,
    "text/x-markdown": Format.MD,
    "text/html": Format.HTML,
    "application/xhtml+xml": Format.HTML,
    "application/pdf": Format.PDF,
    MEDIA_TYPES[Format.DOCX]: Format.DOCX,
    "application/json": Format.JSON,
}
_WILDCARDS: dict[str, Format] = {"text/*": Format.HTML, "application/*": Format.JSON}


class NotAcceptable(DomainError):
    """The report cannot be given in any format the client asked for."""

    status = 406
    slug = "not-acceptable"
    title = "Not acceptable"


def _ranges(accept: str) -> list[tuple[float, int, str]]:
    out: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            out.append((q, index, media.lower()))
    # Highest q first; among equals, the more specific range, then the order given.
    out.sort(key=lambda r: (-r[0], r[2].count("*"), r[1]))
    return out


def choose_format(
    format_param: str | None,
    accept: str | None,
    *,
    allowed: Sequence[Format] = tuple(Format),
    default: Format = Format.JSON,
) -> Format:
    """``?format=`` wins; otherwise the best ``Accept`` match; no header means ``default``.
    Anything else is a 406 problem listing what is offered."""
    offered = [f.value for f in allowed]
    if format_param is not None:
        try:
            chosen = Format(format_param.lower())
        except ValueError:
            chosen = None
        if chosen is None or chosen not in allowed:
            raise NotAcceptable(
                f"format={format_param!r} is not offered here; use one of {', '.join(offered)}",
                supported=offered,
            )
        return chosen
    if not accept or not accept.strip():
        return default
    for _, _, media in _ranges(accept):
        if media == "*/*":
            return default
        found = _BY_MEDIA_TYPE.get(media) or _WILDCARDS.get(media)
        if found is not None and found in allowed:
            return found
    raise NotAcceptable(
        "None of the media types in Accept is offered; ask for "
        + ", ".join(MEDIA_TYPES[f] for f in allowed),
        supported=offered,
    )
