"""What order intake, re-routing, waves and promises share: where an order goes, what routing may draw on,
and the record a decision leaves behind."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from omnifill.adapters.geography import lookup_postal_code
from omnifill.adapters.rates import load_cost_model
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.costs import CostModel
from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import GeoPoint, Location, great_circle_miles
from omnifill.domain.orders import Address
from omnifill.domain.routing.engine import PackageQuote, RoutingDecision, RoutingRequest
from omnifill.domain.routing.plans import AllocationPlan, Candidate
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.domain.routing.promises import local_time


@cache
def default_cost_model() -> CostModel:
    """The rate card shipped with omnifill, read once per process."""
    return load_cost_model()


def destination_of(address: Address | None, field: str = "ship_to.postal_code") -> GeoPoint | None:
    if address is None:
        return None
    place = lookup_postal_code(address.postal_code, address.country)
    if place is None:
        raise InvalidInput(field, f"unknown postal code in {address.country}")
    return place.position


@dataclass(frozen=True, slots=True)
class NetworkStock:
    """Routing's view of the network for one order: candidates, and the ids their plan will be written with."""

    candidates: list[Candidate]
    location_ids: dict[str, int]


def network_stock(
    availability: Sequence[tuple[int, Location, str, int]], destination: GeoPoint | None,
    extra: Mapping[str, tuple[int, Location]] | None = None, orders_today: Mapping[str, int] | None = None,
    miles: Mapping[str, float] | None = None, orders_this_hour: Mapping[str, int] | None = None,
) -> NetworkStock:
    """Candidates from the (location id, location, SKU, available) rows; `extra` adds locations holding none.

    `miles` gives distances already known (a cached ranking); the others are measured here.
    """
    stock: dict[str, dict[str, int]] = {}
    places: dict[str, tuple[int, Location]] = dict(extra or {})
    for location_id, location, sku, available in availability:
        stock.setdefault(location.code, {})[sku] = available
        places[location.code] = (location_id, location)
    loads, known, hourly = orders_today or {}, miles or {}, orders_this_hour or {}
    candidates = [
        Candidate(location, stock.get(code, {}),
                  known[code] if code in known else _miles(destination, location), loads.get(code, 0),
                  hourly.get(code, 0))
        for code, (_, location) in places.items()
    ]
    return NetworkStock(candidates, {code: location_id for code, (location_id, _) in places.items()})


_profiles: WeakKeyDictionary[Engine, tuple[float, list[RoutingProfile]]] = WeakKeyDictionary()
PROFILES_MAX_AGE_SECONDS = 1.0


def routing_profiles(uow: UnitOfWork) -> list[RoutingProfile]:
    """The stored profiles, re-read at most once a second per database: intake asks on every order.

    A change made through this process is seen at once (`forget_routing_profiles`); one made by another
    process, within a second.
    """
    clock = time.monotonic()
    found = _profiles.get(uow.engine)
    if found is None or clock - found[0] > PROFILES_MAX_AGE_SECONDS:
        if uow.in_transaction:
            stored = uow.routing_profiles.all()
        else:
            with uow.reading() as reader:
                stored = reader.routing_profiles.all()
        found = _profiles[uow.engine] = (clock, stored)
    return found[1]


def forget_routing_profiles() -> None:
    _profiles.clear()


def orders_today(
    uow: UnitOfWork, availability: Sequence[tuple[int, Location, str, int]], now: datetime,
) -> dict[str, int]:
    """Fulfillments each capacity-limited location has taken on its local day so far."""
    limited = {location_id: loc for location_id, loc, _, _ in availability if loc.daily_order_capacity is not None}
    days: dict[str, date] = {}  # a network has few time zones
    for loc in limited.values():
        if loc.time_zone not in days:
            days[loc.time_zone] = local_day(loc, now)
    taken = uow.location_loads.taken({location_id: days[loc.time_zone] for location_id, loc in limited.items()})
    return {limited[location_id].code: count for location_id, count in taken.items()}


