"""What this process knows about the tokens it has authenticated, and when it may trust it.

Authenticating a bearer token costs a dictionary lookup and one indexed read of a single
integer, ``auth_version.version``, in the request's own transaction. The database bumps that
number (triggers of migration 0080, in the transaction of the change) whenever a token is
revoked, deleted, re-dated or made read-only, and whenever a user is deactivated, deleted, or
changes administrator flag or address. A known token whose version is still current is
therefore exactly what the database would answer, in every process sharing the database; a
stale one is read again. Only valid tokens are kept: a refused token is read every time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.users.service import Principal

__all__ = ["KnownToken", "TokenCache"]


@dataclass(frozen=True, slots=True)
class KnownToken:
    """A valid token as of ``version``: its principal and what may still change by time."""

    version: int
    principal: Principal
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCache:
    """The valid tokens one application has authenticated, by the SHA-256 of their secret."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._known: OrderedDict[str, KnownToken] = OrderedDict()

    def known(self, token_hash: str, version: int) -> KnownToken | None:
        """The token's state if it was read at ``version`` (the current one), else None."""
        entry = self._known.get(token_hash)
        if entry is None or entry.version != version:
            return None
        return entry

    def remember(self, token_hash: str, entry: KnownToken) -> None:
        self._known[token_hash] = entry
        self._known.move_to_end(token_hash)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def forget(self, token_hash: str) -> None:
        self._known.pop(token_hash, None)
