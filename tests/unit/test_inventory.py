"""The stock level arithmetic behind the ledger: movements, safety stock, moving-average cost, counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omnifill.domain.errors import InvalidInput, StockConflict
from omnifill.domain.inventory import (
    SIGNED_KINDS,
    MovementKind,
    StockLevel,
    available_to_promise,
    count_delta,
    movement,
    moving_average_cost,
)

K = MovementKind
# 10 on hand, 4 of them reserved, 2 held back as safety stock: 4 available to promise.
LEVEL = StockLevel(on_hand=10, reserved=4, safety_stock=2, average_unit_cost=Decimal("5.0000"))
UNSIGNED_KINDS = [kind for kind in MovementKind if kind not in SIGNED_KINDS]


EFFECT_CASES = [
    (K.RECEIPT, 3, 13, 4),
    (K.ADJUSTMENT, 3, 13, 4),
    (K.ADJUSTMENT, -6, 4, 4),
    (K.ADJUSTMENT, 0, 10, 4),
    (K.COUNT, 2, 12, 4),
    (K.COUNT, -6, 4, 4),
    (K.RESERVATION, 6, 10, 10),
    (K.RELEASE, 4, 10, 0),
    (K.SHIPMENT, 4, 6, 0),
    (K.SHIPMENT, 1, 9, 3),
    (K.RETURN, 2, 12, 4),
    (K.TRANSFER_OUT, 6, 4, 4),
    (K.TRANSFER_IN, 5, 15, 4),
    (K.SALE, 6, 4, 4),  # a till sale leaves reservations alone
    (K.POS_RETURN, 2, 12, 4),
]


@pytest.mark.parametrize(("kind", "quantity", "on_hand", "reserved"), EFFECT_CASES)
def test_each_movement_kind_moves_on_hand_and_reserved_exactly(
    kind: MovementKind, quantity: int, on_hand: int, reserved: int
) -> None:
    after = LEVEL.apply(kind, quantity)

    assert after == StockLevel(on_hand, reserved, safety_stock=2, average_unit_cost=Decimal("5.0000"))


def test_every_movement_kind_is_covered_above() -> None:
    assert {case[0] for case in EFFECT_CASES} == set(MovementKind)


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [
        (K.ADJUSTMENT, -11),
        (K.COUNT, -11),
        (K.SHIPMENT, 11),
        (K.TRANSFER_OUT, 11),
        (K.SALE, 11),
    ],
)
def test_on_hand_never_goes_negative(kind: MovementKind, quantity: int) -> None:
    with pytest.raises(StockConflict) as conflict:
        LEVEL.apply(kind, quantity)

    assert conflict.value.details == {"on_hand": 10, "reserved": 4, "quantity": quantity}
    assert "would make on hand negative" in conflict.value.message


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [
        (K.ADJUSTMENT, -7),  # 3 on hand against 4 reserved
        (K.COUNT, -7),
        (K.TRANSFER_OUT, 7),
        (K.RESERVATION, 7),  # 11 reserved against 10 on hand
        (K.RELEASE, 5),  # -1 reserved
        (K.SHIPMENT, 5),  # ships more than was reserved
        (K.SALE, 7),  # sells units reserved online: services/pos.py takes them back first
    ],
)
def test_reserved_stays_between_zero_and_on_hand(kind: MovementKind, quantity: int) -> None:
    with pytest.raises(StockConflict) as conflict:
        LEVEL.apply(kind, quantity)

    assert conflict.value.code == "stock_conflict"
    assert conflict.value.details == {"on_hand": 10, "reserved": 4, "quantity": quantity}


@pytest.mark.parametrize("kind", UNSIGNED_KINDS)
@pytest.mark.parametrize("quantity", [0, -1])
def test_unsigned_kinds_move_a_positive_quantity(kind: MovementKind, quantity: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        LEVEL.apply(kind, quantity)

    assert refused.value.field == "quantity"


def test_only_adjustments_and_counts_are_signed() -> None:
    assert {K.ADJUSTMENT, K.COUNT} == SIGNED_KINDS
    assert len(UNSIGNED_KINDS) == 9


def test_reserving_takes_only_what_is_available() -> None:
    after = LEVEL.reserve(4)

    assert (after.on_hand, after.reserved, after.available) == (10, 8, 0)


def test_reserving_never_dips_into_safety_stock() -> None:
    # Reserving 5 would keep reserved <= on_hand, but would promise one of the 2 units held back.
    with pytest.raises(StockConflict) as conflict:
        LEVEL.reserve(5)

    assert conflict.value.details == {"available": 4, "quantity": 5}
    assert LEVEL.apply(K.RESERVATION, 5).reserved == 9


def test_reserving_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput):
        LEVEL.reserve(0)


@pytest.mark.parametrize(
    ("on_hand", "reserved", "safety_stock", "available"),
    [(10, 4, 2, 4), (10, 0, 0, 10), (6, 4, 2, 0), (5, 4, 3, 0), (5, 5, 0, 0), (0, 0, 7, 0), (3, 0, 100, 0)],
)
def test_available_to_promise_is_clipped_at_zero(on_hand: int, reserved: int, safety_stock: int, available: int) -> None:  # noqa: E501
    assert available_to_promise(on_hand, reserved, safety_stock) == available
    assert StockLevel(on_hand, reserved, safety_stock).available == available


@pytest.mark.parametrize(
    ("on_hand", "average", "received", "cost", "expected"),
    [
        (10, "5.0000", 10, "7.0000", "6.0000"),
        (3, "1.00", 1, "2.00", "1.2500"),
        (2, "1.0000", 1, "0.0001", "0.6667"),
        (1, "0.0001", 1, "0", "0.0000"),  # 0.00005 rounds half to even
        (1, "0.0003", 1, "0", "0.0002"),  # 0.00015 rounds half to even
        (0, "9.9900", 5, "3.14159", "3.1416"),  # into empty stock: the receipt sets the cost
        (-2, "9.9900", 5, "2.5", "2.5000"),
    ],
)
def test_moving_average_cost(on_hand: int, average: str, received: int, cost: str, expected: str) -> None:
    result = moving_average_cost(on_hand, Decimal(average), received, Decimal(cost))

    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -4


def test_a_receipt_with_a_cost_moves_the_average_and_nothing_else_does() -> None:
    received = LEVEL.apply(K.RECEIPT, 10, Decimal("8.0000"))
    without_cost = LEVEL.apply(K.RECEIPT, 10)
    returned = LEVEL.apply(K.RETURN, 10)

    assert received.average_unit_cost == Decimal("6.5000")
    assert without_cost.average_unit_cost == Decimal("5.0000")
    assert returned.average_unit_cost == Decimal("5.0000")


def test_a_receipt_into_emptied_stock_sets_the_cost_afresh() -> None:
    emptied = LEVEL.apply(K.SHIPMENT, 4).apply(K.ADJUSTMENT, -6)

    refilled = emptied.apply(K.RECEIPT, 3, Decimal("2.25"))

    assert (emptied.on_hand, emptied.average_unit_cost) == (0, Decimal("5.0000"))
    assert refilled == StockLevel(3, 0, 2, Decimal("2.2500"))


@pytest.mark.parametrize(("counted", "delta"), [(7, -3), (12, 2), (10, 0), (0, -10)])
def test_count_delta_is_counted_minus_book(counted: int, delta: int) -> None:
    assert count_delta(LEVEL, counted) == delta


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        count_delta(LEVEL, -1)

    assert refused.value.field == "quantity"


def test_a_count_below_what_is_reserved_conflicts() -> None:
    with pytest.raises(StockConflict):
        LEVEL.apply(K.COUNT, count_delta(LEVEL, 3))


def test_a_shipment_row_carries_both_deltas_and_the_average_cost() -> None:
    row, after = movement(K.SHIPMENT, "TEE", "NYC", 3, LEVEL, reason="shipped", actor="store:NYC", order_id="ord_1")

    assert (row.kind, row.sku, row.location, row.quantity) == (K.SHIPMENT, "TEE", "NYC", 3)
    assert (row.on_hand_delta, row.reserved_delta) == (-3, -3)
    assert (row.unit_cost, row.reason, row.actor, row.order_id) == (Decimal("5.0000"), "shipped", "store:NYC", "ord_1")
    assert after == StockLevel(7, 1, 2, Decimal("5.0000"))


def test_a_receipt_row_carries_the_receipt_cost() -> None:
    row, after = movement(K.RECEIPT, "TEE", "NYC", 10, LEVEL, reason="po 7", actor="ops", unit_cost=Decimal("8.00"))

    assert (row.on_hand_delta, row.reserved_delta, row.unit_cost, row.order_id) == (10, 0, Decimal("8.00"), None)
    assert after.average_unit_cost == Decimal("6.5000")


def test_a_count_row_records_the_difference() -> None:
    row, after = movement(K.COUNT, "TEE", "NYC", count_delta(LEVEL, 8), LEVEL, reason="cycle count", actor="ops")

    assert (row.quantity, row.on_hand_delta, row.reserved_delta) == (-2, -2, 0)
    assert after.on_hand == 8
