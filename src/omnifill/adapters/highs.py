"""Everything that calls HiGHS: the look-ahead LP, the wave MILP and the LP bound routing is measured against.

- `opportunity_costs`: the transportation LP of `domain/routing/lookahead.py`; returns the dual price of each
  (sku, location) stock row: what one unit consumed there now costs the orders still to come.
- `solve_wave`: the wave of `domain/routing/waves.py`: greedy plan, plan-LP bound and rounding, then the MILP
  warm-started from the better plan when that is not yet within the gap; never worse than greedy.
- `hindsight_bound`: the LP over whole fulfillment plans (one convexity row per order, stock and capacity
  rows), by column generation with an exact per-order pricing step. Over one day's orders it is the hindsight
  bound; over order *types* weighted by expected counts it is the deterministic LP of Jasin & Sinha (2015) and
  Amil, Makhdoumi & Wei (2025). Its value is a Lagrangian bound, so it stays valid when stopped early.

Models are built from numpy arrays and passed whole (`passModel`, `addCols`), never variable by variable.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

import highspy
import numpy as np
import numpy.typing as npt

from omnifill.domain.routing.lookahead import TransportationProblem
from omnifill.domain.routing.waves import (
    Assignment,
    WaveOption,
    WaveOrder,
    WavePlan,
    WaveProblem,
    assignment_cost,
    cheapest_assignment,
    greedy_wave,
    to_plan,
)

INF = highspy.kHighsInf
COLWISE, MINIMIZE = 1, 1
FEASIBLE = highspy.SolutionStatus.kSolutionStatusFeasible
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int32]
Longs = npt.NDArray[np.int64]
K = TypeVar("K", bound=Hashable)


@cache
def _swallow_banner() -> bool:
    """highspy prints a banner on stdout when a process makes its first solver, before any option can be set:
    make that first one with stdout pointed at /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return True


def _solver(**options: float | str) -> highspy.Highs:
    _swallow_banner()
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    for name, value in options.items():
        solver.setOptionValue(name, value)
    return solver


@dataclass(slots=True)
class _Matrix:
    """A sparse constraint matrix grown in blocks of (row, col, value) triples, with its row bounds."""

    rows: list[Ints] = field(default_factory=list)
    cols: list[Ints] = field(default_factory=list)
    values: list[Floats] = field(default_factory=list)
    lower: list[Floats] = field(default_factory=list)
    upper: list[Floats] = field(default_factory=list)
    count: int = 0

    def add_rows(self, lower: Floats, upper: Floats) -> int:
        """New rows; returns the index of the first."""
        first = self.count
        self.lower.append(lower)
        self.upper.append(upper)
        self.count += len(lower)
        return first

    def add(self, rows: npt.ArrayLike, cols: npt.ArrayLike, values: npt.ArrayLike) -> None:
        self.rows.append(np.asarray(rows, dtype=np.int32))
        self.cols.append(np.asarray(cols, dtype=np.int32))
        self.values.append(np.asarray(values, dtype=np.float64))

    def add_limits(self, groups: Sequence[K], cols: Ints, reach: Floats, limit_of: Callable[[K], float | None]) -> None:
        """Σ cols of a group ≤ its limit, only for groups whose columns could together exceed it."""
        index: dict[K, int] = {}
        group = np.array([index.setdefault(g, len(index)) for g in groups], dtype=np.int64)
        if not index:
            return
        limits = np.array([np.inf if (lim := limit_of(g)) is None else lim for g in index], dtype=np.float64)
        binding = np.bincount(group, weights=reach, minlength=len(index)) > limits + 1e-9
        first = self.add_rows(np.full(int(binding.sum()), -INF), limits[binding])
        keep = binding[group]
        self.add(first + (np.cumsum(binding) - 1)[group[keep]], cols[keep], np.ones(int(keep.sum())))

    def pass_to(self, solver: highspy.Highs, cost: Floats, lower: Floats, upper: Floats,
                integer: Ints | None = None) -> None:
        row, col, value = (np.concatenate(p) if p else np.zeros(0) for p in (self.rows, self.cols, self.values))
        order = np.lexsort((row, col))
        start = np.searchsorted(col[order], np.arange(len(cost) + 1)).astype(np.int32)
        bounds = [np.concatenate(b) if b else np.zeros(0) for b in (self.lower, self.upper)]
        kinds = integer if integer is not None else np.zeros(len(cost), dtype=np.int32)
        status = solver.passModel(len(cost), self.count, len(value), COLWISE, MINIMIZE, 0.0, cost, lower, upper,
                                  bounds[0], bounds[1], start, row[order].astype(np.int32),
                                  value[order].astype(np.float64), kinds)
        if status != highspy.HighsStatus.kOk:
            raise RuntimeError(f"HiGHS refused the model: {status}")


