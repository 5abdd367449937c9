"""The inventory ledger: every change of stock is a movement; balances are the ledger's sum.

Invariant for every (SKU, location): 0 <= reserved <= on_hand, and
available_to_promise = max(0, on_hand - reserved - safety_stock).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from omnifill.domain.errors import InvalidInput, StockConflict

COST_PLACES = Decimal("0.0001")


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    RESERVATION = "reservation"
    RELEASE = "release"
    SHIPMENT = "shipment"
    RETURN = "return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    SALE = "sale"  # a POS sale: the unit left the shelf over the counter, no reservation involved
    POS_RETURN = "pos_return"  # a sellable unit brought back to a store's till


# Sign of a movement's quantity on (on_hand, reserved). Adjustment and count carry a signed delta.
# A shipment consumes its reservation: both drop together.
EFFECTS: dict[MovementKind, tuple[int, int]] = {
    MovementKind.RECEIPT: (1, 0),
    MovementKind.ADJUSTMENT: (1, 0),
    MovementKind.COUNT: (1, 0),
    MovementKind.RESERVATION: (0, 1),
    MovementKind.RELEASE: (0, -1),
    MovementKind.SHIPMENT: (-1, -1),
    MovementKind.RETURN: (1, 0),
    MovementKind.TRANSFER_OUT: (-1, 0),
    MovementKind.TRANSFER_IN: (1, 0),
    MovementKind.SALE: (-1, 0),
    MovementKind.POS_RETURN: (1, 0),
}
SIGNED_KINDS = frozenset({MovementKind.ADJUSTMENT, MovementKind.COUNT})


def available_to_promise(on_hand: int, reserved: int, safety_stock: int) -> int:
    return max(0, on_hand - reserved - safety_stock)


@dataclass(frozen=True, slots=True)
class StockLevel:
    """The balance of one SKU at one location, with the moving-average unit cost of what is on hand."""

    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0
    average_unit_cost: Decimal = Decimal(0)

    @property
    def available(self) -> int:
        return available_to_promise(self.on_hand, self.reserved, self.safety_stock)

    def apply(self, kind: MovementKind, quantity: int, unit_cost: Decimal | None = None) -> StockLevel:
        """The level after a movement, or StockConflict if it would break the invariant."""
        if kind not in SIGNED_KINDS and quantity <= 0:
            raise InvalidInput("quantity", f"a {kind} moves a positive number of units")
        d_on_hand, d_reserved = (sign * quantity for sign in EFFECTS[kind])
        on_hand, reserved = self.on_hand + d_on_hand, self.reserved + d_reserved
        if on_hand < 0:
            raise StockConflict(
                f"{kind} of {quantity} would make on hand negative",
                on_hand=self.on_hand, reserved=self.reserved, quantity=quantity,
            )
        if reserved < 0 or reserved > on_hand:
            raise StockConflict(
                f"{kind} of {quantity} would leave {reserved} reserved against {on_hand} on hand",
                on_hand=self.on_hand, reserved=self.reserved, quantity=quantity,
            )
        cost = self.average_unit_cost
        if kind is MovementKind.RECEIPT and unit_cost is not None:
            cost = moving_average_cost(self.on_hand, self.average_unit_cost, quantity, unit_cost)
        return replace(self, on_hand=on_hand, reserved=reserved, average_unit_cost=cost)

    def reserve(self, quantity: int) -> StockLevel:
        """Reserving never dips into safety stock: that is what keeps a store's shelf from emptying."""
        if quantity > self.available:
            raise StockConflict(
                f"only {self.available} available to reserve, {quantity} asked",
                available=self.available, quantity=quantity,
            )
        return self.apply(MovementKind.RESERVATION, quantity)


def moving_average_cost(on_hand: int, average: Decimal, received: int, cost: Decimal) -> Decimal:
    """Weighted average of the stock on hand and the receipt; a receipt into empty stock sets the cost."""
    if on_hand <= 0:
        return cost.quantize(COST_PLACES, ROUND_HALF_EVEN)
    total = average * on_hand + cost * received
    return (total / (on_hand + received)).quantize(COST_PLACES, ROUND_HALF_EVEN)


def count_delta(level: StockLevel, counted: int) -> int:
    """A cycle count records the difference between what was counted and what the books say."""
    if counted < 0:
        raise InvalidInput("quantity", "a count is the number of units found, never negative")
    return counted - level.on_hand


@dataclass(frozen=True, slots=True)
class Movement:
    """One immutable ledger row."""

    kind: MovementKind
    sku: str
    location: str
    quantity: int
    on_hand_delta: int
    reserved_delta: int
    unit_cost: Decimal
    reason: str
    actor: str
    order_id: str | None = None


def movement(
    kind: MovementKind, sku: str, location: str, quantity: int, level: StockLevel,
    *, reason: str, actor: str, unit_cost: Decimal | None = None, order_id: str | None = None,
) -> tuple[Movement, StockLevel]:
    """Build the ledger row and the new level together so the two can never disagree."""
    after = level.apply(kind, quantity, unit_cost)
    cost = unit_cost if kind is MovementKind.RECEIPT and unit_cost is not None else level.average_unit_cost
    row = Movement(
        kind=kind, sku=sku, location=location, quantity=quantity,
        on_hand_delta=after.on_hand - level.on_hand, reserved_delta=after.reserved - level.reserved,
        unit_cost=cost, reason=reason, actor=actor, order_id=order_id,
    )
    return row, after
