"""Waves: orders that may wait (their profile is `batchable`) are re-optimized together before release.

Every order was already routed and reserved at intake, one at a time. A wave pools the stock they hold with
what is still available, and a MILP (HiGHS) chooses every order's plan at once, starting from the greedy plan
and never worse than the plans the orders already have. Orders whose plan changes swap their reservations and
get a "wave" decision. The solve runs outside any transaction; the swap runs in one, and if stock moved in the
meantime nothing is changed and the wave says so (409): run it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from omnifill.adapters.highs import solve_wave
from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.costs import PackageCosting
from omnifill.domain.errors import InsufficientStock, InvalidInput, NotFound
from omnifill.domain.locations import Location
from omnifill.domain.orders import (
    FULFILLMENT_TRANSITIONS,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    demand_of,
    transition,
)
from omnifill.domain.routing.engine import EligibleLocation, RoutingRequest, eligible_locations, price_plan
from omnifill.domain.routing.plans import AllocationPlan, planned
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.domain.routing.waves import WaveOption, WaveOrder, WavePlan, WaveProblem
from omnifill.services.orders import order_event, release_units, reserve_plan
from omnifill.services.routing import (
    LostRace,
    default_cost_model,
    destination_of,
    local_day,
    network_stock,
    orders_today,
)

OPTIONS_PER_ORDER = 8
UNFILLED_COST = 1_000.0  # per unit: the wave never gives up a unit an order already holds


@dataclass(frozen=True, slots=True)
class _Waiting:
    order: Order
    current: AllocationPlan
    problem: WaveOrder
    price: Callable[[AllocationPlan], float]  # exactly, as a routing decision prices it


def run_wave(
    uow: UnitOfWork, actor: str, now: datetime, *, time_limit_s: float = 10.0, max_orders: int = 5_000,
    costing: PackageCosting | None = None,
) -> dict[str, Any]:
    """Re-optimize the waiting orders; returns the wave's record (also stored, GET /v1/routing/waves/{id})."""
    if not 0 < time_limit_s <= 600:
        raise InvalidInput("time_limit_seconds", "must be more than 0 and at most 600")
    costing = costing or default_cost_model()
    wave_id = new_id("wave")
    with uow.reading() as reader:
        profiles = {p.name: p for p in reader.routing_profiles.all() if p.batchable}
        orders = reader.orders.waiting_for_wave(sorted(profiles), max_orders)
        stock = reader.inventory.availability({line.sku for o in orders for line in o.lines})
        holding = reader.locations.by_code({loc for o in orders for loc, _, _ in o.reserved_units()})
        pooled = _pooled(stock.at, orders, holding)
        taken = orders_today(reader, pooled, now)
    waiting = [_waiting(o, pooled, profiles[o.routing_profile or ""], stock.weights_kg, stock.opportunity, now,
                        costing) for o in orders]
    problem = WaveProblem(tuple(w.problem for w in waiting), _stock_by_pair(pooled),
                          _capacity(pooled, orders, taken))
    solved = solve_wave(problem, time_limit_s)
    changed = _changed(waiting, solved)
    record = _record(wave_id, now, waiting, changed, solved)
    with uow:
        try:
            _swap_all(uow, changed, solved, stock.sku_ids, wave_id, actor, now)
        except LostRace:
            raise InsufficientStock("stock changed while the wave was solved; nothing was changed, run it again") \
                from None
        uow.waves.add(wave_id, record, now)
        uow.commit()
    return record


def _pooled(
    at: Sequence[tuple[int, Location, str, int]], orders: Sequence[Order],
    holding: Mapping[str, tuple[int, Location]],
) -> list[tuple[int, Location, str, int]]:
    """Available stock plus what the wave's orders hold: all of it is theirs to share out again."""
    places = {loc.code: (location_id, loc) for location_id, loc, _, _ in at} | dict(holding)
    units = {(loc.code, sku): n for _, loc, sku, n in at}
    for o in orders:
        for code, sku, held in o.reserved_units():
            units[code, sku] = units.get((code, sku), 0) + held
    return [(*places[code], sku, n) for (code, sku), n in units.items()]


