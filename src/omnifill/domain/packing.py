"""Carton choice at the pack bench: the smallest configured carton that holds the units, or several when needed.

A carton holds units while (1) their volume is at most its fill share of the carton's inner volume (the rest is
padding and air), (2) their weight plus the carton's own (tare) is at most its limit, and (3) each unit fits its
inner dimensions, longest side to longest side. Units are packed first-fit decreasing by volume into boxes that
some carton could still hold; each box then becomes the smallest carton that holds what is in it. A unit that no
carton holds on its own ships in its own packaging. Sizes are integers (mm, mm³, grams) so every check is exact.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omnifill.domain.errors import InvalidInput

OWN_PACKAGING = "own_packaging"
Dimensions = tuple[int, int, int]  # mm


@dataclass(frozen=True, slots=True)
class Carton:
    code: str
    inner_mm: Dimensions
    max_grams: int  # contents and tare together
    tare_grams: int

    def __post_init__(self) -> None:
        if min(self.inner_mm) <= 0:
            raise InvalidInput(f"cartons.{self.code}", "inner dimensions must be more than 0")
        if not 0 <= self.tare_grams < self.max_grams:
            raise InvalidInput(f"cartons.{self.code}", "the tare must be less than the maximum weight")

    @property
    def volume_mm3(self) -> int:
        return math.prod(self.inner_mm)


@dataclass(frozen=True, slots=True)
class CartonSizes:
    """The cartons a location packs in, and how units without dimensions are sized."""

    cartons: tuple[Carton, ...]
    fill_percent: int = 80  # of a carton's inner volume goods may take
    grams_per_litre: int = 200  # a unit without dimensions takes its weight at this density…
    min_unit_mm3: int = 100_000  # …and at least this much room (0.1 litre)

    def __post_init__(self) -> None:
        if not self.cartons:
            raise InvalidInput("cartons", "at least one carton size is needed")
        if not 0 < self.fill_percent <= 100:
            raise InvalidInput("fill_percent", "must be more than 0 and at most 100")
        if self.grams_per_litre <= 0:
            raise InvalidInput("grams_per_litre", "must be more than 0")

    def smallest_first(self) -> list[Carton]:
        return sorted(self.cartons, key=lambda c: (c.volume_mm3, c.max_grams, c.code))


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit of a SKU to pack."""

    sku: str
    grams: int
    volume_mm3: int
    dimensions_mm: Dimensions | None


@dataclass(frozen=True, slots=True)
class PackedCarton:
    carton: Carton  # code OWN_PACKAGING: a unit shipped as it is, its own size and weight
    lines: tuple[tuple[str, int], ...]  # (SKU, units), by SKU
    grams: int  # contents and tare

    @property
    def units(self) -> int:
        return sum(n for _, n in self.lines)


def units_to_pack(
    lines: Mapping[str, int], grams: Mapping[str, int], dimensions: Mapping[str, Dimensions | None],
    sizes: CartonSizes,
) -> list[Unit]:
    """One Unit per unit of each SKU; without dimensions its volume comes from its weight."""
    units = []
    for sku, quantity in sorted(lines.items()):
        dims = dimensions.get(sku)
        volume = math.prod(dims) if dims else max(sizes.min_unit_mm3,
                                                  math.ceil(grams[sku] * 1_000_000 / sizes.grams_per_litre))
        units.extend([Unit(sku, grams[sku], volume, dims)] * quantity)
    return units


def holds(carton: Carton, units: Sequence[Unit], fill_percent: int) -> bool:
    if sum(u.volume_mm3 for u in units) * 100 > carton.volume_mm3 * fill_percent:
        return False
    if sum(u.grams for u in units) + carton.tare_grams > carton.max_grams:
        return False
    inner = sorted(carton.inner_mm)
    return all(u.dimensions_mm is None or all(s <= i for s, i in zip(sorted(u.dimensions_mm), inner, strict=True))
               for u in units)


def choose_cartons(units: Sequence[Unit], sizes: CartonSizes) -> list[PackedCarton]:
    """First-fit decreasing into boxes some carton can hold; each box then in the smallest carton that holds it."""
    cartons = sizes.smallest_first()

    def fits(box: Sequence[Unit]) -> Carton | None:
        return next((c for c in cartons if holds(c, box, sizes.fill_percent)), None)

    boxes: list[list[Unit]] = []
    alone: list[Unit] = []
    for unit in sorted(units, key=lambda u: (-u.volume_mm3, -u.grams, u.sku)):
        if fits([unit]) is None:
            alone.append(unit)
            continue
        box = next((b for b in boxes if fits([*b, unit]) is not None), None)
        if box is None:
            boxes.append([unit])
        else:
            box.append(unit)
    packed = []
    for box in boxes:
        carton = fits(box)
        assert carton is not None  # every unit went into a box some carton holds
        packed.append(_packed(carton, box))
    return packed + [_packed(_own_packaging(unit), [unit]) for unit in alone]


def _packed(carton: Carton, box: Sequence[Unit]) -> PackedCarton:
    lines = tuple(sorted(Counter(u.sku for u in box).items()))
    return PackedCarton(carton, lines, sum(u.grams for u in box) + carton.tare_grams)


def _own_packaging(unit: Unit) -> Carton:
    side = max(1, round(unit.volume_mm3 ** (1 / 3)))
    dims = unit.dimensions_mm or (side, side, side)
    return Carton(OWN_PACKAGING, dims, max(unit.grams, 1), 0)
