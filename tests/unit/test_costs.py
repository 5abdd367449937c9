"""The cost model: carrier zones, rates by service and weight, handling by location kind, capacity."""

from __future__ import annotations

import pytest

from omnifill.adapters.rates import cost_model_from_card, load_cost_model
from omnifill.domain.costs import (
    CapacityCurve,
    CostModel,
    Handling,
    LinearCostModel,
    RateTable,
    ServiceRates,
    carrier_zone,
)
from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.orders import ServiceLevel

STANDARD, EXPRESS, SAME_DAY = ServiceLevel.STANDARD, ServiceLevel.EXPRESS, ServiceLevel.SAME_DAY


def location(kind: LocationKind = LocationKind.WAREHOUSE, capacity: int | None = None, code: str = "L1") -> Location:
    return Location(code, code, kind, GeoPoint(35.0, -90.0), "38118", "US", "America/Chicago",
                    frozenset({Capability.SHIP}), daily_order_capacity=capacity)


@pytest.mark.parametrize(
    ("miles", "zone"),
    [(0, 2), (50, 2), (50.01, 3), (150, 3), (151, 4), (300, 4), (600, 5), (601, 6), (1000, 6), (1400, 7),
     (1800, 8), (1800.5, 9), (2700, 9)],
)
def test_distance_maps_to_the_carrier_zone_bands(miles: float, zone: int) -> None:
    assert carrier_zone(miles) == zone


def test_a_negative_distance_is_refused() -> None:
    with pytest.raises(InvalidInput):
        carrier_zone(-1)


TABLE = RateTable({
    STANDARD: ServiceRates({2: 8.0, 5: 10.0}, {2: 1.0, 5: 2.0}, {2: 1, 5: 3}),
    SAME_DAY: ServiceRates({2: 14.0}, {2: 1.0}, {2: 0}),
})


def test_a_quote_prices_the_first_kilogram_and_each_further_one() -> None:
    quote = TABLE.quote(STANDARD, 400, 3.5)

    assert quote is not None
    assert (quote.zone, quote.price, quote.transit_days) == (5, 10.0 + 2.0 * 2.5, 3)


def test_a_light_package_pays_the_first_kilogram_only() -> None:
    quote = TABLE.quote(STANDARD, 10, 0.2)
    assert quote is not None
    assert quote.price == 8.0


def test_a_service_that_does_not_reach_the_zone_has_no_quote() -> None:
    assert TABLE.quote(SAME_DAY, 120, 1.0) is None  # same-day is local only
    assert TABLE.quote(EXPRESS, 10, 1.0) is None  # not offered in this table


def test_a_rate_table_needs_every_part_for_every_zone() -> None:
    with pytest.raises(InvalidInput):
        ServiceRates({2: 8.0, 3: 9.0}, {2: 1.0}, {2: 1, 3: 2})


HANDLING = {kind: Handling(1.0, 0.5) for kind in LocationKind} | {LocationKind.STORE: Handling(3.0, 1.0)}


def test_a_store_pick_costs_more_than_a_warehouse_pick() -> None:
    model = CostModel(TABLE, HANDLING)

    warehouse = model.package(location(LocationKind.WAREHOUSE), 10, 2, 1.0, STANDARD)
    store = model.package(location(LocationKind.STORE), 10, 2, 1.0, STANDARD)

    assert warehouse is not None
    assert store is not None
    assert warehouse.parts() == {"shipping": 8.0, "handling": 2.0, "capacity": 0.0}
    assert store.parts() == {"shipping": 8.0, "handling": 5.0, "capacity": 0.0}
    assert store.total - warehouse.total == 3.0


def test_a_location_can_have_its_own_handling_cost() -> None:
    model = CostModel(TABLE, HANDLING, handling_by_location={"L1": Handling(0.0, 0.0)})

    cost = model.package(location(LocationKind.STORE), 10, 2, 1.0, STANDARD)

    assert cost is not None
    assert cost.handling == 0.0


def test_a_cost_model_needs_handling_for_every_kind() -> None:
    with pytest.raises(InvalidInput) as refused:
        CostModel(TABLE, {LocationKind.WAREHOUSE: Handling(1.0, 0.5)})
    assert refused.value.field == "handling"


@pytest.mark.parametrize(
    ("orders_today", "surcharge"),
    [(0, 0.0), (70, 0.0), (85, 3.0), (99, pytest.approx(5.8)), (100, None), (140, None)],
)
def test_capacity_costs_nothing_until_70_percent_then_rises_and_refuses_at_full(
    orders_today: int, surcharge: float | None
) -> None:
    assert CapacityCurve(starts_at=0.7, at_full=6.0).surcharge(orders_today, 100) == surcharge


def test_a_location_without_a_capacity_never_fills() -> None:
    assert CapacityCurve().surcharge(10_000, None) == 0.0


def test_a_full_location_cannot_take_a_package() -> None:
    model = CostModel(TABLE, HANDLING)

    assert model.package(location(capacity=5), 10, 1, 1.0, STANDARD, orders_today=5) is None
    filling = model.package(location(capacity=10), 10, 1, 1.0, STANDARD, orders_today=9)
    assert filling is not None
    assert filling.capacity > 0


def test_the_linear_research_model_matches_jasin_and_sinha() -> None:
    cost = LinearCostModel().package(location(), 1000.0, 3, 0.0, STANDARD)

    assert cost is not None
    assert cost.total == pytest.approx(8.759 + 3 * (0.423 + 0.000541 * 1000))


def test_the_shipped_rate_card_loads_and_prices_a_cross_country_package_above_a_local_one() -> None:
    model = load_cost_model()

    local = model.package(location(), 20, 1, 1.0, STANDARD)
    far = model.package(location(), 2500, 1, 1.0, STANDARD)
    express = model.package(location(), 2500, 1, 1.0, EXPRESS)

    assert local is not None
    assert far is not None
    assert express is not None
    assert local.total < far.total < express.total
    assert (local.zone, far.zone) == (2, 9)
    assert express.transit_days is not None
    assert far.transit_days is not None
    assert express.transit_days < far.transit_days
    assert model.package(location(), 200, 1, 1.0, SAME_DAY) is None


def test_a_malformed_rate_card_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        cost_model_from_card({"services": {"standard": {"first_kg": {"2": 1}}}, "handling": {}})
    assert refused.value.field == "rate_card"
