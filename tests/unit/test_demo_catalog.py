from collections import Counter, defaultdict
from decimal import Decimal

import pytest
import zipcodes

from omnifill.adapters.demo_catalog import (
    DemoLocation,
    DemoSku,
    DemoStock,
    catalog_size,
    demo_locations,
    demo_skus,
    demo_stock,
    is_bulky,
)
from omnifill.domain.catalog import is_valid_gtin

KINDS = {"warehouse", "store", "dark_store", "micro_fulfillment", "dropship_vendor"}
CAPABILITIES = {"ship", "pickup", "returns", "same_day"}
OMNI_STORE = ("ship", "pickup", "returns")


@pytest.fixture(scope="module")
def locations() -> list[DemoLocation]:
    return demo_locations()


@pytest.fixture(scope="module")
def skus() -> list[DemoSku]:
    return demo_skus()


@pytest.fixture(scope="module")
def stock(locations: list[DemoLocation], skus: list[DemoSku]) -> list[DemoStock]:
    return demo_stock(locations, skus)


def _by_kind(locations: list[DemoLocation], kind: str) -> list[DemoLocation]:
    return [loc for loc in locations if loc.kind == kind]


def _stock_at(stock: list[DemoStock], codes: set[str]) -> list[DemoStock]:
    return [s for s in stock if s.location in codes]


# --- locations ------------------------------------------------------------------------


def test_network_counts_by_kind(locations: list[DemoLocation]) -> None:
    counts = Counter(loc.kind for loc in locations)
    expected = {"warehouse": 3, "store": 25, "dark_store": 2, "dropship_vendor": 1}
    assert counts == expected


def test_location_codes_unique_and_well_formed(locations: list[DemoLocation]) -> None:
    codes = [loc.code for loc in locations]
    assert len(codes) == len(set(codes))
    assert all(code == code.upper() and 0 < len(code) <= 32 for code in codes)
    assert all(loc.kind in KINDS for loc in locations)
    assert all(set(loc.capabilities) <= CAPABILITIES for loc in locations)


@pytest.mark.parametrize("location", demo_locations(), ids=lambda loc: loc.code)
def test_postal_code_is_a_real_us_zip(location: DemoLocation) -> None:
    assert len(location.postal_code) == 5
    assert location.postal_code.isdigit()
    matches = zipcodes.matching(location.postal_code)  # type: ignore[no-untyped-call]
    assert matches, location.postal_code
    assert all(match["country"] == "US" for match in matches)


def test_location_capabilities_and_capacity(locations: list[DemoLocation]) -> None:
    for wh in _by_kind(locations, "warehouse"):
        assert wh.capabilities == ("ship", "returns")
        assert wh.daily_order_capacity is not None
        assert 5000 <= wh.daily_order_capacity <= 8000
    stores = _by_kind(locations, "store")
    for store in stores:
        assert store.capabilities in (OMNI_STORE, ("pickup", "returns"))
        assert store.daily_order_capacity is not None
        assert 80 <= store.daily_order_capacity <= 250
    assert 3 <= sum("ship" not in s.capabilities for s in stores) <= 6
    assert 4 <= sum(not s.fulfillment_enabled for s in stores) <= 6
    for ds in _by_kind(locations, "dark_store"):
        assert ds.capabilities == ("ship", "same_day")
        assert ds.daily_order_capacity == 600
    (vendor,) = _by_kind(locations, "dropship_vendor")
    assert vendor.capabilities == ("ship",)
    assert vendor.daily_order_capacity is None


# --- catalog --------------------------------------------------------------------------


def test_default_catalog_has_200_unique_skus(skus: list[DemoSku]) -> None:
    assert len(skus) == 200
    assert len({s.code for s in skus}) == 200
    assert len({s.gtin for s in skus}) == 200
    assert all(0 < len(s.code) <= 40 and s.code == s.code.upper() for s in skus)


def test_catalog_spans_categories(skus: list[DemoSku]) -> None:
    categories = {s.code.split("-", 1)[0] for s in skus}
    assert len(categories) >= 6


def test_all_gtins_valid(skus: list[DemoSku]) -> None:
    assert all(len(s.gtin) == 13 and is_valid_gtin(s.gtin) for s in skus)


def test_money_and_weight(skus: list[DemoSku]) -> None:
    for sku in skus:
        assert sku.unit_cost > 0
        assert sku.unit_price > sku.unit_cost
        assert sku.unit_cost.as_tuple().exponent == -2
        assert sku.unit_price.as_tuple().exponent == -2
        assert sku.weight_kg.as_tuple().exponent == -3
        assert Decimal("0.01") <= sku.weight_kg <= Decimal("25")
        margin = (sku.unit_price - sku.unit_cost) / sku.unit_price
        assert Decimal("0.30") <= margin <= Decimal("0.70"), sku


