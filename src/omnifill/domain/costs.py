"""What it costs to send one package from one location: shipping by carrier zone, handling, capacity.

Two models answer the same question (`PackageCosting.package`):
- `CostModel`, the retail one: a carrier zone from the great-circle distance, a rate from a rate table by service
  level and weight, handling per order and per unit by location kind (a store's pick costs more than a
  warehouse's), and a surcharge that rises as a location fills its daily order capacity, so work spreads before a
  node saturates. At capacity the location is not a candidate at all.
- `LinearCostModel`, the research literature's: a fixed cost per package plus, per unit, a fixed cost and a cost
  per mile (Jasin & Sinha 2015), so routing results compare with published experiments.

Costs are floats in the currency's units: they rank plans and feed linear programs; prices shown to a customer are
rounded from them. Every number is data; the defaults live in `omnifill/data/rates.json` and docs/ROUTING.md.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Location, LocationKind
from omnifill.domain.orders import ServiceLevel

# The distance bands carriers' zone charts use: (up to this many miles, zone).
ZONE_BANDS: tuple[tuple[float, int], ...] = ((50, 2), (150, 3), (300, 4), (600, 5), (1000, 6), (1400, 7), (1800, 8))
FARTHEST_ZONE = 9


_LIMITS = [limit for limit, _ in ZONE_BANDS]
_ZONES = [zone for _, zone in ZONE_BANDS] + [FARTHEST_ZONE]


def carrier_zone(miles: float) -> int:
    """The carrier zone of a distance: 2 for a local package, up to 9 beyond 1,800 miles."""
    if miles < 0:
        raise InvalidInput("miles", "must not be negative")
    return _ZONES[bisect_left(_LIMITS, miles)]


@dataclass(frozen=True, slots=True)
class ServiceRates:
    """One service level's price for the first kilogram and each further one, and its transit days, per zone.

    A zone missing from the table is a zone the service does not reach (same-day reaches only local zones).
    """

    first_kg: Mapping[int, float]
    per_extra_kg: Mapping[int, float]
    transit_days: Mapping[int, int]

    def __post_init__(self) -> None:
        if set(self.first_kg) != set(self.per_extra_kg) or set(self.first_kg) != set(self.transit_days):
            raise InvalidInput("rates", "every zone needs a first-kg price, a per-extra-kg price and transit days")
        if any(p < 0 for p in (*self.first_kg.values(), *self.per_extra_kg.values())):
            raise InvalidInput("rates", "prices must not be negative")
        if any(d < 0 for d in self.transit_days.values()):
            raise InvalidInput("rates", "transit days must not be negative")


class Quote(NamedTuple):  # a tuple: routing builds one per candidate priced
    zone: int
    price: float
    transit_days: int


@dataclass(frozen=True, slots=True)
class RateTable:
    services: Mapping[ServiceLevel, ServiceRates]
    # Per service level and zone: (first kg, each extra kg, transit days), one look-up per package priced.
    _by_zone: dict[ServiceLevel, dict[int, tuple[float, float, int]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_zone", {
            level: {zone: (rates.first_kg[zone], rates.per_extra_kg[zone], rates.transit_days[zone])
                    for zone in rates.first_kg}
            for level, rates in self.services.items()
        })

    def quote(self, service_level: ServiceLevel, miles: float, weight_kg: float) -> Quote | None:
        """The carrier's price and transit time, or None where the service does not reach."""
        zone = carrier_zone(miles)
        found = self._by_zone.get(service_level, {}).get(zone)
        if found is None:
            return None
        first_kg, per_extra_kg, transit_days = found
        return Quote(zone, first_kg + per_extra_kg * max(0.0, weight_kg - 1.0), transit_days)

    def carrier_variant(
        self, price_scale: float, extra_transit_days: Mapping[ServiceLevel, int], max_zone: int,
        service_levels: frozenset[ServiceLevel],
    ) -> RateTable:
        """A carrier's table drawn from this one: its prices scaled, its own speed, its services, its reach."""
        if price_scale <= 0:
            raise InvalidInput("price_scale", "must be above 0")
        return RateTable({
            level: ServiceRates(
                first_kg={z: p * price_scale for z, p in rates.first_kg.items() if z <= max_zone},
                per_extra_kg={z: p * price_scale for z, p in rates.per_extra_kg.items() if z <= max_zone},
                transit_days={z: d + extra_transit_days.get(level, 0) for z, d in rates.transit_days.items()
                              if z <= max_zone},
            )
            for level, rates in self.services.items() if level in service_levels
        })


@dataclass(frozen=True, slots=True)
class Handling:
    """Labour and materials to pick and pack: per order (a package) and per unit picked."""

    per_order: float
    per_unit: float

    def cost(self, units: int) -> float:
        return self.per_order + self.per_unit * units


