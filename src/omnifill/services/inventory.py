"""Use cases for stock: receive, adjust, count, protect with safety stock, and read balances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from omnifill.adapters.sql.inventory_repository import Balance, Keys, NetworkTotal

__all__ = ["Balance", "MovementRequest", "NetworkTotal", "list_balances", "record_movement", "set_safety_stock"]
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.channels import stock_availability_event
from omnifill.domain.errors import InvalidInput
from omnifill.domain.events import DomainEvent
from omnifill.domain.inventory import Movement, MovementKind, StockLevel, count_delta, movement
from omnifill.domain.locations import LocationKind

MANUAL_KINDS = frozenset({MovementKind.RECEIPT, MovementKind.ADJUSTMENT, MovementKind.COUNT})


@dataclass(frozen=True, slots=True)
class MovementRequest:
    sku: str
    location: str
    kind: MovementKind
    quantity: int  # receipt: units received; adjustment: signed delta; count: units counted
    reason: str
    unit_cost: Decimal | None = None


def record_movement(
    uow: UnitOfWork, request: MovementRequest, actor: str, now: datetime
) -> tuple[Movement, StockLevel]:
    if request.kind not in MANUAL_KINDS:
        raise InvalidInput("kind", "must be receipt, adjustment or count")
    if request.kind is MovementKind.ADJUSTMENT and request.quantity == 0:
        raise InvalidInput("quantity", "an adjustment changes stock: give a non-zero delta")
    with uow:
        keys, sku_cost = _keys(uow, request.sku, request.location)
        uow.inventory.ensure_level(keys, sku_cost, now)
        before = uow.inventory.level_for_update(keys) or StockLevel()
        quantity = count_delta(before, request.quantity) if request.kind is MovementKind.COUNT else request.quantity
        unit_cost = (request.unit_cost if request.unit_cost is not None else sku_cost)
        row, after = movement(
            request.kind, request.sku, request.location, quantity, before, reason=request.reason, actor=actor,
            unit_cost=unit_cost if request.kind is MovementKind.RECEIPT else None,
        )
        uow.inventory.store_level(keys, after, now)
        uow.inventory.record([(row, keys, after)], now)
        uow.outbox.add([_movement_event(row, after, now)])
        uow.commit()
    return row, after


def set_safety_stock(
    uow: UnitOfWork, sku: str, location: str, units: int, actor: str, now: datetime
) -> StockLevel:
    """Units held back from promising, so online orders never empty a store's shelf."""
    if units < 0:
        raise InvalidInput("safety_stock", "must not be negative")
    with uow:
        keys, sku_cost = _keys(uow, sku, location)
        uow.inventory.ensure_level(keys, sku_cost, now)
        before = uow.inventory.level_for_update(keys) or StockLevel()
        level = replace(before, safety_stock=units)
        uow.inventory.store_level(keys, level, now)
        uow.outbox.add([DomainEvent(
            "inventory.safety_stock_set", "inventory", f"{sku}@{location}",
            {"sku": sku, "location": location, "safety_stock": units, "available": level.available, "actor": actor},
            now,
        )])
        if before.available != level.available:  # the one change of availability that is not a ledger movement
            uow.outbox.add([stock_availability_event(sku, location, before.available, level.available, now)])
        uow.commit()
    return level


def list_balances(
    uow: UnitOfWork, sku: str | None, location: str | None, after: tuple[str, str] | None, limit: int
) -> tuple[list[Balance], dict[str, NetworkTotal]]:
    """Balances per (SKU, location), and per SKU on the page its total over the locations in view."""
    with uow.reading() as reader:
        balances = reader.inventory.balances(sku, location, after, limit)
        totals = reader.inventory.network_totals({b.sku for b in balances}, location)
    return balances, totals


def _keys(uow: UnitOfWork, sku: str, location: str) -> tuple[Keys, Decimal]:
    found = uow.skus.get(sku)
    if found is None:
        raise InvalidInput("sku", f"unknown SKU {sku}")
    location_id = uow.locations.id_for(location)
    if location_id is None:
        raise InvalidInput("location", f"unknown location {location}")
    return Keys(uow.skus.ids_for([sku])[sku], location_id), found.unit_cost


def _movement_event(row: Movement, after: StockLevel, now: datetime) -> DomainEvent:
    return DomainEvent(
        "inventory.movement_recorded", "inventory", f"{row.sku}@{row.location}",
        {
            "sku": row.sku, "location": row.location, "kind": str(row.kind), "quantity": row.quantity,
            "unit_cost": str(row.unit_cost), "reason": row.reason, "actor": row.actor,
            "on_hand": after.on_hand, "reserved": after.reserved, "available": after.available,
        },
        now,
    )


def vendor_stock_feed(
    uow: UnitOfWork, vendor: str, on_hand: Mapping[str, int], actor: str, now: datetime,
) -> list[Balance]:
    """A dropship vendor's full feed: each listed SKU's on-hand becomes the figure sent (a count movement), and
    a SKU the vendor held before but left out of the feed is counted as zero. One transaction: all or nothing."""
    with uow:
        location = uow.locations.get(vendor)
        if location is None or location.kind is not LocationKind.DROPSHIP_VENDOR:
            raise InvalidInput("vendor", f"{vendor} is not a dropship vendor location")
        held = {b.sku for b in uow.inventory.balances(None, vendor, None, 100_000) if b.level.on_hand > 0}
        rows, events = [], []
        for sku in sorted(set(on_hand) | held):
            keys, sku_cost = _keys(uow, sku, vendor)
            uow.inventory.ensure_level(keys, sku_cost, now)
            before = uow.inventory.level_for_update(keys) or StockLevel()
            counted = on_hand.get(sku, 0)
            if counted == before.on_hand:
                continue
            row, after = movement(MovementKind.COUNT, sku, vendor, count_delta(before, counted), before,
                                  reason="vendor stock feed", actor=actor)
            uow.inventory.store_level(keys, after, now)
            rows.append((row, keys, after))
            events.append(_movement_event(row, after, now))
        uow.inventory.record(rows, now)
        uow.outbox.add(events)
        uow.commit()
    with uow.reading() as reader:
        return reader.inventory.balances(None, vendor, None, 100_000)
