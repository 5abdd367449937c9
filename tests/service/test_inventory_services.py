"""Stock movements and safety stock through the use cases, on a real SQLite database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import InsufficientStock, InvalidInput, StockConflict
from omnifill.domain.inventory import MovementKind, StockLevel
from omnifill.services.inventory import MovementRequest, list_balances, record_movement, set_safety_stock
from omnifill.services.orders import place_order
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, receive, ship_order


@pytest.fixture
def store(sqlite_uow: UnitOfWork) -> UnitOfWork:
    """One SKU (cost 4.00) and one store in Philadelphia, with no stock yet."""
    add_sku(sqlite_uow, NOW, "TEE", cost="4.00")
    add_location(sqlite_uow, NOW, "PHL", ZIP["PHL"])
    return sqlite_uow


def balance(uow: UnitOfWork, sku: str = "TEE", location: str = "PHL") -> StockLevel | None:
    found, _ = list_balances(uow, sku, location, None, 10)
    return found[0].level if found else None


def outbox_count(uow: UnitOfWork) -> int:
    with uow.reading() as reader:
        return reader.outbox.count()


def request(kind: MovementKind, quantity: int, cost: str | None = None, sku: str = "TEE", location: str = "PHL"):
    return MovementRequest(sku, location, kind, quantity, "cycle work", Decimal(cost) if cost else None)


# --- receipts -----------------------------------------------------------------------------


def test_receipt_without_a_cost_books_the_skus_cost(store: UnitOfWork) -> None:
    row, after = record_movement(store, request(MovementKind.RECEIPT, 10), "clerk", NOW)

    assert after == StockLevel(on_hand=10, reserved=0, safety_stock=0, average_unit_cost=Decimal("4.0000"))
    assert balance(store) == after
    assert (row.quantity, row.on_hand_delta, row.reserved_delta, row.unit_cost) == (10, 10, 0, Decimal("4.00"))
    [stored] = ledger(store)
    assert (stored["kind"], stored["quantity"], stored["on_hand_after"], stored["unit_cost"]) == (
        "receipt", 10, 10, Decimal("4.0000"))
    assert (stored["actor"], stored["reason"], stored["order_id"]) == ("clerk", "cycle work", None)


def test_receipt_at_a_new_cost_moves_the_average_cost_exactly(store: UnitOfWork) -> None:
    receive(store, NOW, "TEE", "PHL", 10)  # 10 at 4.00

    _, after = record_movement(store, request(MovementKind.RECEIPT, 3, cost="5.00"), "clerk", NOW)

    # (10 × 4.00 + 3 × 5.00) / 13 = 4.230769… → 4.2308
    assert after.average_unit_cost == Decimal("4.2308")
    assert balance(store) == StockLevel(13, 0, 0, Decimal("4.2308"))
    assert [r["unit_cost"] for r in ledger(store)] == [Decimal("4.0000"), Decimal("5.0000")]


def test_receipt_records_an_outbox_event(store: UnitOfWork) -> None:
    record_movement(store, request(MovementKind.RECEIPT, 10), "clerk", NOW)

    with store.reading() as reader:
        [event] = reader.outbox.for_entity("TEE@PHL")
    assert event.type == "inventory.movement_recorded"
    assert event.payload["kind"] == "receipt"
    assert (event.payload["on_hand"], event.payload["reserved"], event.payload["available"]) == (10, 0, 10)


# --- adjustments and counts ---------------------------------------------------------------


@pytest.mark.parametrize(("delta", "on_hand"), [(-3, 7), (5, 15)])
def test_adjustment_applies_its_signed_delta(store: UnitOfWork, delta: int, on_hand: int) -> None:
    receive(store, NOW, "TEE", "PHL", 10)

    row, after = record_movement(store, request(MovementKind.ADJUSTMENT, delta), "clerk", NOW)

    assert (row.quantity, row.on_hand_delta, after.on_hand) == (delta, delta, on_hand)
    assert balance(store) == StockLevel(on_hand, 0, 0, Decimal("4.0000"))
    assert ledger(store)[-1]["on_hand_after"] == on_hand


def test_count_records_the_difference_and_books_what_was_counted(store: UnitOfWork) -> None:
    receive(store, NOW, "TEE", "PHL", 10)

    row, after = record_movement(store, request(MovementKind.COUNT, 7), "clerk", NOW)

    assert (row.kind, row.quantity, row.on_hand_delta) == (MovementKind.COUNT, -3, -3)
    assert after.on_hand == 7
    last = ledger(store)[-1]
    assert (last["kind"], last["quantity"], last["on_hand_delta"], last["on_hand_after"]) == ("count", -3, -3, 7)


def test_a_count_that_finds_more_adds_the_surplus(store: UnitOfWork) -> None:
    receive(store, NOW, "TEE", "PHL", 10)

    row, after = record_movement(store, request(MovementKind.COUNT, 12), "clerk", NOW)

    assert (row.quantity, after.on_hand) == (2, 12)


# --- refusals leave nothing behind ----------------------------------------------------------


@pytest.mark.parametrize(("sku", "location", "field"), [("NOPE", "PHL", "sku"), ("TEE", "NOPE", "location")])
def test_unknown_sku_or_location_is_refused_naming_the_field(
    store: UnitOfWork, sku: str, location: str, field: str
) -> None:
    events = outbox_count(store)

    with pytest.raises(InvalidInput) as refused:
        record_movement(store, request(MovementKind.RECEIPT, 5, sku=sku, location=location), "clerk", NOW)

    assert refused.value.field == field
    assert ledger(store) == []
    assert balance(store) is None
    assert outbox_count(store) == events


@pytest.mark.parametrize(("kind", "quantity"), [(MovementKind.ADJUSTMENT, -4), (MovementKind.COUNT, 1)])
def test_stock_conflict_leaves_balance_ledger_and_outbox_unchanged(
    store: UnitOfWork, kind: MovementKind, quantity: int
) -> None:
    # given 3 on hand, 2 of them reserved by an order
    receive(store, NOW, "TEE", "PHL", 3)
    place_order(store, ship_order("W-1", {"TEE": 2}), "web", NOW)
    before, rows, events = balance(store), len(ledger(store)), outbox_count(store)

    with pytest.raises(StockConflict):  # -4 makes on hand negative; counting 1 leaves 2 reserved against 1
        record_movement(store, request(kind, quantity), "clerk", NOW)

    assert balance(store) == before == StockLevel(3, 2, 0, Decimal("4.0000"))
    assert len(ledger(store)) == rows
    assert outbox_count(store) == events


def test_stock_conflict_on_a_pair_never_stocked_leaves_no_balance(store: UnitOfWork) -> None:
    with pytest.raises(StockConflict):
        record_movement(store, request(MovementKind.ADJUSTMENT, -1), "clerk", NOW)

    assert balance(store) is None
    assert ledger(store) == []


def test_zero_adjustment_is_refused(store: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        record_movement(store, request(MovementKind.ADJUSTMENT, 0), "clerk", NOW)

    assert refused.value.field == "quantity"
    assert ledger(store) == []


def test_only_manual_kinds_can_be_recorded(store: UnitOfWork) -> None:
    receive(store, NOW, "TEE", "PHL", 5)

    with pytest.raises(InvalidInput) as refused:
        record_movement(store, request(MovementKind.RESERVATION, 1), "clerk", NOW)

    assert refused.value.field == "kind"
    assert balance(store) == StockLevel(5, 0, 0, Decimal("4.0000"))


# --- safety stock ---------------------------------------------------------------------------


def test_safety_stock_lowers_available(store: UnitOfWork) -> None:
    receive(store, NOW, "TEE", "PHL", 10)

    level = set_safety_stock(store, "TEE", "PHL", 4, "planner", NOW)

    assert (level.on_hand, level.safety_stock, level.available) == (10, 4, 6)
    assert balance(store) == StockLevel(10, 0, 4, Decimal("4.0000"))


def test_orders_cannot_reserve_into_safety_stock(store: UnitOfWork) -> None:
    receive(store, NOW, "TEE", "PHL", 10)
    set_safety_stock(store, "TEE", "PHL", 4, "planner", NOW)

    with pytest.raises(InsufficientStock) as refused:
        place_order(store, ship_order("W-1", {"TEE": 7}), "web", NOW)
    assert refused.value.details["short"] == [{"sku": "TEE", "requested": 7, "available": 6}]
    assert balance(store) == StockLevel(10, 0, 4, Decimal("4.0000"))

    place_order(store, ship_order("W-2", {"TEE": 6}), "web", NOW)
    level = balance(store)
    assert level is not None
    assert (level.reserved, level.available) == (6, 0)


def test_negative_safety_stock_is_refused(store: UnitOfWork) -> None:
    receive(store, NOW, "TEE", "PHL", 10)

    with pytest.raises(InvalidInput) as refused:
        set_safety_stock(store, "TEE", "PHL", -1, "planner", NOW)

    assert refused.value.field == "safety_stock"
    assert balance(store) == StockLevel(10, 0, 0, Decimal("4.0000"))
