"""Carton choice: the smallest carton that holds the units, more cartons when needed, never one over its limits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnifill.adapters.cartons import load_carton_sizes
from omnifill.domain.errors import InvalidInput
from omnifill.domain.packing import (
    OWN_PACKAGING,
    Carton,
    CartonSizes,
    PackedCarton,
    Unit,
    choose_cartons,
    holds,
    units_to_pack,
)

SMALL = Carton("S", (230, 170, 100), 10_000, 150)
MEDIUM = Carton("M", (350, 250, 150), 20_000, 300)
LARGE = Carton("L", (450, 350, 300), 25_000, 550)
SIZES = CartonSizes((LARGE, SMALL, MEDIUM))  # any order: the smallest that holds is chosen


def unit(sku: str, grams: int, dims: tuple[int, int, int]) -> Unit:
    return Unit(sku, grams, dims[0] * dims[1] * dims[2], dims)


def test_a_few_small_units_go_in_the_smallest_carton() -> None:
    packed = choose_cartons([unit("MUG", 400, (120, 100, 100))] * 2, SIZES)

    assert [(p.carton.code, p.lines, p.grams) for p in packed] == [("S", (("MUG", 2),), 950)]


def test_more_volume_than_the_small_carton_holds_takes_the_medium() -> None:
    # 4 mugs are 4.8 litres; the small carton holds 80 % of 3.91 litres
    packed = choose_cartons([unit("MUG", 400, (120, 100, 100))] * 4, SIZES)

    assert [(p.carton.code, p.lines) for p in packed] == [("M", (("MUG", 4),))]


def test_a_long_item_needs_a_carton_it_fits_in_lengthwise() -> None:
    # a 40 cm umbrella has little volume but fits only the large carton
    packed = choose_cartons([unit("UMB", 500, (60, 60, 400))], SIZES)

    assert [p.carton.code for p in packed] == ["L"]


def test_weight_past_the_largest_carton_splits_into_more_cartons() -> None:
    # 6 kettlebells of 8 kg: small in volume, but at most 3 fit the large carton's 25 kg (with its tare)
    packed = choose_cartons([unit("KB", 8_000, (150, 150, 150))] * 6, SIZES)

    assert [(p.carton.code, p.units) for p in packed] == [("L", 3), ("L", 3)]
    assert all(p.grams <= p.carton.max_grams for p in packed)


def test_an_item_no_carton_holds_ships_in_its_own_packaging() -> None:
    packed = choose_cartons([unit("SOFA", 40_000, (2000, 900, 800)), unit("MUG", 400, (120, 100, 100))], SIZES)

    assert [(p.carton.code, p.lines) for p in packed] == [("S", (("MUG", 1),)), (OWN_PACKAGING, (("SOFA", 1),))]
    assert packed[1].grams == 40_000


def test_a_unit_without_dimensions_takes_its_weight_at_the_configured_density() -> None:
    units = units_to_pack({"SOCK": 3, "MUG": 1}, {"SOCK": 50, "MUG": 400}, {"MUG": (120, 100, 100)}, SIZES)

    # 50 g at 200 g a litre is 0.25 litres; the mug its own 1.2 litres
    assert sorted((u.sku, u.volume_mm3, u.dimensions_mm) for u in units) == [
        ("MUG", 1_200_000, (120, 100, 100)), ("SOCK", 250_000, None), ("SOCK", 250_000, None), ("SOCK", 250_000, None),
    ]


def test_the_shipped_carton_file_loads() -> None:
    sizes = load_carton_sizes()

    assert [c.code for c in sizes.smallest_first()] == ["S", "M", "L", "XL"]
    assert sizes.fill_percent == 80
    assert sizes.smallest_first()[0] == SMALL


def test_a_retailers_own_carton_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    own = tmp_path / "cartons.json"
    own.write_text(json.dumps({"fill_percent": 90, "cartons": [
        {"code": "MAILER", "inner_cm": [30, 22, 4.5], "max_weight_kg": 2, "tare_kg": 0.05}]}))

    sizes = load_carton_sizes(own)

    assert sizes == CartonSizes((Carton("MAILER", (300, 220, 45), 2_000, 50),), fill_percent=90)


def test_a_file_that_is_not_a_carton_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "cartons.json"
    bad.write_text(json.dumps({"cartons": [{"code": "X", "inner_cm": [30, 22]}]}))

    with pytest.raises(InvalidInput) as refused:
        load_carton_sizes(bad)

    assert refused.value.field == "cartons_file"


def test_a_carton_whose_tare_is_its_limit_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Carton("BAD", (10, 10, 10), 100, 100)


dims = st.tuples(*[st.integers(min_value=10, max_value=700)] * 3)
# A catalogue of SKUs, each with a weight and maybe dimensions, and how many units of each to pack.
skus = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D", "E", "F"]),
    st.tuples(st.integers(min_value=0, max_value=30_000), st.none() | dims, st.integers(min_value=1, max_value=12)),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(catalogue=skus)
def test_every_unit_is_packed_once_and_no_carton_is_over_its_limits(
    catalogue: dict[str, tuple[int, tuple[int, int, int] | None, int]],
) -> None:
    lines = {sku: n for sku, (_, _, n) in catalogue.items()}
    units = units_to_pack(lines, {sku: g for sku, (g, _, _) in catalogue.items()},
                          {sku: d for sku, (_, d, _) in catalogue.items()}, SIZES)
    by_sku = {u.sku: u for u in units}

    packed = choose_cartons(units, SIZES)

    assert _summed(packed) == lines  # every unit packed, once
    for p in packed:
        contents = [by_sku[sku] for sku, n in p.lines for _ in range(n)]
        assert p.units > 0
        assert p.grams == sum(u.grams for u in contents) + p.carton.tare_grams
        if p.carton.code == OWN_PACKAGING:
            assert p.units == 1
            assert not any(holds(c, contents, SIZES.fill_percent) for c in SIZES.cartons)
            continue
        assert p.carton in SIZES.cartons
        assert p.grams <= p.carton.max_grams
        assert holds(p.carton, contents, SIZES.fill_percent)
        smaller = [c for c in SIZES.smallest_first() if c.volume_mm3 < p.carton.volume_mm3]
        assert not any(holds(c, contents, SIZES.fill_percent) for c in smaller), "a smaller carton holds it"


def _summed(packed: list[PackedCarton]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for p in packed:
        for sku, n in p.lines:
            total[sku] += n
    return dict(total)
