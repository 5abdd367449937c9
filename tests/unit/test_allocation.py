"""Allocation v0: pickup at the chosen store, else the nearest single shipper, else the fewest-location split."""

from __future__ import annotations

import pytest

from omnifill.domain.allocation import AllocationPlan, Candidate, PlannedFulfillment, plan_allocation
from omnifill.domain.errors import InsufficientStock, InvalidInput
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.orders import Delivery, DeliveryMethod, ServiceLevel

SHIP_ONLY = frozenset({Capability.SHIP})
PICKUP_ONLY = frozenset({Capability.PICKUP})
OMNI = frozenset({Capability.SHIP, Capability.PICKUP, Capability.RETURNS})
SHIP = Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD)


def pickup_at(store: str) -> Delivery:
    return Delivery(DeliveryMethod.PICKUP, location=store)


def candidate(
    code: str, miles: float | None, stock: dict[str, int], *,
    capabilities: frozenset[Capability] = OMNI, enabled: bool = True,
) -> Candidate:
    location = Location(
        code=code, name=f"Location {code}", kind=LocationKind.STORE, position=GeoPoint(40.75, -73.99),
        postal_code="10001", country="US", time_zone="America/New_York", capabilities=capabilities,
        fulfillment_enabled=enabled,
    )
    return Candidate(location, stock, miles)


def plan(*fulfillments: tuple[str, dict[str, int]]) -> AllocationPlan:
    return AllocationPlan(tuple(PlannedFulfillment(loc, tuple(sorted(lines.items()))) for loc, lines in fulfillments))


# Pickup


def test_pickup_goes_to_the_chosen_store_even_when_another_is_nearer() -> None:
    network = [candidate("NEAR", 1.0, {"TEE": 9, "CAP": 9}), candidate("MALL", 30.0, {"TEE": 2, "CAP": 1})]

    result = plan_allocation({"TEE": 2, "CAP": 1}, pickup_at("MALL"), network)

    assert result == plan(("MALL", {"CAP": 1, "TEE": 2}))


def test_pickup_refuses_naming_only_the_short_lines() -> None:
    network = [candidate("MALL", None, {"TEE": 2, "CAP": 3}), candidate("WH", None, {"CAP": 50, "SOCK": 50})]

    with pytest.raises(InsufficientStock) as refused:
        plan_allocation({"TEE": 2, "CAP": 5, "SOCK": 1}, pickup_at("MALL"), network)

    assert refused.value.details == {"short": [
        {"sku": "CAP", "requested": 5, "available": 3},
        {"sku": "SOCK", "requested": 1, "available": 0},
    ]}


@pytest.mark.parametrize(
    "store",
    [
        candidate("MALL", None, {"TEE": 5}, capabilities=SHIP_ONLY),
        candidate("MALL", None, {"TEE": 5}, enabled=False),
        candidate("OTHER", None, {"TEE": 5}),  # the chosen store is not among the candidates at all
    ],
    ids=["no-pickup-capability", "disabled", "unknown"],
)
def test_pickup_where_pickup_is_not_offered_is_invalid_input(store: Candidate) -> None:
    with pytest.raises(InvalidInput) as refused:
        plan_allocation({"TEE": 1}, pickup_at("MALL"), [store])

    assert refused.value.field == "delivery.location"
    assert refused.value.problem == "MALL does not offer pickup"


# Ship: one location


def test_ship_picks_the_nearest_location_that_covers_every_line() -> None:
    network = [
        candidate("FAR", 900.0, {"TEE": 5, "CAP": 5}),
        candidate("NEAREST", 5.0, {"TEE": 5}),  # nearest, but lacks CAP
        candidate("NEAR", 40.0, {"TEE": 2, "CAP": 1}),
    ]

    result = plan_allocation({"TEE": 2, "CAP": 1}, SHIP, network)

    assert result == plan(("NEAR", {"CAP": 1, "TEE": 2}))


def test_ship_ignores_disabled_and_non_shipping_locations() -> None:
    network = [
        candidate("OFF", 1.0, {"TEE": 5}, enabled=False),
        candidate("COUNTER", 2.0, {"TEE": 5}, capabilities=PICKUP_ONLY),
        candidate("WH", 700.0, {"TEE": 5}, capabilities=SHIP_ONLY),
    ]

    assert plan_allocation({"TEE": 3}, SHIP, network) == plan(("WH", {"TEE": 3}))


