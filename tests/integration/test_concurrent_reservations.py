"""Many requests at the same instant, through the services, on every backend: never oversell, never deadlock.

Each thread has its own UnitOfWork over one shared engine, and a barrier releases them together.
After every race the ledger must replay exactly into the balances.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.tables import inventory_levels, inventory_movements, orders
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import DuplicateOrder, InsufficientStock, InvalidTransition
from omnifill.domain.orders import Order, OrderDraft, OrderStatus
from omnifill.services.catalog import update_location
from omnifill.services.inventory import list_balances, set_safety_stock
from omnifill.services.orders import IdempotentRequest, PlacedOrder, cancel_order, place_order
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, receive, ship_order

ADMIN = Principal.parse("admin")


def race(engine: Engine, count: int, action: Callable[[UnitOfWork, int], Any]) -> list[Any]:
    """Run action(own UnitOfWork, i) for i in range(count), all released at once; results or exceptions."""
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        uow = UnitOfWork(engine)
        barrier.wait(timeout=60)
        try:
            return action(uow, i)
        except Exception as error:  # every outcome is examined by the test
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def outcomes(results: list[Any]) -> dict[str, int]:
    """How many of each outcome, by type name: anything unexpected shows up as its own key."""
    counts: dict[str, int] = {}
    for result in results:
        counts[type(result).__name__] = counts.get(type(result).__name__, 0) + 1
    return counts


def level(engine: Engine, sku: str, location: str) -> tuple[int, int]:
    found, _ = list_balances(UnitOfWork(engine), sku, location, None, 1)
    return found[0].level.on_hand, found[0].level.reserved


def order_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(orders)).scalar_one())


def movement_kinds(engine: Engine) -> dict[str, int]:
    query = select(inventory_movements.c.kind, func.count()).group_by(inventory_movements.c.kind)
    with engine.connect() as connection:
        return {kind: int(n) for kind, n in connection.execute(query)}


def assert_ledger_replays_into_balances(engine: Engine) -> None:
    """Row by row, in id order, each movement's running balance is what it recorded, and within the invariant."""
    with engine.connect() as connection:
        balances = {
            (r.sku_id, r.location_id): (r.on_hand, r.reserved) for r in connection.execute(select(inventory_levels))
        }
        rows = connection.execute(select(inventory_movements).order_by(inventory_movements.c.id)).mappings().all()
    running: dict[tuple[int, int], tuple[int, int]] = {}
    for row in rows:
        key = (row["sku_id"], row["location_id"])
        on_hand, reserved = running.get(key, (0, 0))
        on_hand, reserved = on_hand + row["on_hand_delta"], reserved + row["reserved_delta"]
        assert (row["on_hand_after"], row["reserved_after"]) == (on_hand, reserved), dict(row)
        assert 0 <= reserved <= on_hand
        running[key] = (on_hand, reserved)
    assert running == balances
    with UnitOfWork(engine).reading() as reader:
        assert reader.inventory.ledger_sums() == balances


def set_up(engine: Engine, skus: tuple[str, ...], stock: dict[tuple[str, str], int]) -> UnitOfWork:
    uow = UnitOfWork(engine)
    for sku in skus:
        add_sku(uow, NOW, sku)
    for location in sorted({location for _, location in stock}):
        add_location(uow, NOW, location, ZIP[location])
    for (sku, location), units in stock.items():
        receive(uow, NOW, sku, location, units)
    return uow


# --- one SKU, one location --------------------------------------------------------------------


def test_32_orders_racing_for_10_units_place_exactly_10(engine: Engine) -> None:
    set_up(engine, ("TEE",), {("TEE", "PHL"): 10})

    results = race(engine, 32, lambda uow, i: place_order(uow, ship_order(f"W-{i}", {"TEE": 1}), "web", NOW))

    assert outcomes(results) == {"PlacedOrder": 10, "InsufficientStock": 22}
    assert level(engine, "TEE", "PHL") == (10, 10)
    assert order_count(engine) == 10
    assert movement_kinds(engine) == {"receipt": 1, "reservation": 10}
    assert_ledger_replays_into_balances(engine)


