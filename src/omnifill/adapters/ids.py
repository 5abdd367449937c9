"""Time-ordered identifiers (ULID layout), made in the application so inserts need no round trip for keys."""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_RANDOM_BITS = 80
_last = 0
_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """`ord_01JD…`: 48 bits of milliseconds then 80 random bits, so ids sort by creation time.

    Monotonic within a process (the ULID spec's rule): an id made in the same millisecond as the previous
    one is that one plus one, so the fulfillments of one order list in the order they were planned.
    """
    global _last
    fresh = (time.time_ns() // 1_000_000) << _RANDOM_BITS | int.from_bytes(os.urandom(10), "big")
    with _lock:
        value = _last = fresh if fresh >> _RANDOM_BITS > _last >> _RANDOM_BITS else _last + 1
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return f"{prefix}_{''.join(reversed(chars))}"
