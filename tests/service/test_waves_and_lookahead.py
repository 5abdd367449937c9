"""Waves re-optimize waiting orders together; the look-ahead prices scarce stock for the orders to come."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from omnifill.adapters.geography import lookup_postal_code, region_centroid
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.locations import great_circle_miles
from omnifill.domain.orders import FulfillmentStatus, Order, OrderStatus, ServiceLevel
from omnifill.domain.routing.lookahead import amortized_unit_cost
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.domain.routing.waves import WaveOption
from omnifill.services.catalog import update_location
from omnifill.services.lookahead import LookaheadMethod, solve_lookahead
from omnifill.services.orders import cancel_order, get_order, place_order
from omnifill.services.rerouting import reject_fulfillment
from omnifill.services.routing import default_cost_model
from omnifill.services.routing_profiles import put_profile
from omnifill.services.waves import get_wave, run_wave
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, levels, ship_order, stock

ADMIN = Principal.parse("admin")


@pytest.fixture
def network(sqlite_uow: UnitOfWork) -> UnitOfWork:
    add_sku(sqlite_uow, NOW, "A")
    for code in ("PHL", "LAX"):
        add_location(sqlite_uow, NOW, code, ZIP[code])
    return sqlite_uow


def placed(uow: UnitOfWork, external_id: str, zip_code: str, units: int = 1) -> Order:
    result = place_order(uow, ship_order(external_id, {"A": units}, zip_code), "channel:web", NOW)
    assert result.order is not None
    return result.order


def where(uow: UnitOfWork, order: Order) -> list[tuple[str, FulfillmentStatus]]:
    return [(f.location, f.status) for f in get_order(uow, order.id, ADMIN).fulfillments]


def test_a_wave_undoes_what_one_order_at_a_time_got_wrong(network: UnitOfWork) -> None:
    # One unit in Philadelphia, one in Los Angeles. New York orders first and takes Philadelphia's (zone 3,
    # 13.25 against 19.70 from LA); then a Philadelphia customer can only be served from LA (19.70). Together,
    # New York from LA (19.70) and Philadelphia locally (zone 2, 12.70) cost 0.55 less.
    put_profile(network, RoutingProfile(batchable=True), NOW)
    stock(network, {("A", "PHL"): 1, ("A", "LAX"): 1})
    new_york = placed(network, "W-1", ZIP["NYC"])
    philadelphia = placed(network, "W-2", ZIP["PHL"])
    assert (where(network, new_york), where(network, philadelphia)) == (
        [("PHL", FulfillmentStatus.PENDING)], [("LAX", FulfillmentStatus.PENDING)])

    record = run_wave(network, "operator", NOW, time_limit_s=5)

    assert (record["orders"], record["changed"], record["fallback"]) == (2, 2, False)
    assert record["cost_before"] - record["cost_after"] == pytest.approx(0.55)
    assert where(network, new_york) == [("PHL", FulfillmentStatus.CANCELLED), ("LAX", FulfillmentStatus.PENDING)]
    assert where(network, philadelphia) == [("LAX", FulfillmentStatus.CANCELLED), ("PHL", FulfillmentStatus.PENDING)]
    assert levels(network) == {("A", "PHL"): (1, 1), ("A", "LAX"): (1, 1)}
    assert get_wave(network, record["id"]) == record
    with network.reading() as reader:
        [_, wave] = reader.routing_decisions.for_order(new_york.id)
    assert (wave.kind, wave.body["wave"]) == ("wave", record["id"])
    assert wave.body["packages"] == [{"location": "LAX", "lines": [{"sku": "A", "quantity": 1}]}]
    # the swap went through the ledger: per pair, reservations less releases equal what is reserved
    sums: dict[tuple[str, str], int] = {}
    for row in ledger(network):
        sums[row["sku"], row["location"]] = sums.get((row["sku"], row["location"]), 0) + row["reserved_delta"]
    assert sums == {("A", "PHL"): 1, ("A", "LAX"): 1}


def test_a_wave_changes_nothing_when_the_plans_are_already_best(network: UnitOfWork) -> None:
    put_profile(network, RoutingProfile(batchable=True), NOW)
    stock(network, {("A", "PHL"): 5, ("A", "LAX"): 5})
    order = placed(network, "W-1", ZIP["NYC"])
    before = len(ledger(network))

    record = run_wave(network, "operator", NOW, time_limit_s=5)

    assert (record["orders"], record["changed"]) == (1, 0)
    assert record["cost_before"] == record["cost_after"]
    assert where(network, order) == [("PHL", FulfillmentStatus.PENDING)]
    assert len(ledger(network)) == before


def test_only_waiting_orders_of_batchable_profiles_join_a_wave(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "LAX"): 5})
    placed(network, "NOT-BATCHABLE", ZIP["NYC"])
    assert run_wave(network, "operator", NOW, time_limit_s=5)["orders"] == 0

    put_profile(network, RoutingProfile(batchable=True), NOW)
    cancelled = placed(network, "CANCELLED", ZIP["NYC"])
    cancel_order(network, cancelled.id, ADMIN, NOW)
    rerouted = placed(network, "REROUTED", ZIP["NYC"])
    reject_fulfillment(network, rerouted.fulfillments[0].id, ADMIN, "closed", NOW)  # its new one is pending
    waiting = placed(network, "WAITING", ZIP["NYC"])

    record = run_wave(network, "operator", NOW, time_limit_s=5)

    assert record["orders"] == 3  # NOT-BATCHABLE was placed before the profile allowed waves
    assert get_order(network, waiting.id, ADMIN).status is OrderStatus.ALLOCATED


def test_the_look_ahead_prices_stock_that_expected_demand_will_miss(network: UnitOfWork) -> None:
    # Yesterday five New York orders wanted one A each. Now Philadelphia holds 2 and Los Angeles 10: the LP sends
    # Philadelphia's 2 to New York and 3 more from LA, so a unit in Philadelphia is worth what it saves over LA.
    stock(network, {("A", "PHL"): 7, ("A", "LAX"): 10})
    for n in range(5):
        placed(network, f"PAST-{n}", ZIP["NYC"])
    assert levels(network) == {("A", "PHL"): (7, 5), ("A", "LAX"): (10, 0)}  # 2 of PHL's 7 remain to promise

    run = solve_lookahead(network, NOW + timedelta(hours=1), history=timedelta(days=1), horizon=timedelta(days=1))

    assert (run.orders_seen, run.skus, run.locations, run.regions, run.priced) == (5, 1, 2, 1, 1)
    model = default_cost_model()
    with network.reading() as reader:
        places = reader.locations.by_code(["PHL", "LAX"])
        prices = reader.opportunity_costs.all()
    new_york = region_centroid("100")
    assert new_york is not None

    def lane(code: str) -> float:
        location = places[code][1]
        terms = model.linear_terms(location, great_circle_miles(location.position, new_york), ServiceLevel.STANDARD)
        assert terms is not None
        return amortized_unit_cost(terms, 0.25, 1.0)

    assert prices == {("A", "PHL"): pytest.approx(lane("LAX") - lane("PHL"))}


def test_routing_adds_the_opportunity_cost_and_explains_it(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 7, ("A", "LAX"): 10})
    for n in range(5):
        placed(network, f"PAST-{n}", ZIP["NYC"])
    solve_lookahead(network, NOW + timedelta(hours=1))

    order = placed(network, "NEXT", ZIP["PHL"])

    with network.reading() as reader:
        [decision] = reader.routing_decisions.for_order(order.id)
    phl = next(c for c in decision.body["candidates"] if c["location"] == "PHL")
    assert phl["cost"]["opportunity"] > 0


def test_the_plan_lp_prices_scarce_stock_by_whole_packages(network: UnitOfWork) -> None:
    # The same day as above, priced by the LP over yesterday's five orders as whole packages: 2 ship from
    # Philadelphia, 3 from Los Angeles, so a Philadelphia unit is worth a Los Angeles package less a local one.
    stock(network, {("A", "PHL"): 7, ("A", "LAX"): 10})
    for n in range(5):
        placed(network, f"PAST-{n}", ZIP["NYC"])

    run = solve_lookahead(network, NOW + timedelta(hours=1), method=LookaheadMethod.PLANS)

    assert (run.orders_seen, run.priced) == (5, 1)
    model = default_cost_model()
    with network.reading() as reader:
        places = reader.locations.by_code(["PHL", "LAX"])
        prices = reader.opportunity_costs.all()
    new_york = lookup_postal_code(ZIP["NYC"])
    assert new_york is not None

    def package(code: str) -> float:
        location = places[code][1]
        terms = model.linear_terms(location, great_circle_miles(location.position, new_york.position),
                                   ServiceLevel.STANDARD)
        assert terms is not None
        return WaveOption.from_terms(code, terms, {"A": 0.25}).package_cost({"A": 1})

    assert prices == {("A", "PHL"): pytest.approx(package("LAX") - package("PHL"))}


def test_a_wave_moves_capacity_slots_with_the_orders(network: UnitOfWork) -> None:
    # Philadelphia takes one order a day and New York's holds it; the wave hands the slot to the local order.
    put_profile(network, RoutingProfile(batchable=True), NOW)
    update_location(network, "PHL", {"daily_order_capacity": 1}, NOW)
    stock(network, {("A", "PHL"): 1, ("A", "LAX"): 1})
    new_york = placed(network, "W-1", ZIP["NYC"])
    philadelphia = placed(network, "W-2", ZIP["PHL"])

    record = run_wave(network, "operator", NOW, time_limit_s=5)

    assert record["changed"] == 2
    assert where(network, philadelphia)[-1] == ("PHL", FulfillmentStatus.PENDING)
    assert where(network, new_york)[-1] == ("LAX", FulfillmentStatus.PENDING)
    with network.reading() as reader:
        places = reader.locations.by_code(["PHL"])
        assert reader.location_loads.taken({places["PHL"][0]: NOW.astimezone(ZoneInfo("America/New_York")).date()}) \
            == {places["PHL"][0]: 1}
