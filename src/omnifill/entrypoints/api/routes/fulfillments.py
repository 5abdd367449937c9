"""What a location does with the work routed to it. A store key acts on its own store's fulfillments only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from omnifill.domain.access import GRANTS, Permission, Principal, Role
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import FulfillmentStatus
from omnifill.domain.pickup import PickupProof
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.routing_schemas import (
    ArrivedIn,
    FulfillmentView,
    HandoffIn,
    PickedLineIn,
    PickIn,
    RejectIn,
    ShortPickIn,
)
from omnifill.entrypoints.api.schemas import Limit, OrderOut, Page
from omnifill.entrypoints.api.shipping_schemas import ShipFulfillmentIn, ShippedOut
from omnifill.services import fulfillment, packing, rerouting, shipping

router = APIRouter(prefix="/v1/fulfillments", tags=["fulfillment"])
Action = Literal["accept", "start", "ready"]


@router.get("")
def list_fulfillments(
    caller: Caller, uow: Uow, location: str | None = None, status: FulfillmentStatus | None = None,
    limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[FulfillmentView]:
    """Work at locations, oldest first; a store key sees its own store's only."""
    caller.require(Permission.ORDERS_READ)
    found = fulfillment.list_fulfillments(uow, caller, location, status, decode_text_cursor(cursor), limit)
    cartons = packing.cartons_for(uow, [f.id for _, f in found])
    return Page(items=[FulfillmentView.of(order_id, f, show_code=_shows_code(caller), cartons=cartons.get(f.id, []))
                       for order_id, f in found],
                next_cursor=encode_cursor(found[-1][1].id) if len(found) == limit else None)


@router.get("/{fulfillment_id}")
def get_fulfillment(fulfillment_id: str, caller: Caller, uow: Uow) -> FulfillmentView:
    caller.require(Permission.ORDERS_READ)
    order, found = fulfillment.get_fulfillment(uow, fulfillment_id, caller)
    return FulfillmentView.of(order.id, found, show_code=_shows_code(caller),
                              cartons=packing.cartons_for(uow, [found.id]).get(found.id, []))


def _shows_code(caller: Principal) -> bool:
    """The pickup code proves who may collect: admin and operator keys see it, store and channel keys never."""
    return caller.role in (Role.ADMIN, Role.OPERATOR)


@router.post("/{fulfillment_id}/pick")
def pick(fulfillment_id: str, body: PickIn, caller: Caller, uow: Uow) -> OrderOut:
    """What was found; fewer units than asked is a short pick and the rest is routed again."""
    caller.require(Permission.FULFILLMENT_WRITE)
    found = _picked(body.lines)
    try:
        return OrderOut.of(fulfillment.pick(uow, fulfillment_id, found, caller, datetime.now(UTC)))
    except InvalidInput as refused:
        raise _by_index(refused, list(found)) from None


@router.post("/{fulfillment_id}/pack")
def pack(fulfillment_id: str, caller: Caller, uow: Uow, request: Request) -> OrderOut:
    """Packed: the cartons are chosen by volume and weight (see GET /v1/fulfillments/{id} for them)."""
    caller.require(Permission.FULFILLMENT_WRITE)
    sizes = request.app.state.carton_sizes
    return OrderOut.of(fulfillment.advance(uow, fulfillment_id, "pack", caller, datetime.now(UTC), cartons=sizes))


@router.post("/{fulfillment_id}/handoff")
def hand_over(fulfillment_id: str, body: HandoffIn, caller: Caller, uow: Uow) -> OrderOut:
    """Hand a pickup order to the customer who shows the code they were sent, or gives the order number and the
    name on the order; curbside, with the bay and vehicle."""
    caller.require(Permission.FULFILLMENT_WRITE)
    proof = PickupProof(body.pickup_code, body.order_number, body.customer_name)
    arrival = fulfillment.Arrival(body.bay, body.vehicle) if body.bay or body.vehicle else None
    return OrderOut.of(fulfillment.hand_over(uow, fulfillment_id, proof, caller, datetime.now(UTC), arrival))


