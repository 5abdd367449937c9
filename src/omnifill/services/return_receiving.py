"""Receiving returned units and inspecting them, at any location that takes returns.

A sellable unit goes back on the shelf at once: a `return` movement raises on hand, and so available to promise,
at the receiving location — even a store that never stocked the SKU (its balance is created at zero first).
Damaged, defective and refurbish units are recorded in `return_dispositions` only (quarantine, return to vendor,
dispose, the refurbishment queue): they never touch on hand, so they can never be promised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.return_repository import DispositionRecord
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import NotFound
from omnifill.domain.inventory import Movement, MovementKind, StockLevel, movement
from omnifill.domain.returns import (
    Condition,
    Disposition,
    ReceivedLine,
    ReturnAuthorization,
    ReturnStatus,
)
from omnifill.services.returns import return_event, returns_place, write_return


@dataclass(frozen=True, slots=True)
class Receipt:
    location: str
    lines: tuple[ReceivedLine, ...]


def receive_return(
    uow: UnitOfWork, return_id: str, receipt: Receipt, principal: Principal, now: datetime,
) -> ReturnAuthorization:
    """Take units in where they arrived; a store key receives at its own store only, any RMA (BORIS)."""
    principal.require_location(receipt.location)
    with uow:
        rma = uow.returns.get(return_id, lock=True)
        if rma is None:
            raise NotFound(f"no return {return_id}", return_id=return_id)
        location = returns_place(uow, receipt.location, "location")
        location_id = uow.locations.id_for(location.code)
        assert location_id is not None
        expected = rma.status
        rma.receive(receipt.lines)
        if rma.replacement_order_id is not None and rma.status is ReturnStatus.RECEIVED:
            rma.move(ReturnStatus.CLOSED)  # exchanged and all back: nothing is left to settle
        rma.received_at = tuple(sorted({*rma.received_at, location.code}))
        ledger = _restock(uow, rma, receipt, location_id, str(principal), now)
        uow.returns.add_dispositions(rma.id, receipt.lines, location_id, str(principal), now)
        write_return(uow, rma, expected, now)
        uow.inventory.record(ledger, now)
        uow.outbox.add([return_event("return.received", rma, now, received_at=location.code, actor=str(principal),
                                     received=[_line_payload(ln) for ln in receipt.lines],
                                     restocked=[{"sku": m.sku, "quantity": m.quantity, "on_hand": after.on_hand,
                                                 "available": after.available} for m, _, after in ledger])])
        uow.commit()
    return rma


def _restock(
    uow: UnitOfWork, rma: ReturnAuthorization, receipt: Receipt, location_id: int, actor: str, now: datetime,
) -> list[tuple[Movement, Keys, StockLevel]]:
    """One `return` movement per sellable SKU, in SKU order (the lock order every writer keeps)."""
    sellable: dict[str, int] = {}
    for line in receipt.lines:
        if line.condition is Condition.SELLABLE:
            sellable[line.sku] = sellable.get(line.sku, 0) + line.quantity
    found = uow.skus.by_codes(sellable)
    sku_ids = uow.skus.ids_for(sellable)
    ledger = []
    for sku, units in sorted(sellable.items()):
        keys = Keys(sku_ids[sku], location_id)
        uow.inventory.ensure_level(keys, found[sku].unit_cost, now)  # a store that never stocked it starts at 0
        before = uow.inventory.level_for_update(keys) or StockLevel()
        row, after = movement(MovementKind.RETURN, sku, receipt.location, units, before,
                              reason=f"return {rma.id}", actor=actor, order_id=rma.order_id)
        uow.inventory.store_level(keys, after, now)
        ledger.append((row, keys, after))
    return ledger


def _line_payload(line: ReceivedLine) -> dict[str, object]:
    return {"sku": line.sku, "quantity": line.quantity, "condition": str(line.condition),
            "disposition": str(line.disposition)}


def list_dispositions(
    uow: UnitOfWork, principal: Principal, *, location: str | None, disposition: Disposition | None,
    return_id: str | None, after: int | None, limit: int,
) -> Sequence[DispositionRecord]:
    """Units received back and where they went, oldest first; a store key sees its own store's only."""
    if location is not None:
        principal.require_location(location)
    with uow.reading() as reader:
        return reader.returns.dispositions(location=location or principal.location,
                                           disposition=str(disposition) if disposition else None,
                                           return_id=return_id, after=after, limit=limit)