def test_stock_at_locations_that_cannot_ship_does_not_count() -> None:
    network = [
        candidate("OFF", 1.0, {"TEE": 5}, enabled=False),
        candidate("COUNTER", 2.0, {"TEE": 5}, capabilities=PICKUP_ONLY),
        candidate("WH", 700.0, {"TEE": 1}),
    ]

    with pytest.raises(InsufficientStock) as refused:
        plan_allocation({"TEE": 3}, SHIP, network)

    assert refused.value.details == {"short": [{"sku": "TEE", "requested": 3, "available": 1}]}


@pytest.mark.parametrize("miles", [12.5, None], ids=["same-distance", "no-geography"])
def test_ties_go_to_the_lowest_location_code(miles: float | None) -> None:
    network = [candidate("STORE-B", miles, {"TEE": 5}), candidate("STORE-A", miles, {"TEE": 5})]

    assert plan_allocation({"TEE": 1}, SHIP, network) == plan(("STORE-A", {"TEE": 1}))
    assert plan_allocation({"TEE": 1}, SHIP, network[::-1]) == plan(("STORE-A", {"TEE": 1}))


def test_a_location_without_a_known_distance_ranks_after_every_measured_one() -> None:
    network = [candidate("AAA", None, {"TEE": 5}), candidate("ZZZ", 2500.0, {"TEE": 5})]

    assert plan_allocation({"TEE": 1}, SHIP, network) == plan(("ZZZ", {"TEE": 1}))


# Ship: split


def test_a_split_takes_the_location_covering_most_first_so_it_needs_fewer_locations() -> None:
    # Nearest-first would use all three (A here, B there, C+D far away); covering most first needs two.
    network = [
        candidate("L1", 10.0, {"A": 1}),
        candidate("L2", 20.0, {"B": 1}),
        candidate("L3", 500.0, {"B": 1, "C": 1, "D": 1}),
    ]

    result = plan_allocation({"A": 1, "B": 1, "C": 1, "D": 1}, SHIP, network)

    assert result == plan(("L3", {"B": 1, "C": 1, "D": 1}), ("L1", {"A": 1}))


def test_one_line_can_be_split_over_two_locations() -> None:
    network = [candidate("NEAR", 10.0, {"TEE": 3}), candidate("FAR", 90.0, {"TEE": 2}), candidate("X", 5.0, {})]

    result = plan_allocation({"TEE": 5}, SHIP, network)

    assert result == plan(("NEAR", {"TEE": 3}), ("FAR", {"TEE": 2}))


def test_a_split_prefers_the_location_covering_more_units_over_the_nearer_one() -> None:
    network = [candidate("NEAR", 10.0, {"TEE": 3}), candidate("FAR", 90.0, {"TEE": 4})]

    result = plan_allocation({"TEE": 5}, SHIP, network)

    assert result == plan(("FAR", {"TEE": 4}), ("NEAR", {"TEE": 1}))


def test_a_split_breaks_equal_coverage_by_distance_then_code() -> None:
    network = [
        candidate("S2", 50.0, {"TEE": 1}),
        candidate("S1", 50.0, {"TEE": 1}),
        candidate("S0", 80.0, {"TEE": 1}),
        candidate("S9", 20.0, {"TEE": 1}),
    ]

    result = plan_allocation({"TEE": 3}, SHIP, network)

    assert result == plan(("S9", {"TEE": 1}), ("S1", {"TEE": 1}), ("S2", {"TEE": 1}))


def test_the_whole_order_is_refused_when_the_network_cannot_cover_it() -> None:
    network = [
        candidate("L1", 10.0, {"TEE": 2, "CAP": 9}),
        candidate("L2", 20.0, {"TEE": 1}),
        candidate("L3", 30.0, {"HAT": 1}, enabled=False),
    ]

    with pytest.raises(InsufficientStock) as refused:
        plan_allocation({"TEE": 4, "CAP": 9, "HAT": 1}, SHIP, network)

    assert refused.value.code == "insufficient_stock"
    assert refused.value.details == {"short": [
        {"sku": "HAT", "requested": 1, "available": 0},
        {"sku": "TEE", "requested": 4, "available": 3},
    ]}


def test_reservations_come_sorted_by_location_then_sku() -> None:
    network = [
        candidate("L1", 10.0, {"A": 1}),
        candidate("L2", 20.0, {"B": 1}),
        candidate("L3", 500.0, {"D": 2, "B": 1, "C": 1}),
    ]

    result = plan_allocation({"D": 2, "A": 1, "C": 1, "B": 1}, SHIP, network)

    assert [f.location for f in result.fulfillments] == ["L3", "L1"]
    assert result.reservations() == [("L1", "A", 1), ("L3", "B", 1), ("L3", "C", 1), ("L3", "D", 2)]
