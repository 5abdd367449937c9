"""What routing works on and what it produces: candidates with stock, and the plan of fulfillments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omnifill.domain.locations import Location


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location that could fulfill part of an order: its units available to promise per SKU."""

    location: Location
    available: Mapping[str, int]
    distance_miles: float | None = None
    orders_today: int = 0  # fulfillments it has accepted today, for its capacity
    orders_this_hour: int = 0  # …and in this local clock hour, for its hourly capacity


@dataclass(frozen=True, slots=True)
class PlannedFulfillment:
    location: str
    lines: tuple[tuple[str, int], ...]  # (sku, units), sorted by SKU

    @property
    def units(self) -> int:
        return sum(units for _, units in self.lines)


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    fulfillments: tuple[PlannedFulfillment, ...]

    def reservations(self) -> list[tuple[str, str, int]]:
        """(location, sku, units) in a fixed order, so concurrent writers lock rows alike and never deadlock."""
        return sorted((f.location, sku, units) for f in self.fulfillments for sku, units in f.lines)

    def units_by_sku(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for f in self.fulfillments:
            for sku, units in f.lines:
                found[sku] = found.get(sku, 0) + units
        return found


def planned(location: str, units: Mapping[str, int]) -> PlannedFulfillment:
    return PlannedFulfillment(location, tuple(sorted((sku, n) for sku, n in units.items() if n > 0)))
