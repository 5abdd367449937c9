"""The routing engine: which location(s) fulfill an order, at the least total cost that keeps the promise.

1. Screen: each candidate passes the profile's filters or is recorded with the reason it fell out (rejected
   this order before, disabled, cannot ship, excluded, too far, at capacity, no stock beyond its safety buffer,
   no service to its zone, too late for the promised date).
2. Price: every survivor is priced as if it sent, in one package, what it holds of the order: shipping,
   handling, capacity surcharge and — with a look-ahead result — the opportunity cost of the stock it uses.
3. Search: one package from each location that covers the order; splits over a shortlist (per SKU the few
   locations where it costs least) of up to `max_packages` locations, each SKU's units going to the open
   location where a unit costs least. A split beats the best single package only if it saves more than
   `split_threshold`. Ties: fewer packages, earlier delivery, shorter distance, then location codes.

The decision keeps every candidate with its verdict and cost so anyone can read why the winner won.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import combinations
from typing import NamedTuple

from omnifill.domain.costs import LinearTerms, PackageCost, PackageCosting, carrier_zone
from omnifill.domain.errors import InsufficientStock, InvalidInput
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.orders import Delivery, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.lookahead import OpportunityCosts
from omnifill.domain.routing.plans import AllocationPlan, Candidate, planned
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.domain.routing.promises import ship_date

PER_SKU_SHORTLIST = 3  # locations per SKU a split may draw on
SHORTLIST_CAP = 10  # pairs are drawn from up to 10 locations…
WIDE_SPLIT_CAP = 6  # …splits of 3 or more from the first 6: at most 45 + 20 + 15 + … plans are priced per order


class Verdict(StrEnum):
    CHOSEN = "chosen"
    CONSIDERED = "considered"
    FILTERED = "filtered"


@dataclass(frozen=True, slots=True)
class RoutingRequest:
    demand: Mapping[str, int]
    delivery: Delivery
    placed_at: datetime  # time-zone aware: cut-offs are local to each location
    destination: GeoPoint | None = None
    weights_kg: Mapping[str, float] = field(default_factory=dict)
    promised_by: date | None = None
    exclude: frozenset[str] = frozenset()  # locations that rejected or short-picked this order
    allow_partial: bool = False  # place what can be placed and return the rest as unfilled (re-routing)

    @property
    def service_level(self) -> ServiceLevel:
        return self.delivery.service_level or ServiceLevel.STANDARD


class PackageQuote(NamedTuple):  # a tuple: routing builds one per candidate priced
    location: str
    lines: tuple[tuple[str, int], ...]
    cost: PackageCost
    opportunity: float
    delivers_on: date | None

    @property
    def total(self) -> float:
        return self.cost.total + self.opportunity


@dataclass(frozen=True, slots=True)
class CandidateReport:
    location: str
    kind: LocationKind
    verdict: Verdict
    reason: str
    distance_miles: float | None
    supply: Mapping[str, int]  # units of each ordered SKU it could give
    quote: PackageQuote | None  # its supply sent in one package


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    profile: str
    packages: tuple[PackageQuote, ...]
    split_penalty: float
    unfilled: Mapping[str, int]
    candidates: tuple[CandidateReport, ...]

    @property
    def plan(self) -> AllocationPlan:
        """The fulfillments the packages make: what intake reserves (a promise never asks)."""
        return AllocationPlan(tuple(planned(p.location, dict(p.lines)) for p in self.packages))

    @property
    def total_cost(self) -> float:
        return sum(p.total for p in self.packages) + self.split_penalty

    @property
    def delivers_on(self) -> date | None:
        dates = [p.delivers_on for p in self.packages]
        return None if not dates or None in dates else max(d for d in dates if d is not None)


@dataclass(slots=True)  # not frozen: built for every candidate screened, and never changed
class _Option:
    """A candidate that passed every filter."""

    code: str
    candidate: Candidate
    miles: float
    supply: dict[str, int]
    quote: PackageQuote


PlanRank = tuple[int, float, int, int, float, tuple[str, ...]]


@dataclass(slots=True)  # not frozen: built for every plan priced, and never changed
class _Plan:
    packages: tuple[PackageQuote, ...]
    split_penalty: float
    unfilled: dict[str, int]
    miles: float
    rank: PlanRank = field(init=False)

    def __post_init__(self) -> None:
        self.rank = _rank_of(self.packages, self.split_penalty, sum(self.unfilled.values()), self.miles)


def _rank_of(packages: tuple[PackageQuote, ...], split_penalty: float, unfilled: int, miles: float) -> PlanRank:
    """How plans compare: fewer units unfilled, lower total cost, fewer packages, earlier delivery, fewer miles,
    then location codes. Computed once per plan: a search compares each plan several times."""
    latest, total = 0, 0.0
    for package in packages:  # a loop, not generators: this runs for every plan priced
        total += package.total
        if package.delivers_on is not None:
            latest = max(latest, package.delivers_on.toordinal())
    return (unfilled, round(total + split_penalty, 6), len(packages), latest, round(miles, 3),
            tuple([p.location for p in packages]))


def _single_rank(option: _Option, unfilled: int) -> PlanRank:
    return _rank_of((option.quote,), 0.0, unfilled, option.miles)


def _rank(plan: _Plan) -> PlanRank:
    return plan.rank


class _Router:
    def __init__(
        self, request: RoutingRequest, profile: RoutingProfile, costing: PackageCosting,
        opportunity: OpportunityCosts | None,
    ) -> None:
        self.request = request
        self.profile = profile
        self.costing = costing
        self.opportunity = opportunity if (opportunity and profile.look_ahead) else {}
        self.level = request.service_level
        self.pickup = request.delivery.method is DeliveryMethod.PICKUP
        self._delivery_dates: dict[tuple[str, time, int], date] = {}
        self._terms: dict[str, LinearTerms] = {}

    def delivery_date(self, location: Location, transit_days: int) -> date:
        """Memoized per time zone, cut-off and transit: a hundred candidates share a handful of them."""
        key = (location.time_zone, location.ship_cutoff, transit_days)
        found = self._delivery_dates.get(key)
        if found is None:
            found = self._delivery_dates[key] = (ship_date(location, self.request.placed_at)
                                                 + timedelta(days=transit_days))
        return found

    def unit_cost(self, option: _Option, sku: str) -> float:
        weight = self.request.weights_kg.get(sku, 0.0)
        return self.terms(option).unit_cost(weight) + self.opportunity.get((sku, option.code), 0.0)

    def terms(self, option: _Option) -> LinearTerms:
        """The option's linear cost terms, computed when a split or an optimizer first needs them."""
        found = self._terms.get(option.code)
        if found is None:
            found = self.costing.linear_terms(option.candidate.location, option.miles, self.request.service_level,
                                              option.candidate.orders_today)
            assert found is not None, "linear_terms refused a location package() accepted"
            self._terms[option.code] = found
        return found

    def quote(self, candidate: Candidate, miles: float, lines: Mapping[str, int]) -> PackageQuote | None:
        location, weights = candidate.location, self.request.weights_kg
        units, weight = 0, 0.0
        for sku, n in lines.items():  # a loop, not generators: this runs for every package priced
            units += n
            weight += weights.get(sku, 0.0) * n
        cost = self.costing.package(location, miles, units, weight, self.level, candidate.orders_today)
        if cost is None:
            return None
        if self.pickup:
            cost = cost._replace(shipping=0.0, zone=None, transit_days=0)
        opportunity = sum(self.opportunity.get((sku, location.code), 0.0) * n for sku, n in lines.items()) \
            if self.opportunity else 0.0
        delivers_on = self.delivery_date(location, cost.transit_days) if cost.transit_days is not None else None
        items = tuple(lines.items()) if len(lines) == 1 else tuple(sorted(lines.items()))
        return PackageQuote(location.code, items, cost, opportunity, delivers_on)

    def screen(self, candidate: Candidate) -> _Option | str:
        """The candidate as an option, or why it cannot take part in this order."""
        location, request, profile = candidate.location, self.request, self.profile
        miles = candidate.distance_miles or 0.0
        pickup, level = self.pickup, self.level
        if location.code in request.exclude:
            return "rejected or short-picked this order before"
        if not location.fulfillment_enabled:
            return "fulfillment is disabled here"
        if not pickup:
            if Capability.SHIP not in location.capabilities:
                return "does not ship"
            if level is ServiceLevel.SAME_DAY and Capability.SAME_DAY not in location.capabilities:
                return "does not offer same-day delivery"
            if location.code in profile.excluded_locations:
                return f"excluded by routing profile {profile.name}"
            if location.kind in profile.excluded_kinds:
                return f"{location.kind} locations are excluded by routing profile {profile.name}"
            if profile.max_distance_miles is not None and miles > profile.max_distance_miles:
                return f"{miles:.0f} mi away, beyond the profile's {profile.max_distance_miles:g} mi"
            radius = location.service_radius_miles
            if level is ServiceLevel.SAME_DAY and radius is not None and miles > radius:
                return f"{miles:.0f} mi away, beyond its same-day radius of {radius:g} mi"
        capacity = location.daily_order_capacity
        if capacity is not None and candidate.orders_today >= capacity:
            return f"at its daily capacity of {capacity} orders"
        hourly = location.hourly_order_capacity
        if hourly is not None and candidate.orders_this_hour >= hourly:
            return f"at its hourly capacity of {hourly} orders"
        buffer = profile.safety_buffer(location.code, location.kind)
        supply = {}
        for sku, units in request.demand.items():
            spare = candidate.available.get(sku, 0) - buffer
            if spare > 0:
                supply[sku] = min(units, spare)
        if not supply:
            return "holds none of the ordered SKUs" + (f" beyond its safety buffer of {buffer}" if buffer else "")
        quote = self.quote(candidate, miles, supply)
        if quote is None:
            return f"{level} service does not reach zone {carrier_zone(miles)}"
        promised = request.promised_by
        if (profile.enforce_promise and promised and quote.delivers_on and quote.delivers_on > promised
                and not pickup):
            return f"would deliver on {quote.delivers_on.isoformat()}, after the promised {promised.isoformat()}"
        return _Option(location.code, candidate, miles, supply, quote)

    def best_single(self, options: Sequence[_Option]) -> _Plan | None:
        """The best one-package plan. A plan's rank starts with its units unfilled and its cost, so only options
        tied on both are ranked in full, and only the winner is built as a plan."""
        demand = self.request.demand
        best: _Option | None = None
        best_key = (0, 0.0)
        for option in options:
            supply, short = option.supply, 0
            for sku, units in demand.items():
                short += max(0, units - supply.get(sku, 0))
            key = (short, round(option.quote.total, 6))
            if best is None or key < best_key or (
                    key == best_key and _single_rank(option, short) < _single_rank(best, short)):
                best, best_key = option, key
        return None if best is None else _Plan((best.quote,), 0.0, _unfilled(demand, best.supply), best.miles)

    def split(self, options: Sequence[_Option], cheapest_first: Mapping[str, Sequence[_Option]]) -> _Plan | None:
        """Each SKU's units go to the open location where a unit costs least; None if a location gets nothing.

        `cheapest_first` lists, per SKU, the pool's holders by unit cost: ranked once, walked per group.
        """
        take: dict[str, dict[str, int]] = {o.code: {} for o in options}
        unfilled: dict[str, int] = {}
        for sku, wanted in self.request.demand.items():
            for option in cheapest_first[sku]:
                lines = take.get(option.code)
                if lines is None:
                    continue
                units = min(wanted, option.supply[sku])
                lines[sku] = units
                wanted -= units
                if wanted == 0:
                    break
            if wanted:
                unfilled[sku] = wanted
        if any(not lines for lines in take.values()):
            return None
        packages = []
        for option in sorted(options, key=lambda o: o.code):  # a plan lists its packages by location code
            quote = self.quote(option.candidate, option.miles, take[option.code])
            if quote is None:
                return None
            packages.append(quote)
        penalty = self.costing.split_penalty * (len(packages) - 1)
        return _Plan(tuple(packages), penalty, unfilled, sum(o.miles for o in options))

    def cheapest_first(self, pool: Sequence[_Option], sku: str) -> list[_Option]:
        return sorted((o for o in pool if sku in o.supply), key=lambda o: (self.unit_cost(o, sku), o.code))

    def shortlist(self, options: Sequence[_Option]) -> list[_Option]:
        """Per SKU the locations where sending it alone costs least, then the cheapest whole-supply packages;
        cheapest per unit first."""
        chosen: dict[str, _Option] = {}
        for sku, units in self.request.demand.items():
            holders = [o for o in options if sku in o.supply]
            holders.sort(key=lambda o: (self.terms(o).per_package + units * self.unit_cost(o, sku), o.code))
            for option in holders[:PER_SKU_SHORTLIST]:
                chosen.setdefault(option.code, option)
        by_unit_cost = sorted(options, key=_per_unit)
        for option in by_unit_cost:
            if len(chosen) >= SHORTLIST_CAP:
                break
            chosen.setdefault(option.code, option)
        return sorted(chosen.values(), key=_per_unit)[:SHORTLIST_CAP]


