"""Waves: orders that may wait a little are routed together, so one order does not take the stock another needs.

A wave is a set of orders, each with a shortlist of options (a location, the fixed cost of a package from it
and a cost per unit of each SKU it can send), the stock left per (sku, location) and the packages each
location can still accept. `omnifill.adapters.highs.solve_wave` optimizes it (plan LP, rounding, MILP);
`greedy_wave` here is its fallback and warm start: orders in sequence, each taking its cheapest assignment
from what is left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from omnifill.domain.costs import LinearTerms
from omnifill.domain.errors import InvalidInput
from omnifill.domain.routing.plans import AllocationPlan, planned

MAX_EXACT_LINES = 8  # beyond this many SKUs an order is assigned line by line instead of by exact search


@dataclass(frozen=True, slots=True)
class WaveOption:
    """One location an order may draw on: a package from it costs per_package + Σ units × per_unit[sku], and
    at least floor_package + Σ units × floor_unit[sku] when there is a floor (a carrier's first-kilogram
    price, which the linear terms undercut for packages under 1 kg)."""

    location: str
    per_package: float
    per_unit: Mapping[str, float]  # only the SKUs it may send
    floor_package: float | None = None
    floor_unit: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_terms(cls, location: str, terms: LinearTerms, weights_kg: Mapping[str, float],
                   extra_per_package: float = 0.0) -> WaveOption:
        """The option that prices packages exactly as the cost model whose linear terms these are."""
        per_unit = {sku: terms.unit_cost(kg) for sku, kg in weights_kg.items()}
        if terms.per_kg <= 0:
            return cls(location, terms.per_package + extra_per_package, per_unit)
        return cls(location, terms.per_package + extra_per_package, per_unit,
                   terms.per_package + terms.per_kg + extra_per_package, dict.fromkeys(weights_kg, terms.per_unit))

    def package_cost(self, lines: Mapping[str, int]) -> float:
        cost = self.per_package + sum(self.per_unit[sku] * units for sku, units in lines.items())
        if self.floor_package is None:
            return cost
        return max(cost, self.floor_package + sum(self.floor_unit[sku] * units for sku, units in lines.items()))


@dataclass(frozen=True, slots=True)
class WaveOrder:
    order_id: str
    demand: Mapping[str, int]
    options: tuple[WaveOption, ...]
    unfilled_cost: float  # per unit left unfilled: set it high so every unit that can be placed is
    max_packages: int = 3

    def __post_init__(self) -> None:
        if not self.demand or any(units <= 0 for units in self.demand.values()):
            raise InvalidInput("demand", "an order wants at least one unit of each SKU it lists")
        if self.max_packages < 1:
            raise InvalidInput("max_packages", "must be at least 1")
        if self.unfilled_cost < 0:
            raise InvalidInput("unfilled_cost", "must not be negative")
        if len({o.location for o in self.options}) != len(self.options):
            raise InvalidInput("options", "a location appears twice")


@dataclass(frozen=True, slots=True)
class WaveProblem:
    orders: tuple[WaveOrder, ...]
    stock: Mapping[tuple[str, str], int]  # (sku, location) → units left; missing means none
    # location → packages it may still accept; a location not listed has no limit
    capacity: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len({o.order_id for o in self.orders}) != len(self.orders):
            raise InvalidInput("orders", "order ids must be distinct")


@dataclass(frozen=True, slots=True)
class WavePlan:
    plans: Mapping[str, AllocationPlan]  # per order id
    unfilled: Mapping[str, Mapping[str, int]]  # per order id with units left unfilled
    objective: float
    best_bound: float
    gap: float
    seconds: float
    status: str
    fallback: bool  # True when the plan is the greedy one because the MILP found nothing better or failed
    greedy_objective: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """One order's units per location, and what is left unfilled."""

    lines: Mapping[str, Mapping[str, int]]  # location → sku → units
    unfilled: Mapping[str, int]


def assignment_cost(order: WaveOrder, assignment: Assignment) -> float:
    options = {o.location: o for o in order.options}
    cost = order.unfilled_cost * sum(assignment.unfilled.values())
    return cost + sum(options[location].package_cost(lines) for location, lines in assignment.lines.items())


def best_partition(
    block_cost: Sequence[float], lost_cost: Sequence[float], max_packages: int,
) -> tuple[float, list[int]]:
    """Cover SKUs 0..K-1 by at most `max_packages` disjoint blocks, the rest lost, at least total cost.

    Indexes are bit masks over the K SKUs: block_cost[m] is the cheapest single package sending exactly the
    SKUs of m (inf if none can), lost_cost[m] what losing them costs. Returns the cost and the blocks' masks.
    Exact, in O(3^K × max_packages).
    """
    size = len(block_cost)
    full = size - 1
    best = list(lost_cost)
    choices: list[list[int]] = []
    for _ in range(max_packages):
        previous, current, choice = best, list(best), [0] * size
        for mask in range(1, size):
            sub = mask
            while sub:
                cost = block_cost[sub]
                if cost < current[mask]:
                    cost += previous[mask ^ sub]
                    if cost < current[mask]:
                        current[mask], choice[mask] = cost, sub
                sub = (sub - 1) & mask
        choices.append(choice)
        best = current
    blocks, mask = [], full
    for choice in reversed(choices):
        if choice[mask]:
            blocks.append(choice[mask])
            mask ^= choice[mask]
    return best[full], blocks


