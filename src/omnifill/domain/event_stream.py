"""The event stream: outbox events once the relay has given them their place in commit order.

An outbox row's autoincrement id is taken when its transaction inserts it, not when it commits: a transaction
holding id 10 can commit after one holding id 11, so a reader asking for `id > 10` would skip 10 forever.
The relay therefore gives each committed event a `position` (1, 2, 3, … without gaps) in one serialized step;
readers, webhook deliveries and the broker relay only ever see positioned events and page by position.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from omnifill.domain.errors import InvalidInput

ALL_TYPES = "*"
# An event type ("order.placed") or a prefix of types ending with a dot ("order."), or "*" for every type.
_TYPE_PATTERN = re.compile(r"\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.?")
MAX_TYPE_PATTERNS = 50


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int  # the outbox row's id: unique, stable; receivers de-duplicate on it
    position: int  # its place in the stream, in commit order
    type: str
    entity_type: str
    entity_id: str
    payload: dict[str, Any]
    occurred_at: datetime

    @property
    def order_id(self) -> str | None:
        """The order an event is about, if any: the order itself, or the order its fulfillment or shipment serves."""
        if self.entity_type == "order":
            return self.entity_id
        found = self.payload.get("order_id")
        return str(found) if found else None

    @property
    def ordering_key(self) -> str:
        """Deliveries with one key go out one at a time, in stream order: per order for anything about an order,
        per entity otherwise (a SKU at a location, a location, a bin)."""
        order_id = self.order_id
        return f"order:{order_id}" if order_id else f"{self.entity_type}:{self.entity_id}"[:200]


def type_patterns(field: str, patterns: Iterable[str]) -> tuple[str, ...]:
    """Checked type filters; "*" (or no filter at all) means every type."""
    checked = tuple(dict.fromkeys(p.strip() for p in patterns))
    if len(checked) > MAX_TYPE_PATTERNS:
        raise InvalidInput(field, f"at most {MAX_TYPE_PATTERNS} types")
    for i, pattern in enumerate(checked):
        if not _TYPE_PATTERN.fullmatch(pattern) or len(pattern) > 64:
            raise InvalidInput(f"{field}[{i}]" if len(checked) > 1 else field,
                               f"{pattern!r} is not an event type (order.placed), a prefix (order.) or *")
    return () if ALL_TYPES in checked else checked


def matches(event_type: str, patterns: Sequence[str]) -> bool:
    """No patterns: every type. A pattern ending in "." is a prefix; any other must equal the type."""
    return not patterns or any(
        event_type.startswith(p) if p.endswith(".") else event_type == p for p in patterns
    )


def envelope(event: StoredEvent, cursor: str) -> dict[str, Any]:
    """What readers of the stream and webhook receivers get for one event."""
    return {
        "id": event.id, "type": event.type, "entity_type": event.entity_type, "entity_id": event.entity_id,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"), "payload": event.payload,
        "cursor": cursor,
    }


def cursor_for(position: int) -> str:
    """Opaque to clients, stable across releases: the base64url of the event's position."""
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def position_after(cursor: str | None, field: str = "after") -> int:
    """The position a cursor stands for; no cursor is the start of the stream."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        text = ""
    if not re.fullmatch(r"p[0-9]{1,18}", text):
        raise InvalidInput(field, "not a cursor this API returned")
    return int(text[1:])