def route_order(
    request: RoutingRequest, candidates: Sequence[Candidate], profile: RoutingProfile, costing: PackageCosting,
    opportunity: OpportunityCosts | None = None, *, explain: bool = True,
) -> RoutingDecision:
    """The cheapest feasible plan for one order, with the reasons behind it (unless `explain` is off: promises
    for a product page need the plan only)."""
    router = _Router(request, profile, costing, opportunity)
    if request.delivery.method is DeliveryMethod.PICKUP:
        candidates = _pickup_store(request, candidates)
    screened = [(c, router.screen(c)) for c in candidates]
    options = [s for _, s in screened if isinstance(s, _Option)]
    best = _best_plan(router, options)
    if best is None and request.allow_partial:
        best = _Plan((), 0.0, dict(request.demand), 0.0)
    if best is None or (best.unfilled and not request.allow_partial):
        _refuse(request, options, profile)
    assert best is not None
    return RoutingDecision(
        profile=profile.name, packages=best.packages, split_penalty=best.split_penalty, unfilled=best.unfilled,
        candidates=tuple(_report(c, s, best) for c, s in screened) if explain else (),
    )


@dataclass(frozen=True, slots=True)
class EligibleLocation:
    """A location that passed every filter for an order: what it can supply and its linear cost terms."""

    location: str
    distance_miles: float
    supply: Mapping[str, int]
    terms: LinearTerms
    quote: PackageQuote  # its supply in one package, priced exactly


