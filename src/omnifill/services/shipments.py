"""Shipment records: how a shipment is written with its event, how it is read and who may see it, its label.

Buying a label and tracking (services/shipping.py) and a dropship vendor's own shipment (services/fulfillment.py)
both record their shipment here, so every shipment leaves the same `shipment.created` event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from omnifill.adapters.geography import lookup_postal_code
from omnifill.adapters.ids import new_id
from omnifill.adapters.labels import render_label
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import InvalidInput, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.locations import Location
from omnifill.domain.orders import Address, FulfillmentOrder, Order
from omnifill.domain.routing.promises import local_time
from omnifill.domain.shipping import Parcel, Shipment, ShipmentStatus, ShippingLabel, parcel_of
from omnifill.services.orders import order_locations


def record_shipment(uow: UnitOfWork, shipment: Shipment, now: datetime, **about: Any) -> None:
    """Write the shipment and its `shipment.created` event; `about` adds to the event (the quotes compared)."""
    location_id = uow.locations.id_for(shipment.origin)
    assert location_id is not None
    if uow.shipments.tracking_number_taken(shipment.carrier, shipment.tracking_number):
        raise InvalidInput("tracking_number", f"{shipment.carrier} {shipment.tracking_number} is already a shipment")
    uow.shipments.add(shipment, location_id, now)
    uow.outbox.add([shipment_event("shipment.created", shipment, now, **about)])


def shipment_event(kind: str, shipment: Shipment, now: datetime, **about: Any) -> DomainEvent:
    return DomainEvent(kind, "shipment", shipment.id, {
        "shipment_id": shipment.id, "fulfillment_id": shipment.fulfillment_id, "order_id": shipment.order_id,
        "origin": shipment.origin, "carrier": shipment.carrier, "tracking_number": shipment.tracking_number,
        "service": str(shipment.service) if shipment.service else None, "status": str(shipment.status),
        "cost": str(shipment.cost) if shipment.cost is not None else None,
        "promised_by": _day(shipment.promised_by), "estimated_delivery": _day(shipment.estimated_delivery),
        **about,
    }, now)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def new_shipment(
    order: Order, fulfillment: FulfillmentOrder, carrier: str, tracking_number: str, parcels: tuple[Parcel, ...],
    now: datetime, **terms: Any,
) -> Shipment:
    """A shipment of the fulfillment as it leaves; `terms` are what the carrier quoted (cost, estimate, label)."""
    return Shipment(
        id=new_id("shp"), fulfillment_id=fulfillment.id, order_id=order.id, origin=fulfillment.location,
        carrier=carrier, service=order.delivery.service_level, tracking_number=tracking_number,
        cost=terms.get("cost"), promised_by=order.delivery.promised_by,
        estimated_delivery=terms.get("estimated_delivery"), status=ShipmentStatus.LABEL_CREATED, created_at=now,
        parcels=parcels, label=terms.get("label", {}),
    )


def whole_fulfillment(uow: UnitOfWork, fulfillment: FulfillmentOrder) -> Parcel:
    """One box holding every unit of the fulfillment, weighing what its SKUs weigh."""
    weights = []
    for line in fulfillment.lines:
        sku = uow.skus.get(line.sku)
        assert sku is not None
        weights.append(sku.weight_kg * line.quantity)
    return parcel_of(weights)


# ----------------------------------------------------------------------------------------------------- reading


def get_shipment(uow: UnitOfWork, shipment_id: str, principal: Principal) -> Shipment:
    with uow.reading() as reader:
        shipment, _ = visible_shipment(reader, shipment_id, principal)
    return shipment


def visible_shipment(
    uow: UnitOfWork, shipment_id: str, principal: Principal, *, lock: bool = False,
) -> tuple[Shipment, Order]:
    """The shipment and its order, if this key may see it (its carrier, or as for the order)."""
    shipment = uow.shipments.get(shipment_id, lock=lock)
    order = uow.orders.get(shipment.order_id) if shipment else None
    if shipment is None or order is None:
        raise NotFound(f"no shipment {shipment_id}", shipment_id=shipment_id)
    principal.require_shipment(shipment.carrier, order.channel, order_locations(order))
    return shipment, order


def find_shipments(
    uow: UnitOfWork, principal: Principal, *, order_id: str | None, fulfillment_id: str | None,
    tracking_number: str | None,
) -> list[Shipment]:
    """The shipments of an order, of a fulfillment or with a tracking number, that this key may see."""
    if order_id is None and fulfillment_id is None and tracking_number is None:
        raise InvalidInput("order", "give an order, a fulfillment or a tracking_number")
    with uow.reading() as reader:
        found = reader.shipments.find(order_id=order_id, fulfillment_id=fulfillment_id,
                                      tracking_number=tracking_number, carrier=principal.carrier)
        orders = {o: reader.orders.get(o) for o in {s.order_id for s in found}}
    visible = []
    for shipment in found:
        order = orders[shipment.order_id]
        assert order is not None
        principal.require_shipment(shipment.carrier, order.channel, order_locations(order))
        visible.append(shipment)
    return visible


def shipment_label(uow: UnitOfWork, shipment_id: str, principal: Principal) -> bytes:
    """The 4×6 PDF label of a shipment omnifill bought; a dropship vendor labels its own."""
    with uow.reading() as reader:
        shipment, order = visible_shipment(reader, shipment_id, principal)
        origin = reader.locations.get(shipment.origin)
    if not shipment.has_label or origin is None or order.ship_to is None:
        raise NotFound(f"no label for shipment {shipment_id}: the vendor's carrier labelled it",
                       shipment_id=shipment_id)
    return render_label(ShippingLabel(
        ship_from=_from(origin), ship_to=_to(order), carrier=shipment.carrier,
        service=str(shipment.service or "standard"), tracking_number=shipment.tracking_number,
        parcels=shipment.parcels, shipped_on=local_time(origin, shipment.created_at).date(), reference=order.id,
        routing=shipment.label,
    ))


def label_addresses(location: Location, order: Order) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The location's and the customer's address blocks as a label prints them (a return label swaps them)."""
    return _from(location), _to(order)


def _from(origin: Location) -> tuple[str, ...]:
    return (origin.name, f"location {origin.code}", _town(Address(origin.postal_code, origin.country)))


def _to(order: Order) -> tuple[str, ...]:
    assert order.ship_to is not None
    name = (order.customer.name,) if order.customer.name else ()
    return (*name, *order.ship_to.lines, _town(order.ship_to))


def _town(address: Address) -> str:
    place = lookup_postal_code(address.postal_code, address.country)
    town = f"{place.city} {place.state} " if place else ""
    return f"{town}{address.postal_code} {address.country}"
