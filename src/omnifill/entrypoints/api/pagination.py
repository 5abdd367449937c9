"""Opaque cursors: the last key of a page, base64url-encoded JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from omnifill.domain.errors import InvalidInput


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor", "not a cursor this API returned") from None


def decode_text_cursor(cursor: str | None) -> str | None:
    value = decode_cursor(cursor)
    if value is not None and not isinstance(value, str):
        raise InvalidInput("cursor", "not a cursor this API returned")
    return value


def decode_pair_cursor(cursor: str | None) -> tuple[str, str] | None:
    """A cursor holding two codes, such as (SKU, location)."""
    value = decode_cursor(cursor)
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise InvalidInput("cursor", "not a cursor this API returned")
    return value[0], value[1]