def test_catalog_is_deterministic_per_seed() -> None:
    assert demo_skus(seed=11) == demo_skus(seed=11)
    assert demo_skus(seed=11) != demo_skus(seed=12)


def test_gtin_stable_across_seeds() -> None:
    first = {s.code: s.gtin for s in demo_skus(count=catalog_size(), seed=1)}
    second = {s.code: s.gtin for s in demo_skus(count=catalog_size(), seed=2)}
    assert first == second
    assert len(set(first.values())) == catalog_size()


def test_count_bounds() -> None:
    assert demo_skus(count=0) == []
    assert len(demo_skus(count=17)) == 17
    with pytest.raises(ValueError, match="count must be between 0 and"):
        demo_skus(count=catalog_size() + 1)


# --- stock ----------------------------------------------------------------------------


def test_quantities_positive_and_above_safety(stock: list[DemoStock]) -> None:
    assert stock
    for row in stock:
        assert row.quantity > 0
        assert 0 <= row.safety_stock < row.quantity


def test_stock_refers_to_known_codes_once(
    locations: list[DemoLocation], skus: list[DemoSku], stock: list[DemoStock]
) -> None:
    assert {s.location for s in stock} <= {loc.code for loc in locations}
    assert {s.sku for s in stock} <= {s.code for s in skus}
    pairs = [(s.sku, s.location) for s in stock]
    assert len(pairs) == len(set(pairs))


def test_every_sku_in_at_least_two_warehouses(
    locations: list[DemoLocation], skus: list[DemoSku], stock: list[DemoStock]
) -> None:
    warehouses = {loc.code for loc in _by_kind(locations, "warehouse")}
    per_sku: defaultdict[str, set[str]] = defaultdict(set)
    for row in _stock_at(stock, warehouses):
        per_sku[row.sku].add(row.location)
        assert row.quantity >= 100
    assert all(len(per_sku[s.code]) >= 2 for s in skus)


def test_popular_skus_have_more_warehouse_stock(
    locations: list[DemoLocation], skus: list[DemoSku], stock: list[DemoStock]
) -> None:
    warehouses = {loc.code for loc in _by_kind(locations, "warehouse")}
    totals: Counter[str] = Counter()
    for row in _stock_at(stock, warehouses):
        totals[row.sku] += row.quantity
    head = sum(totals[s.code] for s in skus[:10])
    tail = sum(totals[s.code] for s in skus[-10:])
    assert head > 5 * tail


def test_stores_carry_part_of_catalog_in_small_quantities(
    locations: list[DemoLocation], skus: list[DemoSku], stock: list[DemoStock]
) -> None:
    for store in _by_kind(locations, "store"):
        rows = _stock_at(stock, {store.code})
        assert 0.38 * len(skus) <= len(rows) <= 0.62 * len(skus)
        assert all(2 <= r.quantity <= 25 and 1 <= r.safety_stock <= 2 for r in rows)


def test_dark_stores_carry_popular_small_skus(
    locations: list[DemoLocation], skus: list[DemoSku], stock: list[DemoStock]
) -> None:
    rank = {s.code: i for i, s in enumerate(skus)}
    by_code = {s.code: s for s in skus}
    for ds in _by_kind(locations, "dark_store"):
        rows = _stock_at(stock, {ds.code})
        assert len(rows) == 60
        assert all(r.safety_stock <= 1 for r in rows)
        assert all(not is_bulky(by_code[r.sku]) for r in rows)
        assert max(rank[r.sku] for r in rows) < 120


def test_dropship_vendor_carries_bulky_home_skus(
    locations: list[DemoLocation], skus: list[DemoSku], stock: list[DemoStock]
) -> None:
    (vendor,) = _by_kind(locations, "dropship_vendor")
    rows = _stock_at(stock, {vendor.code})
    assert {r.sku for r in rows} == {s.code for s in skus if is_bulky(s)}
    assert rows
    assert all(r.safety_stock == 0 for r in rows)
    assert all(r.quantity >= 500 for r in rows)


def test_stock_is_deterministic_per_seed(locations: list[DemoLocation]) -> None:
    skus = demo_skus(seed=3)
    assert demo_stock(locations, skus, seed=3) == demo_stock(locations, skus, seed=3)
    assert demo_stock(locations, skus, seed=3) != demo_stock(locations, skus, seed=4)
    assert demo_locations() == locations
