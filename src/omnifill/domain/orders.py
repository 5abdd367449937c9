"""Orders from every channel, their fulfillment orders, and the state machines that govern both."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from omnifill.domain.errors import InvalidInput, InvalidTransition

if TYPE_CHECKING:
    from omnifill.domain.pickup import HandoffMethod


class OrderStatus(StrEnum):
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    PICKED_UP = "picked_up"
    CANCELLED = "cancelled"


class FulfillmentStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    READY_FOR_PICKUP = "ready_for_pickup"
    PICKED_UP = "picked_up"
    EXPIRED = "expired"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


_O = OrderStatus
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    _O.ALLOCATED: frozenset({_O.PARTIALLY_SHIPPED, _O.SHIPPED, _O.READY_FOR_PICKUP, _O.BACKORDERED, _O.CANCELLED}),
    _O.BACKORDERED: frozenset({_O.ALLOCATED, _O.CANCELLED}),
    _O.PARTIALLY_SHIPPED: frozenset({_O.SHIPPED}),
    _O.SHIPPED: frozenset({_O.DELIVERED}),
    _O.READY_FOR_PICKUP: frozenset({_O.PICKED_UP, _O.CANCELLED}),
    _O.DELIVERED: frozenset(),
    _O.PICKED_UP: frozenset(),
    _O.CANCELLED: frozenset(),
}

_F = FulfillmentStatus
FULFILLMENT_TRANSITIONS: dict[FulfillmentStatus, frozenset[FulfillmentStatus]] = {
    _F.PENDING: frozenset({_F.ACCEPTED, _F.REJECTED, _F.CANCELLED}),
    _F.ACCEPTED: frozenset({_F.PICKING, _F.REJECTED, _F.CANCELLED}),
    _F.PICKING: frozenset({_F.PICKED, _F.REJECTED, _F.CANCELLED}),  # rejected: the picker found none
    _F.PICKED: frozenset({_F.PACKED, _F.READY_FOR_PICKUP, _F.CANCELLED}),
    _F.PACKED: frozenset({_F.SHIPPED, _F.CANCELLED}),
    _F.SHIPPED: frozenset({_F.DELIVERED}),
    _F.READY_FOR_PICKUP: frozenset({_F.PICKED_UP, _F.EXPIRED, _F.CANCELLED}),
    _F.DELIVERED: frozenset(),
    _F.PICKED_UP: frozenset(),
    _F.EXPIRED: frozenset(),
    _F.REJECTED: frozenset(),
    _F.CANCELLED: frozenset(),
}


# A fulfillment in one of these has given its reservation back.
RELEASED_FULFILLMENTS = frozenset({_F.REJECTED, _F.CANCELLED, _F.EXPIRED})

S = TypeVar("S", bound=StrEnum)  # a status of one of the state machines


def demand_of(lines: Iterable[OrderLine]) -> dict[str, int]:
    """Units wanted per SKU; a SKU on two lines is one demand."""
    units: Counter[str] = Counter()
    for line in lines:
        units[line.sku] += line.quantity
    return dict(units)


def transition(table: Mapping[S, frozenset[S]], current: S, target: S, entity: str) -> S:
    """The one way a status changes; an illegal move names the state the entity is in."""
    if target not in table[current]:
        raise InvalidTransition(
            f"{entity} is {current}; it cannot become {target}",
            current_status=str(current), requested_status=str(target),
        )
    return target


class DeliveryMethod(StrEnum):
    SHIP = "ship"
    PICKUP = "pickup"


class ServiceLevel(StrEnum):
    STANDARD = "standard"
    EXPRESS = "express"
    SAME_DAY = "same_day"


@dataclass(frozen=True, slots=True)
class Delivery:
    method: DeliveryMethod
    service_level: ServiceLevel | None = None
    location: str | None = None
    promised_by: date | None = None  # the delivery date the storefront promised (from POST /v1/availability)
    curbside: bool = False  # a pickup the store brings out to the customer's car

    def __post_init__(self) -> None:
        if self.method is DeliveryMethod.PICKUP and not self.location:
            raise InvalidInput("delivery.location", "a pickup names the store it is collected from")
        if self.curbside and self.method is not DeliveryMethod.PICKUP:
            raise InvalidInput("delivery.curbside", "only a pickup is brought out to the car")


@dataclass(frozen=True, slots=True)
class Customer:
    email: str | None = None
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    postal_code: str
    country: str = "US"
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput("quantity", "must be at least 1")
        if self.unit_price < 0:
            raise InvalidInput("unit_price", "must not be negative")


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An order as a channel hands it in, before any stock is promised to it."""

    channel: str
    external_id: str
    customer: Customer
    ship_to: Address | None
    delivery: Delivery
    lines: tuple[OrderLine, ...]
    # What a channel adapter keeps as information: the channel's totals, taxes, discounts (docs/INTEGRATIONS.md).
    channel_data: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidInput("lines", "an order has at least one line")
        if self.delivery.method is DeliveryMethod.SHIP and self.ship_to is None:
            raise InvalidInput("ship_to", "a shipped order needs a ship-to address")

    def demand(self) -> dict[str, int]:
        return demand_of(self.lines)