def test_racing_orders_never_take_more_than_a_locations_daily_capacity(engine: Engine) -> None:
    # Philadelphia is the cheapest for New York but takes 5 orders a day; Los Angeles has room for everyone.
    uow = set_up(engine, ("TEE",), {("TEE", "PHL"): 100, ("TEE", "LAX"): 100})
    update_location(uow, "PHL", {"daily_order_capacity": 5}, NOW)

    results = race(engine, 24, lambda uow, i: place_order(uow, ship_order(f"W-{i}", {"TEE": 1}), "web", NOW))

    placed = [r for r in results if isinstance(r, PlacedOrder)]
    assert set(outcomes(results)) <= {"PlacedOrder", "InsufficientStock"}  # a refusal only after 3 lost races
    assert level(engine, "TEE", "PHL") == (100, 5)
    assert level(engine, "TEE", "LAX") == (100, len(placed) - 5)
    assert_ledger_replays_into_balances(engine)


def test_racing_orders_never_take_more_than_a_locations_hourly_capacity(engine: Engine) -> None:
    # As above, per local clock hour: a dark store's or micro-fulfillment center's limit.
    uow = set_up(engine, ("TEE",), {("TEE", "PHL"): 100, ("TEE", "LAX"): 100})
    update_location(uow, "PHL", {"hourly_order_capacity": 3}, NOW)

    results = race(engine, 16, lambda uow, i: place_order(uow, ship_order(f"W-{i}", {"TEE": 1}), "web", NOW))

    placed = [r for r in results if isinstance(r, PlacedOrder)]
    assert set(outcomes(results)) <= {"PlacedOrder", "InsufficientStock"}
    assert level(engine, "TEE", "PHL") == (100, 3)
    assert level(engine, "TEE", "LAX") == (100, len(placed) - 3)
    assert_ledger_replays_into_balances(engine)


def test_racing_orders_never_dip_into_safety_stock(engine: Engine) -> None:
    uow = set_up(engine, ("TEE",), {("TEE", "PHL"): 10})
    set_safety_stock(uow, "TEE", "PHL", 4, "planner", NOW)

    results = race(engine, 16, lambda uow, i: place_order(uow, ship_order(f"W-{i}", {"TEE": 1}), "web", NOW))

    assert outcomes(results) == {"PlacedOrder": 6, "InsufficientStock": 10}
    assert level(engine, "TEE", "PHL") == (10, 6)
    assert_ledger_replays_into_balances(engine)


# --- two SKUs, two locations, lines in opposite orders ----------------------------------------


def test_two_line_orders_in_opposite_line_orders_neither_deadlock_nor_oversell(engine: Engine) -> None:
    # 10 of A and 10 of B across the network, neither location holding all of either.
    set_up(engine, ("A", "B"), {("A", "PHL"): 6, ("B", "PHL"): 4, ("A", "LAX"): 4, ("B", "LAX"): 6})

    def place(uow: UnitOfWork, i: int) -> PlacedOrder:
        lines = {"A": 1, "B": 1} if i % 2 else {"B": 1, "A": 1}
        # Each lost race means one (SKU, location) pair ran dry since the order read the stock; with 4 pairs,
        # 5 attempts let every order that the network can still cover be placed, so the count is exact.
        return place_order(uow, ship_order(f"W-{i}", lines), "web", NOW, attempts=5)

    results = race(engine, 32, place)

    assert outcomes(results) == {"PlacedOrder": 10, "InsufficientStock": 22}
    reserved = {pair: level(engine, *pair)[1] for pair in [("A", "PHL"), ("A", "LAX"), ("B", "PHL"), ("B", "LAX")]}
    assert reserved == {("A", "PHL"): 6, ("A", "LAX"): 4, ("B", "PHL"): 4, ("B", "LAX"): 6}
    assert order_count(engine) == 10
    assert_ledger_replays_into_balances(engine)


# --- cancels and placements on the same stock -------------------------------------------------


def test_cancels_racing_placements_keep_the_ledger_and_the_invariant(engine: Engine) -> None:
    uow = set_up(engine, ("TEE",), {("TEE", "PHL"): 10})
    first = [place_order(uow, ship_order(f"OLD-{i}", {"TEE": 1}), "web", NOW).order_id for i in range(10)]

    def cancel_or_place(uow: UnitOfWork, i: int) -> Any:
        if i < 10:
            return cancel_order(uow, first[i], ADMIN, NOW)
        return place_order(uow, ship_order(f"NEW-{i}", {"TEE": 1}), "web", NOW)

    results = race(engine, 26, cancel_or_place)

    cancelled, placements = results[:10], results[10:]
    assert all(isinstance(c, Order) and c.status is OrderStatus.CANCELLED for c in cancelled), cancelled
    placed = sum(isinstance(p, PlacedOrder) for p in placements)
    assert all(isinstance(p, (PlacedOrder, InsufficientStock)) for p in placements), placements
    assert level(engine, "TEE", "PHL") == (10, placed)
    assert order_count(engine) == 10 + placed
    assert movement_kinds(engine) == {"receipt": 1, "reservation": 10 + placed, "release": 10}
    assert_ledger_replays_into_balances(engine)


