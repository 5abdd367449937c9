"""Backorders: units of an order's line that no location could promise, kept until stock arrives or they end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from omnifill.domain.errors import InvalidInput


class BackorderStatus(StrEnum):
    OPEN = "open"  # waiting for stock
    ALLOCATED = "allocated"  # stock arrived and was reserved for it
    CANCELLED = "cancelled"  # the order or the line was cancelled first


@dataclass(frozen=True, slots=True)
class Backorder:
    id: str
    order_id: str
    sku: str
    quantity: int
    status: BackorderStatus
    reason: str  # why no location could take it, e.g. "no stock in the network"
    created_at: datetime

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput("quantity", "must be positive")
