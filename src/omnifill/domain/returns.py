"""Returns anywhere: the return authorization (RMA), its state machine, what may still come back, and where each
received unit goes.

authorized → partially_received → received → refunded | closed; an RMA nothing came back for expires (timer) or is
cancelled. Receiving and refunding are separate steps, so units can be taken back without paying anything yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from omnifill.domain.errors import InvalidInput, InvalidTransition
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind, great_circle_miles
from omnifill.domain.orders import transition
from omnifill.domain.return_policy import Refund, ReturnPolicy


class ReturnMethod(StrEnum):
    IN_STORE = "in_store"  # brought to a store with the `returns` capability (BORIS when bought online)
    MAIL = "mail"  # sent back with a return label to a returns location


class ReturnStatus(StrEnum):
    AUTHORIZED = "authorized"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    REFUNDED = "refunded"
    CLOSED = "closed"  # settled without a refund (an exchange, or the retailer's decision)
    EXPIRED = "expired"
    CANCELLED = "cancelled"


_R = ReturnStatus
RETURN_TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    _R.AUTHORIZED: frozenset({_R.PARTIALLY_RECEIVED, _R.RECEIVED, _R.EXPIRED, _R.CANCELLED}),
    _R.PARTIALLY_RECEIVED: frozenset({_R.PARTIALLY_RECEIVED, _R.RECEIVED, _R.REFUNDED, _R.CLOSED}),
    _R.RECEIVED: frozenset({_R.REFUNDED, _R.CLOSED}),
    _R.REFUNDED: frozenset(),
    _R.CLOSED: frozenset(),
    _R.EXPIRED: frozenset(),
    _R.CANCELLED: frozenset(),
}
# Still waiting for units: the whole authorized quantity is spoken for. In every other state only what came back.
OPEN_RETURNS = frozenset({_R.AUTHORIZED, _R.PARTIALLY_RECEIVED})


class Condition(StrEnum):
    SELLABLE = "sellable"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    REFURBISH = "refurbish"


class Disposition(StrEnum):
    RESTOCK = "restock"  # back on the shelf: a `return` movement, available to promise at once
    QUARANTINE = "quarantine"
    RETURN_TO_VENDOR = "return_to_vendor"
    DISPOSE = "dispose"
    REFURBISH = "refurbish"  # the refurbishment work queue


class Outcome(StrEnum):
    """How a received unit left the disposition queue."""

    RESTOCK = "restock"  # sellable (again): a `return` movement puts it on the shelf
    DISPOSE = "dispose"
    RETURNED_TO_VENDOR = "returned_to_vendor"


_D = Disposition
ALLOWED_DISPOSITIONS: dict[Condition, tuple[Disposition, ...]] = {  # the first is the default
    Condition.SELLABLE: (_D.RESTOCK,),
    Condition.DAMAGED: (_D.QUARANTINE, _D.RETURN_TO_VENDOR, _D.DISPOSE),
    Condition.DEFECTIVE: (_D.RETURN_TO_VENDOR, _D.QUARANTINE, _D.DISPOSE),
    Condition.REFURBISH: (_D.REFURBISH,),
}


def disposition_for(condition: Condition, asked: Disposition | None, where: str) -> Disposition:
    """Where a unit in this condition goes; only a sellable unit is ever restocked."""
    allowed = ALLOWED_DISPOSITIONS[condition]
    if asked is None:
        return allowed[0]
    if asked not in allowed:
        raise InvalidInput(where, f"a {condition} unit goes to {' or '.join(allowed)}")
    return asked


@dataclass(slots=True)
class ReturnLine:
    sku: str
    quantity: int  # authorized
    reason: str
    received: int = 0

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received


@dataclass(frozen=True, slots=True)
class ReturnLabel:
    """A mail return's prepaid label, from the customer to the returns location."""

    carrier: str
    tracking_number: str
    cost: Decimal
    returns_location: str
    expected_arrival: date
    routing: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ReturnAuthorization:
    id: str
    order_id: str
    channel: str
    method: ReturnMethod
    status: ReturnStatus
    lines: list[ReturnLine]
    created_at: datetime
    actor: str
    location: str | None = None  # the store an in-store return was authorized for
    label: ReturnLabel | None = None
    replacement_order_id: str | None = None
    refund: Refund | None = None
    refund_method: str | None = None
    received_at: tuple[str, ...] = ()  # the locations units were received at

    def line(self, sku: str) -> ReturnLine | None:
        return next((ln for ln in self.lines if ln.sku == sku), None)

    def held(self, sku: str) -> int:
        """Units of the SKU this RMA takes out of what may still be returned."""
        line = self.line(sku)
        if line is None:
            return 0
        return line.quantity if self.status in OPEN_RETURNS else line.received

    def receive(self, lines: Sequence[ReceivedLine]) -> None:
        """Count units in, each within what is still expected; the status follows from what is outstanding."""
        if self.status not in OPEN_RETURNS:
            raise InvalidTransition(f"return {self.id} is {self.status}; nothing more is received on it",
                                    current_status=str(self.status))
        for sku, quantity in check_receipt(self, lines).items():
            line = self.line(sku)
            assert line is not None  # check_receipt refused a SKU not on the RMA
            line.received += quantity
        done = all(ln.outstanding == 0 for ln in self.lines)
        self.move(_R.RECEIVED if done else _R.PARTIALLY_RECEIVED)

    def move(self, target: ReturnStatus) -> None:
        self.status = transition(RETURN_TRANSITIONS, self.status, target, f"return {self.id}")

    @property
    def received_units(self) -> int:
        return sum(ln.received for ln in self.lines)