# --- look-ahead -----------------------------------------------------------------------------------------------

def opportunity_costs(
    problem: TransportationProblem, sources_per_demand: int | None = None,
) -> dict[tuple[str, str], float]:
    """(sku, location) → the dual price of its stock row (≥ 0; 0 where stock is not binding).

    `sources_per_demand` keeps only the cheapest lanes into each (sku, region): a smaller LP, nearly the same
    prices on a large network.
    """
    stock_keys = sorted(k for k, units in problem.stock.items() if units > 0)
    demand_keys = sorted(k for k, units in problem.demand.items() if units > 0)
    if not demand_keys or not stock_keys:
        return dict.fromkeys(stock_keys, 0.0)
    stock_row = {key: i for i, key in enumerate(stock_keys)}
    lanes_into: dict[str, list[tuple[float, str]]] = {}  # region → (unit cost, location), cheapest first
    for (location, region), unit in problem.unit_cost.items():
        lanes_into.setdefault(region, []).append((unit, location))
    for lanes in lanes_into.values():
        lanes.sort()
    limit = sources_per_demand if sources_per_demand is not None else len(stock_keys)
    cost: list[float] = []
    lane_stock: list[int] = []
    lane_demand: list[int] = []
    for d, (sku, region) in enumerate(demand_keys):
        found = 0
        for unit, location in lanes_into.get(region, ()):
            row = stock_row.get((sku, location))
            if row is not None:
                lane_stock.append(row)
                lane_demand.append(d)
                cost.append(unit)
                found += 1
                if found == limit:
                    break
    lanes_n, n_stock, n_demand = len(cost), len(stock_keys), len(demand_keys)
    cost += [problem.lost_sale[sku] for sku, _ in demand_keys]  # one lost-sale column per demand row
    matrix = _Matrix()
    supply = np.array([float(problem.stock[k]) for k in stock_keys])
    demand = np.array([problem.demand[k] for k in demand_keys])
    matrix.add_rows(np.full(n_stock, -INF), supply)
    matrix.add_rows(demand, demand)
    matrix.add(lane_stock, np.arange(lanes_n), np.ones(lanes_n))
    matrix.add(n_stock + np.array(lane_demand, dtype=np.int32), np.arange(lanes_n), np.ones(lanes_n))
    matrix.add(n_stock + np.arange(n_demand), lanes_n + np.arange(n_demand), np.ones(n_demand))
    solver = _solver()
    matrix.pass_to(solver, np.array(cost), np.zeros(len(cost)), np.full(len(cost), INF))
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the transportation LP ended {solver.modelStatusToString(solver.getModelStatus())}")
    duals = np.asarray(solver.getSolution().row_dual[:n_stock])
    return {key: max(0.0, -float(dual)) for key, dual in zip(stock_keys, duals, strict=True)}


