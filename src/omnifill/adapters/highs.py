"""Everything that calls HiGHS: the look-ahead LP, the wave MILP and the LP bound routing is measured against.

- `opportunity_costs`: the transportation LP of `domain/routing/lookahead.py`; returns the dual price of each
  (sku, location) stock row: what one unit consumed there now costs the orders still to come.
- `solve_wave`: the wave MILP of `domain/routing/waves.py`, warm-started from the greedy plan; it falls back to
  that plan when HiGHS finds nothing better in time.
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
    WaveOrder,
    WavePlan,
    WaveProblem,
    assignment_cost,
    best_partition,
    greedy_wave,
    to_plan,
)

INF = highspy.kHighsInf
COLWISE, MINIMIZE = 1, 1
FEASIBLE = highspy.SolutionStatus.kSolutionStatusFeasible
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int32]
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
    holders: dict[str, list[str]] = {}
    for sku, location in stock_keys:
        holders.setdefault(sku, []).append(location)
    cost: list[float] = []
    lane_stock: list[int] = []
    lane_demand: list[int] = []
    for d, (sku, region) in enumerate(demand_keys):
        lanes = sorted((problem.unit_cost[(loc, region)], loc) for loc in holders.get(sku, ())
                       if (loc, region) in problem.unit_cost)
        for unit, location in lanes[:sources_per_demand]:
            lane_stock.append(stock_row[(sku, location)])
            lane_demand.append(d)
            cost.append(unit)
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
    """The wave's least-cost plan within the time limit, starting from (and never worse than) the greedy plan."""
    started = time.perf_counter()
    greedy = greedy_wave(problem)
    if not problem.orders:
        return _finish(greedy, started, "empty wave", bound=0.0, fallback=False)
    model = _Wave()
    model.flatten(problem)
    left = time_limit_s - (time.perf_counter() - started)
    solver = _solver(time_limit=max(0.0, left), mip_rel_gap=mip_gap)
    model.pass_to(solver, problem)
    warm = highspy.HighsSolution()
    warm.col_value = model.start(problem, greedy)
    warm.value_valid = True
    solver.setSolution(warm)
    solver.run()
    status = solver.modelStatusToString(solver.getModelStatus())
    info = solver.getInfo()
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else float("-inf")
    if info.primal_solution_status != FEASIBLE:
        return _finish(greedy, started, f"{status}: no MILP solution", bound=bound, fallback=True)
    found = model.assignments(problem, np.asarray(solver.getSolution().col_value))
    if found is None:
        return _finish(greedy, started, f"{status}: MILP solution not in whole units", bound=bound, fallback=True)
    objective = sum(assignment_cost(o, a) for o, a in zip(problem.orders, found, strict=True))
    if objective >= greedy.objective - 1e-9:
        return _finish(greedy, started, f"{status}: nothing better than greedy", bound=bound, fallback=True)
    plans = {o.order_id: to_plan(a) for o, a in zip(problem.orders, found, strict=True)}
    unfilled = {o.order_id: dict(a.unfilled) for o, a in zip(problem.orders, found, strict=True) if a.unfilled}
    plan = WavePlan(plans, unfilled, objective, bound, 0.0, 0.0, status, False, greedy.objective)
    return _finish(plan, started, status, bound=bound, fallback=False)


def _finish(plan: WavePlan, started: float, status: str, *, bound: float, fallback: bool) -> WavePlan:
    bound = min(bound, plan.objective)
    gap = (plan.objective - bound) / max(abs(plan.objective), 1e-9) if np.isfinite(bound) else float("inf")
    return WavePlan(plan.plans, plan.unfilled, plan.objective, bound, gap, time.perf_counter() - started,
                    status, fallback, plan.greedy_objective)


# --- the bound ------------------------------------------------------------------------------------------------

BIG = 1e12  # stands for "cannot" inside matrix products, where inf would turn 0·inf into nan


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


MAX_ITEMS = 9  # lines split into single units for exact pricing, at most this many items per order


