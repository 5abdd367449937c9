"""Dropship: each fulfillment routed to a dropship vendor is a purchase order to it. Vendor keys see their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from omnifill.domain.access import Permission
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import FulfillmentStatus
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.routes import fulfillments
from omnifill.entrypoints.api.routing_schemas import (
    FulfillmentView,
    PurchaseOrderView,
    RejectIn,
    ShipPurchaseOrderIn,
    VendorStockFeedIn,
)
from omnifill.entrypoints.api.schemas import BalanceOut, Limit, OrderOut, Page
from omnifill.services import fulfillment, inventory

router = APIRouter(tags=["dropship"])


@router.get("/v1/purchase-orders")
def list_purchase_orders(
    caller: Caller, uow: Uow, vendor: str | None = None, status: FulfillmentStatus | None = None,
    limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[FulfillmentView]:
    caller.require(Permission.ORDERS_READ)
    found = fulfillment.list_purchase_orders(uow, caller, vendor, status, decode_text_cursor(cursor), limit)
    return Page(items=[FulfillmentView.of(order_id, f) for order_id, f in found],
                next_cursor=encode_cursor(found[-1][1].id) if len(found) == limit else None)


@router.get("/v1/purchase-orders/{fulfillment_id}")
def get_purchase_order(fulfillment_id: str, caller: Caller, uow: Uow) -> PurchaseOrderView:
    caller.require(Permission.ORDERS_READ)
    order, found = fulfillment.get_fulfillment(uow, fulfillment_id, caller)
    view = FulfillmentView.of(order.id, found)
    ship_to = order.ship_to
    return PurchaseOrderView(
        **view.model_dump(), customer_name=order.customer.name,
        ship_to={"postal_code": ship_to.postal_code, "country": ship_to.country,
                 "address_lines": list(ship_to.lines)} if ship_to else None,
    )


@router.post("/v1/purchase-orders/{fulfillment_id}/acknowledge")
def acknowledge(fulfillment_id: str, caller: Caller, uow: Uow) -> OrderOut:
    caller.require(Permission.FULFILLMENT_WRITE)
    return OrderOut.of(fulfillment.acknowledge_purchase_order(uow, fulfillment_id, caller, datetime.now(UTC)))


@router.post("/v1/purchase-orders/{fulfillment_id}/ship")
def ship(fulfillment_id: str, body: ShipPurchaseOrderIn, caller: Caller, uow: Uow) -> OrderOut:
    caller.require(Permission.FULFILLMENT_WRITE)
    return OrderOut.of(fulfillment.ship_purchase_order(uow, fulfillment_id, body.carrier, body.tracking_number,
                                                       caller, datetime.now(UTC)))


@router.post("/v1/purchase-orders/{fulfillment_id}/reject")
def reject(fulfillment_id: str, body: RejectIn, caller: Caller, uow: Uow, request: Request) -> OrderOut:
    """The vendor cannot ship it: the order is routed again without the vendor."""
    fulfillment.require_purchase_order(uow, fulfillment_id)
    return fulfillments.reject_fulfillment(fulfillment_id, body, caller, uow, request)


@router.post("/v1/vendors/{code}/inventory")
def vendor_stock_feed(code: str, body: VendorStockFeedIn, caller: Caller, uow: Uow) -> list[BalanceOut]:
    """The vendor's full stock feed: listed SKUs take the figure sent; held SKUs left out go to zero."""
    caller.require(Permission.INVENTORY_WRITE)
    caller.require_location(code)
    on_hand: dict[str, int] = {}
    for index, item in enumerate(body.items):
        if item.sku in on_hand:
            raise InvalidInput(f"items[{index}].sku", f"{item.sku} is listed twice")
        on_hand[item.sku] = item.on_hand
    balances = inventory.vendor_stock_feed(uow, code, on_hand, str(caller), datetime.now(UTC))
    return [BalanceOut.of(b.sku, b.location, b.level) for b in balances]
