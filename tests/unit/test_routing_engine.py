"""The routing engine: filters with reasons, least total cost, splits, thresholds, tie-breaks, look-ahead, pickup."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from omnifill.adapters.rates import cost_model_from_card
from omnifill.domain.costs import CostModel
from omnifill.domain.errors import InsufficientStock, InvalidInput
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.orders import Delivery, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.engine import RoutingDecision, RoutingRequest, Verdict, route_order
from omnifill.domain.routing.plans import AllocationPlan, Candidate, PlannedFulfillment
from omnifill.domain.routing.profiles import RoutingProfile

# Round numbers so every expected cost can be checked by hand: standard shipping costs the zone number,
# transit takes zone − 1 days; a warehouse handles for 1.00 + 0.10 a unit, a store for 3.00 + 0.50.
ZONES = ["2", "3", "4", "5", "6", "7", "8", "9"]
CARD = {
    "services": {
        "standard": {"first_kg": {z: float(z) for z in ZONES}, "per_extra_kg": dict.fromkeys(ZONES, 0.0),
                     "transit_days": {z: int(z) - 1 for z in ZONES}},
        "express": {"first_kg": {z: 2.0 * int(z) for z in ZONES}, "per_extra_kg": dict.fromkeys(ZONES, 0.0),
                    "transit_days": dict.fromkeys(ZONES, 1)},
        "same_day": {"first_kg": {"2": 10.0}, "per_extra_kg": {"2": 0.0}, "transit_days": {"2": 0}},
    },
    "handling": {
        "warehouse": {"per_order": 1.0, "per_unit": 0.1},
        "store": {"per_order": 3.0, "per_unit": 0.5},
        "dark_store": {"per_order": 2.0, "per_unit": 0.2},
        "micro_fulfillment": {"per_order": 2.0, "per_unit": 0.2},
        "dropship_vendor": {"per_order": 2.0, "per_unit": 0.2},
    },
    "split_penalty": 1.5,
    "capacity": {"starts_at": 0.5, "at_full": 4.0},
}
COSTS: CostModel = cost_model_from_card(CARD)
NOON_NEW_YORK = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # 12:00 in New York, before the 15:00 cut-off
ALL = frozenset({Capability.SHIP, Capability.PICKUP, Capability.SAME_DAY})
DEFAULT = RoutingProfile()


def place(
    code: str, miles: float | None, stock: dict[str, int], *, kind: LocationKind = LocationKind.WAREHOUSE,
    capabilities: frozenset[Capability] = ALL, enabled: bool = True, capacity: int | None = None,
    orders_today: int = 0, cutoff: time = time(15, 0),
) -> Candidate:
    location = Location(
        code=code, name=code, kind=kind, position=GeoPoint(40.75, -73.99), postal_code="10001", country="US",
        time_zone="America/New_York", capabilities=capabilities, daily_order_capacity=capacity,
        fulfillment_enabled=enabled, ship_cutoff=cutoff,
    )
    return Candidate(location, stock, miles, orders_today)


def ship(
    demand: dict[str, int], *, level: ServiceLevel = ServiceLevel.STANDARD, promised_by: date | None = None,
    exclude: frozenset[str] = frozenset(), partial: bool = False, at: datetime = NOON_NEW_YORK,
) -> RoutingRequest:
    return RoutingRequest(demand, Delivery(DeliveryMethod.SHIP, level), at, GeoPoint(40.75, -73.99), {},
                          promised_by, exclude, partial)


def plan(*fulfillments: tuple[str, dict[str, int]]) -> AllocationPlan:
    return AllocationPlan(tuple(PlannedFulfillment(loc, tuple(sorted(lines.items()))) for loc, lines in fulfillments))


def report(decision: RoutingDecision, code: str) -> tuple[Verdict, str]:
    found = next(c for c in decision.candidates if c.location == code)
    return found.verdict, found.reason


# Least total cost, explained


def test_the_cheapest_location_wins_over_the_nearest_and_the_loser_is_told_by_how_much() -> None:
    # Store 10 mi: zone 2 → 2 + 3.00 + 0.50 = 5.50. Warehouse 100 mi: zone 3 → 3 + 1.00 + 0.10 = 4.10.
    network = [place("STORE", 10, {"TEE": 5}, kind=LocationKind.STORE), place("WH", 100, {"TEE": 5})]

    decision = route_order(ship({"TEE": 1}), network, DEFAULT, COSTS)

    assert decision.plan == plan(("WH", {"TEE": 1}))
    assert decision.total_cost == pytest.approx(4.10)
    assert report(decision, "WH") == (Verdict.CHOSEN, "ships 1 units for 4.10")
    assert report(decision, "STORE") == (
        Verdict.CONSIDERED, "one package from here costs 5.50, 1.40 more than the chosen plan")
    package = decision.packages[0]
    assert package.cost.parts() == pytest.approx({"shipping": 3.0, "handling": 1.1, "capacity": 0.0})
    assert (package.cost.zone, package.cost.transit_days, package.delivers_on) == (3, 2, date(2026, 11, 28))


def test_handling_grows_with_units_so_a_bigger_order_can_change_the_winner() -> None:
    # 1 unit: store zone 2 = 2 + 3.5 = 5.5, warehouse zone 5 = 5 + 1.1 = 6.1 → store.
    # 10 units: store = 2 + 3 + 5 = 10.0, warehouse = 5 + 1 + 1 = 7.0 → warehouse.
    network = [place("STORE", 10, {"TEE": 20}, kind=LocationKind.STORE), place("WH", 500, {"TEE": 20})]

    assert route_order(ship({"TEE": 1}), network, DEFAULT, COSTS).plan == plan(("STORE", {"TEE": 1}))
    assert route_order(ship({"TEE": 10}), network, DEFAULT, COSTS).plan == plan(("WH", {"TEE": 10}))


# Filters: each one names its reason


FILTERS = [
    ("disabled", place("X", 10, {"TEE": 5}, enabled=False), {}, "fulfillment is disabled here"),
    ("no-ship", place("X", 10, {"TEE": 5}, capabilities=frozenset({Capability.PICKUP})), {}, "does not ship"),
    ("profile-location", place("X", 10, {"TEE": 5}), {"excluded_locations": frozenset({"X"})},
     "excluded by routing profile web"),
    ("profile-kind", place("X", 10, {"TEE": 5}, kind=LocationKind.STORE),
     {"excluded_kinds": frozenset({LocationKind.STORE})}, "store locations are excluded by routing profile web"),
    ("too-far", place("X", 42, {"TEE": 5}), {"max_distance_miles": 30.0}, "42 mi away, beyond the profile's 30 mi"),
    ("capacity", place("X", 10, {"TEE": 5}, capacity=40, orders_today=40), {},
     "at its daily capacity of 40 orders"),
    ("no-stock", place("X", 10, {"CAP": 5}), {}, "holds none of the ordered SKUs"),
    ("buffer", place("X", 10, {"TEE": 2}, kind=LocationKind.STORE), {"safety_buffer_by_kind": {LocationKind.STORE: 2}},
     "holds none of the ordered SKUs beyond its safety buffer of 2"),
    ("buffer-by-location", place("X", 10, {"TEE": 3}, kind=LocationKind.STORE),
     {"safety_buffer_by_kind": {LocationKind.STORE: 0}, "safety_buffer_by_location": {"X": 3}},
     "holds none of the ordered SKUs beyond its safety buffer of 3"),
]


@pytest.mark.parametrize(("location", "settings", "reason"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_each_filter_keeps_a_location_out_and_says_why(
    location: Candidate, settings: dict[str, object], reason: str
) -> None:
    fallback = place("FALLBACK", 25, {"TEE": 5}, kind=LocationKind.DARK_STORE)  # 2 + 2.2, dearer than X at 3.1
    profile = RoutingProfile(name="web", **settings)  # type: ignore[arg-type]

    decision = route_order(ship({"TEE": 1}), [location, fallback], profile, COSTS)

    assert decision.plan == plan(("FALLBACK", {"TEE": 1}))
    assert report(decision, "X") == (Verdict.FILTERED, reason)


def test_a_rerouted_location_is_filtered_by_the_exclusion_list() -> None:
    network = [place("X", 10, {"TEE": 5}), place("FALLBACK", 2000, {"TEE": 5})]

    decision = route_order(ship({"TEE": 1}, exclude=frozenset({"X"})), network, DEFAULT, COSTS)

    assert report(decision, "X") == (Verdict.FILTERED, "rejected or short-picked this order before")


def test_same_day_needs_the_capability_and_a_local_zone() -> None:
    network = [
        place("NO-COURIER", 5, {"TEE": 5}, capabilities=frozenset({Capability.SHIP})),
        place("TOO-FAR", 80, {"TEE": 5}),
        place("LOCAL", 20, {"TEE": 5}),
    ]

    decision = route_order(ship({"TEE": 1}, level=ServiceLevel.SAME_DAY), network, DEFAULT, COSTS)

    assert decision.plan == plan(("LOCAL", {"TEE": 1}))
    assert report(decision, "NO-COURIER") == (Verdict.FILTERED, "does not offer same-day delivery")
    assert report(decision, "TOO-FAR") == (Verdict.FILTERED, "same_day service does not reach zone 3")
    assert decision.delivers_on == date(2026, 11, 26)


def test_a_location_that_cannot_meet_the_promised_date_is_filtered() -> None:
    # Zone 6 takes 5 days: from the 26th it arrives on 1 December; the promise is 30 November.
    network = [place("FAR", 900, {"TEE": 5}), place("NEAR", 200, {"TEE": 5}, kind=LocationKind.STORE)]

    decision = route_order(ship({"TEE": 1}, promised_by=date(2026, 11, 30)), network, DEFAULT, COSTS)

    assert decision.plan == plan(("NEAR", {"TEE": 1}))
    assert report(decision, "FAR") == (Verdict.FILTERED, "would deliver on 2026-12-01, after the promised 2026-11-30")


def test_a_profile_may_choose_not_to_enforce_the_promise() -> None:
    network = [place("FAR", 900, {"TEE": 5}), place("NEAR", 200, {"TEE": 5}, kind=LocationKind.STORE)]

    decision = route_order(ship({"TEE": 1}, promised_by=date(2026, 11, 30)), network,
                           RoutingProfile(enforce_promise=False), COSTS)

    assert decision.plan == plan(("FAR", {"TEE": 1}))  # 6 + 1.1 = 7.1 beats 4 + 3.5 = 7.5


def test_after_the_cut_off_a_location_ships_tomorrow() -> None:
    before = datetime(2026, 11, 26, 19, 59, tzinfo=UTC)  # 14:59 in New York
    after = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)  # 15:00
    network = [place("WH", 100, {"TEE": 5})]

    assert route_order(ship({"TEE": 1}, at=before), network, DEFAULT, COSTS).delivers_on == date(2026, 11, 28)
    assert route_order(ship({"TEE": 1}, at=after), network, DEFAULT, COSTS).delivers_on == date(2026, 11, 29)


def test_a_filling_location_costs_more_so_work_spreads_before_it_saturates() -> None:
    # Capacity 100, surcharge from 50 % to 4.00 at full: at 75 orders it is (0.25 / 0.5) × 4 = 2.00 dearer.
    network = [place("BUSY", 10, {"TEE": 5}, capacity=100, orders_today=75), place("CALM", 100, {"TEE": 5})]

    decision = route_order(ship({"TEE": 1}), network, DEFAULT, COSTS)

    assert decision.plan == plan(("CALM", {"TEE": 1}))  # 3 + 1.1 = 4.1 against 2 + 1.1 + 2.0 = 5.1
    busy = next(c for c in decision.candidates if c.location == "BUSY")
    assert busy.quote is not None
    assert busy.quote.cost.capacity == pytest.approx(2.0)


# Splits


def test_a_split_is_made_when_no_location_holds_everything() -> None:
    network = [place("A", 100, {"TEE": 1}), place("B", 300, {"CAP": 1}), place("EMPTY", 5, {})]

    decision = route_order(ship({"TEE": 1, "CAP": 1}), network, DEFAULT, COSTS)

    assert decision.plan == plan(("A", {"TEE": 1}), ("B", {"CAP": 1}))
    # (3 + 1.1) + (4 + 1.1) + one split penalty of 1.5
    assert decision.total_cost == pytest.approx(10.7)
    assert decision.split_penalty == pytest.approx(1.5)


def test_a_split_must_save_more_than_the_threshold_to_beat_one_package() -> None:
    # One package from ALL (zone 9): 9 + 1.2 = 10.2. Split from A and B (zone 2 each): 2 × 3.1 + 1.5 = 7.7.
    network = [place("ALL", 2000, {"TEE": 1, "CAP": 1}), place("A", 10, {"TEE": 1}), place("B", 10, {"CAP": 1})]
    order = ship({"TEE": 1, "CAP": 1})

    assert route_order(order, network, RoutingProfile(split_threshold=2.4), COSTS).plan == plan(
        ("A", {"TEE": 1}), ("B", {"CAP": 1}))
    assert route_order(order, network, RoutingProfile(split_threshold=2.5), COSTS).plan == plan(
        ("ALL", {"CAP": 1, "TEE": 1}))


def test_one_line_can_be_split_over_two_locations() -> None:
    network = [place("NEAR", 10, {"TEE": 3}), place("FAR", 90, {"TEE": 2})]

    decision = route_order(ship({"TEE": 5}), network, DEFAULT, COSTS)

    assert decision.plan == plan(("FAR", {"TEE": 2}), ("NEAR", {"TEE": 3}))


def test_max_packages_bounds_the_split() -> None:
    network = [place("A", 10, {"A": 1}), place("B", 10, {"B": 1}), place("C", 10, {"C": 1})]
    order = ship({"A": 1, "B": 1, "C": 1})

    assert len(route_order(order, network, DEFAULT, COSTS).packages) == 3
    with pytest.raises(InsufficientStock) as refused:
        route_order(order, network, RoutingProfile(max_packages=2), COSTS)
    assert refused.value.message == "no plan of at most 2 packages covers every line"


def test_the_order_is_refused_naming_what_is_short_where_it_may_be_routed() -> None:
    network = [
        place("L1", 10, {"TEE": 2, "CAP": 9}),
        place("L2", 20, {"TEE": 1}),
        place("L3", 30, {"HAT": 1}, enabled=False),
    ]

    with pytest.raises(InsufficientStock) as refused:
        route_order(ship({"TEE": 4, "CAP": 9, "HAT": 1}), network, DEFAULT, COSTS)

    assert refused.value.details == {"short": [
        {"sku": "HAT", "requested": 1, "available": 0},
        {"sku": "TEE", "requested": 4, "available": 3},
    ]}


def test_a_partial_request_places_what_it_can_and_returns_the_rest() -> None:
    network = [place("L1", 10, {"TEE": 2}), place("L2", 20, {})]

    decision = route_order(ship({"TEE": 4, "HAT": 1}, partial=True), network, DEFAULT, COSTS)

    assert decision.plan == plan(("L1", {"TEE": 2}))
    assert decision.unfilled == {"TEE": 2, "HAT": 1}


def test_a_partial_request_with_nowhere_to_go_places_nothing() -> None:
    decision = route_order(ship({"TEE": 1}, partial=True), [place("OFF", 10, {"TEE": 5}, enabled=False)],
                           DEFAULT, COSTS)

    assert decision.plan == plan()
    assert decision.unfilled == {"TEE": 1}


# Ties


@pytest.mark.parametrize("miles", [12.5, None], ids=["same-distance", "no-geography"])
def test_equal_plans_go_to_the_lowest_location_code(miles: float | None) -> None:
    network = [place("STORE-B", miles, {"TEE": 5}), place("STORE-A", miles, {"TEE": 5})]

    assert route_order(ship({"TEE": 1}), network, DEFAULT, COSTS).plan == plan(("STORE-A", {"TEE": 1}))
    assert route_order(ship({"TEE": 1}), network[::-1], DEFAULT, COSTS).plan == plan(("STORE-A", {"TEE": 1}))


def test_at_equal_cost_the_nearer_location_wins_over_the_code() -> None:
    network = [place("A", 40, {"TEE": 5}), place("B", 30, {"TEE": 5})]  # both zone 2

    assert route_order(ship({"TEE": 1}), network, DEFAULT, COSTS).plan == plan(("B", {"TEE": 1}))


# Look-ahead


def test_the_opportunity_cost_of_scarce_stock_steers_the_order_elsewhere() -> None:
    network = [place("NEAR", 10, {"TEE": 5}), place("FAR", 100, {"TEE": 5})]
    scarce = {("TEE", "NEAR"): 2.0}  # one unit at NEAR is worth 2.00 to the demand still to come

    decision = route_order(ship({"TEE": 1}), network, DEFAULT, COSTS, scarce)

    assert decision.plan == plan(("FAR", {"TEE": 1}))  # 4.1 against 3.1 + 2.0
    near = next(c for c in decision.candidates if c.location == "NEAR")
    assert near.quote is not None
    assert near.quote.opportunity == pytest.approx(2.0)
    myopic = route_order(ship({"TEE": 1}), network, RoutingProfile(look_ahead=False), COSTS, scarce)
    assert myopic.plan == plan(("NEAR", {"TEE": 1}))


# Pickup


def pickup(store: str, demand: dict[str, int]) -> RoutingRequest:
    return RoutingRequest(demand, Delivery(DeliveryMethod.PICKUP, location=store), NOON_NEW_YORK)


def test_pickup_goes_to_the_chosen_store_even_when_another_is_cheaper() -> None:
    network = [place("NEAR", 1, {"TEE": 9, "CAP": 9}), place("MALL", 30, {"TEE": 2, "CAP": 1},
                                                                   kind=LocationKind.STORE)]

    decision = route_order(pickup("MALL", {"TEE": 2, "CAP": 1}), network, DEFAULT, COSTS)

    assert decision.plan == plan(("MALL", {"CAP": 1, "TEE": 2}))
    assert decision.packages[0].cost.parts() == pytest.approx({"shipping": 0.0, "handling": 4.5, "capacity": 0.0})


def test_pickup_refuses_naming_only_the_short_lines() -> None:
    network = [place("MALL", None, {"TEE": 2, "CAP": 3}), place("WH", None, {"CAP": 50, "SOCK": 50})]

    with pytest.raises(InsufficientStock) as refused:
        route_order(pickup("MALL", {"TEE": 2, "CAP": 5, "SOCK": 1}), network, DEFAULT, COSTS)

    assert refused.value.details == {"short": [
        {"sku": "CAP", "requested": 5, "available": 3},
        {"sku": "SOCK", "requested": 1, "available": 0},
    ]}


@pytest.mark.parametrize(
    "store",
    [
        place("MALL", None, {"TEE": 5}, capabilities=frozenset({Capability.SHIP})),
        place("MALL", None, {"TEE": 5}, enabled=False),
        place("OTHER", None, {"TEE": 5}),
    ],
    ids=["no-pickup-capability", "disabled", "unknown"],
)
def test_pickup_where_pickup_is_not_offered_is_invalid_input(store: Candidate) -> None:
    with pytest.raises(InvalidInput) as refused:
        route_order(pickup("MALL", {"TEE": 1}), [store], DEFAULT, COSTS)

    assert (refused.value.field, refused.value.problem) == ("delivery.location", "MALL does not offer pickup")


def test_reservations_come_sorted_by_location_then_sku() -> None:
    network = [place("L1", 10, {"A": 1}), place("L2", 20, {"B": 1}), place("L3", 500, {"D": 2, "B": 1, "C": 1})]

    decision = route_order(ship({"D": 2, "A": 1, "C": 1, "B": 1}), network, DEFAULT, COSTS)

    assert decision.plan.reservations() == sorted(decision.plan.reservations())
    assert decision.plan.units_by_sku() == {"A": 1, "B": 1, "C": 1, "D": 2}