@router.post("/{fulfillment_id}/arrived")
def arrived(fulfillment_id: str, body: ArrivedIn, caller: Caller, uow: Uow) -> FulfillmentView:
    """The customer is here to collect (curbside: in this bay, in this vehicle); the store's tasks show it first.
    The store, or the channel the order came from (the customer's app), may say so."""
    if Permission.FULFILLMENT_WRITE not in GRANTS[caller.role]:
        caller.require(Permission.ORDERS_WRITE)
    order, found = fulfillment.record_arrival(uow, fulfillment_id, fulfillment.Arrival(body.bay, body.vehicle),
                                              caller, datetime.now(UTC))
    return FulfillmentView.of(order.id, found, show_code=_shows_code(caller))


@router.post("/{fulfillment_id}/reject")
def reject_fulfillment(fulfillment_id: str, body: RejectIn, caller: Caller, uow: Uow, request: Request) -> OrderOut:
    """The location cannot fulfill it: its stock is released and the order is routed again without it."""
    caller.require(Permission.FULFILLMENT_WRITE)
    allowed = request.app.state.settings.reject_reasons
    if body.reason not in allowed:
        raise InvalidInput("reason", f"must be one of {', '.join(allowed)}")
    reason = f"{body.reason}: {body.note}" if body.note else body.reason
    return OrderOut.of(rerouting.reject_fulfillment(uow, fulfillment_id, caller, reason, datetime.now(UTC)))


@router.post("/{fulfillment_id}/short-pick")
def short_pick(fulfillment_id: str, body: ShortPickIn, caller: Caller, uow: Uow) -> OrderOut:
    """Fewer units were found than the books said: the books are corrected and the rest is routed again."""
    caller.require(Permission.FULFILLMENT_WRITE)
    picked = _picked(body.lines)
    try:
        return OrderOut.of(rerouting.short_pick(uow, fulfillment_id, picked, caller, body.reason, datetime.now(UTC)))
    except InvalidInput as refused:
        raise _by_index(refused, list(picked)) from None


@router.post("/{fulfillment_id}/ship")
def ship(
    fulfillment_id: str, caller: Caller, uow: Uow, request: Request, body: ShipFulfillmentIn | None = None,
) -> ShippedOut:
    """Ship packed work: the configured carriers are rate-shopped, the label is bought, the units leave the shelf."""
    caller.require(Permission.FULFILLMENT_WRITE)
    parcels = body.to_domain() if body else None
    order, shipment = shipping.ship_fulfillment(uow, fulfillment_id, request.app.state.carriers, caller,
                                                datetime.now(UTC), parcels)
    return ShippedOut.of_shipped(order, shipment)


# Last: the generic action must not shadow reject, short-pick and ship above.
@router.post("/{fulfillment_id}/{action}")
def advance(fulfillment_id: str, action: Action, caller: Caller, uow: Uow, request: Request) -> OrderOut:
    """accept, start (picking), ready (for pickup: a pickup code is sent to the customer)."""
    caller.require(Permission.FULFILLMENT_WRITE)
    messaging = request.app.state.messaging
    return OrderOut.of(fulfillment.advance(uow, fulfillment_id, action, caller, datetime.now(UTC),
                                           messaging=messaging))


def _picked(lines: list[PickedLineIn]) -> dict[str, int]:
    picked: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line.sku in picked:
            raise InvalidInput(f"lines[{index}].sku", f"{line.sku} is listed twice")
        picked[line.sku] = line.picked
    return picked


def _by_index(refused: InvalidInput, skus: list[str]) -> InvalidInput:
    """The service names a line by its SKU (`lines.SKU.picked`); the wire names it by position."""
    _, _, rest = refused.field.partition(".")
    sku, dot, attribute = rest.partition(".")
    if sku not in skus:
        return refused
    return InvalidInput(f"lines[{skus.index(sku)}]" + (f".{attribute}" if dot else ".sku"), refused.problem)