@dataclass(slots=True)
class _Pricing:
    """One order's exact pricing step: its cheapest plan when stock and package capacity carry prices.

    The order is a list of items, one per line, except that a line some option can fill only in part (it holds
    fewer units than wanted) becomes one item per unit, so plans may split it. Past MAX_ITEMS, such a line
    stays whole and any location holding a unit may send it all: a plan splitting it is then a mixture of those
    plans that costs no less and uses the same stock, so the LP remains a relaxation of the real problem.
    """

    order: WaveOrder
    weight: float
    items: list[tuple[str, int]]  # (sku, units)
    units: Floats  # per item
    locations: list[str]
    base: Floats  # locations × masks: a package from there of those items, at the option's own cost (BIG: cannot)
    unit: Floats  # locations × items: cost per unit, inf where it cannot send the item's SKU
    stock_row: npt.NDArray[np.int64]  # locations × items → index in the stock price vector (last slot: free)
    cap_row: npt.NDArray[np.int64]  # locations → index in the capacity price vector (last slot: free)
    bits: Floats  # items × masks
    lost: list[float]

    @classmethod
    def of(cls, order: WaveOrder, weight: float, problem: WaveProblem, stock_rows: dict[tuple[str, str], int],
           cap_rows: dict[str, int]) -> _Pricing:
        options = [o for o in order.options if problem.capacity.get(o.location, 1) > 0]
        held = {(s, o.location): problem.stock.get((s, o.location), 0) if s in o.per_unit else 0
                for o in options for s in order.demand}
        items: list[tuple[str, int]] = []
        lines = sorted(order.demand.items())
        for k, (s, wanted) in enumerate(lines):
            partial = any(0 < held[(s, o.location)] < wanted for o in options)
            fits = len(items) + wanted + len(lines) - k - 1 <= MAX_ITEMS
            items += [(s, 1)] * wanted if partial and fits else [(s, wanted)]
        unit = np.full((len(options), len(items)), np.inf)
        stock_row = np.full((len(options), len(items)), -1, dtype=np.int64)
        for i, option in enumerate(options):
            for j, (s, _) in enumerate(items):
                if held[(s, option.location)] > 0:
                    unit[i, j] = option.per_unit[s]
                    stock_row[i, j] = stock_rows.setdefault((s, option.location), len(stock_rows))
        cap_row = np.array([cap_rows.setdefault(o.location, len(cap_rows)) if o.location in problem.capacity
                            else -1 for o in options], dtype=np.int64)
        masks = np.arange(1 << len(items))
        bits = ((masks[None, :] >> np.arange(len(items))[:, None]) & 1).astype(np.float64)
        units = np.array([n for _, n in items], dtype=np.float64)
        base = np.array([o.per_package for o in options])[:, None] + np.where(
            np.isfinite(unit), unit * units, BIG) @ bits
        if any(o.floor_package is not None for o in options):
            floor_unit = np.array([[o.floor_unit.get(s, 0.0) for s, _ in items] for o in options])
            floor = np.array([-BIG if o.floor_package is None else o.floor_package for o in options])
            base = np.maximum(base, floor[:, None] + (floor_unit * units) @ bits)
        for s in {s for s, n in items if n == 1 and order.demand[s] > 1}:
            count = np.array([n if t == s else 0.0 for t, n in items]) @ bits
            limit = np.array([held[(s, o.location)] for o in options], dtype=np.float64)
            base[count[None, :] > limit[:, None]] = BIG  # more units of s than the location holds
        return cls(order, weight, items, units, [o.location for o in options], base,
                   unit, stock_row, cap_row, bits, (order.unfilled_cost * units @ bits).tolist())

    def cheapest(self, stock_price: Floats, cap_price: Floats) -> tuple[float, Assignment, float]:
        """(its cost at these prices, the plan, the plan's own cost)."""
        prices = np.where(np.isfinite(self.unit), stock_price[self.stock_row], 0.0) * self.units
        blocks = self.base + cap_price[self.cap_row][:, None] + prices @ self.bits
        if len(self.locations):
            where = blocks.argmin(axis=0)
            block = blocks[where, np.arange(blocks.shape[1])]
        else:
            where, block = np.zeros(len(self.lost), dtype=np.int64), np.full(len(self.lost), BIG)
        block[block >= BIG / 2] = np.inf
        cost, masks = best_partition(block.tolist(), self.lost, self.order.max_packages)
        lines: dict[str, dict[str, int]] = {}
        own, left = 0.0, dict(self.order.demand)
        for mask in masks:
            at = int(where[mask])
            package = lines.setdefault(self.locations[at], {})
            own += float(self.base[at, mask])
            for j, (s, n) in enumerate(self.items):
                if mask >> j & 1:
                    package[s] = package.get(s, 0) + n
                    left[s] -= n
        own += self.order.unfilled_cost * sum(left.values())
        return cost, Assignment(lines, {s: n for s, n in left.items() if n > 0}), own


