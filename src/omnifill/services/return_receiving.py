"""Receiving returned units and inspecting them, at any location that takes returns.

A sellable unit goes back on the shelf at once: a `return` movement raises on hand, and so available to promise,
at the receiving location — even a store that never stocked the SKU (its balance is created at zero first).
Damaged, defective and refurbish units are recorded in `return_dispositions` only (quarantine, return to vendor,
dispose, the refurbishment queue): they never touch on hand, so they can never be promised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.return_repository import DispositionRecord
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import InvalidTransition, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.inventory import Movement, MovementKind, StockLevel, movement
from omnifill.domain.returns import (
    Condition,
    Disposition,
    Outcome,
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
    with uow:
        rma = receive_in(uow, return_id, receipt, principal, now)
        uow.commit()
    return rma


def receive_in(
    uow: UnitOfWork, return_id: str, receipt: Receipt, principal: Principal, now: datetime,
) -> ReturnAuthorization:
    """`receive_return` within the caller's transaction (a store's desk authorizes in the same one)."""
    principal.require_location(receipt.location)
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
    ledger = restock(uow, _sellable(receipt.lines), Place(location.code, location_id), f"return {rma.id}",
                     str(principal), rma.order_id, now)
    uow.returns.add_dispositions(rma.id, receipt.lines, location_id, str(principal), now)
    write_return(uow, rma, expected, now)
    uow.inventory.record(ledger, now)
    uow.outbox.add([return_event("return.received", rma, now, received_at=location.code, actor=str(principal),
                                 received=[_line_payload(ln) for ln in receipt.lines],
                                 restocked=[{"sku": m.sku, "quantity": m.quantity, "on_hand": after.on_hand,
                                             "available": after.available} for m, _, after in ledger])])
    return rma


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    id: int


def _sellable(lines: Sequence[ReceivedLine]) -> dict[str, int]:
    units: dict[str, int] = {}
    for line in lines:
        if line.condition is Condition.SELLABLE:
            units[line.sku] = units.get(line.sku, 0) + line.quantity
    return units


def restock(
    uow: UnitOfWork, units: Mapping[str, int], place: Place, reason: str, actor: str, order_id: str, now: datetime,
) -> list[tuple[Movement, Keys, StockLevel]]:
    """One `return` movement per SKU, in SKU order (the lock order every writer keeps); a location that never
    stocked the SKU gets its balance, at zero, first."""
    found = uow.skus.by_codes(units)
    sku_ids = uow.skus.ids_for(units)
    ledger = []
    for sku, quantity in sorted(units.items()):
        keys = Keys(sku_ids[sku], place.id)
        uow.inventory.ensure_level(keys, found[sku].unit_cost, now)
        before = uow.inventory.level_for_update(keys) or StockLevel()
        row, after = movement(MovementKind.RETURN, sku, place.code, quantity, before, reason=reason, actor=actor,
                              order_id=order_id)
        uow.inventory.store_level(keys, after, now)
        ledger.append((row, keys, after))
    return ledger


def _line_payload(line: ReceivedLine) -> dict[str, object]:
    return {"sku": line.sku, "quantity": line.quantity, "condition": str(line.condition),
            "disposition": str(line.disposition)}


def list_dispositions(
    uow: UnitOfWork, principal: Principal, *, location: str | None, disposition: Disposition | None,
    return_id: str | None, waiting: bool | None = None, after: int | None = None, limit: int = 50,
) -> Sequence[DispositionRecord]:
    """Units received back and where they went, oldest first (`waiting`: still in their queue, or done);
    a store key sees its own store's only."""
    if location is not None:
        principal.require_location(location)
    with uow.reading() as reader:
        return reader.returns.dispositions(location=location or principal.location,
                                           disposition=str(disposition) if disposition else None,
                                           return_id=return_id, waiting=waiting, after=after, limit=limit)


def resolve_disposition(
    uow: UnitOfWork, disposition_id: int, outcome: Outcome, principal: Principal, now: datetime,
) -> DispositionRecord:
    """Work a unit off its queue: refurbished or cleared from quarantine it is restocked (a `return` movement,
    available at once); or it is disposed of, or the vendor took it back. Once only."""
    with uow:
        found = uow.returns.disposition(disposition_id, lock=True)
        if found is None:
            raise NotFound(f"no disposition {disposition_id}", disposition_id=disposition_id)
        record, location_id = found
        principal.require_location(record.location)
        if record.outcome is not None or not uow.returns.resolve(record.id, outcome, str(principal), now):
            raise InvalidTransition(f"disposition {record.id} was already resolved",
                                    outcome=str(record.outcome) if record.outcome else None)
        rma = uow.returns.get(record.return_id)
        assert rma is not None  # a disposition's return always exists (foreign key)
        ledger = []
        if outcome is Outcome.RESTOCK:
            ledger = restock(uow, {record.sku: record.quantity}, Place(record.location, location_id),
                             f"return {rma.id} {record.disposition} cleared", str(principal), rma.order_id, now)
        uow.inventory.record(ledger, now)
        resolved = replace(record, outcome=outcome, resolved_by=str(principal), resolved_at=now)
        uow.outbox.add([DomainEvent("return.disposition_resolved", "return", record.return_id, {
            "return_id": record.return_id, "disposition_id": record.id, "sku": record.sku,
            "location": record.location, "quantity": record.quantity, "disposition": str(record.disposition),
            "outcome": str(outcome), "actor": str(principal),
        }, now)])
        uow.commit()
    return resolved