def _capacity(
    pooled: Sequence[tuple[int, Location, str, int]], orders: Sequence[Order], taken: Mapping[str, int],
) -> dict[str, int]:
    """Packages each capacity-limited location may hold after the wave: the slots left today, plus those the
    wave's own orders already hold there (an order that stays does not take a new one)."""
    held: dict[str, int] = {}
    for order in orders:
        for code in {f.location for f in order.live_fulfillments()}:
            held[code] = held.get(code, 0) + 1
    limits = {loc.code: loc.daily_order_capacity for _, loc, _, _ in pooled if loc.daily_order_capacity is not None}
    return {code: max(0, limit - taken.get(code, 0)) + held.get(code, 0) for code, limit in limits.items()}


def _stock_by_pair(pooled: Sequence[tuple[int, Location, str, int]]) -> dict[tuple[str, str], int]:
    return {(sku, loc.code): units for _, loc, sku, units in pooled}


def _waiting(
    order: Order, pooled: Sequence[tuple[int, Location, str, int]], profile: RoutingProfile,
    weights: Mapping[str, float], opportunity: Mapping[tuple[str, str], float], now: datetime,
    costing: PackageCosting,
) -> _Waiting:
    destination = destination_of(order.ship_to)
    demand = demand_of(order.lines)
    network = network_stock([row for row in pooled if row[2] in demand], destination)
    request = RoutingRequest(demand, order.delivery, now, destination, weights, order.delivery.promised_by)
    eligible = eligible_locations(request, network.candidates, profile, costing, opportunity)
    current = AllocationPlan(tuple(planned(f.location, {ln.sku: ln.quantity for ln in f.lines})
                                   for f in order.live_fulfillments()))
    keep = {f.location for f in current.fulfillments}
    ranked = sorted(eligible, key=lambda e: (e.quote.total / sum(e.supply.values()), e.location))
    chosen = [e for e in ranked if e.location in keep] + [e for e in ranked if e.location not in keep]
    options = tuple(_option(e, weights, opportunity, costing.split_penalty)
                    for e in chosen[:max(OPTIONS_PER_ORDER, len(keep))])
    problem = WaveOrder(order.id, demand, options, UNFILLED_COST, profile.max_packages)

    def price(plan: AllocationPlan) -> float:
        return price_plan(request, plan, network.candidates, costing, opportunity, profile.look_ahead)

    return _Waiting(order, current, problem, price)


def _option(
    eligible: EligibleLocation, weights: Mapping[str, float], opportunity: Mapping[tuple[str, str], float],
    split_penalty: float,
) -> WaveOption:
    """The location priced as the rate card prices it (first-kilogram floor included), plus each unit's
    opportunity cost and, per package, the split penalty (a constant per order, so it changes no choice but
    the number of packages)."""
    exact = WaveOption.from_terms(eligible.location, eligible.terms,
                                  {sku: weights.get(sku, 0.0) for sku in eligible.supply}, split_penalty)
    extra = {sku: opportunity.get((sku, eligible.location), 0.0) for sku in eligible.supply}
    return replace(exact, per_unit={sku: cost + extra[sku] for sku, cost in exact.per_unit.items()},
                   floor_unit={sku: cost + extra[sku] for sku, cost in exact.floor_unit.items()})


def _cost(order: WaveOrder, plan: AllocationPlan) -> float:
    options = {o.location: o for o in order.options}
    total = 0.0
    for f in plan.fulfillments:
        option = options.get(f.location)
        if option is None:
            return float("inf")
        total += option.per_package + sum(option.per_unit.get(sku, float("inf")) * n for sku, n in f.lines)
    return total


def _changed(waiting: Sequence[_Waiting], solved: WavePlan) -> list[_Waiting]:
    """All the wave's new plans, or none: they share the pooled stock, so only together are they feasible.

    They are taken only if they cost less, together, than the plans the orders already have.
    """
    if solved.unfilled or any(w.order.id not in solved.plans for w in waiting):
        return []
    before = sum(w.price(w.current) for w in waiting)
    after = sum(w.price(solved.plans[w.order.id]) for w in waiting)
    if after >= before - 1e-6:
        return []
    return [w for w in waiting if solved.plans[w.order.id] != w.current]


