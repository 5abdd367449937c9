"""Routing profiles: the rules one kind of order is routed by, chosen by channel and service level.

A profile is data a retailer edits over the API (`PUT /v1/routing/profiles/{name}`); the engine reads it.
Every field has a default that suits a first pilot; docs/ROUTING.md lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import DeliveryMethod, ServiceLevel

DEFAULT_PROFILE = "default"


@dataclass(frozen=True, slots=True)
class RoutingProfile:
    name: str = DEFAULT_PROFILE
    # Which orders it routes: empty means any channel / any service level. The most specific match wins.
    channels: frozenset[str] = frozenset()
    service_levels: frozenset[ServiceLevel] = frozenset()
    # Filters
    excluded_locations: frozenset[str] = frozenset()
    excluded_kinds: frozenset[LocationKind] = frozenset()
    max_distance_miles: float | None = None  # e.g. 30 for same-day couriers
    # Units of each SKU a location keeps back from this profile's orders, on top of the level's safety stock:
    # how a store protects its shelf from online demand. A location's own figure beats its kind's.
    safety_buffer_by_kind: Mapping[LocationKind, int] = field(default_factory=dict)
    safety_buffer_by_location: Mapping[str, int] = field(default_factory=dict)
    enforce_promise: bool = True  # refuse locations that cannot deliver by the order's promised date
    # Limits
    max_packages: int = 3
    split_threshold: float = 1.0  # a split must save more than this (currency units) over one package
    # Look-ahead: add the opportunity cost of the stock a plan consumes (when an LP result is available).
    look_ahead: bool = True
    # Batch: orders of this profile may wait for a wave and be re-optimized together before release.
    batchable: bool = False
    # Promises: minutes a store needs to pick a pickup order; the ready-by time shown to the customer.
    pickup_lead_minutes: int = 120

    def __post_init__(self) -> None:
        _require(bool(self.name) and len(self.name) <= 64, "name", "must be 1 to 64 characters")
        _require(1 <= self.max_packages <= 10, "max_packages", "must be between 1 and 10")
        _require(self.split_threshold >= 0, "split_threshold", "must not be negative")
        _require(self.max_distance_miles is None or self.max_distance_miles > 0, "max_distance_miles",
                 "must be positive (leave it out for no limit)")
        _require(0 <= self.pickup_lead_minutes <= 7 * 24 * 60, "pickup_lead_minutes", "must be 0 to 10080")
        for where, buffers in (("safety_buffer_by_kind", self.safety_buffer_by_kind),
                               ("safety_buffer_by_location", self.safety_buffer_by_location)):
            for key, units in buffers.items():
                _require(units >= 0, f"{where}.{key}", "must not be negative")

    def safety_buffer(self, location: str, kind: LocationKind) -> int:
        found = self.safety_buffer_by_location.get(location)
        return found if found is not None else self.safety_buffer_by_kind.get(kind, 0)

    def matches(self, channel: str, method: DeliveryMethod, service_level: ServiceLevel | None) -> int | None:
        """How specifically this profile matches an order (higher is more specific); None if it does not."""
        if self.channels and channel not in self.channels:
            return None
        level = service_level if method is DeliveryMethod.SHIP else None
        if self.service_levels and level not in self.service_levels:
            return None
        return (2 if self.channels else 0) + (1 if self.service_levels else 0)


def profile_for(
    profiles: Sequence[RoutingProfile], channel: str, method: DeliveryMethod, service_level: ServiceLevel | None
) -> RoutingProfile:
    """The most specific matching profile; on a tie the name decides; none matching → the built-in default."""
    ranked = [(score, p.name, p) for p in profiles
              if (score := p.matches(channel, method, service_level)) is not None]
    if not ranked:
        return BUILT_IN
    ranked.sort(key=lambda r: (-r[0], r[1]))
    return ranked[0][2]


def _require(condition: bool, field_name: str, problem: str) -> None:
    if not condition:
        raise InvalidInput(field_name, problem)


BUILT_IN = RoutingProfile()  # what an order follows when no stored profile matches it
