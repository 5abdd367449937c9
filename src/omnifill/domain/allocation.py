"""Allocation v0: which location(s) fulfill an order. The routing engine replaces the policy, not this interface.

Pickup: the chosen store must hold every line. Ship: the nearest enabled shipping location that holds every
line; otherwise a split across as few locations as possible, nearest first. A line the network cannot cover
refuses the whole order, naming what is short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omnifill.domain.errors import InsufficientStock, InvalidInput
from omnifill.domain.locations import Capability, Location
from omnifill.domain.orders import Delivery, DeliveryMethod


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location that could fulfill part of an order: its units available to promise per SKU."""

    location: Location
    available: Mapping[str, int]
    distance_miles: float | None = None

    def rank(self) -> tuple[float, str]:
        """Nearest first; equal distance (or no geography) falls back to the code so plans are repeatable."""
        return (self.distance_miles if self.distance_miles is not None else float("inf"), self.location.code)


@dataclass(frozen=True, slots=True)
class PlannedFulfillment:
    location: str
    lines: tuple[tuple[str, int], ...]  # (sku, units), sorted by SKU


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    fulfillments: tuple[PlannedFulfillment, ...]

    def reservations(self) -> list[tuple[str, str, int]]:
        """(location, sku, units) in a fixed order, so concurrent writers lock rows alike and never deadlock."""
        return sorted((f.location, sku, units) for f in self.fulfillments for sku, units in f.lines)


def plan_allocation(
    demand: Mapping[str, int], delivery: Delivery, candidates: Sequence[Candidate]
) -> AllocationPlan:
    if delivery.method is DeliveryMethod.PICKUP:
        return _plan_pickup(demand, delivery, candidates)
    shippers = sorted((c for c in candidates if c.location.can(Capability.SHIP)), key=Candidate.rank)
    _refuse_if_short(demand, shippers)
    for candidate in shippers:
        if _covers(candidate, demand):
            return AllocationPlan((_fulfillment(candidate.location.code, demand),))
    return _plan_split(demand, shippers)


def _plan_pickup(demand: Mapping[str, int], delivery: Delivery, candidates: Sequence[Candidate]) -> AllocationPlan:
    store = next((c for c in candidates if c.location.code == delivery.location), None)
    if store is None or not store.location.can(Capability.PICKUP):
        raise InvalidInput("delivery.location", f"{delivery.location} does not offer pickup")
    _refuse_if_short(demand, [store])
    return AllocationPlan((_fulfillment(store.location.code, demand),))


def _plan_split(demand: Mapping[str, int], shippers: list[Candidate]) -> AllocationPlan:
    """Greedy set cover: take the location that covers most of what is left, nearest on a tie."""
    remaining = dict(demand)
    pool = list(shippers)
    plan: list[PlannedFulfillment] = []
    while remaining:
        best = min(pool, key=lambda c: (-_coverage(c, remaining), *c.rank()))
        take = {sku: min(units, best.available.get(sku, 0)) for sku, units in remaining.items()}
        take = {sku: units for sku, units in take.items() if units > 0}
        plan.append(_fulfillment(best.location.code, take))
        pool.remove(best)
        remaining = {sku: units - take.get(sku, 0) for sku, units in remaining.items() if units > take.get(sku, 0)}
    return AllocationPlan(tuple(plan))


def _coverage(candidate: Candidate, remaining: Mapping[str, int]) -> int:
    return sum(min(units, candidate.available.get(sku, 0)) for sku, units in remaining.items())


def _covers(candidate: Candidate, demand: Mapping[str, int]) -> bool:
    return all(candidate.available.get(sku, 0) >= units for sku, units in demand.items())


def _refuse_if_short(demand: Mapping[str, int], pool: Sequence[Candidate]) -> None:
    short = []
    for sku, units in sorted(demand.items()):
        available = sum(c.available.get(sku, 0) for c in pool)
        if available < units:
            short.append({"sku": sku, "requested": units, "available": available})
    if short:
        raise InsufficientStock("not enough stock to fulfill every line", short=short)


def _fulfillment(location: str, units: Mapping[str, int]) -> PlannedFulfillment:
    return PlannedFulfillment(location, tuple(sorted(units.items())))
