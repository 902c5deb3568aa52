"""Request fields the guard adds to every schema that writes a public-bound text."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from app.kit.types import NoNul

WarningCode = Annotated[str, StringConstraints(min_length=1, max_length=300), NoNul]
AcknowledgeWarnings = Annotated[
    list[WarningCode],
    Field(
        max_length=50,
        description="Codes of the guard's warnings on this write's public texts that the "
        "writer acknowledges (see the `findings` of a 409 `unacknowledged-warnings`).",
    ),
]