def eligible_locations(
    request: RoutingRequest, candidates: Sequence[Candidate], profile: RoutingProfile, costing: PackageCosting,
    opportunity: OpportunityCosts | None = None,
) -> list[EligibleLocation]:
    """The locations an order may draw on under its profile: what a wave optimizer chooses among."""
    router = _Router(request, profile, costing, opportunity)
    options = [s for s in map(router.screen, candidates) if isinstance(s, _Option)]
    return [EligibleLocation(o.code, o.miles, o.supply, router.terms(o), o.quote) for o in options]


def price_plan(
    request: RoutingRequest, plan: AllocationPlan, candidates: Sequence[Candidate], costing: PackageCosting,
    opportunity: OpportunityCosts | None = None, look_ahead: bool = True,
) -> float:
    """What a plan costs, priced package by package as a decision would; inf if a package cannot be sent."""
    router = _Router(request, RoutingProfile(look_ahead=look_ahead), costing, opportunity)
    by_code = {c.location.code: c for c in candidates}
    total = costing.split_penalty * max(0, len(plan.fulfillments) - 1)
    for fulfillment in plan.fulfillments:
        candidate = by_code.get(fulfillment.location)
        quote = router.quote(candidate, candidate.distance_miles or 0.0, dict(fulfillment.lines)) if candidate else None
        if quote is None:
            return float("inf")
        total += quote.total
    return total


