"""The ledger invariant, through the real services and SQL, on every backend.

Random sequences of receipts, adjustments, counts, safety-stock changes, ship orders, cancellations and till sales run
against a freshly seeded database (2 SKUs, 3 shipping locations). After every step the database must agree
with a plain-Python model, every balance must equal the sum of its ledger rows, 0 <= reserved <= on_hand,
available = max(0, on_hand - reserved - safety_stock) as SQL computes it, and what is reserved must be exactly
what the non-cancelled orders hold. A refused operation must leave balances, ledger, orders and outbox as they were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import Engine, func, select, text

from omnifill.adapters.sql.engine import is_postgres
from omnifill.adapters.sql.tables import inventory_movements, metadata
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import DomainError, InsufficientStock, InvalidInput, InvalidTransition, StockConflict
from omnifill.domain.inventory import MovementKind
from omnifill.domain.orders import FulfillmentStatus, OrderStatus
from omnifill.domain.pos import PosKind
from omnifill.services.inventory import MovementRequest, record_movement, set_safety_stock
from omnifill.services.orders import cancel_order, place_order
from omnifill.services.pos import TillLine, TillReport, record_pos
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ship_order

SKUS = ("CAP", "TEE")
LOCATIONS = {"CHI": ZIP["CHI"], "NYC": ZIP["NYC"], "PHL": ZIP["PHL"]}
ALLOWED_FAILURES = (InsufficientStock, StockConflict, InvalidInput, InvalidTransition)
ADMIN = Principal(Role.ADMIN)

Pair = tuple[str, str]  # (sku, location)
skus = st.sampled_from(SKUS)
locations = st.sampled_from(sorted(LOCATIONS))


@dataclass(frozen=True)
class Snapshot:
    levels: dict[Pair, tuple[int, int, int]]  # (on_hand, reserved, safety_stock)
    ledger: dict[Pair, tuple[int, int]]  # Σ on_hand_delta, Σ reserved_delta
    movements: int
    orders: dict[str, OrderStatus]
    held: Counter[Pair]  # units the non-cancelled orders hold
    sql_available: dict[Pair, int]  # available to promise as SQL computes it, where positive
    sql_network_available: dict[str, int]
    events: int


def fresh_database(engine: Engine) -> UnitOfWork:
    """Empty every table, then seed the SKUs and locations: each Hypothesis example starts from here."""
    with engine.begin() as connection:
        if is_postgres(engine):
            names = ", ".join(t.name for t in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
    uow = UnitOfWork(engine)
    for sku in SKUS:
        add_sku(uow, NOW, sku)
    for code, zip_code in LOCATIONS.items():
        add_location(uow, NOW, code, zip_code)
    return uow


def snapshot(uow: UnitOfWork) -> Snapshot:
    with uow.reading() as reader:
        sku_codes = {sku_id: code for code, sku_id in reader.skus.ids_for(SKUS).items()}
        location_codes = {found[0]: code for code, found in reader.locations.by_code(LOCATIONS).items()}
        balances = reader.inventory.balances(None, None, None, 1_000)
        ledger = reader.inventory.ledger_sums()
        orders = reader.orders.page(status=None, channel=None, location=None, after=None, limit=1_000)
        availability = reader.inventory.availability(SKUS)
        totals = reader.inventory.network_totals(SKUS, None)
        events = reader.outbox.count()
    with uow.engine.connect() as connection:
        movements = connection.execute(select(func.count()).select_from(inventory_movements)).scalar_one()
    held: Counter[Pair] = Counter()
    for order in orders:
        if order.status is not OrderStatus.CANCELLED:
            for location, sku, units in order.reserved_units():
                held[sku, location] += units
    return Snapshot(
        levels={(b.sku, b.location): (b.level.on_hand, b.level.reserved, b.level.safety_stock) for b in balances},
        ledger={(sku_codes[s], location_codes[loc]): sums for (s, loc), sums in ledger.items()},
        movements=movements,
        orders={order.id: order.status for order in orders},
        held=held,
        sql_available={(sku, location.code): units for _, location, sku, units in availability.at},
        sql_network_available={sku: total.available for sku, total in totals.items()},
        events=events,
    )


class LedgerOnDatabase(RuleBasedStateMachine):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.uow = fresh_database(engine)
        self.levels: dict[Pair, list[int]] = {}  # the model: [on_hand, reserved, safety_stock] per booked pair
        self.orders: dict[str, OrderStatus] = {}
        self.placed: list[str] = []
        self.last = snapshot(self.uow)

    def attempt(self, action: Callable[[], Any], *, succeeds: bool) -> Any:
        """Run a service; a refusal must be one of the business errors, predicted, and must change nothing."""
        refusal: DomainError | None = None
        try:
            result = action()
        except ALLOWED_FAILURES as error:
            refusal = error
        if refusal is not None:
            assert not succeeds, f"refused unexpectedly: {refusal!r} {refusal.details}"
            assert snapshot(self.uow) == self.last
            return None
        assert succeeds, f"accepted although the model says it must be refused: {result!r}"
        return result

    def level(self, sku: str, location: str) -> list[int]:
        return self.levels.get((sku, location), [0, 0, 0])

    def available(self, sku: str) -> int:
        return sum(max(0, on_hand - reserved - safety)
                   for (s, _), (on_hand, reserved, safety) in self.levels.items() if s == sku)

    def record(
        self, kind: MovementKind, sku: str, location: str, quantity: int, on_hand: int, *, succeeds: bool
    ) -> None:
        """Book a manual movement that must leave `on_hand` units (when the model says it succeeds)."""
        request = MovementRequest(sku, location, kind, quantity, "property test")
        done = self.attempt(lambda: record_movement(self.uow, request, "tester", NOW), succeeds=succeeds)
        if done is not None:
            _, reserved, safety = self.level(sku, location)
            self.levels[sku, location] = [on_hand, reserved, safety]
            assert (done[1].on_hand, done[1].reserved, done[1].safety_stock) == (on_hand, reserved, safety)

    @rule(sku=skus, location=locations, units=st.integers(1, 12))
    def receive(self, sku: str, location: str, units: int) -> None:
        on_hand = self.level(sku, location)[0] + units
        self.record(MovementKind.RECEIPT, sku, location, units, on_hand, succeeds=True)

    @rule(sku=skus, location=locations, delta=st.integers(-8, 8))
    def adjust(self, sku: str, location: str, delta: int) -> None:
        on_hand, reserved, _ = self.level(sku, location)
        self.record(MovementKind.ADJUSTMENT, sku, location, delta, on_hand + delta,
                    succeeds=delta != 0 and on_hand + delta >= reserved)

    @rule(sku=skus, location=locations, counted=st.integers(0, 12))
    def count(self, sku: str, location: str, counted: int) -> None:
        reserved = self.level(sku, location)[1]
        self.record(MovementKind.COUNT, sku, location, counted, counted, succeeds=counted >= reserved)

    @rule(sku=skus, location=locations, units=st.integers(0, 5))
    def set_safety_stock(self, sku: str, location: str, units: int) -> None:
        level = self.attempt(lambda: set_safety_stock(self.uow, sku, location, units, "tester", NOW), succeeds=True)
        self.levels[sku, location] = [level.on_hand, level.reserved, units]

    @rule(
        lines=st.dictionaries(skus, st.integers(1, 8), min_size=1, max_size=2),
        zip_code=st.sampled_from(sorted(ZIP.values())),
    )
    def place_order(self, lines: dict[str, int], zip_code: str) -> None:
        draft = ship_order(f"W-{len(self.placed) + 1}", lines, zip_code)
        fits = all(units <= self.available(sku) for sku, units in lines.items())
        placed = self.attempt(lambda: place_order(self.uow, draft, "tester", NOW), succeeds=fits)
        if placed is None:
            return
        assert placed.order is not None
        reserved: Counter[str] = Counter()
        for location, sku, units in placed.order.reserved_units():
            on_hand, already, safety = self.level(sku, location)
            assert units <= on_hand - already - safety, f"promised safety stock or reserved units at {location}"
            self.levels[sku, location] = [on_hand, already + units, safety]
            reserved[sku] += units
        assert reserved == Counter(lines)
        self.orders[placed.order_id] = OrderStatus.ALLOCATED
        self.placed.append(placed.order_id)

    @precondition(lambda self: self.placed)
    @rule(pick=st.integers(0, 1_000))
    def cancel_order(self, pick: int) -> None:
        order_id = self.placed[pick % len(self.placed)]
        was_open = self.orders[order_id] is not OrderStatus.CANCELLED
        cancelled = self.attempt(lambda: cancel_order(self.uow, order_id, ADMIN, NOW), succeeds=was_open)
        if cancelled is None:
            return
        for fulfillment in cancelled.fulfillments:  # each held its lines until the cancel released them
            if fulfillment.status is not FulfillmentStatus.CANCELLED:
                continue  # rejected when a till sale took its units: released then
            for line in fulfillment.lines:
                self.levels[line.sku, fulfillment.location][1] -= line.quantity
        self.orders[order_id] = OrderStatus.CANCELLED

    @rule(sku=skus, location=locations, units=st.integers(1, 8))
    def sell_at_the_till(self, sku: str, location: str, units: int) -> None:
        """Never refused. Units reserved online give way (every order here is still pending, so all can), the
        rest was on the shelf unbooked; what the orders gave back is routed to free units elsewhere or waits."""
        on_hand, reserved, safety = self.level(sku, location)
        short = max(0, reserved - (on_hand - units))
        report = TillReport(PosKind.SALE, f"T-{self.last.movements}", NOW,
                            (TillLine(units, sku, unit_price=Decimal("1.00")),))
        done = self.attempt(lambda: record_pos(self.uow, report, location, f"store:{location}", NOW), succeeds=True)
        conflicts = done.result["conflicts"]
        taken = sum(r["units"] for c in conflicts for r in c["rerouted"])
        unbooked = sum(c["unbooked_units"] for c in conflicts)
        assert (taken, unbooked) == (min(short, reserved), short - min(short, reserved))
        self.levels[sku, location] = [on_hand - units + unbooked, reserved - taken, safety]
        before, now = self.last.held, snapshot(self.uow).held
        moved = 0
        for pair in set(now) | set(before):
            if pair != (sku, location) and (gain := now[pair] - before[pair]):
                level = self.level(*pair)
                assert 0 < gain <= level[0] - level[1] - level[2], f"re-routed into units not free at {pair}"
                self.levels[pair] = [level[0], level[1] + gain, level[2]]
                moved += gain
        assert moved <= taken
        with self.uow.reading() as reader:
            for order_id in {r["order_id"] for c in conflicts for r in c["rerouted"]}:
                order = reader.orders.get(order_id)
                assert order is not None
                self.orders[order_id] = order.status

    @invariant()
    def the_database_keeps_the_ledger_invariant(self) -> None:
        now = snapshot(self.uow)
        self.last = now
        assert now.levels == {pair: tuple(level) for pair, level in self.levels.items()}
        assert now.orders == self.orders
        assert set(now.ledger) <= set(now.levels)
        for pair, (on_hand, reserved, safety) in now.levels.items():
            assert now.ledger.get(pair, (0, 0)) == (on_hand, reserved), f"{pair}: balance differs from its ledger"
            assert 0 <= reserved <= on_hand
            assert safety >= 0
            assert now.sql_available.get(pair, 0) == max(0, on_hand - reserved - safety)
            assert now.held[pair] == reserved, f"{pair}: reserved differs from what open orders hold"
        assert set(now.held) <= set(now.levels)
        assert sum(now.held.values()) == sum(reserved for _, reserved, _ in now.levels.values())
        assert set(now.sql_available) <= set(now.levels)
        for sku in {sku for sku, _ in now.levels}:
            assert now.sql_network_available[sku] == self.available(sku)


def test_the_ledger_invariant_holds_through_the_services(engine: Engine) -> None:
    run_state_machine_as_test(
        lambda: LedgerOnDatabase(engine),  # type: ignore[arg-type]  # hypothesis takes any factory; its stub says class
        settings=settings(
            max_examples=30, stateful_step_count=25, deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
