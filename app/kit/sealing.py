"""Secrets the service must read back, sealed at rest (webhook signing secrets).

A token is hashed because the service only ever compares it; a webhook signing secret must be
read to sign each delivery, so it is encrypted instead. The cipher is Fernet from
``cryptography`` (AES-128-CBC with an HMAC-SHA256 tag over version, time and IV: tampering or a
wrong key is detected, never decrypted into garbage). Its key is derived from
``TRACK2_SECRET_KEY`` with HKDF-SHA256 under a label of its own, so the same secret key never
serves two purposes directly.

Rotation: ``TRACK2_SECRET_KEY_FALLBACKS`` lists earlier secret keys. Sealing always uses the
current key; opening tries the current key, then each fallback (``MultiFernet``), so a secret
key can be changed without losing what was sealed under the old one. ``needs_reseal`` tells
which stored values to seal again before a fallback is dropped.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import Settings

# Marks a sealed value; anything without it was stored before sealing existed (plain text).
PREFIX: Final = "sealed:v1:"
_LABEL: Final = b"track2/sealed-secrets/v1"


class Unreadable(Exception):
    """No configured key opens the value (the secret key changed without a fallback)."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class Sealer:
    """Seals with the first key, opens with any of them."""

    def __init__(self, secret_keys: Sequence[str]) -> None:
        if not secret_keys:
            raise ValueError("a sealer needs at least one secret key")
        self._current = _fernet(secret_keys[0])
        self._all = MultiFernet([self._current, *(_fernet(k) for k in secret_keys[1:])])

    def seal(self, plaintext: str) -> str:
        return PREFIX + self._current.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        """The plain value; a value stored before sealing existed is returned as it is."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._all.decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise Unreadable(
                "no configured secret key opens this value: TRACK2_SECRET_KEY changed and the "
                "old key is not in TRACK2_SECRET_KEY_FALLBACKS"
            ) from exc

    def needs_reseal(self, stored: str) -> bool:
        """Stored in plain text, or sealed under a fallback key rather than the current one."""
        if not stored.startswith(PREFIX):
            return True
        try:
            self._current.decrypt(stored.removeprefix(PREFIX).encode("ascii"))
        except InvalidToken:
            return True
        return False


@lru_cache(maxsize=8)
def _sealer(secret_keys: tuple[str, ...]) -> Sealer:
    return Sealer(secret_keys)


def sealer_for(settings: Settings) -> Sealer:
    """The sealer for these settings (built once per set of keys: HKDF is not free)."""
    keys = (settings.secret_key, *settings.secret_key_fallbacks)
    return _sealer(tuple(k.get_secret_value() for k in keys))
