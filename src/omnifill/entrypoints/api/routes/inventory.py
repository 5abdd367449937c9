from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from omnifill.domain.access import Permission
from omnifill.domain.inventory import MovementKind
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_pair_cursor, encode_cursor
from omnifill.entrypoints.api.schemas import (
    BalanceOut,
    InventoryPage,
    Limit,
    MovementIn,
    MovementOut,
    MovementResult,
    NetworkTotalOut,
    SafetyStockIn,
)
from omnifill.services import inventory
from omnifill.services.inventory import NetworkTotal

router = APIRouter(prefix="/v1/inventory", tags=["inventory"])


@router.post("/movements", status_code=201)
def record_movement(body: MovementIn, caller: Caller, uow: Uow) -> MovementResult:
    caller.require(Permission.INVENTORY_WRITE)
    caller.require_location(body.location)
    request = inventory.MovementRequest(
        body.sku, body.location, MovementKind(body.kind), body.quantity, body.reason,
        Decimal(body.unit_cost) if body.unit_cost is not None else None,
    )
    row, level = inventory.record_movement(uow, request, str(caller), datetime.now(UTC))
    return MovementResult(movement=MovementOut.of(row), balance=BalanceOut.of(body.sku, body.location, level))


@router.put("/safety-stock")
def set_safety_stock(body: SafetyStockIn, caller: Caller, uow: Uow) -> BalanceOut:
    caller.require(Permission.INVENTORY_WRITE)
    caller.require_location(body.location)
    level = inventory.set_safety_stock(uow, body.sku, body.location, body.safety_stock, str(caller), datetime.now(UTC))
    return BalanceOut.of(body.sku, body.location, level)


@router.get("")
def list_balances(
    caller: Caller, uow: Uow, sku: str | None = None, location: str | None = None,
    limit: Annotated[Limit, Query()] = 100, cursor: str | None = None,
) -> InventoryPage:
    caller.require(Permission.INVENTORY_READ)
    if location is not None:
        caller.require_location(location)
    location = location or caller.location  # a store key sees its own store only
    balances, totals = inventory.list_balances(uow, sku, location, decode_pair_cursor(cursor), limit)
    last = balances[-1] if len(balances) == limit else None
    return InventoryPage(
        items=[BalanceOut.of(b.sku, b.location, b.level) for b in balances],
        network_totals=[NetworkTotalOut(sku=code, **vars_of(t)) for code, t in sorted(totals.items())],
        next_cursor=encode_cursor([last.sku, last.location]) if last else None,
    )


def vars_of(total: NetworkTotal) -> dict[str, int]:
    return {"on_hand": total.on_hand, "reserved": total.reserved, "safety_stock": total.safety_stock,
            "available": total.available}
