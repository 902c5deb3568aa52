"""Signed, expiring download links for delivered detailed reports.

The link carries ids only (the request and the version), never the address; its own
itsdangerous salt keeps it from validating as any other kind of link.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

SALT = "track2.reports.download.v1"
MAX_TOKEN_LENGTH = 2000


class BadDownloadLink(Exception):
    """A link that cannot be used: ``expired`` or ``invalid`` (tampered, truncated, other)."""

    def __init__(self, reason: str, request_id: uuid.UUID | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.request_id = request_id


@dataclass(frozen=True, slots=True)
class DownloadLink:
    """What a verified link says."""

    request_id: uuid.UUID
    version_id: uuid.UUID


class DownloadLinks:
    """Makes and reads download links for one installation (one secret key)."""

    def __init__(
        self, secret_key: str, *, days: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_age = days * 86_400
        self._clock = clock

        clock_fn = clock

        class _Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock_fn())

        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT, signer=_Signer)

    def make(self, request_id: uuid.UUID, version_id: uuid.UUID) -> str:
        return self._serializer.dumps({"q": request_id.hex, "v": version_id.hex})

    def read(self, token: str | None) -> DownloadLink:
        """Verify a link; raise :class:`BadDownloadLink` saying why it cannot be used."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise BadDownloadLink("invalid")
        try:
            payload = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired as exc:
            # The signature was good, so the payload is ours: say which request it was.
            raise BadDownloadLink("expired", self._expired_request(exc.payload)) from None
        except BadSignature:
            raise BadDownloadLink("invalid") from None
        try:
            return DownloadLink(
                request_id=uuid.UUID(hex=payload["q"]), version_id=uuid.UUID(hex=payload["v"])
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BadDownloadLink("invalid") from None

    def _expired_request(self, raw: object) -> uuid.UUID | None:
        try:
            payload = self._serializer.load_payload(raw)  # type: ignore[arg-type]  # bytes
            return uuid.UUID(hex=payload["q"])
        except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
            return None
