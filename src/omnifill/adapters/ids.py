"""Time-ordered identifiers (ULID layout), made in the application so inserts need no round trip for keys."""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_id(prefix: str) -> str:
    """`ord_01JD…`: 48 bits of milliseconds then 80 random bits, so ids sort by creation time."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return f"{prefix}_{''.join(reversed(chars))}"