# --- waves ----------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Wave:
    """The wave MILP as arrays. Columns: y (one package per order option, binary), x (units per option and SKU),
    u (units left unfilled per order line), f (what a package pays up to its floor, for options with one).
    Rows: demand, linking, floors, then stock, capacity and package limits — the last three only where they
    could bind."""

    y_key: list[tuple[int, str]] = field(default_factory=list)  # (order index, location)
    x_key: list[tuple[int, str, str]] = field(default_factory=list)  # (order index, location, sku)
    u_key: list[tuple[int, str]] = field(default_factory=list)  # (order index, sku)
    y_cost: list[float] = field(default_factory=list)
    x_cost: list[float] = field(default_factory=list)
    u_cost: list[float] = field(default_factory=list)
    x_cap: list[int] = field(default_factory=list)  # min(demand, stock): x's bound and its linking coefficient
    y_floor: list[float] = field(default_factory=list)  # floor_package - per_package; nan without a floor
    x_floor: list[float] = field(default_factory=list)  # floor_unit - per_unit
    x_y: list[int] = field(default_factory=list)
    x_line: list[int] = field(default_factory=list)
    u_units: list[int] = field(default_factory=list)

    def flatten(self, problem: WaveProblem) -> None:
        """One pass over the orders; everything after it is array work."""
        for o, order in enumerate(problem.orders):
            first_line = len(self.u_key)
            line = {sku: first_line + i for i, sku in enumerate(sorted(order.demand))}
            for option in order.options:
                if problem.capacity.get(option.location, 1) <= 0:
                    continue
                supplies = [(sku, min(units, problem.stock.get((sku, option.location), 0)))
                            for sku, units in sorted(order.demand.items()) if sku in option.per_unit]
                supplies = [(sku, cap) for sku, cap in supplies if cap > 0]
                for sku, cap in supplies:
                    self.x_key.append((o, option.location, sku))
                    self.x_y.append(len(self.y_key))
                    self.x_line.append(line[sku])
                    self.x_cost.append(option.per_unit[sku])
                    self.x_cap.append(cap)
                    self.x_floor.append(option.floor_unit.get(sku, 0.0) - option.per_unit[sku])
                if supplies:
                    self.y_key.append((o, option.location))
                    self.y_cost.append(option.per_package)
                    floor = option.floor_package
                    self.y_floor.append(np.nan if floor is None else floor - option.per_package)
            for sku in sorted(order.demand):
                self.u_key.append((o, sku))
                self.u_cost.append(order.unfilled_cost)
                self.u_units.append(order.demand[sku])

    def pass_to(self, solver: highspy.Highs, problem: WaveProblem) -> None:
        ny, nx, nu = len(self.y_key), len(self.x_key), len(self.u_key)
        x_cols, y_cols = ny + np.arange(nx, dtype=np.int32), np.arange(ny, dtype=np.int32)
        cap, demand = np.array(self.x_cap, dtype=np.float64), np.array(self.u_units, dtype=np.float64)
        matrix = _Matrix()
        matrix.add_rows(demand, demand)  # Σ_l x + u = d
        matrix.add(self.x_line, x_cols, np.ones(nx))
        matrix.add(np.arange(nu), ny + nx + np.arange(nu), np.ones(nu))
        first = matrix.add_rows(np.full(nx, -INF), np.zeros(nx))  # x - min(d, stock)·y ≤ 0
        matrix.add(first + np.arange(nx), x_cols, np.ones(nx))
        matrix.add(first + np.arange(nx), self.x_y, -cap)
        # floors: (floor - linear) of the package ≤ f
        y_floor = np.array(self.y_floor, dtype=np.float64)
        floored = np.flatnonzero(~np.isnan(y_floor)).astype(np.int32)
        nf = len(floored)
        f_of_y = np.full(ny, -1, dtype=np.int32)
        f_of_y[floored] = np.arange(nf, dtype=np.int32)
        first = matrix.add_rows(np.full(nf, -INF), np.zeros(nf))
        x_floored = np.flatnonzero(f_of_y[np.array(self.x_y, dtype=np.int32)] >= 0) if nx else np.zeros(0, np.int64)
        matrix.add(first + f_of_y[np.array(self.x_y, dtype=np.int32)[x_floored]], x_cols[x_floored],
                   np.array(self.x_floor)[x_floored])
        matrix.add(first + np.arange(nf), floored, y_floor[floored])
        matrix.add(first + np.arange(nf), ny + nx + nu + np.arange(nf), -np.ones(nf))
        stock, capacity, orders = problem.stock, problem.capacity, problem.orders
        matrix.add_limits([(sku, loc) for _, loc, sku in self.x_key], x_cols, cap, lambda key: stock.get(key, 0))
        matrix.add_limits([loc for _, loc in self.y_key], y_cols, np.ones(ny), capacity.get)
        matrix.add_limits([o for o, _ in self.y_key], y_cols, np.ones(ny), lambda o: orders[o].max_packages)
        cost = np.concatenate([np.array(self.y_cost + self.x_cost + self.u_cost, dtype=np.float64), np.ones(nf)])
        upper = np.concatenate([np.ones(ny), cap, demand, np.full(nf, INF)])
        # Units need not be declared whole without floors (with y fixed the rest is a network flow, whose
        # vertices are whole); a floor row would let a package shave its floor with fractional units.
        x_whole = (f_of_y[np.array(self.x_y, dtype=np.int32)] >= 0).astype(np.int32) if nx else np.zeros(0, np.int32)
        integer = np.concatenate([np.ones(ny, dtype=np.int32), x_whole, np.zeros(nu + nf, dtype=np.int32)])
        matrix.pass_to(solver, cost, np.zeros(len(cost)), upper, integer)

    def start(self, problem: WaveProblem, plan: WavePlan) -> list[float]:
        """A plan as a column vector: HiGHS's warm start."""
        units = {(o, f.location, sku): n for o, order in enumerate(problem.orders)
                 for f in plan.plans[order.order_id].fulfillments for sku, n in f.lines}
        opened = {(o, loc) for o, loc, _ in units}
        y = np.array([1.0 if key in opened else 0.0 for key in self.y_key])
        x = np.array([float(units.get(key, 0)) for key in self.x_key])
        u = np.array([float(plan.unfilled.get(problem.orders[o].order_id, {}).get(sku, 0)) for o, sku in self.u_key])
        y_floor = np.array(self.y_floor, dtype=np.float64)
        above = np.nan_to_num(y_floor) * y + np.bincount(np.array(self.x_y, dtype=np.int64),
                                                         weights=np.array(self.x_floor) * x, minlength=len(y))
        f = np.maximum(0.0, above[~np.isnan(y_floor)])
        values: list[float] = np.concatenate([y, x, u, f]).tolist()
        return values

    def assignments(self, problem: WaveProblem, values: Floats) -> list[Assignment] | None:
        """Per order its units by location; None unless the solution is in whole units and within limits."""
        x = values[len(self.y_key): len(self.y_key) + len(self.x_key)]
        if np.any(np.abs(x - np.round(x)) > 1e-6):
            return None
        lines: list[dict[str, dict[str, int]]] = [{} for _ in problem.orders]
        for (o, location, sku), units in zip(self.x_key, np.round(x).astype(int).tolist(), strict=True):
            if units > 0:
                lines[o].setdefault(location, {})[sku] = units
        found = []
        for order, taken in zip(problem.orders, lines, strict=True):
            left = dict(order.demand)
            for by_sku in taken.values():
                for sku, units in by_sku.items():
                    left[sku] -= units
            if any(units < 0 for units in left.values()) or len(taken) > order.max_packages:
                return None
            found.append(Assignment(taken, {sku: n for sku, n in left.items() if n > 0}))
        return found