def _swap_all(
    uow: UnitOfWork, changed: Sequence[_Waiting], solved: WavePlan, sku_ids: Mapping[str, int], wave_id: str,
    actor: str, now: datetime,
) -> None:
    """Release every changed order's stock first, then reserve the new plans: they trade units among them."""
    orders = [_still_waiting(uow, w) for w in changed]
    moving = [(w, order) for w, order in zip(changed, orders, strict=True) if order is not None]
    if len(moving) < len(changed):
        raise LostRace()  # an order moved on: the new plans only fit together, so none is taken
    ledger = []
    new_locations = {f.location for w in changed for f in solved.plans[w.order.id].fulfillments}
    old_locations = {f.location for _, order in moving for f in order.live_fulfillments()}
    places = uow.locations.by_code(new_locations | old_locations)
    for _, order in moving:
        ledger += release_units(uow, order.id, sorted(order.reserved_units()), actor, now, f"wave {wave_id}")
        staying = {f.location for f in solved.plans[order.id].fulfillments}
        for code in {f.location for f in order.live_fulfillments()} - staying:  # it leaves: its slot is free
            location_id, location = places[code]
            if location.daily_order_capacity is not None:
                uow.location_loads.give_back(location_id, local_day(location, now))
    location_ids = {code: found[0] for code, found in places.items()}
    for waiting, order in moving:
        new = solved.plans[order.id]
        ledger += reserve_plan(uow, order.id, new, dict(sku_ids), location_ids, actor, now, f"wave {wave_id}")
        before = {f.location for f in order.live_fulfillments()}
        for code in {f.location for f in new.fulfillments} - before:  # a location new to the order takes a slot
            location_id, location = places[code]
            capacity = location.daily_order_capacity
            if capacity is not None and not uow.location_loads.take(location_id, local_day(location, now), capacity):
                raise LostRace()
        _replace_fulfillments(uow, order, new, sku_ids, location_ids, now)
        uow.routing_decisions.add(order.id, "wave", order.routing_profile or "default", {
            "wave": wave_id, "previous": _lines(waiting.current), "packages": _lines(new),
            "cost_before": round(waiting.price(waiting.current), 4),
            "cost_after": round(waiting.price(new), 4),
        }, now)
        uow.outbox.add([order_event("order.rerouted", order, now)])
    uow.inventory.record(ledger, now)


def _still_waiting(uow: UnitOfWork, waiting: _Waiting) -> Order | None:
    order = uow.orders.get(waiting.order.id, lock=True)
    if order is None or [f.id for f in order.live_fulfillments()] != [f.id for f in waiting.order.live_fulfillments()]:
        return None
    return order if all(f.status is FulfillmentStatus.PENDING for f in order.live_fulfillments()) else None


def _replace_fulfillments(
    uow: UnitOfWork, order: Order, new: AllocationPlan, sku_ids: Mapping[str, int], location_ids: Mapping[str, int],
    now: datetime,
) -> None:
    for fulfillment in order.live_fulfillments():
        fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, FulfillmentStatus.CANCELLED,
                                        f"fulfillment {fulfillment.id}")
    added = [FulfillmentOrder(new_id("ful"), f.location, FulfillmentStatus.PENDING,
                              tuple(FulfillmentLine(sku, n) for sku, n in f.lines)) for f in new.fulfillments]
    uow.orders.add_fulfillments(order.id, added, sku_ids, location_ids, now)
    order.fulfillments.extend(added)
    uow.orders.change_status(order, order.status, now)


def _lines(plan: AllocationPlan) -> list[dict[str, Any]]:
    return [{"location": f.location, "lines": [{"sku": s, "quantity": n} for s, n in f.lines]}
            for f in plan.fulfillments]


def _record(
    wave_id: str, now: datetime, waiting: Sequence[_Waiting], changed: Sequence[_Waiting], solved: WavePlan,
) -> dict[str, Any]:
    before = sum(w.price(w.current) for w in waiting)
    moved = {w.order.id for w in changed}
    after = sum(w.price(solved.plans[w.order.id] if w.order.id in moved else w.current) for w in waiting)
    return {
        "id": wave_id, "started_at": now.isoformat(), "orders": len(waiting), "changed": len(changed),
        "cost_before": round(before, 4), "cost_after": round(after, 4),
        "objective": round(solved.objective, 4), "greedy_objective": round(solved.greedy_objective, 4),
        "best_bound": round(solved.best_bound, 4) if solved.best_bound > float("-inf") else None,
        "gap": round(solved.gap, 6), "seconds": round(solved.seconds, 3), "status": solved.status,
        "fallback": solved.fallback,
    }


def get_wave(uow: UnitOfWork, wave_id: str) -> dict[str, Any]:
    with uow.reading() as reader:
        found = reader.waves.get(wave_id)
    if found is None:
        raise NotFound(f"no wave {wave_id}", wave_id=wave_id)
    return found.body
