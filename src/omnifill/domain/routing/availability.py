"""Promises for a storefront: where the basket can be picked up, and when and for how much it can be delivered.

The routing engine answers, without reserving anything. A product page asks on every view, so the engine is
given a shortlist: each destination ranks the network's shipping locations once by the price of a one-unit
standard package (`rank_locations`, cached per ZIP code), and a question takes the first few that hold some of
the basket, plus the first same-day ones and the nearby pickup stores (`candidates_from`). Each option is then
priced and dated exactly as an order would be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from heapq import nsmallest

from omnifill.domain.costs import PackageCosting
from omnifill.domain.errors import InsufficientStock
from omnifill.domain.locations import Capability, GeoPoint, Location, great_circle_miles
from omnifill.domain.orders import Delivery, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.engine import RoutingRequest, route_order
from omnifill.domain.routing.lookahead import OpportunityCosts
from omnifill.domain.routing.plans import Candidate
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.domain.routing.promises import pickup_ready_by

SHORTLIST = 3  # locations priced exactly per service level
SAME_DAY_SHORTLIST = 2
SHIP_BY = {level: Delivery(DeliveryMethod.SHIP, level) for level in ServiceLevel}
PICKUP_RADIUS_MILES = 50.0
PICKUP_OPTIONS = 5


@dataclass(frozen=True, slots=True)
class PickupOption:
    location: str
    name: str
    distance_miles: float | None
    ready_by: datetime


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    service_level: ServiceLevel
    delivers_on: date | None
    price: float  # what the carriers charge for the plan's packages
    packages: int
    ships_from: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unavailable:
    service_level: ServiceLevel
    reason: str


@dataclass(frozen=True, slots=True)
class Promise:
    pickup: tuple[PickupOption, ...]
    delivery: tuple[DeliveryOption, ...]
    unavailable: tuple[Unavailable, ...]


ProfileFor = Callable[[DeliveryMethod, ServiceLevel | None], RoutingProfile]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every shipping location for one destination, cheapest standard one-unit package first, with its miles.

    It depends only on the destination, the network and the rate card, so a storefront caches it per ZIP code
    and each question then walks it instead of pricing every location.
    """

    order: tuple[str, ...]
    miles: Mapping[str, float]
    nearby: tuple[str, ...]  # pickup stores within PICKUP_RADIUS_MILES, nearest first
    rank: Mapping[str, int]  # each code's place in `order`
    same_day: frozenset[str]  # the locations whose same-day service reaches the destination (zone and radius)


def rank_locations(locations: Iterable[Location], destination: GeoPoint, costing: PackageCosting) -> Ranking:
    estimates, nearby, miles, same_day = [], [], {}, set()
    for location in locations:
        distance = miles[location.code] = great_circle_miles(destination, location.position)
        terms = costing.linear_terms(location, distance, ServiceLevel.STANDARD) if location.can(Capability.SHIP) \
            else None
        if terms is not None:
            estimates.append((terms.per_package + terms.unit_cost(1.0), distance, location.code))
        if terms is not None and _reaches_same_day(location, distance, costing):
            same_day.add(location.code)
        if location.can(Capability.PICKUP) and distance <= PICKUP_RADIUS_MILES:
            nearby.append((distance, location.code))
    estimates.sort()
    nearby.sort()
    order = tuple(code for _, _, code in estimates)
    return Ranking(order, miles, tuple(code for _, code in nearby), {code: i for i, code in enumerate(order)},
                   frozenset(same_day))


def _reaches_same_day(location: Location, miles: float, costing: PackageCosting) -> bool:
    radius = location.service_radius_miles
    return (Capability.SAME_DAY in location.capabilities and (radius is None or miles <= radius)
            and costing.linear_terms(location, miles, ServiceLevel.SAME_DAY) is not None)


# location code → (location, units per SKU): only the SKUs it holds, and only where it holds some
Holdings = Mapping[str, tuple[Location, Mapping[str, int]]]


@dataclass(frozen=True, slots=True)
class Shortlist:
    """The few candidates a promise prices exactly."""

    shipping: tuple[Candidate, ...]  # the ranking's first holders of some of the basket, and its first same-day ones
    same_day: tuple[Candidate, ...]  # those of them whose same-day service reaches the destination
    pickup: tuple[Candidate, ...]  # pickup stores within the radius holding all of it, nearest first


