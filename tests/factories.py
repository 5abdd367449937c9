"""Small, explicit builders for test data, going through the real use cases."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from omnifill.adapters.sql.tables import inventory_movements, locations, skus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.catalog import Sku
from omnifill.domain.inventory import MovementKind
from omnifill.domain.locations import Capability, LocationKind
from omnifill.domain.orders import Address, Customer, Delivery, DeliveryMethod, OrderDraft, OrderLine, ServiceLevel
from omnifill.services.catalog import LocationDraft, create_location, create_sku
from omnifill.services.inventory import MovementRequest, list_balances, record_movement
from tests.conftest import NOW

SHIP_PICKUP = frozenset({Capability.SHIP, Capability.PICKUP, Capability.RETURNS})
# Real ZIP codes: the allocation measures great-circle distance from them.
ZIP = {"NYC": "10001", "PHL": "19103", "CHI": "60601", "LAX": "90012", "RNO": "89502"}


def add_sku(uow: UnitOfWork, now: datetime, code: str = "TEE-BLK-M", cost: str = "4.00", price: str = "12.00") -> Sku:
    return create_sku(uow, Sku(code, f"Item {code}", Decimal(cost), Decimal(price), Decimal("0.250")), now)


def add_location(
    uow: UnitOfWork, now: datetime, code: str, zip_code: str, *, kind: LocationKind = LocationKind.STORE,
    capabilities: frozenset[Capability] = SHIP_PICKUP, enabled: bool = True,
) -> None:
    create_location(uow, LocationDraft(
        code=code, name=f"Location {code}", kind=kind, postal_code=zip_code, capabilities=capabilities,
        fulfillment_enabled=enabled,
    ), now)


def receive(uow: UnitOfWork, now: datetime, sku: str, location: str, units: int, cost: str | None = None) -> None:
    record_movement(uow, MovementRequest(
        sku, location, MovementKind.RECEIPT, units, "test receipt", Decimal(cost) if cost else None
    ), "test", now)


def stock(uow: UnitOfWork, units: dict[tuple[str, str], int], now: datetime = NOW) -> None:
    """Receive units per (SKU, location)."""
    for (sku, location), quantity in units.items():
        receive(uow, now, sku, location, quantity)


def levels(uow: UnitOfWork) -> dict[tuple[str, str], tuple[int, int]]:
    """(SKU, location) → (on hand, reserved) for every balance."""
    found, _ = list_balances(uow, None, None, None, 1000)
    return {(b.sku, b.location): (b.level.on_hand, b.level.reserved) for b in found}


def ship_order(
    external_id: str, lines: dict[str, int], zip_code: str = ZIP["NYC"], channel: str = "web"
) -> OrderDraft:
    return OrderDraft(
        channel=channel, external_id=external_id, customer=Customer(email="pat@example.com"),
        ship_to=Address(zip_code), delivery=Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD),
        lines=tuple(OrderLine(sku, units, Decimal("12.00")) for sku, units in lines.items()),
    )


def pickup_order(external_id: str, lines: dict[str, int], store: str, channel: str = "web") -> OrderDraft:
    return OrderDraft(
        channel=channel, external_id=external_id, customer=Customer(email="pat@example.com"), ship_to=None,
        delivery=Delivery(DeliveryMethod.PICKUP, location=store),
        lines=tuple(OrderLine(sku, units, Decimal("12.00")) for sku, units in lines.items()),
    )


def ledger(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every movement in the order it was booked, with SKU and location codes."""
    query = (
        select(inventory_movements, skus.c.code.label("sku"), locations.c.code.label("location"))
        .join(skus, skus.c.id == inventory_movements.c.sku_id)
        .join(locations, locations.c.id == inventory_movements.c.location_id)
        .order_by(inventory_movements.c.id)
    )
    with uow.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]
