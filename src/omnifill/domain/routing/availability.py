"""Promises for a storefront: where the basket can be picked up, and when and for how much it can be delivered.

The routing engine answers, without reserving anything. A product page asks on every view, so the engine is
given a shortlist: the locations whose linear cost estimate (`PackageCosting.linear_terms`) is lowest for the
basket — the estimate is exact for the linear model and for packages of at least 1 kg, so the cheapest plan
is almost always among them. Each option is then priced and dated exactly as an order would be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from heapq import nsmallest

from omnifill.domain.costs import PackageCosting
from omnifill.domain.errors import InsufficientStock
from omnifill.domain.locations import Capability, GeoPoint
from omnifill.domain.orders import Delivery, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.engine import RoutingRequest, route_order
from omnifill.domain.routing.lookahead import OpportunityCosts
from omnifill.domain.routing.plans import Candidate
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.domain.routing.promises import pickup_ready_by

SHORTLIST = 8  # locations priced exactly per service level
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


def promise(
    demand: Mapping[str, int], weights_kg: Mapping[str, float], destination: GeoPoint, now: datetime,
    candidates: Sequence[Candidate], profile_for: ProfileFor, costing: PackageCosting,
    opportunity: OpportunityCosts | None = None,
) -> Promise:
    delivery, unavailable = [], []
    for level in ServiceLevel:
        found = _delivery(demand, weights_kg, destination, now, candidates, profile_for, costing, opportunity, level)
        if isinstance(found, str):
            unavailable.append(Unavailable(level, found))
        else:
            delivery.append(found)
    pickup = _pickup(demand, now, candidates, profile_for(DeliveryMethod.PICKUP, None))
    return Promise(tuple(pickup), tuple(delivery), tuple(unavailable))


def _delivery(
    demand: Mapping[str, int], weights_kg: Mapping[str, float], destination: GeoPoint, now: datetime,
    candidates: Sequence[Candidate], profile_for: ProfileFor, costing: PackageCosting,
    opportunity: OpportunityCosts | None, level: ServiceLevel,
) -> DeliveryOption | str:
    shortlist = _cheapest(demand, weights_kg, candidates, costing, level)
    if not shortlist:
        return "no location can send it with this service"
    request = RoutingRequest(demand, Delivery(DeliveryMethod.SHIP, level), now, destination, weights_kg)
    try:
        decision = route_order(request, shortlist, profile_for(DeliveryMethod.SHIP, level), costing, opportunity)
    except InsufficientStock as refused:
        return refused.message
    return DeliveryOption(
        level, decision.delivers_on, round(sum(p.cost.shipping for p in decision.packages), 2),
        len(decision.packages), tuple(p.location for p in decision.packages),
    )


def _cheapest(
    demand: Mapping[str, int], weights_kg: Mapping[str, float], candidates: Sequence[Candidate],
    costing: PackageCosting, level: ServiceLevel,
) -> list[Candidate]:
    """The locations whose linear estimate of sending what they hold of the basket is lowest."""
    estimates = []
    for candidate in candidates:
        if not _may_ship(candidate, level) or candidate.distance_miles is None:
            continue
        terms = costing.linear_terms(candidate.location, candidate.distance_miles, level, candidate.orders_today)
        if terms is None:
            continue
        held = {sku: min(units, candidate.available.get(sku, 0)) for sku, units in demand.items()}
        units = sum(held.values())
        if units:
            cost = terms.per_package + sum(n * terms.unit_cost(weights_kg.get(s, 0.0)) for s, n in held.items())
            estimates.append((cost / units, candidate.location.code, candidate))
    return [c for _, _, c in nsmallest(SHORTLIST, estimates)]


def _may_ship(candidate: Candidate, level: ServiceLevel) -> bool:
    location = candidate.location
    if not location.can(Capability.SHIP):
        return False
    return level is not ServiceLevel.SAME_DAY or Capability.SAME_DAY in location.capabilities


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
    return [
        PickupOption(c.location.code, c.location.name, c.distance_miles,
                     pickup_ready_by(c.location, now, profile.pickup_lead_minutes))
        for _, _, c in nsmallest(PICKUP_OPTIONS, stores)
    ]