def orders_this_hour(
    uow: UnitOfWork, availability: Sequence[tuple[int, Location, str, int]], now: datetime,
) -> dict[str, int]:
    """Fulfillments each hourly-limited location (a dark store, a micro-fulfillment center) took this local hour."""
    limited = {location_id: loc for location_id, loc, _, _ in availability if loc.hourly_order_capacity is not None}
    taken = uow.location_loads.taken_this_hour({location_id: local_hour(loc, now) for location_id, loc in
                                                limited.items()})
    return {limited[location_id].code: count for location_id, count in taken.items()}


def take_capacity(uow: UnitOfWork, plan: AllocationPlan, network: NetworkStock, now: datetime) -> None:
    """Count the plan's fulfillments against their locations' daily and hourly capacity; a location that filled
    up since routing read it loses the race like stock does (`LostRace`: plan again)."""
    locations = {c.location.code: c.location for c in network.candidates}
    for fulfillment in plan.fulfillments:
        location = locations[fulfillment.location]
        location_id = network.location_ids[location.code]
        capacity, hourly = location.daily_order_capacity, location.hourly_order_capacity
        if capacity is not None and not uow.location_loads.take(location_id, local_day(location, now), capacity):
            raise CapacityTaken(location.code)
        if hourly is not None and not uow.location_loads.take_hour(location_id, local_hour(location, now), hourly):
            raise CapacityTaken(location.code)


class LostRace(Exception):
    """Stock (or capacity) we saw free was taken before our guarded update ran; plan again on fresh numbers."""


class CapacityTaken(LostRace):
    """A location reached its daily capacity between routing's read and our write."""


def local_day(location: Location, now: datetime) -> date:
    return local_time(location, now).date()


def local_hour(location: Location, now: datetime) -> tuple[date, int]:
    """The location's local (day, clock hour); the hour repeated when clocks go back counts as one."""
    local = local_time(location, now)
    return local.date(), local.hour


def _miles(destination: GeoPoint | None, location: Location) -> float | None:
    return great_circle_miles(destination, location.position) if destination else None


def decision_record(decision: RoutingDecision, request: RoutingRequest) -> dict[str, Any]:
    """The explanation stored with the order and returned by GET /v1/orders/{id}/decisions."""
    return {
        "profile": decision.profile,
        "delivery_method": str(request.delivery.method),
        "service_level": str(request.service_level) if request.delivery.service_level else None,
        "promised_by": request.promised_by.isoformat() if request.promised_by else None,
        "excluded": sorted(request.exclude),
        "total_cost": _money(decision.total_cost),
        "split_penalty": _money(decision.split_penalty),
        "delivers_on": decision.delivers_on.isoformat() if decision.delivers_on else None,
        "packages": [_package(p) for p in decision.packages],
        "unfilled": [{"sku": sku, "quantity": units} for sku, units in sorted(decision.unfilled.items())],
        "candidates": [
            {
                "location": c.location, "kind": str(c.kind), "verdict": str(c.verdict), "reason": c.reason,
                "distance_miles": round(c.distance_miles, 1) if c.distance_miles is not None else None,
                "supply": [{"sku": sku, "quantity": units} for sku, units in sorted(c.supply.items())],
                "cost": _costs(c.quote) if c.quote else None,
                "delivers_on": c.quote.delivers_on.isoformat() if c.quote and c.quote.delivers_on else None,
            }
            for c in sorted(decision.candidates, key=_report_order)
        ],
    }


def _report_order(report: Any) -> tuple[int, float, str]:
    rank = {"chosen": 0, "considered": 1, "filtered": 2}[str(report.verdict)]
    return (rank, report.quote.total if report.quote else 0.0, report.location)


def _package(package: PackageQuote) -> dict[str, Any]:
    return {
        "location": package.location,
        "lines": [{"sku": sku, "quantity": units} for sku, units in package.lines],
        "cost": _costs(package),
        "zone": package.cost.zone, "transit_days": package.cost.transit_days,
        "delivers_on": package.delivers_on.isoformat() if package.delivers_on else None,
    }


def _costs(package: PackageQuote) -> dict[str, float]:
    parts = {name: _money(value) for name, value in package.cost.parts().items()}
    return {**parts, "opportunity": _money(package.opportunity), "total": _money(package.total)}


def _money(value: float) -> float:
    return round(value, 4)