def solve_wave(problem: WaveProblem, time_limit_s: float, mip_gap: float = 0.01) -> WavePlan:
    """The wave's least-cost plan within the time limit, never worse than the greedy one.

    1. the greedy plan; 2. the plan LP (column generation, half the time at most): a lower bound; 3. its
    solution rounded to a plan, and a dive (`_dive`); 4. if the best plan is not yet within `mip_gap` of the
    bound, the MILP, warm-started from it, for the time left. The bound reported is the better of the plan LP's and
    the MILP's; `fallback` says the plan is the greedy one.
    """
    started = time.perf_counter()
    greedy = greedy_wave(problem)

    def finish(plan: WavePlan, status: str, bound: float) -> WavePlan:
        bound = min(bound, plan.objective)
        gap = (plan.objective - bound) / max(abs(plan.objective), 1e-9) if np.isfinite(bound) else float("inf")
        return WavePlan(plan.plans, plan.unfilled, plan.objective, bound, gap, time.perf_counter() - started,
                        status, plan is greedy and bool(problem.orders), greedy.objective)

    if not problem.orders:
        return finish(greedy, "empty wave", 0.0)
    plan_lp = _PlanLp(problem, None)
    bound = plan_lp.solve(time_limit_s / 2, tolerance=mip_gap / 10).value
    best = greedy
    for assignments in (plan_lp.rounded(), _dive(problem, plan_lp, started + time_limit_s * 0.75)):
        plan = _plan_of(problem, assignments)
        best = plan if plan.objective < best.objective - 1e-9 else best
    if best.objective - bound <= mip_gap * abs(best.objective):
        return finish(best, "plan LP: within the gap", bound)
    found, status, milp_bound = _milp(problem, best, time_limit_s - (time.perf_counter() - started), mip_gap)
    bound = max(bound, milp_bound)
    if found is None:
        return finish(best, status, bound)
    if found.objective >= best.objective - 1e-9:
        return finish(best, f"{status}: nothing better than the start", bound)
    return finish(found, status, bound)


def _milp(problem: WaveProblem, start: WavePlan, seconds: float, mip_gap: float) -> tuple[
        WavePlan | None, str, float]:
    """The MILP from `start`: its plan (None with the reason if there is none usable), status and bound."""
    model = _Wave()
    model.flatten(problem)
    solver = _solver(time_limit=max(0.0, seconds), mip_rel_gap=mip_gap)
    model.pass_to(solver, problem)
    warm = highspy.HighsSolution()
    warm.col_value = model.start(problem, start)
    warm.value_valid = True
    solver.setSolution(warm)
    solver.run()
    status = solver.modelStatusToString(solver.getModelStatus())
    info = solver.getInfo()
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else float("-inf")
    if info.primal_solution_status != FEASIBLE:
        return None, f"{status}: no MILP solution", bound
    found = model.assignments(problem, np.asarray(solver.getSolution().col_value))
    if found is None:
        return None, f"{status}: MILP solution not in whole units", bound
    return _plan_of(problem, found), status, bound


