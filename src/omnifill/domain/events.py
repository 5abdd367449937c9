"""Domain events: past-tense facts appended to the outbox in the transaction that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DomainEvent:
    type: str  # e.g. "order.placed", "inventory.movement_recorded"
    entity_type: str
    entity_id: str
    payload: dict[str, Any]
    occurred_at: datetime
