"""Till sales and returns: stock moves at once, each POS transaction is recorded once, and a sale that took
units promised online re-routes those online orders (the conflict is logged).

One transaction per POS transaction. A replay (same store, same transaction id, same body) answers what the
first one answered and changes nothing; the same id with a different body is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.pos_repository import PosConflict, StoredPos
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.customers import identities_of
from omnifill.domain.errors import DomainError, IdempotencyMismatch, InsufficientStock, InvalidInput, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.inventory import MovementKind, StockLevel, movement
from omnifill.domain.orders import Order
from omnifill.domain.pos import (
    PosCustomer,
    PosKind,
    PosLine,
    PosTransaction,
    ReturnCondition,
    SaleConflict,
    choose_take_backs,
    held_at,
)
from omnifill.services.customers import resolve_customer
from omnifill.services.rerouting import Ledger, take_back
from omnifill.services.routing import LostRace

__all__ = ["MAX_BATCH", "PosConflict", "PosOutcome", "TillLine", "TillReport", "list_conflicts", "record_batch",
           "record_pos"]

MAX_BATCH = 500
ATTEMPTS = 5  # a till sale is planned again when online orders moved under it; after that, the till retries
CLOCK_SKEW = timedelta(hours=1)  # a till's clock may run a little ahead; a day ahead is a wrong date


@dataclass(frozen=True, slots=True)
class TillLine:
    """A line as the till sends it: a SKU code or a barcode (GTIN)."""

    quantity: int
    sku: str | None = None
    barcode: str | None = None
    unit_price: Decimal | None = None
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class TillReport:
    kind: PosKind
    transaction_id: str
    occurred_at: datetime
    lines: tuple[TillLine, ...]
    customer: PosCustomer | None = None
    original_transaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class PosOutcome:
    result: dict[str, Any]
    replayed: bool = False


def record_pos(uow: UnitOfWork, report: TillReport, location: str, actor: str, now: datetime) -> PosOutcome:
    """Record one till sale or return; stock lost to a concurrent order while re-routing is planned again."""
    for _ in range(ATTEMPTS):
        try:
            return _record_once(uow, report, location, actor, now)
        except LostRace:
            continue
        except IntegrityError:  # the same transaction uploaded twice at once: the other one was first
            return _after_duplicate(uow, report, location, now)
    raise InsufficientStock("stock for the re-route was taken by concurrent orders; send the sale again")


def record_batch(
    uow: UnitOfWork, reports: Sequence[TillReport], location: str, actor: str, now: datetime,
) -> list[PosOutcome | DomainError]:
    """An offline till's backlog: each transaction in its own transaction, oldest first, so one bad sale does
    not hold back the rest; the answers come back in the order sent."""
    if len(reports) > MAX_BATCH:
        raise InvalidInput("sales", f"at most {MAX_BATCH} transactions per batch")
    answers: dict[int, PosOutcome | DomainError] = {}
    for index in sorted(range(len(reports)), key=lambda i: reports[i].occurred_at):
        try:
            answers[index] = record_pos(uow, reports[index], location, actor, now)
        except DomainError as error:
            answers[index] = error
    return [answers[i] for i in range(len(reports))]


def list_conflicts(uow: UnitOfWork, location: str, after: int | None, limit: int) -> list[PosConflict]:
    with uow.reading() as reader:
        if reader.locations.id_for(location) is None:
            raise NotFound(f"no location {location}", location=location)
        return reader.pos.conflicts(location, after, limit)


def _record_once(uow: UnitOfWork, report: TillReport, location: str, actor: str, now: datetime) -> PosOutcome:
    with uow:
        location_id = _location_id(uow, location)
        till = _resolved(uow, report, location, now)
        stored = uow.pos.get(location_id, till.transaction_id)
        if stored is not None:
            return _replay(stored, till)
        customer = till.customer or PosCustomer()
        customer_id = resolve_customer(uow, identities_of(customer.email, customer.phone, customer.loyalty_id),
                                       customer.name, now)
        pos_id = new_id("pos")
        move = _sell if till.kind is PosKind.SALE else _take_in
        ledger, conflicts = move(uow, till, location_id, actor, now)
        uow.inventory.record(ledger, now)
        result = _result(pos_id, till, customer_id, ledger, conflicts, now)
        uow.pos.add(pos_id, location_id, till, customer_id, result, now)
        for c in conflicts:
            uow.pos.add_conflict(location_id, pos_id, c.sku, c.units_short, c.rerouted, c.unbooked_units,
                                 till.occurred_at, now)
        uow.outbox.add([DomainEvent(f"pos.{till.kind}_recorded", "pos", pos_id, result, now),
                        *(_conflict_event(pos_id, till, c, now) for c in conflicts)])
        uow.commit()
    return PosOutcome(result)


def _sell(
    uow: UnitOfWork, sale: PosTransaction, location_id: int, actor: str, now: datetime,
) -> tuple[Ledger, list[SaleConflict]]:
    """The units leave the shelf. Units the online orders held give way first; units nobody knew were there
    are booked in by an adjustment, so on hand never goes below zero and reserved never above on hand."""
    units = sale.units()
    # Orders are locked before stock levels, the order re-routing takes its locks in.
    orders = _lock_orders(uow, location_id, units)
    keys = _levels(uow, units, location_id, now)
    short = {}
    for sku, sold in units.items():
        level = uow.inventory.level_for_update(keys[sku])
        assert level is not None
        short[sku] = max(0, level.reserved - (level.on_hand - sold))
    conflicts = {sku: SaleConflict(sku, n) for sku, n in short.items() if n}
    ledger: Ledger = []
    if conflicts:
        _require_all_locked(uow, location_id, conflicts, orders)
        ledger = _take_backs(uow, sale, orders, short, conflicts, actor, now)
    reason = f"POS sale {sale.transaction_id} at {sale.occurred_at.isoformat()}"[:200]
    for sku, sold in units.items():
        level = uow.inventory.level_for_update(keys[sku])
        assert level is not None
        unbooked = max(0, level.reserved - (level.on_hand - sold))
        if unbooked:
            conflicts[sku].unbooked_units = unbooked
            level = _book(uow, ledger, keys[sku], level, MovementKind.ADJUSTMENT, sku, sale, unbooked, actor,
                          f"{reason}: sold units the books did not hold"[:200], now)
        _book(uow, ledger, keys[sku], level, MovementKind.SALE, sku, sale, sold, actor, reason, now)
    return ledger, list(conflicts.values())


def _lock_orders(uow: UnitOfWork, location_id: int, skus: Iterable[str]) -> list[Order]:
    """Every order whose work at the location holds these SKUs, read under its row lock (in id order)."""
    return [o for oid in uow.pos.orders_holding(location_id, skus) if (o := uow.orders.get(oid, lock=True))]


def _require_all_locked(uow: UnitOfWork, location_id: int, skus: Iterable[str], locked: list[Order]) -> None:
    """An order may have reserved here between our first look and our lock on the stock. Locking it now would
    take an order lock after a stock lock (the other way round from re-routing: a deadlock); start again."""
    if set(uow.pos.orders_holding(location_id, skus)) - {o.id for o in locked}:
        raise LostRace()


def _take_backs(
    uow: UnitOfWork, sale: PosTransaction, orders: list[Order], short: dict[str, int],
    conflicts: dict[str, SaleConflict], actor: str, now: datetime,
) -> Ledger:
    by_id = {o.id: o for o in orders}
    ledger: Ledger = []
    reason = f"POS sale {sale.transaction_id} at {sale.location} took the units"[:200]
    for chosen in choose_take_backs(short, held_at(orders, sale.location, set(short))):
        order = by_id[chosen.order_id]
        fulfillment = order.fulfillment(chosen.fulfillment_id)
        assert fulfillment is not None
        ledger += take_back(uow, order, fulfillment, chosen.units, actor, now, reason)
        for sku, units in chosen.units.items():
            conflicts[sku].rerouted.append(
                {"order_id": order.id, "fulfillment_id": fulfillment.id, "units": units})
    return ledger


def _take_in(
    uow: UnitOfWork, returned: PosTransaction, location_id: int, actor: str, now: datetime,
) -> tuple[Ledger, list[SaleConflict]]:
    """Sellable units go back on the shelf; damaged ones are recorded on the return and nowhere else."""
    units = returned.units()
    keys = _levels(uow, units, location_id, now)
    ledger: Ledger = []
    reason = f"POS return {returned.transaction_id} at {returned.occurred_at.isoformat()}"[:200]
    for sku, back in units.items():
        level = uow.inventory.level_for_update(keys[sku])
        assert level is not None
        _book(uow, ledger, keys[sku], level, MovementKind.POS_RETURN, sku, returned, back, actor, reason, now)
    return ledger, []


def _levels(uow: UnitOfWork, units: dict[str, int], location_id: int, now: datetime) -> dict[str, Keys]:
    """Keys of each SKU's balance at the store, created at zero where the store never held it (sorted: the
    fixed lock order)."""
    found = uow.skus.by_codes(units)
    ids = uow.skus.ids_for(units)
    keys = {sku: Keys(ids[sku], location_id) for sku in sorted(units)}
    for sku, pair in keys.items():
        uow.inventory.ensure_level(pair, found[sku].unit_cost, now)
    return keys


def _book(
    uow: UnitOfWork, ledger: Ledger, keys: Keys, level: StockLevel, kind: MovementKind, sku: str,
    till: PosTransaction, units: int, actor: str, reason: str, now: datetime,
) -> StockLevel:
    row, after = movement(kind, sku, till.location, units, level, reason=reason, actor=actor)
    uow.inventory.store_level(keys, after, now)
    ledger.append((row, keys, after))
    return after


def _resolved(uow: UnitOfWork, report: TillReport, location: str, now: datetime) -> PosTransaction:
    """The till's lines with every barcode turned into its SKU; an unknown one names its line."""
    if report.occurred_at > now + CLOCK_SKEW:
        raise InvalidInput("occurred_at", "is in the future; check the till's clock")
    codes = {line.sku for line in report.lines if line.sku}
    known = uow.skus.by_codes(codes)
    lines = []
    for index, line in enumerate(report.lines):
        sku = line.sku if line.sku in known else None
        if line.barcode is not None:
            sku = uow.skus.code_for_gtin(line.barcode)
            if sku is None:
                raise InvalidInput(f"lines[{index}].barcode", f"no SKU has barcode {line.barcode}")
        if sku is None:
            raise InvalidInput(f"lines[{index}].sku", f"unknown SKU {line.sku}")
        condition = None if report.kind is PosKind.SALE else _condition(index, line.condition)
        lines.append(PosLine(sku, line.quantity, line.unit_price, condition))
    return PosTransaction(report.kind, report.transaction_id, location, report.occurred_at, tuple(lines),
                          report.customer, report.original_transaction_id)


