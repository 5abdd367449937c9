"""Who gives way when a till sold units promised online, and what a till transaction moves."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from omnifill.domain.orders import FulfillmentStatus
from omnifill.domain.pos import (
    HeldUnits,
    PosKind,
    PosLine,
    PosTransaction,
    ReturnCondition,
    TakeBack,
    choose_take_backs,
)
from tests.conftest import NOW

F = FulfillmentStatus


def held(fulfillment_id: str, status: FulfillmentStatus, minutes: int, **units: int) -> HeldUnits:
    return HeldUnits(fulfillment_id, f"ord-{fulfillment_id}", status, NOW + timedelta(minutes=minutes), units)


def test_the_newest_order_gives_way_first() -> None:
    work = [held("f1", F.PENDING, 0, A=1), held("f2", F.PENDING, 5, A=1)]

    assert choose_take_backs({"A": 1}, work) == [TakeBack("f2", "ord-f2", {"A": 1})]


def test_work_not_started_gives_way_before_work_under_way() -> None:
    work = [held("picking", F.PICKING, 9, A=1), held("accepted", F.ACCEPTED, 8, A=1),
            held("pending", F.PENDING, 0, A=1)]

    assert [t.fulfillment_id for t in choose_take_backs({"A": 3}, work)] == ["pending", "accepted", "picking"]


def test_picked_packed_and_ready_work_holds_its_units() -> None:
    work = [held("f1", F.PICKED, 0, A=1), held("f2", F.PACKED, 0, A=1), held("f3", F.READY_FOR_PICKUP, 0, A=1)]

    assert choose_take_backs({"A": 1}, work) == []


def test_only_what_is_short_is_taken_spread_over_as_few_as_needed() -> None:
    work = [held("f1", F.PENDING, 0, A=2, B=1), held("f2", F.PENDING, 1, A=1)]

    assert choose_take_backs({"A": 2, "B": 0}, work) == [
        TakeBack("f2", "ord-f2", {"A": 1}), TakeBack("f1", "ord-f1", {"A": 1})]


def test_a_shortage_bigger_than_what_is_held_takes_everything_takeable() -> None:
    assert choose_take_backs({"A": 5}, [held("f1", F.ACCEPTED, 0, A=2)]) == [TakeBack("f1", "ord-f1", {"A": 2})]


def test_nothing_short_takes_nothing() -> None:
    assert choose_take_backs({}, [held("f1", F.PENDING, 0, A=2)]) == []


def test_a_return_moves_only_its_sellable_units() -> None:
    returned = PosTransaction(PosKind.RETURN, "R-1", "NYC", NOW, (
        PosLine("A", 2, condition=ReturnCondition.SELLABLE), PosLine("A", 1, condition=ReturnCondition.DAMAGED),
        PosLine("B", 1, condition=ReturnCondition.DAMAGED)))

    assert returned.units() == {"A": 2}


def test_a_sale_totals_its_lines_and_one_sku_on_two_lines_is_one_movement() -> None:
    sold = PosTransaction(PosKind.SALE, "T-1", "NYC", NOW, (
        PosLine("B", 1, Decimal("3.50")), PosLine("A", 2, Decimal("12.00")), PosLine("B", 1, Decimal("3.50"))))

    assert (sold.units(), sold.total()) == ({"A": 2, "B": 2}, Decimal("31.00"))


def test_the_fingerprint_tells_a_replay_from_a_reused_transaction_id() -> None:
    sold = PosTransaction(PosKind.SALE, "T-1", "NYC", NOW, (PosLine("A", 1, Decimal("12.00")),))
    same = PosTransaction(PosKind.SALE, "T-1", "NYC", NOW, (PosLine("A", 1, Decimal("12.00")),))
    other = PosTransaction(PosKind.SALE, "T-1", "NYC", NOW, (PosLine("A", 2, Decimal("12.00")),))

    assert sold.fingerprint() == same.fingerprint() != other.fingerprint()
