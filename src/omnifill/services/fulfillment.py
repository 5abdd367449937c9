"""The work at a location: accept, pick, pack, ship; for pickup, ready and hand over. Every move is one transaction.

Each move reads the order with its row held (PostgreSQL: FOR UPDATE; SQLite: one writer at a time), checks the
fulfillment's transition, and writes the new statuses with a conditional update, so two associates can never both
make the same move: the second is told the state the first left it in (409). A pick that finds fewer units than
asked is a short pick (services/rerouting.py): the rest is routed again. Shipping and handing over turn the
reservation into a `shipment` movement, which lowers on-hand.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain import pickup
from omnifill.domain.access import Principal
from omnifill.domain.errors import InvalidTransition, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.inventory import Movement, MovementKind, StockLevel, movement
from omnifill.domain.locations import LocationKind
from omnifill.domain.notifications import NotificationKind
from omnifill.domain.orders import (
    FULFILLMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    DeliveryMethod,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    transition,
)
from omnifill.domain.packing import CartonSizes
from omnifill.domain.pickup import PickupProof, arrive
from omnifill.services.bins import take_from_bins
from omnifill.services.notifications import Messaging, deliver, queue_pickup_message
from omnifill.services.orders import find_fulfillment, order_event
from omnifill.services.packing import cartons_payload, default_carton_sizes, pack_in_cartons
from omnifill.services.rerouting import short_pick
from omnifill.services.shipments import new_shipment, record_shipment, whole_fulfillment

_F = FulfillmentStatus
# The move each action makes. Shipping buys a label too (services/shipping.py); it and handing over take the
# units off the shelf.
ACTIONS: dict[str, FulfillmentStatus] = {
    "accept": _F.ACCEPTED, "start": _F.PICKING, "pick": _F.PICKED, "pack": _F.PACKED,
    "ready": _F.READY_FOR_PICKUP,
}
PICKUP_CODE_DIGITS = 6
DEFAULT_MESSAGING = Messaging()
LEAVES_THE_SHELF = frozenset({_F.SHIPPED, _F.PICKED_UP})


def get_fulfillment(uow: UnitOfWork, fulfillment_id: str, principal: Principal) -> tuple[Order, FulfillmentOrder]:
    with uow.reading() as reader:
        order, fulfillment = find_fulfillment(reader, fulfillment_id, lock=False)
    principal.require_location(fulfillment.location)
    principal.require_channel(order.channel)
    return order, fulfillment


def pick(
    uow: UnitOfWork, fulfillment_id: str, found: Mapping[str, int], principal: Principal, now: datetime,
) -> Order:
    """The units found per SKU (a SKU left out was found in full); fewer than asked is a short pick first."""
    _, fulfillment = get_fulfillment(uow, fulfillment_id, principal)
    asked = {line.sku: line.quantity for line in fulfillment.lines}
    if any(found.get(sku, units) < units for sku, units in asked.items()) or set(found) - set(asked):
        order = short_pick(uow, fulfillment_id, found, principal, "found fewer when picking", now)
        still = order.fulfillment(fulfillment_id)
        if still is None or still.status is _F.REJECTED:
            return order
    return advance(uow, fulfillment_id, "pick", principal, now)


def advance(
    uow: UnitOfWork, fulfillment_id: str, action: str, principal: Principal, now: datetime,
    *, cartons: CartonSizes | None = None, messaging: Messaging = DEFAULT_MESSAGING,
) -> Order:
    """Make one move (`accept`, `start`, `pick`, `pack`, `ready`) on one fulfillment; shipping is
    services/shipping.py's, which buys the label.

    Picking takes the units out of their bins; packing chooses the cartons (from `cartons`, or the default sizes);
    `ready` tells the customer (after the commit) with the pickup code and the window to collect in.
    """
    target = ACTIONS[action]
    details: dict[str, Any] = {}

    def move(order: Order, fulfillment: FulfillmentOrder) -> None:
        _require_method(order, target)
        if target is _F.PICKED and fulfillment.status is _F.ACCEPTED:  # picked in one go: picking is implied
            fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, _F.PICKING, fulfillment.id)
        fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, target,
                                        f"fulfillment {fulfillment.id}")
        if target is _F.READY_FOR_PICKUP:
            fulfillment.pickup_code = f"{secrets.randbelow(10 ** PICKUP_CODE_DIGITS):0{PICKUP_CODE_DIGITS}d}"
            fulfillment.ready_at = now
        if target is _F.PICKED:
            take_from_bins(uow, fulfillment, now)
        if target is _F.PACKED:
            packed = pack_in_cartons(uow, fulfillment, cartons or default_carton_sizes(), now)
            details["cartons"] = cartons_payload(packed)

    hold = messaging.pickup_hold if target is _F.READY_FOR_PICKUP else None
    order = apply_move(uow, fulfillment_id, principal, now, move, details, hold)
    if hold is not None:  # after the commit: a failed send cannot undo the move
        deliver(uow, messaging.notifier, now, order_id=order.id)
    return order


def hand_over(
    uow: UnitOfWork, fulfillment_id: str, proof: PickupProof, principal: Principal, now: datetime,
    arrival: Arrival | None = None,
) -> Order:
    """The collector shows the pickup code sent when the order became ready, or gives the order number and the
    name on the order; the order is handed over and who, when and how recorded (with the curbside note)."""

    def move(order: Order, fulfillment: FulfillmentOrder) -> None:
        _require_method(order, _F.PICKED_UP)
        if arrival is not None:
            arrive(fulfillment, arrival.bay, arrival.vehicle, now)
        pickup.hand_over(order, fulfillment, proof, str(principal), now)

    return apply_move(uow, fulfillment_id, principal, now, move)


@dataclass(frozen=True, slots=True)
class Arrival:
    """The customer is here: curbside, the bay they parked in and their vehicle."""

    bay: str | None = None
    vehicle: str | None = None


def record_arrival(
    uow: UnitOfWork, fulfillment_id: str, arrival: Arrival, principal: Principal, now: datetime,
) -> tuple[Order, FulfillmentOrder]:
    """The customer (through the channel's app) or the store says they are here; the store's tasks show it."""
    with uow:
        order, fulfillment = find_fulfillment(uow, fulfillment_id, lock=True)
        principal.require_order(order.channel, {fulfillment.location})
        _require_method(order, _F.PICKED_UP)
        arrive(fulfillment, arrival.bay, arrival.vehicle, now)
        uow.orders.change_status(order, order.status, now)
        uow.outbox.add([DomainEvent("pickup.customer_arrived", "fulfillment", fulfillment.id, {
            "fulfillment_id": fulfillment.id, "order_id": order.id, "location": fulfillment.location,
            "curbside": order.delivery.curbside, "bay": fulfillment.curbside_bay,
            "vehicle": fulfillment.curbside_vehicle, "actor": str(principal),
        }, now)])
        uow.commit()
    return order, fulfillment


def apply_move(
    uow: UnitOfWork, fulfillment_id: str, principal: Principal, now: datetime,
    move: Callable[[Order, FulfillmentOrder], None], details: Mapping[str, Any] | None = None,
    pickup_hold: timedelta | None = None,
) -> Order:
    """One move in one transaction: `move` changes the fulfillment (and may write beside it with `uow`); the
    order follows, units that leave are taken off the shelf, and the events go out with `details` that `move`
    filled in. With `pickup_hold`, the customer's ready message is queued in the same transaction."""
    with uow:
        order, fulfillment = find_fulfillment(uow, fulfillment_id, lock=True)
        principal.require_location(fulfillment.location)
        expected = order.status
        move(order, fulfillment)
        leaves = fulfillment.status in LEAVES_THE_SHELF
        ledger = _take_off_the_shelf(uow, order, fulfillment, str(principal), now) if leaves else []
        new_status = order.status_from_fulfillments()
        if new_status is not order.status:
            order.status = transition(ORDER_TRANSITIONS, order.status, new_status, f"order {order.id}")
        try:
            uow.orders.change_status(order, expected, now)
        except StaleStatus:
            raise InvalidTransition(f"order {order.id} changed meanwhile; read it again") from None
        uow.inventory.record(ledger, now)
        uow.outbox.add([
            DomainEvent(f"fulfillment.{fulfillment.status}", "fulfillment", fulfillment.id, {
                "fulfillment_id": fulfillment.id, "order_id": order.id, "location": fulfillment.location,
                "status": str(fulfillment.status), "actor": str(principal),
                # the notifier sends it to the customer; the API shows it to admin and operator keys only
                **({"pickup_code": fulfillment.pickup_code} if fulfillment.status is _F.READY_FOR_PICKUP else {}),
                **(details or {}),
                **({"handoff_method": str(fulfillment.handoff_method)} if fulfillment.handoff_method else {}),
            }, now),
            *([order_event(f"order.{order.status}", order, now)] if order.status is not expected else []),
        ])
        if pickup_hold is not None:
            queue_pickup_message(uow, NotificationKind.PICKUP_READY, order, fulfillment, pickup_hold, now)
        uow.commit()
    return order


def ship_step(order: Order, fulfillment: FulfillmentOrder) -> None:
    """packed → shipped, for an order that ships."""
    _require_method(order, _F.SHIPPED)
    fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, _F.SHIPPED,
                                    f"fulfillment {fulfillment.id}")


