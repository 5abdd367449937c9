"""The look-ahead: price each unit of stock by what the demand still to come would lose without it.

Two LPs (HiGHS) price today's stock against the demand expected from the ship orders of the recent past, scaled
to the horizon. `transportation` (the default): per (SKU, region) flows, regions being three-digit ZIP prefixes;
`plans`: the recent orders themselves, whole, with every location that could send them (the wave LP). The dual
price of each (SKU, location) stock row is stored as its opportunity cost, and order intake adds it to the cost
of every unit a plan takes. Run it on a schedule (`omnifill lookahead --every 900`) or on demand
(`POST /v1/routing/lookahead`); without a result, routing is simply myopic.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from omnifill.adapters.geography import lookup_postal_code, region_centroid, region_of
from omnifill.adapters.highs import hindsight_bound, opportunity_costs
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.costs import PackageCosting
from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Capability, GeoPoint, Location, great_circle_miles
from omnifill.domain.orders import ServiceLevel
from omnifill.domain.routing.lookahead import TransportationProblem, amortized_unit_cost, expected_demand
from omnifill.domain.routing.waves import WaveOption, WaveOrder, WaveProblem
from omnifill.services.routing import default_cost_model

LOST_SALE_FACTOR = 2.0  # a unit not served costs twice the dearest lane for it (Jasin & Sinha's penalty)
PLAN_LP_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class LookaheadRun:
    orders_seen: int
    skus: int
    locations: int
    regions: int
    priced: int  # (SKU, location) pairs with a positive opportunity cost
    seconds: float


class LookaheadMethod(StrEnum):
    TRANSPORTATION = "transportation"  # per-SKU flows to regions: fast, blind to how SKUs share packages
    PLANS = "plans"  # whole-order plans (the wave LP) over recent orders: knows packages; best on Jasin & Sinha


def solve_lookahead(
    uow: UnitOfWork, now: datetime, *, history: timedelta = timedelta(days=1), horizon: timedelta = timedelta(days=1),
    costing: PackageCosting | None = None, method: LookaheadMethod = LookaheadMethod.TRANSPORTATION,
) -> LookaheadRun:
    if history <= timedelta(0) or horizon <= timedelta(0):
        raise InvalidInput("history" if history <= timedelta(0) else "horizon", "must be a positive duration")
    started = time.perf_counter()
    costing = costing or default_cost_model()
    with uow.reading() as reader:
        seen = reader.orders.shipped_demand_since(now - history)
        demand = expected_demand(((region_of(code), lines) for code, lines in seen), history, horizon)
        stock = reader.inventory.availability({sku for sku, _ in demand})
    shippers = {loc.code: loc for _, loc, _, _ in stock.at if loc.can(Capability.SHIP)}
    regions = {region: point for _, region in demand if (point := region_centroid(region)) is not None}
    if method is LookaheadMethod.PLANS:
        prices = _plan_prices(seen, stock.at, shippers, stock.weights_kg, horizon / history, costing)
    else:
        units_per_package = max(1.0, sum(sum(lines.values()) for _, lines in seen) / max(1, len(seen)))
        problem = _problem(demand, stock.at, shippers, regions, stock.weights_kg, units_per_package, costing)
        prices = opportunity_costs(problem) if problem.demand else {}
    rows = [(sku, location, cost) for (sku, location), cost in sorted(prices.items()) if cost > 1e-9]
    with uow:
        uow.opportunity_costs.replace(rows, now)
        uow.commit()
    return LookaheadRun(len(seen), len({s for s, _ in demand}), len(shippers), len(regions), len(rows),
                        time.perf_counter() - started)


def _problem(
    demand: Mapping[tuple[str, str], float], at: list[tuple[int, Location, str, int]],
    shippers: Mapping[str, Location], regions: Mapping[str, GeoPoint], weights: Mapping[str, float],
    units_per_package: float, costing: PackageCosting,
) -> TransportationProblem:
    lane_terms = {}
    for code, location in shippers.items():
        for region, point in regions.items():
            terms = costing.linear_terms(location, great_circle_miles(location.position, point), ServiceLevel.STANDARD)
            if terms is not None:
                lane_terms[code, region] = terms
    average_weight = sum(weights.values()) / max(1, len(weights))
    unit_cost = {lane: amortized_unit_cost(terms, average_weight, units_per_package)
                 for lane, terms in lane_terms.items()}
    dearest = max(unit_cost.values(), default=1.0)
    return TransportationProblem(
        stock={(sku, loc.code): float(units) for _, loc, sku, units in at if loc.code in shippers},
        demand={key: units for key, units in demand.items() if key[1] in regions},
        unit_cost=unit_cost,
        lost_sale=dict.fromkeys({sku for sku, _ in demand}, LOST_SALE_FACTOR * dearest),
    )


def _plan_prices(
    seen: list[tuple[str, dict[str, int]]], at: list[tuple[int, Location, str, int]],
    shippers: Mapping[str, Location], weights: Mapping[str, float], scale: float, costing: PackageCosting,
) -> dict[tuple[str, str], float]:
    """Stock prices of the plan LP over the recent orders, each expected `scale` times again (Ma 2023's
    deterministic LP; on Jasin & Sinha's experiment its prices route within 2 % of the bound)."""
    stock = {(sku, loc.code): units for _, loc, sku, units in at if loc.code in shippers}
    orders, counts = [], {}
    for n, (postal_code, lines) in enumerate(seen):
        place = lookup_postal_code(postal_code)
        if place is None:
            continue
        options = []
        for code, location in shippers.items():
            held = {sku: weights.get(sku, 0.0) for sku in lines if stock.get((sku, code), 0) > 0}
            terms = costing.linear_terms(location, great_circle_miles(location.position, place.position),
                                         ServiceLevel.STANDARD) if held else None
            if terms is not None:
                options.append(WaveOption.from_terms(code, terms, held))
        if options:
            dearest = max(o.package_cost({s: u for s, u in lines.items() if s in o.per_unit}) for o in options)
            orders.append(WaveOrder(f"seen-{n}", lines, tuple(options), LOST_SALE_FACTOR * dearest))
            counts[f"seen-{n}"] = scale
    if not orders:
        return {}
    found = hindsight_bound(WaveProblem(tuple(orders), stock), counts, time_limit_s=PLAN_LP_SECONDS)
    return {key: price for key, price in found.stock_prices.items() if price > 0 and key[1] in shippers}
