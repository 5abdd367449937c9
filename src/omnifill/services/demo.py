"""`omnifill seed demo`: a realistic network at real US cities, a catalog, and stock spread across it."""

from __future__ import annotations

from datetime import datetime, timedelta

from omnifill.adapters.demo_catalog import demo_locations, demo_skus, demo_stock
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.catalog import Sku
from omnifill.domain.inventory import MovementKind
from omnifill.domain.locations import Capability, LocationKind
from omnifill.services.catalog import LocationDraft, create_location, create_sku
from omnifill.services.demo_history import DEMO_HISTORY, HistorySize, seed_history
from omnifill.services.inventory import MovementRequest, record_movement, set_safety_stock


def is_empty(uow: UnitOfWork) -> bool:
    with uow.reading() as reader:
        return not reader.locations.page(None, 1) and not reader.skus.page(None, 1)


def seed_demo(uow: UnitOfWork, now: datetime, history: HistorySize | None = DEMO_HISTORY,
              sku_count: int = 200) -> dict[str, int]:
    """Goes through the same use cases as the API, so the demo's ledger is as real as a retailer's: the network
    opens the day before `history` starts, then trades until `now` (no history: it opens at `now`)."""
    opened = now - timedelta(days=history.days + 1) if history else now
    locations = demo_locations()
    skus = demo_skus(sku_count)
    for place in locations:
        create_location(uow, LocationDraft(
            code=place.code, name=place.name, kind=LocationKind(place.kind), postal_code=place.postal_code,
            capabilities=frozenset(Capability(c) for c in place.capabilities),
            daily_order_capacity=place.daily_order_capacity, fulfillment_enabled=place.fulfillment_enabled,
        ), opened)
    for item in skus:
        create_sku(uow, Sku(item.code, item.name, item.unit_cost, item.unit_price, item.weight_kg, item.gtin), opened)
    stock = demo_stock(locations, skus)
    for row in stock:
        request = MovementRequest(row.sku, row.location, MovementKind.RECEIPT, row.quantity, "demo opening stock")
        record_movement(uow, request, "demo", opened)
        if row.safety_stock:
            set_safety_stock(uow, row.sku, row.location, row.safety_stock, "demo", opened)
    counts = {"locations": len(locations), "skus": len(skus), "stock_rows": len(stock)}
    if history:
        counts |= seed_history(uow, locations, skus, now, history)
    return counts