def candidates_from(demand: Mapping[str, int], holdings: Holdings, ranking: Ranking) -> Shortlist:
    """Only the candidates a promise looks at: the ranking's first holders of the basket, and the nearby stores.

    A storefront's stock may sit at hundreds of locations; building every candidate would cost more than the
    whole promise.
    """
    chosen: dict[str, Candidate] = {}
    locals_chosen = 0  # same-day stores among them
    for code in _holders_by_rank(holdings, ranking):
        found = holdings.get(code)
        if found is None or found[1].keys().isdisjoint(demand):
            continue
        location, units = found
        local = Capability.SAME_DAY in location.capabilities
        if len(chosen) < SHORTLIST or (local and locals_chosen < SAME_DAY_SHORTLIST):
            chosen[code] = Candidate(location, units, ranking.miles[code])
            locals_chosen += local
        if len(chosen) >= SHORTLIST and locals_chosen >= SAME_DAY_SHORTLIST:
            break
    pickup = []
    for code in ranking.nearby:
        found = holdings.get(code)
        if found is not None and all(found[1].get(s, 0) >= n for s, n in demand.items()):
            pickup.append(chosen.get(code) or Candidate(found[0], found[1], ranking.miles[code]))
    reach = ranking.same_day
    return Shortlist(tuple(chosen.values()), tuple(c for code, c in chosen.items() if code in reach), tuple(pickup))


def _holders_by_rank(holdings: Holdings, ranking: Ranking) -> Sequence[str]:
    """The ranking's order, or for a rare SKU only its few holders that ship, sorted by it."""
    if len(holdings) * 4 >= len(ranking.order):
        return ranking.order
    rank = ranking.rank
    return sorted((code for code in holdings if code in rank), key=rank.__getitem__)


def promise(
    demand: Mapping[str, int], weights_kg: Mapping[str, float], destination: GeoPoint, now: datetime,
    shortlist: Shortlist, profile_for: ProfileFor, costing: PackageCosting,
    opportunity: OpportunityCosts | None = None,
) -> Promise:
    delivery, unavailable = [], []
    for level in ServiceLevel:
        able = shortlist.same_day if level is ServiceLevel.SAME_DAY else shortlist.shipping
        found = _delivery(demand, weights_kg, destination, now, able, profile_for, costing, opportunity, level)
        if isinstance(found, str):
            unavailable.append(Unavailable(level, found))
        else:
            delivery.append(found)
    pickup = _pickup(demand, now, shortlist.pickup, profile_for(DeliveryMethod.PICKUP, None))
    return Promise(tuple(pickup), tuple(delivery), tuple(unavailable))


def _delivery(
    demand: Mapping[str, int], weights_kg: Mapping[str, float], destination: GeoPoint, now: datetime,
    able: Sequence[Candidate], profile_for: ProfileFor, costing: PackageCosting,
    opportunity: OpportunityCosts | None, level: ServiceLevel,
) -> DeliveryOption | str:
    if not able:
        return "no location can send it with this service"
    request = RoutingRequest(demand, SHIP_BY[level], now, destination, weights_kg)
    try:
        decision = route_order(request, able, profile_for(DeliveryMethod.SHIP, level), costing, opportunity,
                               explain=False)
    except InsufficientStock as refused:
        return refused.message
    return DeliveryOption(
        level, decision.delivers_on, round(sum(p.cost.shipping for p in decision.packages), 2),
        len(decision.packages), tuple(p.location for p in decision.packages),
    )


def _pickup(
    demand: Mapping[str, int], now: datetime, candidates: Sequence[Candidate], profile: RoutingProfile,
) -> list[PickupOption]:
    """The nearest stores that hold the whole basket now, beyond their safety buffer."""
    stores = []
    for candidate in candidates:
        location, miles = candidate.location, candidate.distance_miles
        if not location.can(Capability.PICKUP) or miles is None or miles > PICKUP_RADIUS_MILES:
            continue
        buffer = profile.safety_buffer(location.code, location.kind)
        if all(candidate.available.get(sku, 0) - buffer >= units for sku, units in demand.items()):
            stores.append((miles, location.code, candidate))
    options = []
    for _, _, c in nsmallest(PICKUP_OPTIONS, stores):
        ready_by = pickup_ready_by(c.location, now, profile.pickup_lead_minutes)
        if ready_by is not None:  # a store with no opening hours cannot hand anything over
            options.append(PickupOption(c.location.code, c.location.name, c.distance_miles, ready_by))
    return options
