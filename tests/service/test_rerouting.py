"""Re-routing after a rejection or a short pick, the backorder queue, and the decision trail they leave."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from omnifill.domain.orders import FulfillmentStatus, Order, OrderStatus
from omnifill.domain.routing.backorders import BackorderStatus
from omnifill.services.catalog import update_location
from omnifill.services.orders import cancel_order, get_order, place_order
from omnifill.services.rerouting import reject_fulfillment, short_pick
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, levels, pickup_order, ship_order, stock

ADMIN = Principal.parse("admin")


@pytest.fixture
def network(sqlite_uow: UnitOfWork) -> UnitOfWork:
    """SKUs A and B; stores in Philadelphia, Chicago and Los Angeles. Orders ship to New York."""
    for sku in ("A", "B"):
        add_sku(sqlite_uow, NOW, sku)
    for code in ("PHL", "CHI", "LAX"):
        add_location(sqlite_uow, NOW, code, ZIP[code])
    return sqlite_uow


def placed(uow: UnitOfWork, lines: dict[str, int], external_id: str = "W-1") -> Order:  # to New York
    result = place_order(uow, ship_order(external_id, lines), "channel:web", NOW)
    assert result.order is not None
    return result.order


def by_location(order: Order) -> dict[str, tuple[FulfillmentStatus, dict[str, int]]]:
    return {f.location: (f.status, {ln.sku: ln.quantity for ln in f.lines}) for f in order.fulfillments}


def decisions(uow: UnitOfWork, order_id: str) -> list[tuple[int, str, dict[str, Any]]]:
    with uow.reading() as reader:
        return [(d.sequence, d.kind, d.body) for d in reader.routing_decisions.for_order(order_id)]


def backorders(uow: UnitOfWork, order_id: str) -> list[tuple[str, int, BackorderStatus]]:
    with uow.reading() as reader:
        return [(b.sku, b.quantity, b.status) for b in reader.backorders.for_order(order_id)]


def test_a_rejected_fulfillment_is_routed_again_without_that_location(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5})
    order = placed(network, {"A": 2})
    [first] = order.fulfillments
    assert first.location == "PHL"

    rerouted = reject_fulfillment(network, first.id, Principal.parse("store:PHL"), "freezer broke", NOW)

    assert by_location(rerouted) == {
        "PHL": (FulfillmentStatus.REJECTED, {"A": 2}),
        "CHI": (FulfillmentStatus.PENDING, {"A": 2}),
    }
    assert rerouted.status is OrderStatus.ALLOCATED
    assert levels(network) == {("A", "PHL"): (5, 0), ("A", "CHI"): (5, 2)}
    assert get_order(network, order.id, ADMIN) == rerouted
    trail = decisions(network, order.id)
    assert [(seq, kind) for seq, kind, _ in trail] == [(1, "initial"), (2, "reroute")]
    reroute = trail[1][2]
    assert (reroute["failed_at"], reroute["reason"], reroute["excluded"]) == ("PHL", "freezer broke", ["PHL"])
    assert next(c for c in reroute["candidates"] if c["location"] == "PHL")["verdict"] == "filtered"
    assert [p["location"] for p in reroute["packages"]] == ["CHI"]


def test_a_rerouted_order_never_goes_back_to_a_location_that_failed_it(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5, ("A", "LAX"): 5})
    order = placed(network, {"A": 1})
    at_phl = order.fulfillments[0]
    at_chi = next(f for f in reject_fulfillment(network, at_phl.id, ADMIN, "no staff", NOW).fulfillments
                  if f.status is FulfillmentStatus.PENDING)

    again = reject_fulfillment(network, at_chi.id, ADMIN, "damaged", NOW)

    assert [f.location for f in again.fulfillments if f.status is FulfillmentStatus.PENDING] == ["LAX"]
    assert decisions(network, order.id)[-1][2]["excluded"] == ["CHI", "PHL"]


def test_what_nobody_can_take_goes_to_the_backorder_queue(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 1})
    order = placed(network, {"A": 3})

    rerouted = reject_fulfillment(network, order.fulfillments[0].id, ADMIN, "closed for inventory", NOW)

    assert rerouted.status is OrderStatus.BACKORDERED
    assert by_location(rerouted)["CHI"] == (FulfillmentStatus.PENDING, {"A": 1})
    assert backorders(network, order.id) == [("A", 2, BackorderStatus.OPEN)]
    assert decisions(network, order.id)[-1][2]["unfilled"] == [{"sku": "A", "quantity": 2}]
    with network.reading() as reader:
        events = [e.type for e in reader.outbox.for_entity(order.id)]
    assert events == ["order.placed", "order.rerouted"]


def test_cancelling_a_backordered_order_releases_what_is_held(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 1})
    order = placed(network, {"A": 3})
    reject_fulfillment(network, order.fulfillments[0].id, ADMIN, "closed", NOW)

    cancelled = cancel_order(network, order.id, ADMIN, NOW)

    assert cancelled.status is OrderStatus.CANCELLED
    assert levels(network) == {("A", "PHL"): (5, 0), ("A", "CHI"): (1, 0)}
    assert {f.status for f in cancelled.fulfillments} == {FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED}


def test_a_short_pick_writes_off_the_missing_units_and_routes_them_elsewhere(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("B", "PHL"): 5, ("A", "CHI"): 5})
    order = placed(network, {"A": 3, "B": 1})
    [at_phl] = order.fulfillments
    receipts = len(ledger(network))

    rerouted = short_pick(network, at_phl.id, {"A": 1}, Principal.parse("store:PHL"), "bin empty", NOW)

    assert by_location(rerouted) == {
        "PHL": (FulfillmentStatus.PENDING, {"A": 1, "B": 1}),
        "CHI": (FulfillmentStatus.PENDING, {"A": 2}),
    }
    # PHL: 2 units of A were never there: released from the order, then written off the shelf.
    assert levels(network) == {("A", "PHL"): (3, 1), ("B", "PHL"): (5, 1), ("A", "CHI"): (5, 2)}
    written = [(r["kind"], r["sku"], r["location"], r["on_hand_delta"], r["reserved_delta"])
               for r in ledger(network)[receipts:]]
    assert written == [
        ("release", "A", "PHL", 0, -2),
        ("adjustment", "A", "PHL", -2, 0),
        ("reservation", "A", "CHI", 0, 2),
    ]
    assert get_order(network, order.id, ADMIN) == rerouted


def test_a_short_pick_of_nothing_rejects_the_fulfillment(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5})
    order = placed(network, {"A": 2})

    rerouted = short_pick(network, order.fulfillments[0].id, {"A": 0}, ADMIN, "not found", NOW)

    assert by_location(rerouted) == {
        "PHL": (FulfillmentStatus.REJECTED, {"A": 2}),
        "CHI": (FulfillmentStatus.PENDING, {"A": 2}),
    }
    assert levels(network)[("A", "PHL")] == (3, 0)


@pytest.mark.parametrize(("picked", "field"), [
    ({"A": 2}, "lines"),  # nothing short
    ({"A": 3}, "lines.A.picked"),  # more than asked
    ({"A": -1}, "lines.A.picked"),
    ({"B": 0}, "lines.B"),  # not on the fulfillment
])
def test_a_nonsensical_short_pick_is_refused_and_changes_nothing(
    network: UnitOfWork, picked: dict[str, int], field: str
) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5})
    order = placed(network, {"A": 2})
    before = (levels(network), len(ledger(network)))

    with pytest.raises(InvalidInput) as refused:
        short_pick(network, order.fulfillments[0].id, picked, ADMIN, "?", NOW)

    assert refused.value.field == field
    assert (levels(network), len(ledger(network))) == before


def test_a_store_key_rejects_only_its_own_fulfillments(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = placed(network, {"A": 1})

    with pytest.raises(Forbidden):
        reject_fulfillment(network, order.fulfillments[0].id, Principal.parse("store:CHI"), "not mine", NOW)
    assert levels(network) == {("A", "PHL"): (5, 1)}


def test_a_fulfillment_can_be_rejected_once(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5})
    order = placed(network, {"A": 1})
    reject_fulfillment(network, order.fulfillments[0].id, ADMIN, "closed", NOW)

    with pytest.raises(InvalidTransition):
        reject_fulfillment(network, order.fulfillments[0].id, ADMIN, "closed", NOW)
    with pytest.raises(NotFound):
        reject_fulfillment(network, "ful_nope", ADMIN, "closed", NOW)


def test_a_pickup_order_is_not_moved_to_another_store(network: UnitOfWork) -> None:
    stock(network, {("A", "CHI"): 5, ("A", "PHL"): 5})
    result = place_order(network, pickup_order("P-1", {"A": 2}, "CHI"), "channel:web", NOW)
    assert result.order is not None

    rerouted = reject_fulfillment(network, result.order.fulfillments[0].id, ADMIN, "cannot find it", NOW)

    assert rerouted.status is OrderStatus.BACKORDERED
    assert by_location(rerouted) == {"CHI": (FulfillmentStatus.REJECTED, {"A": 2})}
    assert backorders(network, result.order.id) == [("A", 2, BackorderStatus.OPEN)]
    assert levels(network) == {("A", "CHI"): (5, 0), ("A", "PHL"): (5, 0)}


def test_a_location_at_its_daily_capacity_takes_no_more_orders_today(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 10, ("A", "CHI"): 10})
    update_location(network, "PHL", {"daily_order_capacity": 2}, NOW)
    first, second = placed(network, {"A": 1}, "W-1"), placed(network, {"A": 1}, "W-2")

    third = placed(network, {"A": 1}, "W-3")

    assert [o.fulfillments[0].location for o in (first, second, third)] == ["PHL", "PHL", "CHI"]
    phl = next(c for c in decisions(network, third.id)[0][2]["candidates"] if c["location"] == "PHL")
    assert (phl["verdict"], phl["reason"]) == ("filtered", "at its daily capacity of 2 orders")
    # when the second came, 1 of 2 was taken: 50 %, below the 70 % where the surcharge starts
    surcharge = next(c for c in decisions(network, second.id)[0][2]["candidates"] if c["location"] == "PHL")
    assert surcharge["cost"]["capacity"] == 0.0


def test_capacity_counts_from_the_location_local_midnight(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 10, ("A", "CHI"): 10})
    update_location(network, "PHL", {"daily_order_capacity": 1}, NOW)
    yesterday = NOW - timedelta(days=1)
    place_order(network, ship_order("OLD", {"A": 1}), "channel:web", yesterday)

    today = placed(network, {"A": 1}, "NEW")

    assert today.fulfillments[0].location == "PHL"