def _best_plan(router: _Router, options: Sequence[_Option]) -> _Plan | None:
    best_single = router.best_single(options)
    demand = router.request.demand
    worth_splitting = len(demand) > 1 or best_single is None or bool(best_single.unfilled)
    best_split = None
    if router.profile.max_packages > 1 and worth_splitting and len(options) > 1:
        pool = router.shortlist(options)
        cheapest_first = {sku: router.cheapest_first(pool, sku) for sku in demand}
        wide = pool[:WIDE_SPLIT_CAP]
        plans = (router.split(group, cheapest_first)
                 for size in range(2, min(router.profile.max_packages, len(pool)) + 1)
                 for group in combinations(pool if size == 2 else wide, size))
        best_split = min((p for p in plans if p is not None), key=_rank, default=None)
    if best_single is None:
        return best_split
    if best_split is None:
        return best_single
    filled_more = sum(best_split.unfilled.values()) < sum(best_single.unfilled.values())
    saving = best_single.rank[1] - best_split.rank[1]
    same_fill = best_split.unfilled == best_single.unfilled
    return best_split if filled_more or (same_fill and saving > router.profile.split_threshold) else best_single


def _per_unit(option: _Option) -> tuple[float, str]:
    return option.quote.total / sum(option.supply.values()), option.code


