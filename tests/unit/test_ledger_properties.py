"""Properties of the ledger arithmetic: any sequence of movements keeps the invariant, and the ledger sums to the level.

The machine plays receipts, adjustments, counts, safety-stock changes, orders (reservations), cancellations
(releases), shipments, till sales and till returns against one StockLevel through `movement()`, and predicts
which of them must succeed.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from omnifill.domain.errors import StockConflict
from omnifill.domain.inventory import Movement, MovementKind, StockLevel, count_delta, movement

K = MovementKind
costs = st.decimals(min_value=0, max_value=100, places=2)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.level = StockLevel()
        self.rows: list[Movement] = []
        self.held: list[int] = []  # units reserved by each open order

    def book(self, kind: MovementKind, quantity: int, *, succeeds: bool, unit_cost: Decimal | None = None) -> bool:
        """Apply one movement; a predicted failure must be a StockConflict that changes nothing."""
        before, rows = self.level, len(self.rows)
        try:
            row, after = movement(kind, "TEE", "NYC", quantity, before, reason="test", actor="test",
                                  unit_cost=unit_cost)
        except StockConflict:
            assert not succeeds, f"{kind} of {quantity} refused at {before}"
            assert (self.level, len(self.rows)) == (before, rows)
            return False
        assert succeeds, f"{kind} of {quantity} accepted at {before}, giving {after}"
        assert (row.on_hand_delta, row.reserved_delta) == (after.on_hand - before.on_hand,
                                                           after.reserved - before.reserved)
        self.level = after
        self.rows.append(row)
        return True

    @rule(units=st.integers(1, 40), cost=costs)
    def receive(self, units: int, cost: Decimal) -> None:
        self.book(K.RECEIPT, units, succeeds=True, unit_cost=cost)

    @rule(delta=st.integers(-30, 30))
    def adjust(self, delta: int) -> None:
        self.book(K.ADJUSTMENT, delta, succeeds=self.level.on_hand + delta >= self.level.reserved)

    @rule(counted=st.integers(0, 60))
    def count(self, counted: int) -> None:
        self.book(K.COUNT, count_delta(self.level, counted), succeeds=counted >= self.level.reserved)

    @rule(units=st.integers(0, 15))
    def set_safety_stock(self, units: int) -> None:
        self.level = replace(self.level, safety_stock=units)

    @rule(units=st.integers(1, 20))
    def place_order(self, units: int) -> None:
        """An order reserves through reserve(), which keeps safety stock out of reach."""
        before = self.level
        try:
            checked = before.reserve(units)
        except StockConflict:
            assert units > before.available
            assert self.level == before
            return
        assert units <= before.available
        self.book(K.RESERVATION, units, succeeds=True)
        assert self.level == checked
        self.held.append(units)

    @precondition(lambda self: self.held)
    @rule(pick=st.integers(0, 1_000))
    def cancel_order(self, pick: int) -> None:
        units = self.held.pop(pick % len(self.held))
        self.book(K.RELEASE, units, succeeds=True)

    @precondition(lambda self: self.held)
    @rule(pick=st.integers(0, 1_000))
    def ship_order(self, pick: int) -> None:
        units = self.held.pop(pick % len(self.held))
        self.book(K.SHIPMENT, units, succeeds=True)

    @rule(units=st.integers(1, 20))
    def sell_at_the_till(self, units: int) -> None:
        """A till sale leaves reservations alone: it fits only in the units nobody holds (services/pos.py
        first takes back online reservations, or books unknown units in, to make it fit)."""
        self.book(K.SALE, units, succeeds=self.level.on_hand - units >= self.level.reserved)

    @rule(units=st.integers(1, 20))
    def take_a_till_return(self, units: int) -> None:
        self.book(K.POS_RETURN, units, succeeds=True)

    @rule(extra=st.integers(1, 10))
    def ship_or_release_more_than_is_reserved(self, extra: int) -> None:
        self.book(K.SHIPMENT, self.level.reserved + extra, succeeds=False)
        self.book(K.RELEASE, self.level.reserved + extra, succeeds=False)

    @rule(units=st.integers(1, 30))
    def reserve_without_the_safety_check(self, units: int) -> None:
        """A reservation booked straight through movement() only has to fit under on hand."""
        if self.book(K.RESERVATION, units, succeeds=self.level.reserved + units <= self.level.on_hand):
            self.held.append(units)

    @invariant()
    def reserved_stays_within_on_hand(self) -> None:
        assert 0 <= self.level.reserved <= self.level.on_hand

    @invariant()
    def available_is_what_is_left_after_reservations_and_safety_stock(self) -> None:
        level = self.level
        assert level.available == max(0, level.on_hand - level.reserved - level.safety_stock)

    @invariant()
    def the_ledger_sums_to_the_level(self) -> None:
        assert sum(r.on_hand_delta for r in self.rows) == self.level.on_hand
        assert sum(r.reserved_delta for r in self.rows) == self.level.reserved

    @invariant()
    def reserved_is_what_open_orders_hold(self) -> None:
        assert self.level.reserved == sum(self.held)


LedgerMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)
TestLedger = LedgerMachine.TestCase