@dataclass(frozen=True, slots=True)
class CapacityCurve:
    """A surcharge per order once a location's utilization passes `starts_at`, rising linearly to `at_full`.

    Utilization is orders accepted today ÷ daily order capacity. The surcharge makes a filling node dearer so
    routing spreads work before it saturates; at capacity the node is refused outright (a hard limit).
    """

    starts_at: float = 0.7
    at_full: float = 6.0

    def __post_init__(self) -> None:
        if not 0 <= self.starts_at < 1:
            raise InvalidInput("capacity.starts_at", "must be at least 0 and below 1")
        if self.at_full < 0:
            raise InvalidInput("capacity.at_full", "must not be negative")

    def surcharge(self, orders_today: int, capacity: int | None) -> float | None:
        """Extra cost of one more order; None when the location has no room left today."""
        if capacity is None:
            return 0.0
        if orders_today >= capacity:
            return None
        utilization = orders_today / capacity
        if utilization <= self.starts_at:
            return 0.0
        return self.at_full * (utilization - self.starts_at) / (1 - self.starts_at)


class PackageCost(NamedTuple):  # a tuple: routing builds one per candidate priced
    """One package's cost, in parts, so a decision can say why a location won or lost."""

    location: str
    shipping: float
    handling: float
    capacity: float
    zone: int | None
    transit_days: int | None

    @property
    def total(self) -> float:
        return self.shipping + self.handling + self.capacity

    def parts(self) -> dict[str, float]:
        return {"shipping": self.shipping, "handling": self.handling, "capacity": self.capacity}


@dataclass(frozen=True, slots=True)
class LinearTerms:
    """A package's cost as a linear function: per_package + Σ units × (per_unit + per_kg × unit weight).

    Exact for the linear model and for rate-table packages of at least 1 kg; optimizers (the look-ahead LP, the
    wave MILP) need linear costs, and each plan they choose is priced again exactly.
    """

    per_package: float
    per_unit: float
    per_kg: float

    def unit_cost(self, weight_kg: float) -> float:
        return self.per_unit + self.per_kg * weight_kg


class PackageCosting(Protocol):
    @property
    def split_penalty(self) -> float:
        """What each package beyond the first costs on top of its own price (customer friction, handling)."""
        ...

    def linear_terms(
        self, location: Location, miles: float, service_level: ServiceLevel, orders_today: int = 0,
    ) -> LinearTerms | None:
        """The linear form of `package`, or None where `package` would be None."""
        ...

    def package(
        self, location: Location, miles: float, units: int, weight_kg: float, service_level: ServiceLevel,
        orders_today: int = 0,
    ) -> PackageCost | None:
        """The cost of one package from `location`, or None if it cannot send it (service, capacity)."""
        ...


@dataclass(frozen=True, slots=True)
class CostModel:
    rates: RateTable
    handling: Mapping[LocationKind, Handling]
    # Per location code: a store with an efficient backroom, a warehouse with a costly contract.
    handling_by_location: Mapping[str, Handling] = field(default_factory=dict)
    split_penalty: float = 1.5
    capacity: CapacityCurve = CapacityCurve()

    def __post_init__(self) -> None:
        missing = set(LocationKind) - set(self.handling)
        if missing:
            raise InvalidInput("handling", f"no handling cost for {', '.join(sorted(missing))}")
        if self.split_penalty < 0:
            raise InvalidInput("split_penalty", "must not be negative")

    def handling_for(self, location: Location) -> Handling:
        return self.handling_by_location.get(location.code) or self.handling[location.kind]

    def package(
        self, location: Location, miles: float, units: int, weight_kg: float, service_level: ServiceLevel,
        orders_today: int = 0,
    ) -> PackageCost | None:
        quote = self.rates.quote(service_level, miles, weight_kg)
        surcharge = self.capacity.surcharge(orders_today, location.daily_order_capacity)
        if quote is None or surcharge is None:
            return None
        return PackageCost(
            location.code, quote.price, self.handling_for(location).cost(units), surcharge, quote.zone,
            quote.transit_days,
        )

    def linear_terms(
        self, location: Location, miles: float, service_level: ServiceLevel, orders_today: int = 0,
    ) -> LinearTerms | None:
        rates = self.rates.services.get(service_level)
        zone = carrier_zone(miles)
        surcharge = self.capacity.surcharge(orders_today, location.daily_order_capacity)
        if rates is None or zone not in rates.first_kg or surcharge is None:
            return None
        handling = self.handling_for(location)
        per_kg = rates.per_extra_kg[zone]
        return LinearTerms(rates.first_kg[zone] - per_kg + handling.per_order + surcharge, handling.per_unit, per_kg)


@dataclass(frozen=True, slots=True)
class LinearCostModel:
    """The research model: per package a fixed cost; per unit a fixed cost plus a cost per mile.

    Jasin & Sinha (2015) use $8.759 per package, $0.423 per unit and $0.000541 per unit-mile.
    """

    per_package: float = 8.759
    per_unit: float = 0.423
    per_unit_mile: float = 0.000541
    split_penalty: float = 0.0  # the fixed cost per package already prices a split

    def package(
        self, location: Location, miles: float, units: int, weight_kg: float, service_level: ServiceLevel,
        orders_today: int = 0,
    ) -> PackageCost | None:
        shipping = self.per_package + units * (self.per_unit + self.per_unit_mile * miles)
        return PackageCost(location.code, shipping, 0.0, 0.0, None, None)

    def linear_terms(
        self, location: Location, miles: float, service_level: ServiceLevel, orders_today: int = 0,
    ) -> LinearTerms | None:
        return LinearTerms(self.per_package, self.per_unit + self.per_unit_mile * miles, 0.0)