def _require_method(order: Order, target: FulfillmentStatus) -> None:
    pickup = order.delivery.method is DeliveryMethod.PICKUP
    if pickup and target in (_F.PACKED, _F.SHIPPED):
        raise InvalidTransition(f"order {order.id} is collected in store; it is made ready, not shipped",
                                requested_status=str(target))
    if not pickup and target in (_F.READY_FOR_PICKUP, _F.PICKED_UP):
        raise InvalidTransition(f"order {order.id} ships; it is packed and shipped, not handed over",
                                requested_status=str(target))


def _take_off_the_shelf(
    uow: UnitOfWork, order: Order, fulfillment: FulfillmentOrder, actor: str, now: datetime,
) -> list[tuple[Movement, Keys, StockLevel]]:
    sku_ids = uow.skus.ids_for({line.sku for line in fulfillment.lines})
    location_id = uow.locations.id_for(fulfillment.location)
    assert location_id is not None
    ledger = []
    for line in sorted(fulfillment.lines, key=lambda ln: ln.sku):
        keys = Keys(sku_ids[line.sku], location_id)
        after = uow.inventory.ship(keys, line.quantity, now)
        if after is None:
            raise InvalidTransition(f"fulfillment {fulfillment.id} holds no reservation of {line.sku} to ship")
        before = replace(after, on_hand=after.on_hand + line.quantity, reserved=after.reserved + line.quantity)
        row, _ = movement(MovementKind.SHIPMENT, line.sku, fulfillment.location, line.quantity, before,
                          reason=f"fulfillment {fulfillment.id} {fulfillment.status}", actor=actor, order_id=order.id)
        ledger.append((row, keys, after))
    return ledger