def cheapest_assignment(
    order: WaveOrder, stock: Mapping[tuple[str, str], int], capacity: Mapping[str, int],
) -> Assignment:
    """The order's cheapest assignment from the stock and package capacity left (the greedy step).

    Exact over plans where each SKU comes whole from one location; SKUs no single location can cover are then
    topped up unit by unit from the open packages, or from new ones while that costs less than leaving them.
    """
    options = [o for o in order.options if capacity.get(o.location, 1) > 0]
    skus = sorted(order.demand)
    if len(skus) > MAX_EXACT_LINES:
        lines: dict[str, dict[str, int]] = {}
        return _top_up(order, options, stock, lines, dict(order.demand), order.max_packages)
    size = 1 << len(skus)
    block = [float("inf")] * size
    where: list[WaveOption | None] = [None] * size
    for option in options:
        cost = [float("inf")] * size
        floor = [float("inf")] * size
        cost[0], floor[0] = option.per_package, option.floor_package or 0.0
        for mask in range(1, size):
            low = (mask & -mask).bit_length() - 1
            sku = skus[low]
            units = order.demand[sku]
            if sku in option.per_unit and stock.get((sku, option.location), 0) >= units:
                cost[mask] = cost[mask ^ (1 << low)] + units * option.per_unit[sku]
                floor[mask] = floor[mask ^ (1 << low)] + units * option.floor_unit.get(sku, 0.0)
            priced = max(cost[mask], floor[mask]) if option.floor_package is not None else cost[mask]
            if priced < block[mask]:
                block[mask], where[mask] = priced, option
    lost = [0.0] * size
    for mask in range(1, size):
        low = (mask & -mask).bit_length() - 1
        lost[mask] = lost[mask ^ (1 << low)] + order.unfilled_cost * order.demand[skus[low]]
    _, blocks = best_partition(block, lost, order.max_packages)
    lines = {}
    covered = 0
    for mask in blocks:
        chosen = where[mask]
        assert chosen is not None
        target = lines.setdefault(chosen.location, {})
        for i, sku in enumerate(skus):
            if mask >> i & 1:
                target[sku] = order.demand[sku]
        covered |= mask
    left = {sku: order.demand[sku] for i, sku in enumerate(skus) if not covered >> i & 1}
    return _top_up(order, options, stock, lines, left, order.max_packages - len(lines))


def _top_up(
    order: WaveOrder, options: Sequence[WaveOption], stock: Mapping[tuple[str, str], int],
    lines: dict[str, dict[str, int]], left: dict[str, int], packages_left: int,
) -> Assignment:
    """Place `left` unit by unit: first in open packages, then in new ones while cheaper than losing them."""
    for sku in sorted(left):
        holders = sorted((o for o in options if sku in o.per_unit), key=lambda o: (o.per_unit[sku], o.location))
        for opening in (False, True):
            for option in holders:
                is_open = option.location in lines
                if left[sku] == 0 or is_open == opening:
                    continue
                taken = lines.get(option.location, {}).get(sku, 0)
                units = min(left[sku], stock.get((sku, option.location), 0) - taken)
                if units <= 0:
                    continue
                if opening:
                    worth = option.package_cost({sku: units}) < units * order.unfilled_cost
                    if packages_left == 0 or not worth:
                        continue
                    packages_left -= 1
                elif option.per_unit[sku] >= order.unfilled_cost:
                    continue
                lines.setdefault(option.location, {})[sku] = taken + units
                left[sku] -= units
    return Assignment(lines, {sku: units for sku, units in left.items() if units > 0})


def greedy_wave(problem: WaveProblem) -> WavePlan:
    """Orders in sequence, each taking its cheapest assignment from the stock and capacity still left."""
    stock = dict(problem.stock)
    capacity = dict(problem.capacity)
    plans: dict[str, AllocationPlan] = {}
    unfilled: dict[str, dict[str, int]] = {}
    total = 0.0
    for order in problem.orders:
        assignment = cheapest_assignment(order, stock, capacity)
        for location, lines in assignment.lines.items():
            if location in capacity:
                capacity[location] -= 1
            for sku, units in lines.items():
                stock[(sku, location)] -= units
        total += assignment_cost(order, assignment)
        plans[order.order_id] = to_plan(assignment)
        if assignment.unfilled:
            unfilled[order.order_id] = dict(assignment.unfilled)
    return WavePlan(plans, unfilled, total, total, 0.0, 0.0, "greedy", True, total)


def to_plan(assignment: Assignment) -> AllocationPlan:
    return AllocationPlan(tuple(planned(location, lines) for location, lines in sorted(assignment.lines.items())))