def _dive(problem: WaveProblem, plan_lp: _PlanLp, deadline: float) -> list[Assignment]:
    """Fix every order the LP sends whole along one plan, solve the LP again over the others on the stock and
    capacity left, and repeat until no order comes out whole (or time is up); round what is left.

    Most orders come out whole in the first LP; re-solving over the few hundred others, instead of rounding them
    at once, halves the rounding's gap on a day-long wave.
    """
    stock, capacity = dict(problem.stock), dict(problem.capacity)
    found: dict[int, Assignment] = {}
    left = list(range(len(problem.orders)))  # the orders of `plan_lp`'s problem, as indexes into `problem`
    while True:
        whole = plan_lp.whole()
        for m, plan in whole.items():
            found[left[m]] = plan
            _take(plan, stock, capacity)
        rest = [left[m] for m in range(len(left)) if m not in whole]
        if not rest or not whole or time.perf_counter() > deadline:
            for m, plan in zip(rest, _rest_rounded(plan_lp, whole), strict=True):
                found[m] = plan
            return [found[m] for m in range(len(problem.orders))]
        left = rest
        plan_lp = _PlanLp(WaveProblem(tuple(problem.orders[m] for m in left),
                                      {key: units for key, units in stock.items() if units > 0}, capacity), None)
        plan_lp.solve(max(0.0, deadline - time.perf_counter()), tolerance=1e-4)


def _rest_rounded(plan_lp: _PlanLp, whole: Mapping[int, Assignment]) -> list[Assignment]:
    """Plans for the orders not in `whole` (which already hold their stock): the LP's rounding when no order
    came out whole; when time ran out first, each order's cheapest assignment in turn."""
    if not whole:
        return plan_lp.rounded()
    stock, capacity = dict(plan_lp.problem.stock), dict(plan_lp.problem.capacity)
    for plan in whole.values():
        _take(plan, stock, capacity)
    found = []
    for m, order in enumerate(plan_lp.problem.orders):
        if m not in whole:
            found.append(cheapest_assignment(order, stock, capacity))
            _take(found[-1], stock, capacity)
    return found


def _take(plan: Assignment, stock: dict[tuple[str, str], int], capacity: dict[str, int]) -> None:
    for location, lines in plan.lines.items():
        if location in capacity:
            capacity[location] -= 1
        for sku, units in lines.items():
            stock[(sku, location)] -= units


def _plan_of(problem: WaveProblem, found: Sequence[Assignment]) -> WavePlan:
    objective = sum(assignment_cost(o, a) for o, a in zip(problem.orders, found, strict=True))
    plans = {o.order_id: to_plan(a) for o, a in zip(problem.orders, found, strict=True)}
    unfilled = {o.order_id: dict(a.unfilled) for o, a in zip(problem.orders, found, strict=True) if a.unfilled}
    return WavePlan(plans, unfilled, objective, float("-inf"), float("inf"), 0.0, "", False, float("nan"))


# --- the plan LP ----------------------------------------------------------------------------------------------

BIG = 1e12  # stands for "cannot" inside matrix products, where inf would turn 0·inf into nan
MAX_ITEMS = 8  # lines split into single units for exact pricing, at most this many items per order


@dataclass(frozen=True, slots=True)
class PlanBound:
    value: float  # no plan for these orders costs less (a Lagrangian bound: valid at every round)
    lp_value: float  # the plan LP's objective at the last round; equals `value` once converged
    rounds: int
    columns: int
    seconds: float
    converged: bool
    lost_units: float  # units the LP leaves unfilled
    stock_prices: dict[tuple[str, str], float]  # (sku, location) → the LP's dual price of a unit there
    capacity_prices: dict[str, float]  # location → the LP's dual price of one more package there


def _items(order: WaveOrder, held: Mapping[tuple[str, str], int], locations: Sequence[str]) -> list[tuple[str, int]]:
    """One item per line, except that a line some location can fill only in part becomes one item per unit,
    so plans may split it (while the order stays within MAX_ITEMS items)."""
    items: list[tuple[str, int]] = []
    lines = sorted(order.demand.items())
    for k, (sku, wanted) in enumerate(lines):
        partial = any(0 < held[(sku, loc)] < wanted for loc in locations)
        fits = len(items) + wanted + len(lines) - k - 1 <= MAX_ITEMS
        items += [(sku, 1)] * wanted if partial and fits else [(sku, wanted)]
    return items


