"""Signed links for subscribers: one itsdangerous salt per purpose.

A token made for one purpose never validates for another (the salt differs), so an
unsubscribe link cannot be replayed as a confirmation. Tokens carry ids only, never the
address: links end up in logs and browser histories.

Lifetimes: confirmation links expire after ``settings.public.confirmation_link_hours``;
unsubscribe links never expire (RFC 8058 links in old newsletters must keep working);
preferences links last :data:`PREFERENCES_LINK_DAYS` days and every newsletter carries a
fresh one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PREFERENCES_LINK_DAYS = 30


class Purpose(StrEnum):
    """What a link is for; each has its own salt."""

    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"
    PREFERENCES = "preferences"


_SALTS = {purpose: f"track2.newsletter.{purpose.value}.v1" for purpose in Purpose}


class BadLink(Exception):
    """A link that cannot be used: ``expired`` or ``invalid`` (tampered, truncated, for
    another purpose)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LinkData:
    """What a verified link says."""

    subscriber_id: uuid.UUID
    series_ids: tuple[uuid.UUID, ...]


class LinkSigner:
    """Makes and reads the links of one installation (one secret key)."""

    def __init__(self, secret_key: str, *, confirmation_hours: int) -> None:
        self._serializers = {
            purpose: URLSafeTimedSerializer(secret_key, salt=salt)
            for purpose, salt in _SALTS.items()
        }
        self._max_age = {
            Purpose.CONFIRM: confirmation_hours * 3600,
            Purpose.UNSUBSCRIBE: None,
            Purpose.PREFERENCES: PREFERENCES_LINK_DAYS * 86_400,
        }

    def make(
        self, purpose: Purpose, subscriber_id: uuid.UUID, series_ids: tuple[uuid.UUID, ...] = ()
    ) -> str:
        """A URL-safe token for this purpose."""
        payload: dict[str, Any] = {"s": subscriber_id.hex}
        if series_ids:
            payload["r"] = [series_id.hex for series_id in series_ids]
        return self._serializers[purpose].dumps(payload)

    def read(self, purpose: Purpose, token: str | None) -> LinkData:
        """Verify a token for this purpose; raise :class:`BadLink` otherwise."""
        if not token or len(token) > 2000:
            raise BadLink("invalid")
        try:
            payload = self._serializers[purpose].loads(token, max_age=self._max_age[purpose])
        except SignatureExpired:
            raise BadLink("expired") from None
        except BadSignature:
            raise BadLink("invalid") from None
        try:
            return LinkData(
                subscriber_id=uuid.UUID(hex=payload["s"]),
                series_ids=tuple(uuid.UUID(hex=value) for value in payload.get("r", [])),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BadLink("invalid") from None
