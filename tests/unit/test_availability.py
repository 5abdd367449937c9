"""Storefront promises: the ranking per destination, the candidates a promise looks at, and its options."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind, great_circle_miles
from omnifill.domain.orders import DeliveryMethod, ServiceLevel
from omnifill.domain.routing.availability import (
    DeliveryOption,
    PickupOption,
    Unavailable,
    candidates_from,
    promise,
    rank_locations,
)
from omnifill.domain.routing.profiles import RoutingProfile
from tests.unit.test_routing_engine import COSTS

MANHATTAN = GeoPoint(40.7506, -73.9972)
NOON_NEW_YORK = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
SHIP, PICKUP, SAME_DAY = Capability.SHIP, Capability.PICKUP, Capability.SAME_DAY


def place(code: str, kind: LocationKind, lat: float, lon: float, *caps: Capability) -> Location:
    return Location(code, f"Store {code}", kind, GeoPoint(lat, lon), "10001", "US", "America/New_York",
                    frozenset(caps))


BROOKLYN = place("BKLYN", LocationKind.STORE, 40.6782, -73.9442, SHIP, PICKUP, SAME_DAY)  # ~6 mi
NEWARK = place("NEWARK", LocationKind.WAREHOUSE, 40.7357, -74.1724, SHIP)  # ~9 mi
ALLENTOWN = place("ALLEN", LocationKind.WAREHOUSE, 40.6023, -75.4714, SHIP)  # ~77 mi
COUNTER = place("COUNTER", LocationKind.STORE, 40.7580, -73.9855, PICKUP)  # pickup only, ~1 mi
NETWORK = [BROOKLYN, NEWARK, ALLENTOWN, COUNTER]
# Warehouses ever further west of New York, W00 the nearest.
FAR_WAREHOUSES = [place(f"W{i:02}", LocationKind.WAREHOUSE, 40.0, -76.0 - 0.5 * i, SHIP) for i in range(20)]


def default_profile(method: DeliveryMethod, level: ServiceLevel | None) -> RoutingProfile:
    return RoutingProfile()


def test_a_destination_ranks_shipping_locations_by_a_one_unit_package_and_lists_pickup_stores_by_distance() -> None:
    ranking = rank_locations(NETWORK, MANHATTAN, COSTS)

    # zone 2 warehouse: 2 + 1.1 = 3.1; zone 2 store: 2 + 3.5; zone 3 warehouse: 3 + 1.1
    assert ranking.order == ("NEWARK", "ALLEN", "BKLYN")
    assert ranking.nearby == ("COUNTER", "BKLYN")
    assert ranking.miles["ALLEN"] == great_circle_miles(MANHATTAN, ALLENTOWN.position)


def test_a_destination_knows_which_same_day_stores_reach_it() -> None:
    trenton = place("TRENTON", LocationKind.STORE, 40.2171, -74.7429, SHIP, SAME_DAY)  # ~52 mi: zone 3
    hoboken = replace(place("HOBOKEN", LocationKind.STORE, 40.7440, -74.0324, SHIP, SAME_DAY),
                      service_radius_miles=1.0)  # ~2 mi, beyond its own radius

    ranking = rank_locations([*NETWORK, trenton, hoboken], MANHATTAN, COSTS)

    assert ranking.same_day == {"BKLYN"}  # same-day reaches zone 2 only; NEWARK does not offer it


def test_same_day_is_unavailable_when_the_basket_sits_only_at_same_day_stores_out_of_reach() -> None:
    trenton = place("TRENTON", LocationKind.STORE, 40.2171, -74.7429, SHIP, SAME_DAY)
    ranking = rank_locations([*NETWORK, trenton], MANHATTAN, COSTS)
    holdings = {"TRENTON": (trenton, {"TEE": 3}), "BKLYN": (BROOKLYN, {"TEE": 1})}

    shortlist = candidates_from({"TEE": 2}, holdings, ranking)
    found = promise({"TEE": 2}, {}, MANHATTAN, NOON_NEW_YORK, shortlist, default_profile, COSTS)

    assert [c.location.code for c in shortlist.shipping] == ["BKLYN", "TRENTON"]
    assert [c.location.code for c in shortlist.same_day] == ["BKLYN"]
    assert [o.ships_from for o in found.delivery] == [("TRENTON",), ("TRENTON",)]  # standard and express
    assert found.unavailable == (Unavailable(ServiceLevel.SAME_DAY, "not enough stock where this order may be routed"),)


def test_a_promise_looks_only_at_holders_of_the_basket_and_nearby_stores_that_hold_all_of_it() -> None:
    ranking = rank_locations(NETWORK, MANHATTAN, COSTS)
    holdings = {
        "ALLEN": (ALLENTOWN, {"TEE": 9}),
        "BKLYN": (BROOKLYN, {"TEE": 1}),
        "COUNTER": (COUNTER, {"TEE": 3}),
    }

    found = candidates_from({"TEE": 2}, holdings, ranking)

    assert [c.location.code for c in found.shipping] == ["ALLEN", "BKLYN"]
    assert [c.location.code for c in found.pickup] == ["COUNTER"]  # BKLYN holds 1 of the 2
    assert found.shipping[0].distance_miles == ranking.miles["ALLEN"]
    assert candidates_from({"TEE": 4}, holdings, ranking).pickup == ()


def test_a_rare_skus_few_holders_are_taken_in_the_rankings_order() -> None:
    ranking = rank_locations([*NETWORK, *FAR_WAREHOUSES], MANHATTAN, COSTS)
    holders = [FAR_WAREHOUSES[i] for i in (15, 3, 19, 7)]
    holdings = {w.code: (w, {"RARE": 5}) for w in holders} | {"COUNTER": (COUNTER, {"RARE": 1})}

    found = candidates_from({"RARE": 1}, holdings, ranking)

    assert len(holdings) * 4 < len(ranking.order)  # few holders: sorted, not searched for along the ranking
    assert [c.location.code for c in found.shipping] == ["W03", "W07", "W15"]
    assert [c.location.code for c in found.pickup] == ["COUNTER"]


def test_a_promise_offers_pickup_and_every_service_level_that_can_deliver() -> None:
    ranking = rank_locations(NETWORK, MANHATTAN, COSTS)
    holdings = {"NEWARK": (NEWARK, {"TEE": 9}), "BKLYN": (BROOKLYN, {"TEE": 2})}
    shortlist = candidates_from({"TEE": 1}, holdings, ranking)

    found = promise({"TEE": 1}, {"TEE": 0.5}, MANHATTAN, NOON_NEW_YORK, shortlist, default_profile, COSTS)

    [pickup] = found.pickup
    assert isinstance(pickup, PickupOption)
    assert (pickup.location, pickup.ready_by.isoformat()) == ("BKLYN", "2026-11-26T14:00:00-05:00")
    assert found.delivery == (
        DeliveryOption(ServiceLevel.STANDARD, date(2026, 11, 27), 2.0, 1, ("NEWARK",)),
        DeliveryOption(ServiceLevel.EXPRESS, date(2026, 11, 27), 4.0, 1, ("NEWARK",)),
        DeliveryOption(ServiceLevel.SAME_DAY, date(2026, 11, 26), 10.0, 1, ("BKLYN",)),
    )
    assert found.unavailable == ()


def test_what_cannot_be_promised_is_said_with_its_reason() -> None:
    ranking = rank_locations(NETWORK, MANHATTAN, COSTS)
    holdings = {"ALLEN": (ALLENTOWN, {"TEE": 1})}

    found = promise({"TEE": 2}, {}, MANHATTAN, NOON_NEW_YORK, candidates_from({"TEE": 2}, holdings, ranking),
                    default_profile, COSTS)

    assert (found.pickup, found.delivery) == ((), ())
    assert found.unavailable == (
        Unavailable(ServiceLevel.STANDARD, "not enough stock where this order may be routed"),
        Unavailable(ServiceLevel.EXPRESS, "not enough stock where this order may be routed"),
        Unavailable(ServiceLevel.SAME_DAY, "no location can send it with this service"),
    )
