"""Time-ordered identifiers (UUID version 7, RFC 9562).

Ids are opaque to clients, reveal nothing about row counts, and sort in creation order, which
lets cursor pagination walk the primary key index instead of a separate timestamp column.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """A new UUIDv7; monotonic within this process even when the clock stands still."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            # Same (or earlier) millisecond: keep the timestamp and bump the 12-bit counter so
            # ids made in one millisecond still sort in the order they were made.
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            now_ms = _last_ms
        else:
            _last_ms = now_ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        counter = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (now_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def uuid7_floor(at: datetime) -> uuid.UUID:
    """The smallest UUIDv7 of ``at``'s millisecond: every id made earlier sorts below it, so
    "made before ``at``" is a range of the primary key."""
    ms = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | (0b10 << 62))