def test_one_order_cancelled_by_many_at_once_is_released_once(engine: Engine) -> None:
    uow = set_up(engine, ("TEE",), {("TEE", "PHL"): 10})
    target = place_order(uow, ship_order("W-1", {"TEE": 2}), "web", NOW).order_id
    place_order(uow, ship_order("W-2", {"TEE": 3}), "web", NOW)  # keeps 3 reserved, so a double release would fit

    results = race(engine, 8, lambda uow, i: cancel_order(uow, target, ADMIN, NOW))

    assert outcomes(results) == {"Order": 1, "InvalidTransition": 7}
    assert all(isinstance(r, (Order, InvalidTransition)) for r in results)
    assert level(engine, "TEE", "PHL") == (10, 3)
    assert movement_kinds(engine) == {"receipt": 1, "reservation": 2, "release": 1}
    assert_ledger_replays_into_balances(engine)


# --- the same order handed in many times at once ----------------------------------------------


def test_one_channel_order_sent_many_times_at_once_is_placed_once(engine: Engine) -> None:
    set_up(engine, ("TEE",), {("TEE", "PHL"): 10})
    draft = ship_order("W-1", {"TEE": 2})

    results = race(engine, 8, lambda uow, i: place_order(uow, draft, "web", NOW))

    assert outcomes(results) == {"PlacedOrder": 1, "DuplicateOrder": 7}
    [winner] = [r for r in results if isinstance(r, PlacedOrder)]
    assert {r.details["order_id"] for r in results if isinstance(r, DuplicateOrder)} == {winner.order_id}
    assert level(engine, "TEE", "PHL") == (10, 2)
    assert order_count(engine) == 1
    assert_ledger_replays_into_balances(engine)


def test_one_idempotent_request_retried_many_times_at_once_gets_one_answer(engine: Engine) -> None:
    set_up(engine, ("TEE",), {("TEE", "PHL"): 10})
    draft: OrderDraft = ship_order("W-1", {"TEE": 2})
    request = IdempotentRequest("channel:web", "key-1", "f1", lambda order: {"id": order.id})

    results = race(engine, 8, lambda uow, i: place_order(uow, draft, "web", NOW, idempotency=request))

    assert outcomes(results) == {"PlacedOrder": 8}
    assert sorted(r.replayed for r in results) == [False] + [True] * 7
    assert len({r.order_id for r in results}) == 1
    assert {r.body["id"] for r in results} == {results[0].order_id}
    assert level(engine, "TEE", "PHL") == (10, 2)
    assert order_count(engine) == 1


def test_idempotent_retry_that_sees_the_first_request_commit_midway_is_replayed(
    engine: Engine, database_url: str
) -> None:
    """The first request commits between the retry's two look-ups: the retry is still a replay, not a duplicate."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers from their first statement: this interleaving cannot happen")
    set_up(engine, ("TEE",), {("TEE", "PHL"): 10})
    draft = ship_order("W-1", {"TEE": 2})
    request = IdempotentRequest("channel:web", "key-1", "f1", lambda order: {"id": order.id})
    other = make_engine(database_url, pool_size=1)
    first: list[PlacedOrder] = []
    lookups: list[bool] = []

    def first_request_commits(conn, cursor, statement, parameters, context, executemany) -> None:
        # Between the retry's two look-ups (its order by external id, its stored answer), whichever comes first.
        lookups.append(any(table in statement for table in ("idempotency_keys", "orders.external_id")))
        if sum(lookups) == 2 and not first:
            first.append(place_order(UnitOfWork(other), draft, "web", NOW, idempotency=request))

    event.listen(engine, "before_cursor_execute", first_request_commits)
    try:
        retried = place_order(UnitOfWork(engine), draft, "web", NOW, idempotency=request)
    finally:
        event.remove(engine, "before_cursor_execute", first_request_commits)
        other.dispose()

    assert (retried.order_id, retried.body, retried.replayed) == (first[0].order_id, first[0].body, True)
    assert level(engine, "TEE", "PHL") == (10, 2)
