"""Till sales racing online orders for a store's last units, on every backend: the tills are never refused, no
unit is promised twice, and the ledger replays into the balances."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import Engine, func, select

from omnifill.adapters.sql.tables import pos_transactions
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.orders import RELEASED_FULFILLMENTS, OrderStatus
from omnifill.domain.pos import PosKind
from omnifill.services.customers import find_customers, get_customer
from omnifill.services.orders import list_orders, place_order
from omnifill.services.pos import PosOutcome, TillLine, TillReport, record_pos
from tests.conftest import NOW
from tests.factories import ship_order
from tests.integration.test_concurrent_reservations import (
    assert_ledger_replays_into_balances,
    level,
    outcomes,
    race,
    set_up,
)

ORDERS, SALES = 6, 3


def till_sale(transaction_id: str) -> TillReport:
    return TillReport(PosKind.SALE, transaction_id, NOW, (TillLine(1, "TEE", unit_price=Decimal("12.00")),))


def held_by_open_work(engine: Engine) -> dict[str, int]:
    """Units the orders' live fulfillments hold, per location: what `reserved` must add up to."""
    held: Counter[str] = Counter()
    for order in list_orders(UnitOfWork(engine), status=None, channel=None, location=None, after=None, limit=500):
        for f in order.fulfillments:
            if f.status not in RELEASED_FULFILLMENTS:
                held[f.location] += sum(line.quantity for line in f.lines)
    return dict(held)


def test_till_sales_racing_online_orders_for_the_last_units_never_oversell(engine: Engine) -> None:
    # Philadelphia is New York's nearest store: online orders go there first, Chicago next.
    set_up(engine, ("TEE",), {("TEE", "PHL"): 4, ("TEE", "CHI"): 3})

    def act(uow: UnitOfWork, i: int) -> object:
        if i < ORDERS:
            return place_order(uow, ship_order(f"W-{i}", {"TEE": 1}), "channel:web", NOW)
        sale = i - ORDERS
        return record_pos(uow, till_sale(f"T-{sale % SALES}"), "PHL", "store:PHL", NOW)  # T-0 is sent twice

    results = race(engine, ORDERS + SALES + 1, act)

    sales = results[ORDERS:]
    assert all(isinstance(r, PosOutcome) for r in sales), sales  # a till is never refused
    assert sorted(r.replayed for r in sales if isinstance(r, PosOutcome)) == [False, False, False, True]
    assert set(outcomes(results[:ORDERS])) <= {"PlacedOrder", "InsufficientStock"}
    on_hand_phl, reserved_phl = level(engine, "TEE", "PHL")
    on_hand_chi, reserved_chi = level(engine, "TEE", "CHI")
    assert (on_hand_phl, on_hand_chi) == (4 - SALES, 3)
    assert reserved_phl <= on_hand_phl
    assert reserved_chi <= on_hand_chi
    assert {loc: n for loc, n in held_by_open_work(engine).items() if n} == {
        loc: n for loc, n in (("PHL", reserved_phl), ("CHI", reserved_chi)) if n}
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(pos_transactions)).scalar_one() == SALES
    assert_ledger_replays_into_balances(engine)


def test_the_same_offline_sale_uploaded_twice_at_once_is_recorded_once(engine: Engine) -> None:
    set_up(engine, ("TEE",), {("TEE", "PHL"): 5})

    results = race(engine, 4, lambda uow, i: record_pos(uow, till_sale("T-1"), "PHL", "store:PHL", NOW))

    assert sorted(r.replayed for r in results if isinstance(r, PosOutcome)) == [False, True, True, True]
    assert level(engine, "TEE", "PHL") == (4, 0)
    assert_ledger_replays_into_balances(engine)


def test_orders_still_open_after_the_race_hold_or_wait_for_every_unit(engine: Engine) -> None:
    set_up(engine, ("TEE",), {("TEE", "PHL"): 2})

    def act(uow: UnitOfWork, i: int) -> object:
        if i < 2:
            return place_order(uow, ship_order(f"W-{i}", {"TEE": 1}), "channel:web", NOW)
        return record_pos(uow, till_sale(f"T-{i}"), "PHL", "store:PHL", NOW)

    results = race(engine, 4, act)

    assert all(isinstance(r, PosOutcome) for r in results[2:])
    assert level(engine, "TEE", "PHL") == (0, 0)
    placed = list_orders(UnitOfWork(engine), status=None, channel=None, location=None, after=None, limit=10)
    assert {o.status for o in placed} <= {OrderStatus.BACKORDERED}
    assert_ledger_replays_into_balances(engine)


def test_orders_of_one_new_customer_placed_at_once_end_on_one_profile(engine: Engine) -> None:
    set_up(engine, ("TEE",), {("TEE", "PHL"): 10})

    results = race(engine, 4, lambda uow, i: place_order(uow, ship_order(f"W-{i}", {"TEE": 1}), "channel:web", NOW))

    assert outcomes(results) == {"PlacedOrder": 4}
    [customer_id] = find_customers(UnitOfWork(engine), "pat@example.com", None, None)
    profile = get_customer(UnitOfWork(engine), customer_id)
    assert sorted(o.external_id for o in profile.orders) == ["W-0", "W-1", "W-2", "W-3"]
    assert len(profile.identities) == 1