@dataclass(slots=True)
class _Group:
    """Orders with the same number of items, priced together: each one's cheapest plan when stock and package
    capacity carry prices, by an exact search over which items go in which package, vectorized over orders.

    A line kept whole although a location holds only part of it (past MAX_ITEMS) may be sent whole by any
    location holding a unit: a plan splitting it is a mixture of such plans that costs no less and uses the
    same stock, so the LP stays a relaxation of the real problem. For the same reason the search does not stop
    two packages of one order coming from one location, though together they may take more units of a split
    line than it holds: such plans only make the bound lower (still valid, less tight).
    """

    members: list[int]  # order indexes
    items: list[list[tuple[str, int]]]
    locations: list[list[str]]
    base: Floats  # orders × locations × masks: a package of those items at its own cost (≥ BIG: cannot)
    stock_row: npt.NDArray[np.int64]  # orders × locations × items → stock price slot (the last one is free)
    cap_row: npt.NDArray[np.int64]  # orders × locations → capacity price slot (the last one is free)
    units: Floats  # orders × items
    lost: Floats  # orders × masks
    packages: npt.NDArray[np.int64]  # orders: the most packages each may use
    bits: Floats  # items × masks

    @classmethod
    def of(cls, members: list[int], problem: WaveProblem, rows: _PriceRows) -> _Group:
        orders = [problem.orders[m] for m in members]
        options = [[o for o in order.options if problem.capacity.get(o.location, 1) > 0] for order in orders]
        width = max(1, *(len(opts) for opts in options))
        items = []
        for order, opts in zip(orders, options, strict=True):
            held = {(s, o.location): problem.stock.get((s, o.location), 0) if s in o.per_unit else 0
                    for o in opts for s in order.demand}
            items.append(_items(order, held, [o.location for o in opts]))
        k = len(items[0])
        bits = ((np.arange(1 << k)[None, :] >> np.arange(k)[:, None]) & 1).astype(np.float64)
        base = np.full((len(orders), width, 1 << k), BIG)
        stock_row = np.full((len(orders), width, k), rows.free_stock, dtype=np.int64)
        cap_row = np.full((len(orders), width), rows.free_capacity, dtype=np.int64)
        units = np.array([[n for _, n in its] for its in items], dtype=np.float64).reshape(len(orders), k)
        for n, (order, opts, its) in enumerate(zip(orders, options, items, strict=True)):
            base[n, : len(opts)] = _base_costs(problem, opts, its, units[n], bits, order)
            for i, option in enumerate(opts):
                for j, (s, _) in enumerate(its):
                    if problem.stock.get((s, option.location), 0) > 0 and s in option.per_unit:
                        stock_row[n, i, j] = rows.stock(s, option.location)
                if option.location in problem.capacity:
                    cap_row[n, i] = rows.capacity(option.location)
        lost = np.array([o.unfilled_cost for o in orders])[:, None] * (units @ bits)
        return cls(members, items, [[o.location for o in opts] for opts in options], base, stock_row, cap_row,
                   units, lost, np.array([o.max_packages for o in orders], dtype=np.int64), bits)

    def price(self, stock_price: Floats, cap_price: Floats) -> tuple[Floats, list[Longs], Longs]:
        """Per order its least priced cost; with the search's choices and per mask the chosen location, from
        which `plan` rebuilds any order's plan."""
        priced = stock_price[self.stock_row] * self.units[:, None, :]
        blocks = self.base + cap_price[self.cap_row][:, :, None] + priced @ self.bits
        where = blocks.argmin(axis=1)
        block = np.take_along_axis(blocks, where[:, None, :], axis=1)[:, 0, :]
        block[block >= BIG / 2] = np.inf
        best, choices = self.lost.copy(), []
        levels = [best]
        size = block.shape[1]
        for _ in range(int(self.packages.max())):
            previous, current = best, best.copy()
            choice = np.zeros(current.shape, dtype=np.int64)
            for mask in range(1, size):
                sub = mask
                while sub:
                    cost = block[:, sub] + previous[:, mask ^ sub]
                    better = cost < current[:, mask]
                    current[better, mask] = cost[better]
                    choice[better, mask] = sub
                    sub = (sub - 1) & mask
            choices.append(choice)
            best = current
            levels.append(best)
        final = np.array([levels[p][n, size - 1] for n, p in enumerate(self.packages)], dtype=np.float64)
        return final, choices, where

    def plan(self, n: int, choices: Sequence[Longs], where: Longs) -> tuple[Assignment, float]:
        """Order n's chosen plan and its own cost (without prices)."""
        blocks, mask = [], self.bits.shape[1] - 1
        for level in reversed(range(int(self.packages[n]))):
            sub = int(choices[level][n, mask])
            if sub:
                blocks.append(sub)
                mask ^= sub
        lines: dict[str, dict[str, int]] = {}
        own = float(self.lost[n, mask])
        left = {s: 0 for s, _ in self.items[n]}
        for sub in blocks:
            at = int(where[n, sub])
            own += float(self.base[n, at, sub])
            package = lines.setdefault(self.locations[n][at], {})
            for j, (s, units) in enumerate(self.items[n]):
                if sub >> j & 1:
                    package[s] = package.get(s, 0) + units
        for j, (s, units) in enumerate(self.items[n]):
            if mask >> j & 1:
                left[s] += units
        return Assignment(lines, {s: u for s, u in left.items() if u > 0}), own


