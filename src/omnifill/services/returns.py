"""Return authorizations: authorize a return from any channel or at a store's counter, read them, cancel them, and
print a mail return's label.

`authorize_return` is the one entry point for a return, whoever asks (the API, a channel's refund webhook): the
order's row is held while the request is checked against what was delivered and what earlier returns took, so two
authorizations racing for the same units cannot both pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from omnifill.adapters.geography import lookup_postal_code
from omnifill.adapters.ids import new_id
from omnifill.adapters.labels import render_label
from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import InvalidInput, InvalidTransition, NoCarrier, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.locations import Location
from omnifill.domain.orders import FulfillmentOrder, FulfillmentStatus, Order, ServiceLevel
from omnifill.domain.return_policy import ReturnPolicy
from omnifill.domain.returns import (
    Delivered,
    RequestedLine,
    ReturnAuthorization,
    ReturnLabel,
    ReturnLine,
    ReturnMethod,
    ReturnStatus,
    check_request,
    nearest_returns_location,
    takes_returns,
)
from omnifill.domain.shipping import Carrier, Parcel, Shipment, ShippingLabel, arrival, choose_carrier, parcel_of
from omnifill.services.shipments import label_addresses

REACHED_CUSTOMER = frozenset({FulfillmentStatus.SHIPPED, FulfillmentStatus.DELIVERED, FulfillmentStatus.PICKED_UP})
ALL_LOCATIONS = 100_000


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    order_id: str
    lines: tuple[RequestedLine, ...]
    method: ReturnMethod
    location: str | None = None  # in store: the store it is brought to; mail: the returns location (else nearest)
    return_id: str | None = None  # given when a repeat of the request must find the same return (channel refunds)


# A refund made on the channel (Shopify, WooCommerce) whose units come back: omnifill authorizes their return with
# this reason, which the return policy must list (the shipped one does: no fee, not the retailer's fault).
CHANNEL_REFUND_REASON = "refunded_on_channel"


def channel_refund_return_id(channel: str, refund_id: str) -> str:
    """The same channel refund always names the same return, so a redelivered webhook authorizes nothing new."""
    return "rma_ch" + hashlib.sha256(f"{channel}\x00{refund_id}".encode()).hexdigest()[:26]


def authorize_return(
    uow: UnitOfWork, request: ReturnRequest, principal: Principal, now: datetime, *,
    policy: ReturnPolicy, carriers: Sequence[Carrier],
) -> ReturnAuthorization:
    """Authorize a return (RMA) of delivered units; a mail return gets its label from the cheapest carrier."""
    with uow:
        rma = authorize_in(uow, request, principal, now, policy=policy, carriers=carriers)
        uow.commit()
    return rma


def authorize_in(
    uow: UnitOfWork, request: ReturnRequest, principal: Principal, now: datetime, *,
    policy: ReturnPolicy, carriers: Sequence[Carrier],
) -> ReturnAuthorization:
    """`authorize_return` within the caller's transaction (a store's desk receives it in the same one)."""
    location = _store_of(principal, request)
    if request.return_id is not None and (known := uow.returns.get(request.return_id)) is not None:
        return known
    order = uow.orders.get(request.order_id, lock=True)
    if order is None:
        raise NotFound(f"no order {request.order_id}", order_id=request.order_id)
    if principal.role is not Role.STORE:  # a store takes back any order at its counter (BORIS)
        principal.require_order(order.channel, set())
    earlier = [rma for rma in uow.returns.for_order(order.id) if rma.order_id == order.id]
    check_request(request.lines, order.channel, delivered_units(uow, order), earlier, policy, now.date())
    rma = ReturnAuthorization(
        request.return_id or new_id("rma"), order.id, order.channel, request.method, ReturnStatus.AUTHORIZED,
        [ReturnLine(ln.sku, ln.quantity, ln.reason) for ln in request.lines], now, str(principal),
    )
    if request.method is ReturnMethod.IN_STORE:
        rma.location = returns_place(uow, location, "location").code if location else None
    else:
        rma.label = _buy_label(uow, order, rma, _mail_destination(uow, order, location), carriers, now)
    uow.returns.add(rma, now)
    uow.outbox.add([return_event("return.authorized", rma, now)])
    return rma


def _store_of(principal: Principal, request: ReturnRequest) -> str | None:
    """A store key authorizes in-store returns at its own store; others name the place or leave it open."""
    if principal.role is not Role.STORE:
        return request.location
    if request.method is not ReturnMethod.IN_STORE:
        raise InvalidInput("method", "a store authorizes returns brought to its counter: in_store")
    principal.require_location(request.location or str(principal.scope))
    return principal.scope


def returns_place(uow: UnitOfWork, code: str, field: str) -> Location:
    location = uow.locations.get(code)
    if location is None:
        raise InvalidInput(field, f"unknown location {code}")
    if not takes_returns(location):
        raise InvalidInput(field, f"{code} does not take returns (no `returns` capability)")
    return location


def delivered_units(uow: UnitOfWork, order: Order) -> dict[str, Delivered]:
    """Per SKU, the units that reached the customer and the last day any of them did."""
    shipments = {s.fulfillment_id: s for s in uow.shipments.find(order_id=order.id)}
    found: dict[str, Delivered] = {}
    for fulfillment in order.fulfillments:
        if fulfillment.status not in REACHED_CUSTOMER:
            continue
        day = _reached_on(fulfillment, shipments.get(fulfillment.id), order.created_at.date())
        for line in fulfillment.lines:
            before = found.get(line.sku, Delivered(0, day))
            found[line.sku] = Delivered(before.units + line.quantity, max(before.on, day))
    return found


def _reached_on(fulfillment: FulfillmentOrder, shipment: Shipment | None, fallback: date) -> date:
    """Picked up: the handover. Shipped: delivery, else the carrier's estimate, else the day it left."""
    if fulfillment.handed_over_at is not None:
        return fulfillment.handed_over_at.date()
    if shipment is None:
        return fallback
    if shipment.delivered_at is not None:
        return shipment.delivered_at.date()
    return shipment.estimated_delivery or shipment.created_at.date()