def _pickup_store(request: RoutingRequest, candidates: Sequence[Candidate]) -> list[Candidate]:
    store = next((c for c in candidates if c.location.code == request.delivery.location), None)
    if store is None or not store.location.can(Capability.PICKUP):
        raise InvalidInput("delivery.location", f"{request.delivery.location} does not offer pickup")
    return [store]


def _refuse(request: RoutingRequest, options: Sequence[_Option], profile: RoutingProfile) -> None:
    short = []
    for sku, units in sorted(request.demand.items()):
        available = sum(o.supply.get(sku, 0) for o in options)
        if available < units:
            short.append({"sku": sku, "requested": units, "available": available})
    if short:
        raise InsufficientStock("not enough stock where this order may be routed", short=short)
    raise InsufficientStock(f"no plan of at most {profile.max_packages} packages covers every line", short=[])


def _unfilled(demand: Mapping[str, int], supply: Mapping[str, int]) -> dict[str, int]:
    return {sku: units - supply.get(sku, 0) for sku, units in demand.items() if units > supply.get(sku, 0)}


def _report(candidate: Candidate, screened: _Option | str, best: _Plan) -> CandidateReport:
    location = candidate.location
    if isinstance(screened, str):
        return CandidateReport(location.code, location.kind, Verdict.FILTERED, screened, candidate.distance_miles,
                               {}, None)
    chosen = next((p for p in best.packages if p.location == location.code), None)
    if chosen is not None:
        verdict, reason = Verdict.CHOSEN, f"ships {sum(n for _, n in chosen.lines)} units for {chosen.total:.2f}"
    else:
        verdict, reason = Verdict.CONSIDERED, _lost_by(screened, best)
    return CandidateReport(location.code, location.kind, verdict, reason, candidate.distance_miles,
                           screened.supply, screened.quote)


def _lost_by(option: _Option, best: _Plan) -> str:
    winner = best.rank[1]
    alone = option.quote.total
    covers = not _unfilled(_demand_of(best), option.supply)
    if covers:
        return f"one package from here costs {alone:.2f}, {alone - winner:.2f} more than the chosen plan"
    return f"holds only part of the order (one package {alone:.2f}); not in the cheapest plan"


def _demand_of(plan: _Plan) -> dict[str, int]:
    found: dict[str, int] = dict(plan.unfilled)
    for package in plan.packages:
        for sku, units in package.lines:
            found[sku] = found.get(sku, 0) + units
    return found