def _base_costs(problem: WaveProblem, options: Sequence[WaveOption], items: Sequence[tuple[str, int]],
                units: Floats, bits: Floats, order: WaveOrder) -> Floats:
    """Per option and item mask, a package's own cost (max of linear and floor), BIG where it cannot be sent."""
    unit = np.array([[o.per_unit[s] if s in o.per_unit and problem.stock.get((s, o.location), 0) > 0 else np.inf
                      for s, _ in items] for o in options]).reshape(len(options), len(items))
    base = np.array([o.per_package for o in options])[:, None] + np.where(np.isfinite(unit), unit * units, BIG) @ bits
    if any(o.floor_package is not None for o in options):
        floor_unit = np.array([[o.floor_unit.get(s, 0.0) for s, _ in items] for o in options])
        floor = np.array([-BIG if o.floor_package is None else o.floor_package for o in options])
        base = np.maximum(base, floor[:, None] + (floor_unit * units) @ bits)
    for s in {s for s, n in items if n == 1 and order.demand[s] > 1}:
        count = np.array([n if t == s else 0.0 for t, n in items]) @ bits
        limit = np.array([problem.stock.get((s, o.location), 0) for o in options], dtype=np.float64)
        base[count[None, :] > limit[:, None]] = BIG  # more units of s than the location holds
    return base


@dataclass(slots=True)
class _PriceRows:
    """The plan LP's resource rows: (sku, location) stock and location capacity, numbered as first met."""

    stock_of: dict[tuple[str, str], int] = field(default_factory=dict)
    capacity_of: dict[str, int] = field(default_factory=dict)
    free_stock: int = -1  # the price vectors' last slot, always 0
    free_capacity: int = -1

    def stock(self, sku: str, location: str) -> int:
        return self.stock_of.setdefault((sku, location), len(self.stock_of))

    def capacity(self, location: str) -> int:
        return self.capacity_of.setdefault(location, len(self.capacity_of))