# --------------------------------------------------------------------------------------------- authorization


@dataclass(frozen=True, slots=True)
class Delivered:
    """Units of one SKU that reached the customer (shipped, delivered or picked up), and the last day they did."""

    units: int
    on: date


@dataclass(frozen=True, slots=True)
class RequestedLine:
    sku: str
    quantity: int
    reason: str


def returnable(delivered: Mapping[str, Delivered], earlier: Sequence[ReturnAuthorization]) -> dict[str, int]:
    """Per SKU: units delivered, less those already authorized on open RMAs or received on settled ones."""
    return {sku: d.units - sum(rma.held(sku) for rma in earlier) for sku, d in delivered.items()}


def check_request(
    lines: Sequence[RequestedLine], channel: str, delivered: Mapping[str, Delivered],
    earlier: Sequence[ReturnAuthorization], policy: ReturnPolicy, today: date,
) -> None:
    """Every line must be a delivered SKU, within what may still come back and inside its return window."""
    if not lines:
        raise InvalidInput("lines", "a return has at least one line")
    left = returnable(delivered, earlier)
    seen: set[str] = set()
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if line.sku in seen:
            raise InvalidInput(f"{where}.sku", f"{line.sku} is listed twice; give one line per SKU")
        seen.add(line.sku)
        policy.rule(line.reason, f"{where}.reason")
        if line.sku in policy.final_sale_skus:
            raise InvalidInput(f"{where}.sku", f"{line.sku} was a final sale and cannot be returned")
        _check_units(line, where, delivered.get(line.sku), left.get(line.sku, 0))
        _check_window(line, where, channel, delivered[line.sku], policy, today)


def _check_units(line: RequestedLine, where: str, delivered: Delivered | None, left: int) -> None:
    if delivered is None:
        raise InvalidInput(f"{where}.sku", f"no unit of {line.sku} on this order has shipped or been picked up")
    if line.quantity > left:
        raise InvalidInput(f"{where}.quantity", f"only {max(left, 0)} of {delivered.units} {line.sku} delivered "
                                                f"may still be returned; {line.quantity} asked")


def _check_window(
    line: RequestedLine, where: str, channel: str, delivered: Delivered, policy: ReturnPolicy, today: date,
) -> None:
    days = policy.window_for(channel, line.sku)
    last_day = delivered.on + timedelta(days=days)
    if today > last_day:
        raise InvalidInput(f"{where}.sku", f"the return window for {line.sku} ({days} days from "
                                           f"{delivered.on.isoformat()}) closed on {last_day.isoformat()}")


def takes_returns(location: Location) -> bool:
    """Any location with the `returns` capability takes units back, whether or not it ever stocked them."""
    return Capability.RETURNS in location.capabilities


def nearest_returns_location(candidates: Sequence[Location], customer: GeoPoint) -> Location | None:
    """Where a mail return goes: the nearest warehouse that takes returns, else the nearest location that does."""
    taking = [loc for loc in candidates if takes_returns(loc)]
    pool = [loc for loc in taking if loc.kind is LocationKind.WAREHOUSE] or taking
    return min(pool, key=lambda loc: (great_circle_miles(loc.position, customer), loc.code), default=None)


# --------------------------------------------------------------------------------------------------- receiving


@dataclass(frozen=True, slots=True)
class ReceivedLine:
    sku: str
    quantity: int
    condition: Condition
    disposition: Disposition


def check_receipt(rma: ReturnAuthorization, lines: Sequence[ReceivedLine]) -> dict[str, int]:
    """Units per SKU, each within what the RMA still expects; a SKU may come in several conditions."""
    if not lines:
        raise InvalidInput("lines", "receive at least one line")
    units: dict[str, int] = {}
    for index, line in enumerate(lines):
        expected = rma.line(line.sku)
        if expected is None:
            raise InvalidInput(f"lines[{index}].sku", f"{line.sku} is not on return {rma.id}")
        units[line.sku] = units.get(line.sku, 0) + line.quantity
        if units[line.sku] > expected.outstanding:
            raise InvalidInput(f"lines[{index}].quantity", f"return {rma.id} expects {expected.outstanding} more "
                                                           f"{line.sku}, {units[line.sku]} received")
    return units