def list_fulfillments(
    uow: UnitOfWork, principal: Principal, location: str | None, status: FulfillmentStatus | None,
    after: str | None, limit: int,
) -> list[tuple[str, FulfillmentOrder]]:
    """(order id, fulfillment), oldest first; a store key sees its own store's only."""
    if location is not None:
        principal.require_location(location)
    with uow.reading() as reader:
        return reader.orders.fulfillment_page(location or principal.location, str(status) if status else None,
                                              after, limit, channel=principal.channel)


# --------------------------------------------------------------------------------------- dropship purchase orders

# A vendor ships in one step what a warehouse does in four.
_TO_SHIPPED = (_F.ACCEPTED, _F.PICKING, _F.PICKED, _F.PACKED, _F.SHIPPED)


def list_purchase_orders(
    uow: UnitOfWork, principal: Principal, vendor: str | None, status: FulfillmentStatus | None,
    after: str | None, limit: int,
) -> list[tuple[str, FulfillmentOrder]]:
    """The work routed to dropship vendors: each fulfillment there is a purchase order to that vendor."""
    if vendor is not None:
        principal.require_location(vendor)
    with uow.reading() as reader:
        return reader.orders.fulfillment_page(vendor or principal.location, str(status) if status else None, after,
                                              limit, kind=str(LocationKind.DROPSHIP_VENDOR))


