"""`omnifill seed demo`: a realistic network at real US cities, a catalog, and stock spread across it."""

from __future__ import annotations

from datetime import datetime

from omnifill.adapters.demo_catalog import demo_locations, demo_skus, demo_stock
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.catalog import Sku
from omnifill.domain.inventory import MovementKind
from omnifill.domain.locations import Capability, LocationKind
from omnifill.services.catalog import LocationDraft, create_location, create_sku
from omnifill.services.inventory import MovementRequest, record_movement, set_safety_stock


def is_empty(uow: UnitOfWork) -> bool:
    with uow.reading() as reader:
        return not reader.locations.page(None, 1) and not reader.skus.page(None, 1)


def seed_demo(uow: UnitOfWork, now: datetime) -> dict[str, int]:
    """Goes through the same use cases as the API, so the demo's ledger is as real as a retailer's."""
    locations = demo_locations()
    skus = demo_skus()
    for place in locations:
        create_location(uow, LocationDraft(
            code=place.code, name=place.name, kind=LocationKind(place.kind), postal_code=place.postal_code,
            capabilities=frozenset(Capability(c) for c in place.capabilities),
            daily_order_capacity=place.daily_order_capacity, fulfillment_enabled=place.fulfillment_enabled,
        ), now)
    for item in skus:
        create_sku(uow, Sku(item.code, item.name, item.unit_cost, item.unit_price, item.weight_kg, item.gtin), now)
    stock = demo_stock(locations, skus)
    for row in stock:
        request = MovementRequest(row.sku, row.location, MovementKind.RECEIPT, row.quantity, "demo opening stock")
        record_movement(uow, request, "demo", now)
        if row.safety_stock:
            set_safety_stock(uow, row.sku, row.location, row.safety_stock, "demo", now)
    return {"locations": len(locations), "skus": len(skus), "stock_rows": len(stock)}