@dataclass(frozen=True, slots=True)
class FulfillmentLine:
    sku: str
    quantity: int


@dataclass(slots=True)
class FulfillmentOrder:
    """The part of an order one location fulfills."""

    id: str
    location: str
    status: FulfillmentStatus
    lines: tuple[FulfillmentLine, ...]
    pickup_code: str | None = None
    handed_over_by: str | None = None
    handed_over_at: datetime | None = None
    ready_at: datetime | None = None
    reminded_at: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    handoff_method: HandoffMethod | None = None  # how the collector proved the order is theirs (domain/pickup.py)
    arrived_at: datetime | None = None
    curbside_bay: str | None = None
    curbside_vehicle: str | None = None


@dataclass(slots=True)
class Order:
    id: str
    channel: str
    external_id: str
    status: OrderStatus
    customer: Customer
    ship_to: Address | None
    delivery: Delivery
    lines: tuple[OrderLine, ...]
    created_at: datetime
    fulfillments: list[FulfillmentOrder] = field(default_factory=list)
    routing_profile: str | None = None  # the profile its routing decisions followed
    channel_data: dict[str, Any] | None = None  # as the channel adapter kept it (OrderDraft.channel_data)

    def cancel(self) -> None:
        # Every move is checked before any is made, so a refused cancel leaves the order as it was.
        order_status = transition(ORDER_TRANSITIONS, self.status, OrderStatus.CANCELLED, f"order {self.id}")
        live = self.live_fulfillments()
        fulfillment_statuses = [
            transition(FULFILLMENT_TRANSITIONS, f.status, FulfillmentStatus.CANCELLED, f"fulfillment {f.id}")
            for f in live
        ]
        self.status = order_status
        for fulfillment, status in zip(live, fulfillment_statuses, strict=True):
            fulfillment.status = status

    def status_from_fulfillments(self) -> OrderStatus:
        """What the order is, given where its live fulfillments are: the order follows its slowest part."""
        live = {f.status for f in self.live_fulfillments()}
        if not live or self.status in (OrderStatus.CANCELLED, OrderStatus.BACKORDERED):
            return self.status
        if live <= {_F.PICKED_UP}:
            return OrderStatus.PICKED_UP
        if live <= {_F.DELIVERED}:
            return OrderStatus.DELIVERED
        if live <= {_F.SHIPPED, _F.DELIVERED}:
            return OrderStatus.SHIPPED
        if live & {_F.SHIPPED, _F.DELIVERED}:
            return OrderStatus.PARTIALLY_SHIPPED
        if live <= {_F.READY_FOR_PICKUP}:
            return OrderStatus.READY_FOR_PICKUP
        return self.status

    def waiting_to_start(self) -> bool:
        """Stock is held for it but nobody has begun the work: allocated, every live fulfillment still pending."""
        live = self.live_fulfillments()
        return self.status is OrderStatus.ALLOCATED and bool(live) and all(
            f.status is FulfillmentStatus.PENDING for f in live)

    def live_fulfillments(self) -> list[FulfillmentOrder]:
        """Fulfillments still holding stock for the order: not rejected, cancelled or expired."""
        return [f for f in self.fulfillments if f.status not in RELEASED_FULFILLMENTS]

    def fulfillment(self, fulfillment_id: str) -> FulfillmentOrder | None:
        return next((f for f in self.fulfillments if f.id == fulfillment_id), None)

    def reserved_units(self) -> Iterable[tuple[str, str, int]]:
        """(location, sku, units) still held for this order."""
        for fulfillment in self.live_fulfillments():
            for line in fulfillment.lines:
                yield fulfillment.location, line.sku, line.quantity
