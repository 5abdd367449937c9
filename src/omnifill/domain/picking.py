"""Pick waves: the work of many orders at one location picked in one walk, then sorted back to orders.

The wave's demand per SKU is drawn from the bins holding it — the fullest first, so the walk has fewer stops —
and the bins are visited in walking order (serpentine by default, or the order a layout's shortest walk gives).
The pick list has one line per (bin, SKU) in that order; units found in no bin come last, unassigned. At the pack
bench the sort list says which fulfillment gets how many of each SKU, and from which bins its units came.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from omnifill.domain.bins import Bin, serpentine
from omnifill.domain.orders import FulfillmentOrder

Walk = Callable[[Sequence[Bin]], list[Bin]]  # the bins to visit → the order to visit them in


@dataclass(frozen=True, slots=True)
class WaveWork:
    order_id: str
    fulfillment: FulfillmentOrder


@dataclass(frozen=True, slots=True)
class PickLine:
    bin: Bin | None  # None: the units are in no bin ("unassigned") and are looked for last
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SortLine:
    """At the pack bench: this fulfillment gets `quantity` of `sku`, from these (bin, units)."""

    fulfillment_id: str
    order_id: str
    sku: str
    quantity: int
    bins: tuple[tuple[str, int], ...]  # fewer units than `quantity`: the rest is unassigned


@dataclass(frozen=True, slots=True)
class PickList:
    lines: tuple[PickLine, ...]  # the walk, then the unassigned units
    sort: tuple[SortLine, ...]

    @property
    def stops(self) -> list[Bin]:
        seen: dict[str, Bin] = {}
        for line in self.lines:
            if line.bin is not None:
                seen.setdefault(line.bin.code, line.bin)
        return list(seen.values())


def pick_list(
    work: Sequence[WaveWork], placed: Mapping[str, Mapping[str, int]], bins: Mapping[str, Bin],
    walk: Walk = serpentine,
) -> PickList:
    """The wave's pick list. `placed` is SKU → {bin code: units in it}; `bins` every bin at the location."""
    demand: Counter[str] = Counter()
    for w in work:
        for line in w.fulfillment.lines:
            demand[line.sku] += line.quantity
    drawn = _draw(demand, placed, bins)
    order = walk([bins[code] for code in sorted({code for draws in drawn.values() for code, _ in draws})])
    rank = {b.code: index for index, b in enumerate(order)}
    for draws in drawn.values():
        draws.sort(key=lambda draw: rank[draw[0]])
    by_bin: dict[str, list[tuple[str, int]]] = {}
    for sku, draws in sorted(drawn.items()):
        for code, units in draws:
            by_bin.setdefault(code, []).append((sku, units))
    lines = [PickLine(b, sku, units) for b in order for sku, units in by_bin[b.code]]
    for sku, units in sorted(demand.items()):
        if (rest := units - sum(n for _, n in drawn.get(sku, []))) > 0:
            lines.append(PickLine(None, sku, rest))
    return PickList(tuple(lines), _sort_to_orders(work, drawn))


def _draw(
    demand: Mapping[str, int], placed: Mapping[str, Mapping[str, int]], bins: Mapping[str, Bin],
) -> dict[str, list[tuple[str, int]]]:
    """SKU → [(bin code, units)] taken for the wave: the fullest bins first, ties in serpentine order."""
    position = {b.code: index for index, b in enumerate(serpentine(bins.values()))}
    drawn: dict[str, list[tuple[str, int]]] = {}
    for sku, wanted in demand.items():
        holding = [(code, units) for code, units in placed.get(sku, {}).items() if units > 0 and code in bins]
        for code, units in sorted(holding, key=lambda held: (-held[1], position[held[0]])):
            if wanted == 0:
                break
            take = min(units, wanted)
            drawn.setdefault(sku, []).append((code, take))
            wanted -= take
    return drawn


def _sort_to_orders(work: Sequence[WaveWork], drawn: Mapping[str, list[tuple[str, int]]]) -> tuple[SortLine, ...]:
    """Each fulfillment, in the wave's order, takes its units from the bins in walking order."""
    left = {sku: list(draws) for sku, draws in drawn.items()}
    sort = []
    for w in work:
        for line in w.fulfillment.lines:
            queue, wanted, sources = left.get(line.sku, []), line.quantity, []
            while wanted and queue:
                code, units = queue[0]
                take = min(units, wanted)
                sources.append((code, take))
                wanted -= take
                if take == units:
                    queue.pop(0)
                else:
                    queue[0] = (code, units - take)
            sort.append(SortLine(w.fulfillment.id, w.order_id, line.sku, line.quantity, tuple(sources)))
    return tuple(sort)