# ---------------------------------------------------------------------------------------------------- mail


def _mail_destination(uow: UnitOfWork, order: Order, named: str | None) -> Location:
    if order.ship_to is None:
        raise InvalidInput("method", f"order {order.id} has no ship-to address to send a label to; return it in store")
    if named is not None:
        return returns_place(uow, named, "location")
    place = lookup_postal_code(order.ship_to.postal_code, order.ship_to.country)
    nearest = nearest_returns_location(uow.locations.page(None, ALL_LOCATIONS), place.position) if place else None
    if nearest is None:
        raise InvalidInput("method", "no location takes mail returns (none has the `returns` capability)")
    return nearest


def _buy_label(
    uow: UnitOfWork, order: Order, rma: ReturnAuthorization, destination: Location, carriers: Sequence[Carrier],
    now: datetime,
) -> ReturnLabel:
    """The cheapest standard label between the customer and the returns location. The built-in carriers price by
    distance and zone, which read the same either way, so the quote is asked from the returns location's side."""
    assert order.ship_to is not None
    parcel = _parcel(uow, rma)
    quotes = [q for c in carriers if (q := c.quote(destination, order.ship_to, (parcel,), ServiceLevel.STANDARD))]
    if not quotes:
        raise NoCarrier(f"no configured carrier takes a return from {order.ship_to.postal_code} to "
                        f"{destination.code}", carriers=[c.code for c in carriers])
    chosen = choose_carrier(quotes, now.date(), None)
    carrier = next(c for c in carriers if c.code == chosen.carrier)
    created = carrier.create_shipment(destination, order.ship_to, (parcel,), chosen)
    return ReturnLabel(carrier.code, created.tracking_number, chosen.price, destination.code,
                       arrival(chosen, now.date()), dict(created.label))


def _parcel(uow: UnitOfWork, rma: ReturnAuthorization) -> Parcel:
    found = uow.skus.by_codes([ln.sku for ln in rma.lines])
    return parcel_of([found[ln.sku].weight_kg * ln.quantity for ln in rma.lines])


