"""Look-ahead: what a unit of stock is worth to the orders still to come, so routing does not spend it blindly.

Acimovic & Graves (2015) and Jasin & Sinha (2015): solve a transportation LP that sends the stock left at each
location to the demand expected in each region for the rest of the horizon; the dual price of a location's
stock row is the *opportunity cost* of one unit consumed there now. The engine adds it to the cost of every unit
a plan takes, so a cheap but scarce unit near a dense region is kept for that region.

This module holds the data only; `omnifill.adapters.highs.opportunity_costs` solves it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from omnifill.domain.costs import LinearTerms
from omnifill.domain.errors import InvalidInput

OpportunityCosts = Mapping[tuple[str, str], float]  # (SKU, location code) → cost of consuming one unit there now


@dataclass(frozen=True, slots=True)
class TransportationProblem:
    """min Σ unit_cost·x + Σ lost_sale·lost  s.t.  what leaves a location ≤ its stock; what reaches a region
    plus what is lost = its expected demand.

    Keys: stock (sku, location); demand (sku, region); unit_cost (location, region), the cost of one unit
    sent there (per-unit cost plus, usually, a share of the per-package cost); lost_sale per sku, the cost of
    a unit not served, which keeps the LP feasible however short stock is. A (location, region) pair without
    a unit cost is a lane that cannot be used.
    """

    stock: Mapping[tuple[str, str], float]
    demand: Mapping[tuple[str, str], float]
    unit_cost: Mapping[tuple[str, str], float]
    lost_sale: Mapping[str, float]

    def __post_init__(self) -> None:
        if any(units < 0 for units in self.stock.values()):
            raise InvalidInput("stock", "must not be negative")
        if any(units < 0 for units in self.demand.values()):
            raise InvalidInput("demand", "must not be negative")
        if any(cost < 0 for cost in (*self.unit_cost.values(), *self.lost_sale.values())):
            raise InvalidInput("unit_cost", "costs must not be negative")
        missing = sorted({sku for sku, _ in self.demand} - set(self.lost_sale))
        if missing:
            raise InvalidInput("lost_sale", f"no lost-sale cost for {', '.join(missing[:5])}")

    @property
    def skus(self) -> list[str]:
        return sorted({sku for sku, _ in self.demand} | {sku for sku, _ in self.stock})


def amortized_unit_cost(terms: LinearTerms, weight_kg: float, units_per_package: float) -> float:
    """The cost of one unit on a lane when a package carries `units_per_package` units on average.

    `units_per_package` = inf leaves the per-package cost out (the pure per-unit cost).
    """
    if units_per_package <= 0:
        raise InvalidInput("units_per_package", "must be positive")
    return terms.unit_cost(weight_kg) + terms.per_package / units_per_package


def expected_demand(
    history: Iterable[tuple[str, Mapping[str, int]]], observed: timedelta, horizon: timedelta,
) -> dict[tuple[str, str], float]:
    """Units expected per (sku, region) over `horizon`, from orders observed over `observed` at the same rate.

    `history` is one (region, {sku: units}) per order seen, e.g. yesterday's orders by destination region;
    scaling to the horizon assumes the rate holds (no seasonality: pass a comparable window).
    """
    if observed <= timedelta(0):
        raise InvalidInput("observed", "must be a positive duration")
    if horizon < timedelta(0):
        raise InvalidInput("horizon", "must not be negative")
    scale = horizon / observed
    totals: dict[tuple[str, str], float] = {}
    for region, lines in history:
        for sku, units in lines.items():
            if units < 0:
                raise InvalidInput("history", "units must not be negative")
            totals[(sku, region)] = totals.get((sku, region), 0.0) + units
    return {key: units * scale for key, units in totals.items() if units > 0}