def hindsight_bound(
    problem: WaveProblem, weights: Mapping[str, float] | None = None, time_limit_s: float = 300.0,
    tolerance: float = 1e-6,
) -> PlanBound:
    """min Σ cost of each order's plan, each order a convex mix of whole plans, within stock and capacity.

    Give every order every location it could use (not a shortlist), or the bound is not one. `weights`
    (order id → expected count) turns order types into the deterministic LP of the literature; without them
    each order counts once (hindsight). Stops when converged to `tolerance` or at the time limit.
    """
    started = time.perf_counter()
    stock_rows: dict[tuple[str, str], int] = {}
    cap_rows: dict[str, int] = {}
    pricing = [_Pricing.of(o, (weights or {}).get(o.order_id, 1.0), problem, stock_rows, cap_rows)
               for o in problem.orders]
    n_orders, n_stock, n_cap = len(pricing), len(stock_rows), len(cap_rows)
    stock = np.array([float(problem.stock[k]) for k in stock_rows])
    capacity = np.array([float(problem.capacity[k]) for k in cap_rows])
    weight = np.array([p.weight for p in pricing])
    matrix = _Matrix()
    matrix.add_rows(weight, weight)
    matrix.add_rows(np.full(n_stock, -INF), stock)
    matrix.add_rows(np.full(n_cap, -INF), capacity)
    lost_cost = np.array([p.lost[-1] for p in pricing])  # to start: every order left wholly unfilled
    matrix.add(np.arange(n_orders), np.arange(n_orders), np.ones(n_orders))
    solver = _solver()
    matrix.pass_to(solver, lost_cost, np.zeros(n_orders), np.full(n_orders, INF))
    lost_units = [float(p.units.sum()) for p in pricing]
    rounds, lower, lp_value, converged = 0, float("-inf"), float("inf"), False
    stock_price, cap_price = np.zeros(n_stock + 1), np.zeros(n_cap + 1)
    while True:
        solver.run()
        rounds += 1
        solution = solver.getSolution()
        lp_value = float(solver.getInfo().objective_function_value)
        duals = np.asarray(solution.row_dual)
        alpha = duals[:n_orders]
        stock_price[:n_stock] = np.maximum(0.0, -duals[n_orders: n_orders + n_stock])
        cap_price[:n_cap] = np.maximum(0.0, -duals[n_orders + n_stock:])
        found = [p.cheapest(stock_price, cap_price) for p in pricing]
        priced = np.array([f[0] for f in found])
        lower = max(lower, float(weight @ priced - stock_price[:n_stock] @ stock - cap_price[:n_cap] @ capacity))
        entering = np.flatnonzero(priced - alpha < -1e-7 * (1.0 + np.abs(priced)))
        converged = len(entering) == 0 or lp_value - lower <= tolerance * max(1.0, abs(lp_value))
        if converged or time.perf_counter() - started > time_limit_s:
            break
        _enter(solver, [(int(o), found[o][1], found[o][2]) for o in entering], stock_rows, cap_rows, n_orders,
               n_stock, problem)
        lost_units += [float(sum(found[o][1].unfilled.values())) for o in entering]
    value = float(np.asarray(solution.col_value) @ np.array(lost_units))
    return PlanBound(lower, lp_value, rounds, solver.getNumCol(), time.perf_counter() - started, converged,
                     value, {key: float(stock_price[i]) for key, i in stock_rows.items()})


def _enter(solver: highspy.Highs, columns: Sequence[tuple[int, Assignment, float]],
           stock_rows: Mapping[tuple[str, str], int], cap_rows: Mapping[str, int], n_orders: int, n_stock: int,
           problem: WaveProblem) -> None:
    """Add plans as columns: a 1 in the order's row, units in stock rows, a 1 per package in capacity rows."""
    starts: list[int] = []
    rows: list[int] = []
    values: list[float] = []
    for order, assignment, _ in columns:
        starts.append(len(rows))
        rows.append(order)
        values.append(1.0)
        for location, lines in sorted(assignment.lines.items()):
            for sku, units in sorted(lines.items()):
                rows.append(n_orders + stock_rows[(sku, location)])
                values.append(float(units))
            if location in cap_rows:
                rows.append(n_orders + n_stock + cap_rows[location])
                values.append(1.0)
    n = len(columns)
    status = solver.addCols(n, np.array([c[2] for c in columns]), np.zeros(n), np.full(n, INF), len(rows),
                            np.array(starts, dtype=np.int32), np.array(rows, dtype=np.int32), np.array(values))
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS refused the columns: {status}")