def _condition(index: int, condition: str | None) -> ReturnCondition:
    try:
        return ReturnCondition(condition or "sellable")
    except ValueError:
        raise InvalidInput(f"lines[{index}].condition", "must be sellable or damaged") from None


def _location_id(uow: UnitOfWork, location: str) -> int:
    found = uow.locations.id_for(location)
    if found is None:
        raise InvalidInput("location", f"unknown location {location}")
    return found


def _replay(stored: StoredPos, till: PosTransaction) -> PosOutcome:
    if stored.fingerprint != till.fingerprint():
        raise IdempotencyMismatch(
            f"POS transaction {till.transaction_id} at {till.location} was already recorded with a different body",
            transaction_id=till.transaction_id, location=till.location,
        )
    return PosOutcome(stored.result, replayed=True)


def _after_duplicate(uow: UnitOfWork, report: TillReport, location: str, now: datetime) -> PosOutcome:
    with uow.reading() as reader:
        location_id = _location_id(reader, location)
        till = _resolved(reader, report, location, now)
        stored = reader.pos.get(location_id, report.transaction_id)
    if stored is None:
        raise InvalidInput("transaction_id", "conflicts with a transaction being recorded at the same moment")
    return _replay(stored, till)


def _result(
    pos_id: str, till: PosTransaction, customer_id: str | None, ledger: Ledger, conflicts: list[SaleConflict],
    now: datetime,
) -> dict[str, Any]:
    """The answer, stored with the transaction so that a replay gets it again word for word."""
    at_store = {row.sku: after for row, _, after in ledger if row.location == till.location}
    return {
        "id": pos_id, "transaction_id": till.transaction_id, "kind": str(till.kind), "location": till.location,
        "occurred_at": till.occurred_at.isoformat(), "recorded_at": now.isoformat(), "customer_id": customer_id,
        "original_transaction_id": till.original_transaction_id, "total": _money(till.total()),
        "lines": [{"sku": ln.sku, "quantity": ln.quantity,
                   "unit_price": _money(ln.unit_price) if ln.unit_price is not None else None,
                   "condition": str(ln.condition) if ln.condition else None} for ln in till.lines],
        "balances": [{"sku": sku, "on_hand": lv.on_hand, "reserved": lv.reserved, "safety_stock": lv.safety_stock,
                      "available": lv.available} for sku, lv in sorted(at_store.items())],
        "conflicts": [c.as_dict() for c in conflicts],
    }


def _money(value: Decimal) -> str:
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


def _conflict_event(pos_id: str, till: PosTransaction, c: SaleConflict, now: datetime) -> DomainEvent:
    return DomainEvent("inventory.pos_conflict", "inventory", f"{c.sku}@{till.location}", {
        "pos_id": pos_id, "transaction_id": till.transaction_id, "location": till.location,
        "sale_occurred_at": till.occurred_at.isoformat(), **c.as_dict(),
    }, now)
