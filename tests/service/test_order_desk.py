"""The console's reads and moves on the services, on both databases: orders found and scoped, one order's
events in time order, re-routing only work nobody started, and stock seen per SKU, per ledger and running low."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import Forbidden, InvalidTransition, NotFound
from omnifill.domain.orders import Order
from omnifill.services import fulfillment
from omnifill.services.inventory import set_safety_stock
from omnifill.services.order_desk import OrderFilters, find_orders, order_file, reroute_pending
from omnifill.services.orders import place_order
from omnifill.services.stock_views import running_low, sku_ledger, sku_stock
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, levels, ship_order, stock

OPERATOR = Principal.parse("operator")
PHL_STORE = Principal.parse("store:PHL")


@pytest.fixture
def network(uow: UnitOfWork) -> UnitOfWork:
    """SKU A at the Philadelphia (5) and Chicago (5) stores; orders ship to New York, so Philadelphia wins."""
    add_sku(uow, NOW, "A")
    for code in ("PHL", "CHI"):
        add_location(uow, NOW, code, ZIP[code])
    stock(uow, {("A", "PHL"): 5, ("A", "CHI"): 5})
    return uow


def placed(uow: UnitOfWork, external_id: str, units: int, hours_later: int = 0) -> Order:
    result = place_order(uow, ship_order(external_id, {"A": units}), "channel:web",
                         NOW + timedelta(hours=hours_later))
    assert result.order is not None
    return result.order


def ids(orders: list[Order]) -> list[str]:
    return [o.external_id for o in orders]


def test_orders_are_found_newest_first_by_date_and_id_and_a_store_sees_its_own(network: UnitOfWork) -> None:
    first, second = placed(network, "W-1", 1), placed(network, "W-2", 1, hours_later=30)
    big = placed(network, "W-3", 6)  # more than one store holds: split or Chicago too
    assert ids(find_orders(network, OPERATOR, OrderFilters(), None, 10)) == ["W-3", "W-2", "W-1"]
    assert ids(find_orders(network, OPERATOR, OrderFilters(), big.id, 10)) == ["W-2", "W-1"]
    day_two = OrderFilters(placed_from=NOW + timedelta(hours=20), placed_until=NOW + timedelta(hours=40))
    assert ids(find_orders(network, OPERATOR, day_two, None, 10)) == ["W-2"]
    assert ids(find_orders(network, OPERATOR, OrderFilters(search=first.id), None, 10)) == ["W-1"]
    assert ids(find_orders(network, OPERATOR, OrderFilters(search="W-2"), None, 10)) == [second.external_id]
    chicago = {o.external_id for o in find_orders(network, Principal.parse("store:CHI"), OrderFilters(), None, 10)}
    assert chicago == {"W-3"}
    with pytest.raises(Forbidden):
        find_orders(network, Principal.parse("store:CHI"), OrderFilters(location="PHL"), None, 10)


def test_an_order_file_holds_every_event_of_the_order_and_its_work_in_time_order(network: UnitOfWork) -> None:
    order = placed(network, "W-1", 2)
    [work] = order.fulfillments
    fulfillment.advance(network, work.id, "accept", PHL_STORE, NOW + timedelta(minutes=5))
    found = order_file(network, order.id, OPERATOR)
    assert [(e.type, e.entity_id) for e in found.timeline] == [("order.placed", order.id),
                                                               ("fulfillment.accepted", work.id)]
    assert [d.kind for d in found.decisions] == ["initial"]
    with pytest.raises(Forbidden):
        order_file(network, order.id, Principal.parse("store:CHI"))


def test_only_pending_work_is_rerouted_and_a_refusal_changes_nothing(network: UnitOfWork) -> None:
    started, waiting = placed(network, "W-1", 1), placed(network, "W-2", 1)
    fulfillment.advance(network, started.fulfillments[0].id, "accept", PHL_STORE, NOW)
    before = (levels(network), ledger(network))
    with pytest.raises(InvalidTransition, match="only work nobody has started"):
        reroute_pending(network, started.id, started.fulfillments[0].id, OPERATOR, "damaged", NOW)
    with pytest.raises(NotFound):
        reroute_pending(network, started.id, waiting.fulfillments[0].id, OPERATOR, "damaged", NOW)
    assert (levels(network), ledger(network)) == before
    moved = reroute_pending(network, waiting.id, waiting.fulfillments[0].id, OPERATOR, "damaged", NOW)
    assert [(f.location, str(f.status)) for f in moved.fulfillments] == [("PHL", "rejected"), ("CHI", "pending")]


def test_stock_per_sku_its_ledger_and_what_runs_low(network: UnitOfWork) -> None:
    placed(network, "W-1", 2)
    set_safety_stock(network, "A", "PHL", 3, "test", NOW)  # 5 on hand, 2 reserved, 3 kept back: 0 available
    assert [(b.location, b.level.available) for b in sku_stock(network, OPERATOR, "A")] == [("CHI", 5), ("PHL", 0)]
    assert [b.location for b in sku_stock(network, PHL_STORE, "A")] == ["PHL"]
    with pytest.raises(NotFound):
        sku_stock(network, OPERATOR, "NOPE")
    newest = sku_ledger(network, OPERATOR, "A", None, 2)
    assert [(m.kind, m.location) for m in newest] == [("reservation", "PHL"), ("receipt", "CHI")]
    assert [(m.kind, m.location) for m in sku_ledger(network, OPERATOR, "A", newest[-1].id, 2)] == [
        ("receipt", "PHL")]
    assert [(b.sku, b.location) for b in running_low(network, OPERATOR, None, None, 10)] == [("A", "PHL")]
    assert [b.location for b in running_low(network, OPERATOR, 5, None, 10)] == ["CHI", "PHL"]
    assert running_low(network, OPERATOR, 5, ("A", "CHI"), 10)[0].location == "PHL"
    assert running_low(network, Principal.parse("store:CHI"), None, None, 10) == []
