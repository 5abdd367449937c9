"""Dark stores and micro-fulfillment centers: a same-day service radius, an hourly capacity, and no pickup."""

from __future__ import annotations

import pytest

from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind, require_walk_in
from omnifill.domain.orders import Delivery, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.engine import RoutingRequest, Verdict, route_order
from omnifill.domain.routing.plans import Candidate
from tests.unit.test_routing_engine import ALL, COSTS, DEFAULT, NOON_NEW_YORK, report, ship

SAME_DAY = frozenset({Capability.SHIP, Capability.SAME_DAY})


def dark_store(
    code: str, miles: float, *, radius: float | None = 5.0, hourly: int | None = None, this_hour: int = 0,
    kind: LocationKind = LocationKind.DARK_STORE, capabilities: frozenset[Capability] = SAME_DAY,
) -> Candidate:
    location = Location(code, code, kind, GeoPoint(40.75, -73.99), "10001", "US", "America/New_York",
                        capabilities, service_radius_miles=radius, hourly_order_capacity=hourly)
    return Candidate(location, {"TEE": 5}, miles, 0, this_hour)


def test_a_same_day_order_beyond_the_service_radius_is_not_sent_from_there() -> None:
    near, far = dark_store("DS-NEAR", 4.0), dark_store("DS-FAR", 7.0)

    decision = route_order(ship({"TEE": 1}, level=ServiceLevel.SAME_DAY), [far, near], DEFAULT, COSTS)

    assert [p.location for p in decision.packages] == ["DS-NEAR"]
    assert report(decision, "DS-FAR") == (Verdict.FILTERED, "7 mi away, beyond its same-day radius of 5 mi")


def test_the_radius_only_limits_same_day_orders() -> None:
    decision = route_order(ship({"TEE": 1}), [dark_store("DS-FAR", 7.0)], DEFAULT, COSTS)

    assert [p.location for p in decision.packages] == ["DS-FAR"]


def test_a_location_at_its_hourly_capacity_is_passed_over_until_the_hour_turns() -> None:
    full = dark_store("DS-FULL", 1.0, hourly=30, this_hour=30)
    other = dark_store("MFC-2", 3.0, kind=LocationKind.MICRO_FULFILLMENT)
    request = ship({"TEE": 1}, level=ServiceLevel.SAME_DAY)

    decision = route_order(request, [full, other], DEFAULT, COSTS)

    assert [p.location for p in decision.packages] == ["MFC-2"]
    assert report(decision, "DS-FULL") == (Verdict.FILTERED, "at its hourly capacity of 30 orders")
    assert route_order(request, [dark_store("DS-FULL", 1.0, hourly=30, this_hour=29)], DEFAULT,
                       COSTS).packages[0].location == "DS-FULL"


@pytest.mark.parametrize("kind", [LocationKind.DARK_STORE, LocationKind.MICRO_FULFILLMENT])
def test_nobody_collects_at_a_fulfillment_only_location(kind: LocationKind) -> None:
    location = dark_store("DS", 1.0, kind=kind, capabilities=ALL)
    pickup = RoutingRequest({"TEE": 1}, Delivery(DeliveryMethod.PICKUP, location="DS"), NOON_NEW_YORK)

    assert not location.location.can(Capability.PICKUP)
    with pytest.raises(InvalidInput) as refused:
        route_order(pickup, [location], DEFAULT, COSTS)
    assert refused.value.field == "delivery.location"
    with pytest.raises(InvalidInput) as refused:
        require_walk_in(kind, ALL)
    assert refused.value.field == "capabilities"


def test_a_store_still_offers_pickup() -> None:
    require_walk_in(LocationKind.STORE, ALL)  # no error
    assert dark_store("ST", 1.0, kind=LocationKind.STORE, capabilities=ALL).location.can(Capability.PICKUP)


@pytest.mark.parametrize(("changes", "field"), [
    ({"service_radius_miles": 0.0}, "service_radius_miles"),
    ({"hourly_order_capacity": -1}, "hourly_order_capacity"),
])
def test_a_radius_or_hourly_capacity_that_cannot_be_met_is_refused(changes: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Location("DS", "DS", LocationKind.DARK_STORE, GeoPoint(0, 0), "10001", "US", "America/New_York",
                 SAME_DAY, **changes)  # type: ignore[arg-type]
    assert refused.value.field == field
