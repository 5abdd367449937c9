"""Where stock sits: warehouses, stores, dark stores, micro-fulfillment centers and dropship vendors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from omnifill.domain.errors import InvalidInput
from omnifill.domain.opening_hours import DEFAULT_OPENING_HOURS, OpeningHours


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"
    DARK_STORE = "dark_store"
    MICRO_FULFILLMENT = "micro_fulfillment"
    DROPSHIP_VENDOR = "dropship_vendor"


# Fulfillment-only locations: no walk-in customers, so nobody collects an order there.
FULFILLMENT_ONLY = frozenset({LocationKind.DARK_STORE, LocationKind.MICRO_FULFILLMENT})


class Capability(StrEnum):
    SHIP = "ship"
    PICKUP = "pickup"
    RETURNS = "returns"
    SAME_DAY = "same_day"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not -90 <= self.latitude <= 90:
            raise InvalidInput("latitude", "must be between -90 and 90")
        if not -180 <= self.longitude <= 180:
            raise InvalidInput("longitude", "must be between -180 and 180")


EARTH_RADIUS_MILES = 3958.8
# Orders released after this local time leave the next day: the carrier's last pickup, less time to pack.
DEFAULT_SHIP_CUTOFF = time(15, 0)


def great_circle_miles(a: GeoPoint, b: GeoPoint) -> float:
    """Haversine distance: what carriers' zone charts approximate."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    name: str
    kind: LocationKind
    position: GeoPoint
    postal_code: str
    country: str
    time_zone: str
    capabilities: frozenset[Capability]
    daily_order_capacity: int | None = None
    fulfillment_enabled: bool = True
    ship_cutoff: time = DEFAULT_SHIP_CUTOFF
    address: str | None = None  # the street address a collecting customer is told
    opening_hours: OpeningHours = DEFAULT_OPENING_HOURS  # local wall clock; pickup work happens within them
    service_radius_miles: float | None = None  # same-day orders further away are not sent from here
    hourly_order_capacity: int | None = None  # fulfillments it takes per local clock hour

    def __post_init__(self) -> None:
        if self.daily_order_capacity is not None and self.daily_order_capacity < 0:
            raise InvalidInput("daily_order_capacity", "must not be negative")
        if self.hourly_order_capacity is not None and self.hourly_order_capacity < 0:
            raise InvalidInput("hourly_order_capacity", "must not be negative")
        if self.service_radius_miles is not None and not self.service_radius_miles > 0:
            raise InvalidInput("service_radius_miles", "must be more than 0")

    def can(self, capability: Capability) -> bool:
        """A location fulfills only while enabled: that is how a retailer pilots a few stores first. A dark store
        or micro-fulfillment center has no counter to collect at, whatever its capabilities say."""
        if capability is Capability.PICKUP and self.kind in FULFILLMENT_ONLY:
            return False
        return self.fulfillment_enabled and capability in self.capabilities


def require_walk_in(kind: LocationKind, capabilities: frozenset[Capability]) -> None:
    """Pickup needs a counter: fulfillment-only kinds may not offer it."""
    if kind in FULFILLMENT_ONLY and Capability.PICKUP in capabilities:
        raise InvalidInput("capabilities", f"a {kind} takes no walk-in customers, so it cannot offer pickup")