def return_label(uow: UnitOfWork, return_id: str, principal: Principal) -> bytes:
    """The 4×6 PDF label the customer sticks on the parcel: from their address to the returns location."""
    with uow.reading() as reader:
        rma = visible_return(reader, return_id, principal)
        order = reader.orders.get(rma.order_id)
        label = rma.label
        if label is None or order is None:
            raise NotFound(f"return {return_id} is brought to a store; it has no label", return_id=return_id)
        destination = reader.locations.get(label.returns_location)
        parcel = _parcel(reader, rma)
    assert destination is not None
    returns_location, customer = label_addresses(destination, order)
    return render_label(ShippingLabel(
        ship_from=customer, ship_to=returns_location, carrier=label.carrier, service="return", parcels=(parcel,),
        tracking_number=label.tracking_number, shipped_on=rma.created_at.date(), reference=f"{rma.id} {order.id}",
        routing=label.routing,
    ))


# --------------------------------------------------------------------------------------------------- reading


def visible_return(uow: UnitOfWork, return_id: str, principal: Principal, *, lock: bool = False) -> ReturnAuthorization:
    """The RMA, if this key may see it: its channel's key, or the store it was authorized for or received at."""
    rma = uow.returns.get(return_id, lock=lock)
    if rma is None:
        raise NotFound(f"no return {return_id}", return_id=return_id)
    principal.require_order(rma.channel, {code for code in (rma.location, *rma.received_at) if code})
    return rma


def get_return(uow: UnitOfWork, return_id: str, principal: Principal) -> ReturnAuthorization:
    with uow.reading() as reader:
        return visible_return(reader, return_id, principal)


def list_returns(
    uow: UnitOfWork, principal: Principal, *, order_id: str | None, status: ReturnStatus | None,
    location: str | None, after: str | None, limit: int,
) -> list[ReturnAuthorization]:
    """RMAs oldest first; a channel key sees its channel's, a store key those at its store."""
    if location is not None:
        principal.require_location(location)
    with uow.reading() as reader:
        return reader.returns.page(order_id=order_id, status=str(status) if status else None,
                                   channel=principal.channel, location=location or principal.location,
                                   after=after, limit=limit)


def cancel_return(uow: UnitOfWork, return_id: str, principal: Principal, now: datetime) -> ReturnAuthorization:
    """Nothing came back and nothing will: the units may be returned again on another RMA."""
    return move_return(uow, return_id, principal, now, ReturnStatus.CANCELLED)


def move_return(
    uow: UnitOfWork, return_id: str, principal: Principal, now: datetime, target: ReturnStatus,
) -> ReturnAuthorization:
    """One status move on an RMA this key may see, with its `return.<status>` event."""
    with uow:
        rma = visible_return(uow, return_id, principal, lock=True)
        change_status(uow, rma, target, now)
        uow.outbox.add([return_event(f"return.{target}", rma, now, actor=str(principal))])
        uow.commit()
    return rma


def change_status(uow: UnitOfWork, rma: ReturnAuthorization, target: ReturnStatus, now: datetime) -> None:
    """Move the RMA and write it, only if nobody moved it since it was read."""
    expected = rma.status
    rma.move(target)
    write_return(uow, rma, expected, now)


def write_return(uow: UnitOfWork, rma: ReturnAuthorization, expected: ReturnStatus, now: datetime) -> None:
    """Write the RMA as it now is, if it is still in the status it was read in; else the caller lost a race."""
    try:
        uow.returns.change(rma, expected, now)
    except StaleStatus:
        raise InvalidTransition(f"return {rma.id} changed meanwhile; read it again",
                                current_status=str(expected)) from None


def return_event(kind: str, rma: ReturnAuthorization, now: datetime, **about: Any) -> DomainEvent:
    label = rma.label
    return DomainEvent(kind, "return", rma.id, {
        "return_id": rma.id, "order_id": rma.order_id, "channel": rma.channel, "method": str(rma.method),
        "status": str(rma.status), "location": rma.location, "authorized_by": rma.actor,
        "lines": [{"sku": ln.sku, "quantity": ln.quantity, "reason": ln.reason, "received": ln.received}
                  for ln in rma.lines],
        "label": {"carrier": label.carrier, "tracking_number": label.tracking_number, "cost": str(label.cost),
                  "returns_location": label.returns_location,
                  "expected_arrival": label.expected_arrival.isoformat()} if label else None,
        "replacement_order_id": rma.replacement_order_id,
        **about,
    }, now)
