from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from omnifill.domain.access import Permission
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import (
    Address,
    Customer,
    Delivery,
    DeliveryMethod,
    OrderDraft,
    OrderLine,
    OrderStatus,
)
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.routing_schemas import DecisionOut
from omnifill.entrypoints.api.schemas import Limit, OrderIn, OrderOut, Page, PickupIn, render_order
from omnifill.services import orders
from omnifill.services.orders import IdempotentRequest

router = APIRouter(prefix="/v1/orders", tags=["orders"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


@router.post("", status_code=201, response_model=OrderOut,
             responses={409: {"description": "not enough stock, or this channel order already exists"}})
def place_order(body: OrderIn, caller: Caller, uow: Uow, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    caller.require(Permission.ORDERS_WRITE)
    caller.require_channel(body.channel)
    idempotency = None
    if idempotency_key is not None:
        if not idempotency_key.strip():
            raise InvalidInput("Idempotency-Key", "must not be blank")
        fingerprint = hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
        idempotency = IdempotentRequest(str(caller), idempotency_key, fingerprint, render_order)
    placed = orders.place_order(uow, _draft(body), str(caller), datetime.now(UTC), idempotency=idempotency)
    if placed.body is not None:
        headers = {"Idempotent-Replayed": "true"} if placed.replayed else None
        return JSONResponse(placed.body, status_code=201, headers=headers)
    assert placed.order is not None
    return JSONResponse(render_order(placed.order), status_code=201)


@router.get("")
def list_orders(
    caller: Caller, uow: Uow, status: OrderStatus | None = None, channel: str | None = None,
    location: str | None = None, limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[OrderOut]:
    caller.require(Permission.ORDERS_READ)
    if channel is not None:
        caller.require_channel(channel)
    if location is not None:
        caller.require_location(location)
    found = orders.list_orders(
        uow, status=status, channel=channel or caller.channel, location=location or caller.location,
        after=decode_text_cursor(cursor), limit=limit,
    )
    return Page(items=[OrderOut.of(o) for o in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)


@router.get("/{order_id}")
def get_order(order_id: str, caller: Caller, uow: Uow) -> OrderOut:
    caller.require(Permission.ORDERS_READ)
    return OrderOut.of(orders.get_order(uow, order_id, caller))


@router.get("/{order_id}/decisions")
def order_decisions(order_id: str, caller: Caller, uow: Uow) -> list[DecisionOut]:
    """Why the order went where it went: each routing decision in turn (first routing, then each re-route)."""
    caller.require(Permission.ORDERS_READ)
    return [DecisionOut(sequence=d.sequence, kind=d.kind, profile=d.profile, decided_at=d.created_at,
                        explanation=d.body)
            for d in orders.order_decisions(uow, order_id, caller)]


@router.post("/{order_id}/cancel")
def cancel_order(order_id: str, caller: Caller, uow: Uow) -> OrderOut:
    caller.require(Permission.ORDERS_WRITE)
    return OrderOut.of(orders.cancel_order(uow, order_id, caller, datetime.now(UTC)))


def _draft(body: OrderIn) -> OrderDraft:
    delivery = (
        Delivery(DeliveryMethod.PICKUP, location=body.delivery.location, curbside=body.delivery.curbside)
        if isinstance(body.delivery, PickupIn)
        else Delivery(DeliveryMethod.SHIP, service_level=body.delivery.service_level,
                      promised_by=body.delivery.promised_by)
    )
    ship_to = body.ship_to
    return OrderDraft(
        channel=body.channel, external_id=body.external_id,
        customer=Customer(body.customer.email, body.customer.name, body.customer.phone),
        ship_to=Address(ship_to.postal_code, ship_to.country, tuple(ship_to.address_lines)) if ship_to else None,
        delivery=delivery,
        lines=tuple(OrderLine(ln.sku, ln.quantity, Decimal(ln.unit_price)) for ln in body.lines),
    )