def acknowledge_purchase_order(uow: UnitOfWork, fulfillment_id: str, principal: Principal, now: datetime) -> Order:
    require_purchase_order(uow, fulfillment_id)
    return advance(uow, fulfillment_id, "accept", principal, now)


def ship_purchase_order(
    uow: UnitOfWork, fulfillment_id: str, carrier: str, tracking_number: str, principal: Principal, now: datetime,
) -> Order:
    """The vendor shipped it: the purchase order goes to shipped with its tracking, and the units leave its stock.

    A shipment is recorded with the vendor's carrier and tracking number (no cost, no label: the vendor's own).
    """
    require_purchase_order(uow, fulfillment_id)

    def move(order: Order, fulfillment: FulfillmentOrder) -> None:
        _require_method(order, _F.SHIPPED)
        start = _TO_SHIPPED.index(fulfillment.status) + 1 if fulfillment.status in _TO_SHIPPED else 0
        for step in _TO_SHIPPED[start:]:
            fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, step,
                                            f"purchase order {fulfillment.id}")
        fulfillment.carrier, fulfillment.tracking_number = carrier, tracking_number
        parcel = whole_fulfillment(uow, fulfillment)
        record_shipment(uow, new_shipment(order, fulfillment, carrier, tracking_number, (parcel,), now), now)

    return apply_move(uow, fulfillment_id, principal, now, move)


def require_purchase_order(uow: UnitOfWork, fulfillment_id: str) -> None:
    with uow.reading() as reader:
        _, fulfillment = find_fulfillment(reader, fulfillment_id, lock=False)
        location = reader.locations.get(fulfillment.location)
    if location is None or location.kind is not LocationKind.DROPSHIP_VENDOR:
        raise NotFound(f"no purchase order {fulfillment_id}: that work is not at a dropship vendor",
                       fulfillment_id=fulfillment_id)


# ------------------------------------------------------------------------------------------- a location's tasks

# What an associate does next with work in each state.
NEXT_ACTION: dict[FulfillmentStatus, str] = {
    _F.PENDING: "accept", _F.ACCEPTED: "pick", _F.PICKING: "pick", _F.PICKED: "pack", _F.PACKED: "ship",
    _F.READY_FOR_PICKUP: "handoff",
}


@dataclass(frozen=True, slots=True)
class Task:
    fulfillment: FulfillmentOrder
    order_id: str
    action: str
    promised_by: date | None
    curbside: bool = False


def location_tasks(uow: UnitOfWork, location: str, principal: Principal, limit: int = 500) -> list[Task]:
    """The location's queue: what to accept, pick, pack, ship or hand over; customers who have arrived first,
    then the oldest promise first."""
    principal.require_location(location)
    with uow.reading() as reader:
        found = reader.orders.open_at(location, [str(s) for s in NEXT_ACTION], limit)
    tasks = []
    for order in found:
        for f in order.fulfillments:
            if f.location != location or f.status not in NEXT_ACTION:
                continue
            pickup_packed = order.delivery.method is DeliveryMethod.PICKUP and f.status is _F.PICKED
            tasks.append(Task(f, order.id, "ready" if pickup_packed else NEXT_ACTION[f.status],
                              order.delivery.promised_by, order.delivery.curbside))
    # A customer already waiting (at the counter or in a curbside bay) comes before every promise date.
    return sorted(tasks, key=lambda t: (t.fulfillment.arrived_at is None, t.promised_by or date.max,
                                        t.fulfillment.id))
