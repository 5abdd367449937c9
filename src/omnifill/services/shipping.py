"""Shipping and tracking: rate-shop the carriers, buy the label as the work ships, follow the parcel to the door.

`ship_fulfillment` is the `ship` move (packed → shipped) with a label bought in the same transaction: every
configured carrier quotes the parcels for the order's service level, `choose_carrier` (domain/shipping.py) takes
the cheapest that arrives by the promised date, and the shipment is recorded with the carrier's tracking number.
The units leave the shelf as before (a `shipment` movement).

`track_shipment` records a carrier's event; `delivered` also moves the fulfillment and the order to delivered and
says whether the parcel came on time: on or before the date due (the order's promise, else the carrier's
estimate) in the calendar of the ship-to address.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from omnifill.adapters.geography import lookup_postal_code
from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import InvalidInput, InvalidTransition, NoCarrier
from omnifill.domain.locations import Location
from omnifill.domain.orders import (
    FULFILLMENT_TRANSITIONS,
    Address,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    ServiceLevel,
    transition,
)
from omnifill.domain.routing.promises import ship_date
from omnifill.domain.shipping import (
    Carrier,
    CarrierQuote,
    Parcel,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    arrival,
    choose_carrier,
)
from omnifill.services.fulfillment import apply_move, ship_step
from omnifill.services.shipments import (
    new_shipment,
    record_shipment,
    shipment_event,
    visible_shipment,
    whole_fulfillment,
)

TRACKING_NUMBER_TRIES = 5  # a built-in carrier draws its serials at random: a rare repeat is drawn again
CLOCK_SKEW = timedelta(minutes=15)  # how far ahead of ours a carrier's clock may run


def ship_fulfillment(
    uow: UnitOfWork, fulfillment_id: str, carriers: Sequence[Carrier], principal: Principal, now: datetime,
    parcels: Sequence[Parcel] | None = None,
) -> tuple[Order, Shipment]:
    """Ship packed work: the cheapest carrier that keeps the promise, a shipment with its tracking number.

    Without `parcels` the work goes in the cartons chosen when it was packed, or, if none were (a store
    packing by hand), in one box weighing its units.
    """
    shipped: list[Shipment] = []

    def move(order: Order, fulfillment: FulfillmentOrder) -> None:
        ship_step(order, fulfillment)
        shipment = _buy_label(uow, order, fulfillment, carriers, parcels, now)
        fulfillment.carrier, fulfillment.tracking_number = shipment.carrier, shipment.tracking_number
        shipped.append(shipment)

    order = apply_move(uow, fulfillment_id, principal, now, move)
    return order, shipped[0]


def _packed_cartons(uow: UnitOfWork, fulfillment: FulfillmentOrder) -> tuple[Parcel, ...]:
    packed = uow.cartons.of([fulfillment.id]).get(fulfillment.id, [])
    return tuple(Parcel(carton.weight_kg, *carton.dimensions_cm) for carton in packed)


def _buy_label(
    uow: UnitOfWork, order: Order, fulfillment: FulfillmentOrder, carriers: Sequence[Carrier],
    parcels: Sequence[Parcel] | None, now: datetime,
) -> Shipment:
    origin = uow.locations.get(fulfillment.location)
    assert origin is not None  # the work is at a location that exists
    assert order.ship_to is not None  # a shipped order has an address (OrderDraft)
    boxes = tuple(parcels) if parcels else (_packed_cartons(uow, fulfillment) or (whole_fulfillment(uow, fulfillment),))
    service = order.delivery.service_level or ServiceLevel.STANDARD
    quotes = [q for c in carriers if (q := c.quote(origin, order.ship_to, boxes, service)) is not None]
    ships_on = ship_date(origin, now)
    if not quotes:
        raise NoCarrier(f"no configured carrier offers {service} from {origin.code} to {order.ship_to.postal_code}",
                        service_level=str(service), carriers=[c.code for c in carriers])
    chosen = choose_carrier(quotes, ships_on, order.delivery.promised_by)
    carrier = next(c for c in carriers if c.code == chosen.carrier)
    shipment = _create(uow, carrier, origin, order, fulfillment, boxes, chosen, now,
                       estimated_delivery=arrival(chosen, ships_on))
    record_shipment(uow, shipment, now, quotes=[
        {"carrier": q.carrier, "price": str(q.price), "transit_days": q.transit_days,
         "arrives": arrival(q, ships_on).isoformat()} for q in sorted(quotes, key=lambda q: q.carrier)
    ])
    return shipment


def _create(
    uow: UnitOfWork, carrier: Carrier, origin: Location, order: Order, fulfillment: FulfillmentOrder,
    boxes: tuple[Parcel, ...], quote: CarrierQuote, now: datetime, estimated_delivery: date,
) -> Shipment:
    assert order.ship_to is not None
    for _ in range(TRACKING_NUMBER_TRIES):
        created = carrier.create_shipment(origin, order.ship_to, boxes, quote)
        if not uow.shipments.tracking_number_taken(carrier.code, created.tracking_number):
            return new_shipment(order, fulfillment, carrier.code, created.tracking_number, boxes, now,
                                cost=quote.price, estimated_delivery=estimated_delivery, label=dict(created.label))
    raise InvalidTransition(f"carrier {carrier.code} gave tracking numbers already in use; try again")


# ------------------------------------------------------------------------------------------------------ tracking


def track_shipment(
    uow: UnitOfWork, shipment_id: str, event: TrackingEvent, principal: Principal, now: datetime,
) -> Shipment:
    """Record what the carrier saw; `delivered` moves the fulfillment and the order to delivered too."""
    if event.at > now + CLOCK_SKEW:
        raise InvalidInput("at", "is in the future")
    if event.status is ShipmentStatus.DELIVERED:
        return _deliver(uow, shipment_id, event, principal, now)
    with uow:
        shipment = _record(uow, shipment_id, event, principal, now)
        uow.commit()
    return shipment


def _deliver(
    uow: UnitOfWork, shipment_id: str, event: TrackingEvent, principal: Principal, now: datetime,
) -> Shipment:
    with uow.reading() as reader:
        shipment, _ = visible_shipment(reader, shipment_id, principal)
    delivered: list[Shipment] = []

    def move(order: Order, fulfillment: FulfillmentOrder) -> None:
        delivered.append(_record(uow, shipment_id, event, principal, now))
        fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, FulfillmentStatus.DELIVERED,
                                        f"fulfillment {fulfillment.id}")

    apply_move(uow, shipment.fulfillment_id, principal, now, move)
    return delivered[0]


def _record(uow: UnitOfWork, shipment_id: str, event: TrackingEvent, principal: Principal, now: datetime) -> Shipment:
    """Move the shipment (its row held), store the event and its domain event."""
    shipment, order = visible_shipment(uow, shipment_id, principal, lock=True)
    expected = shipment.status
    shipment.track(event, _time_zone(uow, order.ship_to, shipment.origin))
    try:
        uow.shipments.track(shipment, expected, now)
    except StaleStatus:
        raise InvalidTransition(f"shipment {shipment.id} changed meanwhile; read it again",
                                current_status=str(expected)) from None
    about: dict[str, Any] = {"at": event.at.isoformat(), "note": event.note, "actor": event.actor}
    if shipment.status is ShipmentStatus.DELIVERED:
        about |= {"on_time": shipment.on_time, "due_by": shipment.due_by.isoformat() if shipment.due_by else None}
    uow.outbox.add([shipment_event(f"shipment.{shipment.status}", shipment, now, **about)])
    return shipment


def _time_zone(uow: UnitOfWork, ship_to: Address | None, origin: str) -> str:
    """The ship-to address's time zone; the origin's where the postal code gives none."""
    place = lookup_postal_code(ship_to.postal_code, ship_to.country) if ship_to else None
    if place is not None and place.time_zone:
        return place.time_zone
    location = uow.locations.get(origin)
    assert location is not None
    return location.time_zone
