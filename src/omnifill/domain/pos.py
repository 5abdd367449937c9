"""Point of sale: what a store's till reports, and who gives way when a till sold a unit promised online.

A sale at the till has already happened: it is never refused for stock. When it takes units that were
reserved for online orders, the online orders give them back (newest first, least advanced work first) and
are routed elsewhere; what no online order can give back was on the shelf without the books knowing.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from omnifill.domain.orders import FulfillmentStatus, Order

# Work that has not picked its units yet: the unit the till sold may have been one of them. A picked or packed
# fulfillment holds its units in a tote or a carton, so the till must have sold a different unit.
TAKEABLE = (FulfillmentStatus.PENDING, FulfillmentStatus.ACCEPTED, FulfillmentStatus.PICKING)


class PosKind(StrEnum):
    SALE = "sale"
    RETURN = "return"


class ReturnCondition(StrEnum):
    SELLABLE = "sellable"  # back on the shelf
    DAMAGED = "damaged"  # recorded, never back in stock


@dataclass(frozen=True, slots=True)
class PosCustomer:
    email: str | None = None
    phone: str | None = None
    loyalty_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class PosLine:
    sku: str
    quantity: int
    unit_price: Decimal | None = None  # sales carry a price; returns may not
    condition: ReturnCondition | None = None  # returns only


@dataclass(frozen=True, slots=True)
class PosTransaction:
    """A sale or a return as the till reports it, SKUs already resolved from barcodes."""

    kind: PosKind
    transaction_id: str
    location: str
    occurred_at: datetime
    lines: tuple[PosLine, ...]
    customer: PosCustomer | None = None
    original_transaction_id: str | None = None

    def units(self) -> dict[str, int]:
        """Units per SKU that move stock: every sold unit, every sellable returned unit."""
        moved: Counter[str] = Counter()
        for line in self.lines:
            if line.condition is not ReturnCondition.DAMAGED:
                moved[line.sku] += line.quantity
        return dict(sorted(moved.items()))

    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines if line.unit_price is not None),
                   Decimal(0))

    def fingerprint(self) -> str:
        """Equal for the same transaction sent twice: a replay; different: the till reused a transaction id."""
        body = asdict(self)
        body["occurred_at"] = self.occurred_at.isoformat()
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class HeldUnits:
    """Units one online fulfillment at the store holds reserved."""

    fulfillment_id: str
    order_id: str
    status: FulfillmentStatus
    placed_at: datetime
    units: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class TakeBack:
    fulfillment_id: str
    order_id: str
    units: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class SaleConflict:
    """A till sale took `units_short` units of a SKU beyond what was free: what gave way, what was unbooked."""

    sku: str
    units_short: int
    rerouted: list[dict[str, Any]] = field(default_factory=list)  # [{"order_id", "fulfillment_id", "units"}]
    unbooked_units: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"sku": self.sku, "units_short": self.units_short, "rerouted": self.rerouted,
                "unbooked_units": self.unbooked_units}


def held_at(orders: Iterable[Order], location: str, skus: Collection[str]) -> list[HeldUnits]:
    """What the orders' not-yet-picked work at the location holds of these SKUs."""
    return [
        HeldUnits(f.id, order.id, f.status, order.created_at,
                  {line.sku: line.quantity for line in f.lines if line.sku in skus})
        for order in orders for f in order.fulfillments
        if f.location == location and f.status in TAKEABLE and any(line.sku in skus for line in f.lines)
    ]


def choose_take_backs(short: Mapping[str, int], held: Sequence[HeldUnits]) -> list[TakeBack]:
    """Which online fulfillments give back the units a till sale took.

    Work not yet started gives way before work under way (pending, then accepted, then picking), and among
    equals the newest order first: the customer who ordered earliest keeps the promise. Fulfillments in other
    states hold nothing that can be taken back.
    """
    rank = {status: n for n, status in enumerate(TAKEABLE)}
    queue = sorted((h for h in held if h.status in rank),
                   key=lambda h: (h.placed_at, h.order_id, h.fulfillment_id), reverse=True)  # newest first
    queue.sort(key=lambda h: rank[h.status])  # stable: newest first within each status
    need = {sku: units for sku, units in short.items() if units > 0}
    chosen: list[TakeBack] = []
    for h in queue:
        take = TakeBack(h.fulfillment_id, h.order_id)
        for sku in sorted(need):
            units = min(need[sku], h.units.get(sku, 0))
            if units:
                take.units[sku] = units
                need[sku] -= units
        need = {sku: units for sku, units in need.items() if units}
        if take.units:
            chosen.append(take)
        if not need:
            break
    return chosen