class _PlanLp:
    """min Σ cost of each order's plan, each order a convex mix of whole plans, within stock and capacity; by
    column generation, starting from every order left unfilled."""

    def __init__(self, problem: WaveProblem, weights: Mapping[str, float] | None) -> None:
        self.problem = problem
        self.rows = _PriceRows()
        by_size: dict[int, list[int]] = {}
        for m, order in enumerate(problem.orders):
            held = {(s, o.location): problem.stock.get((s, o.location), 0) if s in o.per_unit else 0
                    for o in order.options for s in order.demand}
            size = len(_items(order, held, [o.location for o in order.options
                                            if problem.capacity.get(o.location, 1) > 0]))
            by_size.setdefault(size, []).append(m)
        self.rows.free_stock = self.rows.free_capacity = 10**9  # placeholder until every row is known
        self.groups = [_Group.of(members, problem, self.rows) for _, members in sorted(by_size.items())]
        n_stock, n_cap = len(self.rows.stock_of), len(self.rows.capacity_of)
        for group in self.groups:
            group.stock_row[group.stock_row == 10**9] = n_stock
            group.cap_row[group.cap_row == 10**9] = n_cap
        self.weight = np.array([(weights or {}).get(o.order_id, 1.0) for o in problem.orders])
        self.stock = np.array([float(problem.stock[k]) for k in self.rows.stock_of])
        self.capacity = np.array([float(problem.capacity[k]) for k in self.rows.capacity_of])
        self.stock_price, self.cap_price = np.zeros(n_stock + 1), np.zeros(n_cap + 1)
        n = len(problem.orders)
        matrix = _Matrix()
        matrix.add_rows(self.weight, self.weight)
        matrix.add_rows(np.full(n_stock, -INF), self.stock)
        matrix.add_rows(np.full(n_cap, -INF), self.capacity)
        matrix.add(np.arange(n), np.arange(n), np.ones(n))
        self.lost_units = [float(sum(o.demand.values())) for o in problem.orders]
        self.columns = [(m, Assignment({}, dict(o.demand))) for m, o in enumerate(problem.orders)]
        self.solver = _solver(simplex_strategy=4)  # primal simplex: adding columns keeps the basis feasible
        everything_lost = np.array([o.unfilled_cost * sum(o.demand.values()) for o in problem.orders])
        matrix.pass_to(self.solver, everything_lost, np.zeros(n), np.full(n, INF))

    def solve(self, time_limit_s: float, tolerance: float) -> PlanBound:
        started = time.perf_counter()
        n, n_stock = len(self.problem.orders), len(self.rows.stock_of)
        rounds, lower, lp_value, converged = 0, float("-inf"), float("inf"), False
        while True:
            self.solver.run()
            rounds += 1
            lp_value = float(self.solver.getInfo().objective_function_value)
            duals = np.asarray(self.solver.getSolution().row_dual)
            self.stock_price[:n_stock] = np.maximum(0.0, -duals[n: n + n_stock])
            self.cap_price[:-1] = np.maximum(0.0, -duals[n + n_stock:])
            priced = np.zeros(n)
            found = [group.price(self.stock_price, self.cap_price) for group in self.groups]
            for group, (cost, _, _) in zip(self.groups, found, strict=True):
                priced[group.members] = cost
            lower = max(lower, float(self.weight @ priced - self.stock_price[:-1] @ self.stock
                                     - self.cap_price[:-1] @ self.capacity))
            entering = priced - duals[:n] < -1e-7 * (1.0 + np.abs(priced))
            converged = not entering.any() or lp_value - lower <= tolerance * max(1.0, abs(lp_value))
            if converged or time.perf_counter() - started > time_limit_s:
                break
            columns = []
            for group, (_, choices, where) in zip(self.groups, found, strict=True):
                for n_in, m in enumerate(group.members):
                    if entering[m]:
                        assignment, own = group.plan(n_in, choices, where)
                        columns.append((m, assignment, own))
            self._enter(columns)
        lost = float(np.asarray(self.solver.getSolution().col_value) @ np.array(self.lost_units))
        return PlanBound(lower, lp_value, rounds, self.solver.getNumCol(), time.perf_counter() - started, converged,
                         lost, {k: float(self.stock_price[i]) for k, i in self.rows.stock_of.items()},
                         {k: float(self.cap_price[i]) for k, i in self.rows.capacity_of.items()})

    def _enter(self, columns: Sequence[tuple[int, Assignment, float]]) -> None:
        """Plans as columns: a 1 in the order's row, units in stock rows, a 1 per package in capacity rows."""
        n, n_stock = len(self.problem.orders), len(self.rows.stock_of)
        starts: list[int] = []
        rows: list[int] = []
        values: list[float] = []
        for order, assignment, _ in columns:
            starts.append(len(rows))
            rows.append(order)
            values.append(1.0)
            for location, lines in sorted(assignment.lines.items()):
                for sku, units in sorted(lines.items()):
                    rows.append(n + self.rows.stock_of[(sku, location)])
                    values.append(float(units))
                if location in self.rows.capacity_of:
                    rows.append(n + n_stock + self.rows.capacity_of[location])
                    values.append(1.0)
            self.lost_units.append(float(sum(assignment.unfilled.values())))
            self.columns.append((order, assignment))
        count = len(columns)
        status = self.solver.addCols(count, np.array([c[2] for c in columns]), np.zeros(count),
                                     np.full(count, INF), len(rows), np.array(starts, dtype=np.int32),
                                     np.array(rows, dtype=np.int32), np.array(values))
        if status != highspy.HighsStatus.kOk:
            raise RuntimeError(f"HiGHS refused the columns: {status}")

    def rounded(self) -> list[Assignment]:
        """A plan from the LP's solution: orders by how sure the LP is of them, each taking its heaviest plan
        if the stock and capacity left allow, else its cheapest assignment from what is left."""
        stock = dict(self.problem.stock)
        capacity = dict(self.problem.capacity)
        found: dict[int, Assignment] = {}
        for m, (_, c) in sorted(self._heaviest().items(), key=lambda item: (-item[1][0], item[0])):
            order, plan = self.problem.orders[m], self.columns[c][1]
            fits = all(capacity.get(loc, 1) > 0 and all(stock.get((s, loc), 0) >= n for s, n in lines.items())
                       for loc, lines in plan.lines.items())
            found[m] = plan if fits else cheapest_assignment(order, stock, capacity)
            _take(found[m], stock, capacity)
        return [found[m] for m in range(len(self.problem.orders))]

    def whole(self) -> dict[int, Assignment]:
        """The orders the LP sends entirely along one plan, with that plan: together they fit, whatever the
        others do, since the others' share of every row is not negative."""
        return {m: self.columns[c][1] for m, (weight, c) in self._heaviest().items() if weight > 1 - 1e-6}

    def _heaviest(self) -> dict[int, tuple[float, int]]:
        """Per order, the weight and index of its heaviest column."""
        weight = np.asarray(self.solver.getSolution().col_value)
        heaviest: dict[int, tuple[float, int]] = {}
        for c, (m, _) in enumerate(self.columns):
            if weight[c] > heaviest.get(m, (-1.0, -1))[0]:
                heaviest[m] = (float(weight[c]), c)
        return heaviest


def hindsight_bound(
    problem: WaveProblem, weights: Mapping[str, float] | None = None, time_limit_s: float = 300.0,
    tolerance: float = 1e-6,
) -> PlanBound:
    """The plan LP: its value is a lower bound on the cost of any plan for these orders.

    Give every order every location it could use (not a shortlist), or the bound is not one. `weights`
    (order id → expected count) turns order types into the deterministic LP of the literature; without them
    each order counts once (hindsight). Stops when converged to `tolerance` or at the time limit.
    """
    return _PlanLp(problem, weights).solve(time_limit_s, tolerance)
