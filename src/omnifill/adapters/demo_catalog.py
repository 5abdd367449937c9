"""Deterministic demo data for ``omnifill seed demo``: network, catalog, opening stock.

Pure functions over static tables. The only randomness comes from a
``random.Random(seed)`` created inside each function, so a seed always yields the same
data.

SKU popularity is Zipf-like by list index: ``demo_skus()[0]`` is the best seller.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from omnifill.domain.catalog import gtin_check_digit

# --------------------------------------------------------------------------------------
# Network rows: (code, name, postal_code, capabilities, daily_order_capacity,
# fulfillment_enabled). Every postal code is a real ZIP code in the named city.
# --------------------------------------------------------------------------------------

_LocationRow = tuple[str, str, str, tuple[str, ...], int | None, bool]

SHIP_RETURNS = ("ship", "returns")
OMNI_STORE = ("ship", "pickup", "returns")
PICKUP_ONLY = ("pickup", "returns")
SAME_DAY = ("ship", "same_day")

WAREHOUSES: tuple[_LocationRow, ...] = (
    ("WH-RENO", "Reno Fulfillment Center", "89502", SHIP_RETURNS, 6500, True),
    ("WH-MEMPHIS", "Memphis Fulfillment Center", "38118", SHIP_RETURNS, 8000, True),
    ("WH-ALLENTOWN", "Allentown Fulfillment Center", "18109", SHIP_RETURNS, 7000, True),
)

STORES: tuple[_LocationRow, ...] = (
    ("ST-NYC-01", "New York Herald Square", "10001", OMNI_STORE, 250, True),
    ("ST-NYC-02", "New York Columbus Circle", "10019", PICKUP_ONLY, 120, True),
    ("ST-LA-01", "Los Angeles Downtown", "90017", OMNI_STORE, 220, True),
    ("ST-LA-02", "Los Angeles Fairfax", "90036", PICKUP_ONLY, 110, True),
    ("ST-CHI-01", "Chicago Magnificent Mile", "60611", OMNI_STORE, 230, True),
    ("ST-HOU-01", "Houston Downtown", "77002", OMNI_STORE, 180, True),
    ("ST-PHX-01", "Phoenix Roosevelt Row", "85004", OMNI_STORE, 140, True),
    ("ST-PHL-01", "Philadelphia Rittenhouse", "19103", OMNI_STORE, 170, True),
    ("ST-SAT-01", "San Antonio River Walk", "78205", OMNI_STORE, 120, False),
    ("ST-SD-01", "San Diego Gaslamp", "92101", OMNI_STORE, 150, True),
    ("ST-DAL-01", "Dallas Arts District", "75201", OMNI_STORE, 190, True),
    ("ST-SEA-01", "Seattle Pike Place", "98101", OMNI_STORE, 200, True),
    ("ST-DEN-01", "Denver LoDo", "80202", OMNI_STORE, 160, True),
    ("ST-BOS-01", "Boston Back Bay", "02116", PICKUP_ONLY, 130, True),
    ("ST-ATL-01", "Atlanta Midtown", "30309", OMNI_STORE, 180, True),
    ("ST-MIA-01", "Miami Brickell", "33131", OMNI_STORE, 160, True),
    ("ST-MSP-01", "Minneapolis Nicollet Mall", "55402", OMNI_STORE, 140, True),
    ("ST-PDX-01", "Portland Pearl District", "97205", OMNI_STORE, 130, True),
    ("ST-BNA-01", "Nashville SoBro", "37203", OMNI_STORE, 120, True),
    ("ST-AUS-01", "Austin Congress Avenue", "78701", OMNI_STORE, 150, True),
    ("ST-SF-01", "San Francisco SoMa", "94103", PICKUP_ONLY, 140, True),
    ("ST-DC-01", "Washington Penn Quarter", "20001", OMNI_STORE, 170, False),
    ("ST-CLT-01", "Charlotte Uptown", "28202", OMNI_STORE, 100, False),
    ("ST-DET-01", "Detroit Campus Martius", "48226", OMNI_STORE, 90, False),
    ("ST-SLC-01", "Salt Lake City Downtown", "84101", OMNI_STORE, 80, False),
)

DARK_STORES: tuple[_LocationRow, ...] = (
    ("DS-BKLYN", "Brooklyn Williamsburg Dark Store", "11211", SAME_DAY, 600, True),
    ("DS-CHI", "Chicago Lincoln Park Dark Store", "60614", SAME_DAY, 600, True),
)

DROPSHIP_VENDORS: tuple[_LocationRow, ...] = (
    ("DV-ACME", "Acme Home & Outdoor (dropship)", "49503", ("ship",), None, True),
)

# --------------------------------------------------------------------------------------
# Catalog: product families expanded into one SKU per variant x size.
# Family rows: (code, name, unit cost low, unit cost high, weight_kg, variants, sizes);
# the code starts with the category, variants and sizes are space-separated (or empty).
# --------------------------------------------------------------------------------------

_FamilyRow = tuple[str, str, int, int, str, str, str]

VARIANT_NAMES: dict[str, str] = {
    "BLK": "Black", "WHT": "White", "NVY": "Navy", "GRY": "Heather Grey",
    "CHR": "Charcoal", "OAT": "Oatmeal", "OLV": "Olive", "KHK": "Khaki",
    "RED": "Red", "BLU": "Blue", "GRN": "Forest Green", "BRN": "Brown",
    "SND": "Sand", "SGE": "Sage", "PNK": "Blush", "CLR": "Clear",
    "RSE": "Rose", "BRY": "Berry", "NDE": "Nude",
    "CDR": "Cedar", "FIG": "Fig", "SEA": "Sea Salt",
}  # fmt: skip

APPAREL = "S M L XL"
SHOES = "8 9 10 11 12"
BEDS = "Queen King"

FAMILIES: tuple[_FamilyRow, ...] = (
    # Apparel
    ("APP-TEE", "Organic Cotton Tee", 6, 9, "0.18", "BLK WHT NVY GRY", APPAREL),
    ("APP-HOD", "Fleece Hoodie", 14, 22, "0.62", "BLK GRY OLV", APPAREL),
    ("APP-SWT", "Merino Crew Sweater", 28, 40, "0.38", "CHR OAT NVY", APPAREL),
    ("APP-CHN", "Stretch Chino", 16, 24, "0.55", "KHK NVY OLV", "30W 32W 34W 36W"),
    ("APP-LEG", "High-Rise Legging", 12, 18, "0.24", "BLK CHR", "XS S M L"),
    ("APP-JKT", "Packable Rain Jacket", 24, 34, "0.40", "BLK RED", APPAREL),
    ("APP-DNM", "Denim Jacket", 30, 45, "0.85", "BLU BLK", APPAREL),
    ("APP-OXF", "Oxford Button-Down Shirt", 16, 24, "0.30", "WHT BLU", APPAREL),
    ("APP-SCK", "Wool Hiking Socks 3-Pack", 7, 10, "0.21", "GRY BLK", "M L"),
    # Footwear
    ("FTW-RUN", "Everyday Runner", 30, 42, "0.72", "BLK WHT", SHOES),
    ("FTW-CHB", "Leather Chelsea Boot", 45, 65, "1.35", "BRN BLK", "8 9 10 11"),
    ("FTW-HKB", "Trail Hiking Boot", 55, 80, "1.50", "BRN", SHOES),
    ("FTW-SLP", "Canvas Slip-On", 12, 18, "0.55", "NVY WHT", "7 8 9 10"),
    ("FTW-SLD", "Recovery Slide", 8, 12, "0.40", "BLK SND", "S M L"),
    # Home goods
    ("HOM-DUV", "Linen Duvet Cover", 45, 70, "1.60", "OAT SGE GRY", BEDS),
    ("HOM-QLT", "Quilted Bedspread", 40, 60, "2.80", "OAT SGE", BEDS),
    ("HOM-MFP", "Memory Foam Pillow", 18, 28, "1.40", "", ""),
    ("HOM-PIL", "Chunky Knit Throw Pillow", 10, 15, "0.70", "OAT SGE BLU", ""),
    ("HOM-THR", "Cotton Waffle Throw", 18, 26, "1.10", "OAT GRY", ""),
    ("HOM-TWL", "Bath Towel Set", 20, 30, "2.20", "WHT GRY BLU", ""),
    ("HOM-CRT", "Blackout Curtain Panel", 18, 26, "1.30", "GRY NVY OAT", ""),
    ("HOM-CND", "Soy Candle", 5, 8, "0.45", "CDR FIG SEA", ""),
    ("HOM-BSK", "Woven Storage Basket", 12, 18, "0.90", "", ""),
    ("HOM-LMP", "Ceramic Table Lamp", 25, 38, "3.20", "WHT SGE", ""),
    ("HOM-MIR", "Round Wall Mirror", 30, 45, "5.40", "", ""),
    ("HOM-SDT", "Acacia Side Table", 40, 60, "7.80", "", ""),
    ("HOM-BKS", "5-Shelf Bookcase", 55, 80, "18.50", "", ""),
    ("HOM-RUG", "Wool Area Rug 5x8", 90, 140, "11.50", "SND CHR", ""),
    # Kitchen
    ("KIT-DOV", "Cast Iron Dutch Oven 5.5 qt", 35, 50, "5.90", "RED BLU BLK", ""),
    ("KIT-SKL", "Cast Iron Skillet 10 in", 14, 20, "2.40", "", ""),
    ("KIT-FRY", "Nonstick Fry Pan 10 in", 15, 22, "1.10", "", ""),
    ("KIT-KNF", "Chef's Knife 8 in", 22, 35, "0.25", "", ""),
    ("KIT-CBD", "Walnut Cutting Board", 18, 28, "1.60", "", ""),
    ("KIT-FRP", "French Press 34 oz", 12, 18, "0.80", "", ""),
    ("KIT-MUG", "Stoneware Mug Set of 4", 14, 20, "1.90", "WHT CHR SGE", ""),
    ("KIT-KET", "Electric Kettle", 18, 26, "1.20", "BLK WHT", ""),
    ("KIT-BLN", "High-Speed Blender", 55, 80, "4.40", "", ""),
    ("KIT-SPT", "Silicone Spatula Set", 6, 9, "0.30", "", ""),
    ("KIT-MXB", "Glass Mixing Bowl Set", 15, 22, "3.10", "", ""),
    ("KIT-DTL", "Linen Dish Towels 2-Pack", 5, 8, "0.20", "OAT SGE", ""),
    ("KIT-SCL", "Digital Kitchen Scale", 8, 12, "0.50", "", ""),
    ("KIT-WTB", "Insulated Water Bottle 24 oz", 8, 12, "0.38", "BLK SGE BLU RED", ""),
    # Electronics accessories
    ("ELE-CBL", "USB-C Cable 2 m", 3, 5, "0.06", "BLK WHT", ""),
    ("ELE-CHG", "65W USB-C Charger", 12, 18, "0.15", "", ""),
    ("ELE-PWR", "Power Bank 10000 mAh", 12, 18, "0.22", "BLK WHT", ""),
    ("ELE-EAR", "Wireless Earbuds", 25, 40, "0.08", "BLK WHT", ""),
    ("ELE-HDP", "Over-Ear Headphones", 40, 60, "0.31", "BLK SND", ""),
    ("ELE-SPK", "Portable Bluetooth Speaker", 20, 30, "0.55", "BLK BLU", ""),
    ("ELE-CAS", "Slim Phone Case", 4, 7, "0.04", "CLR BLK", ""),
    ("ELE-SCR", "Tempered Glass Screen Protector 2-Pack", 3, 4, "0.03", "", ""),
    ("ELE-HUB", "USB-C Hub 7-in-1", 15, 22, "0.12", "", ""),
    ("ELE-MSE", "Wireless Mouse", 9, 14, "0.09", "BLK GRY", ""),
    ("ELE-KBD", "Mechanical Keyboard", 35, 55, "0.95", "", ""),
    ("ELE-STD", "Aluminum Laptop Stand", 14, 20, "1.10", "", ""),
    # Beauty
    ("BTY-MST", "Daily Moisturizer 50 ml", 6, 10, "0.09", "", ""),
    ("BTY-SUN", "Mineral Sunscreen SPF 30", 5, 8, "0.12", "", ""),
    ("BTY-SER", "Vitamin C Serum", 8, 12, "0.07", "", ""),
    ("BTY-LIP", "Tinted Lip Balm", 3, 4, "0.02", "RSE BRY NDE", ""),
    ("BTY-NPL", "Nail Polish", 3, 4, "0.05", "RED PNK NDE", ""),
    ("BTY-SHM", "Sulfate-Free Shampoo", 5, 8, "0.42", "", ""),
    ("BTY-CON", "Sulfate-Free Conditioner", 5, 8, "0.42", "", ""),
    ("BTY-BWS", "Cedar Body Wash", 4, 6, "0.50", "", ""),
    ("BTY-HBR", "Boar Bristle Hair Brush", 6, 9, "0.12", "", ""),
    ("BTY-TBR", "Bamboo Toothbrush 4-Pack", 3, 4, "0.08", "", ""),
    # Toys
    ("TOY-BLK", "Wooden Block Set 100 pc", 14, 20, "2.10", "", ""),
    ("TOY-TRN", "Wooden Train Set", 25, 35, "2.60", "", ""),
    ("TOY-PZL", "1000-Piece Jigsaw Puzzle", 8, 12, "0.70", "", ""),
    ("TOY-PLS", "Plush Bear 12 in", 6, 9, "0.30", "BRN WHT", ""),
    ("TOY-CAR", "Die-Cast Car 5-Pack", 5, 7, "0.25", "", ""),
    ("TOY-BRD", "Family Board Game", 12, 18, "1.20", "", ""),
    ("TOY-ROB", "STEM Robot Kit", 25, 35, "0.90", "", ""),
    ("TOY-SCT", "Kick Scooter", 30, 45, "3.40", "RED BLU", ""),
    ("TOY-ART", "Kids Art Set", 8, 12, "0.80", "", ""),
    ("TOY-DGH", "Modeling Dough 10-Pack", 4, 6, "0.60", "", ""),
    # Outdoor
    ("OUT-TNT", "2-Person Backpacking Tent", 90, 130, "2.10", "", ""),
    ("OUT-SLB", "Down Sleeping Bag 20F", 70, 100, "1.10", "", ""),
    ("OUT-MAT", "Insulated Sleeping Pad", 40, 60, "0.60", "", ""),
    ("OUT-CHR", "Folding Camp Chair", 15, 22, "3.00", "GRN BLU", ""),
    ("OUT-CLR", "Hard Cooler 45 qt", 80, 120, "9.80", "WHT SND", ""),
    ("OUT-GRL", "Portable Charcoal Grill", 30, 45, "6.50", "", ""),
    ("OUT-HLP", "Rechargeable Headlamp", 10, 15, "0.09", "", ""),
    ("OUT-PCK", "Daypack 28 L", 25, 35, "0.85", "BLK GRN", ""),
    ("OUT-HMK", "Camping Hammock", 18, 25, "0.60", "GRN BLU", ""),
    ("OUT-STV", "Backpacking Stove", 25, 35, "0.30", "", ""),
    ("OUT-TRK", "Trekking Poles, Pair", 30, 45, "0.55", "", ""),
)  # fmt: skip

GTIN_PREFIX = "0614141"  # GS1's example company prefix; a 5-digit item ref follows
MARGIN_RANGE = (0.32, 0.62)  # gross margin before rounding the price up to .99
BULKY_WEIGHT_KG = Decimal("5")
DROPSHIP_CATEGORIES = ("HOM",)  # plus anything at or above BULKY_WEIGHT_KG

# --------------------------------------------------------------------------------------
# Stock parameters
# --------------------------------------------------------------------------------------

ALL_WAREHOUSES_TOP_N = 50  # the best sellers sit in every warehouse; the rest in 2 or 3
DARK_STORE_ASSORTMENT = 60
STORE_ASSORTMENT_SHARE = (0.40, 0.60)
STORE_QUANTITY = (2, 25)
DROPSHIP_QUANTITY = (500, 2000)

CENT = Decimal("0.01")
GRAM = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class DemoLocation:
    code: str
    name: str
    kind: str
    postal_code: str
    capabilities: tuple[str, ...]
    daily_order_capacity: int | None
    fulfillment_enabled: bool


@dataclass(frozen=True, slots=True)
class DemoSku:
    code: str
    name: str
    gtin: str
    unit_cost: Decimal
    unit_price: Decimal
    weight_kg: Decimal


@dataclass(frozen=True, slots=True)
class DemoStock:
    sku: str
    location: str
    quantity: int
    safety_stock: int


# --------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------


def demo_locations() -> list[DemoLocation]:
    """3 warehouses, 25 stores, 2 dark stores and 1 dropship vendor, in that order."""
    groups: tuple[tuple[str, tuple[_LocationRow, ...]], ...] = (
        ("warehouse", WAREHOUSES),
        ("store", STORES),
        ("dark_store", DARK_STORES),
        ("dropship_vendor", DROPSHIP_VENDORS),
    )
    return [
        DemoLocation(code, name, kind, postal, caps, capacity, enabled)
        for kind, rows in groups
        for code, name, postal, caps, capacity, enabled in rows
    ]


# --------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------


def catalog_size() -> int:
    """How many distinct SKUs the family tables can produce (the maximum ``count``)."""
    return sum(len(_variant_keys(row)) for row in FAMILIES)


def demo_skus(count: int = 200, seed: int = 7) -> list[DemoSku]:
    """``count`` SKUs in popularity order (index 0 sells most), deterministic per seed.

    Families are shuffled and expanded until ``count`` is reached, so the seed also
    decides which products make the cut. A SKU's GTIN depends only on its code.
    """
    if not 0 <= count <= catalog_size():
        raise ValueError(f"count must be between 0 and {catalog_size()}")
    rng = random.Random(seed)
    item_refs = _item_refs()
    families = list(FAMILIES)
    rng.shuffle(families)
    skus: list[DemoSku] = []
    for row in families:
        skus.extend(_expand_family(row, rng, item_refs))
    skus = skus[:count]
    rng.shuffle(skus)
    return skus


def is_bulky(sku: DemoSku) -> bool:
    """Home goods and heavy items: the dropship range, kept out of dark stores."""
    category = sku.code.split("-", 1)[0]
    return category in DROPSHIP_CATEGORIES or sku.weight_kg >= BULKY_WEIGHT_KG


def _variant_keys(row: _FamilyRow) -> list[tuple[str, str]]:
    """(code suffix, name suffix) for every variant x size of a family."""
    keys: list[tuple[str, str]] = []
    for variant in row[5].split() or [""]:
        for size in row[6].split() or [""]:
            code_parts = [p for p in (variant, size.upper()) if p]
            name_parts = [p for p in (VARIANT_NAMES.get(variant, ""), size) if p]
            code_suffix = "".join(f"-{p}" for p in code_parts)
            keys.append((code_suffix, "".join(f", {p}" for p in name_parts)))
    return keys


def _item_refs() -> dict[str, int]:
    """Stable GTIN item reference per SKU code, numbered in table order."""
    codes = [row[0] + suffix for row in FAMILIES for suffix, _ in _variant_keys(row)]
    return {code: ref for ref, code in enumerate(codes, start=1)}


def _expand_family(
    row: _FamilyRow, rng: random.Random, item_refs: dict[str, int]
) -> list[DemoSku]:
    code, name, cost_low, cost_high, weight = row[:5]
    cost = _money(rng.uniform(cost_low, cost_high))
    price = _price_for(cost, rng)
    base_weight = Decimal(weight)
    skus = []
    for code_suffix, name_suffix in _variant_keys(row):
        sku_code = f"{code}{code_suffix}"
        jitter = Decimal(str(round(rng.uniform(0.95, 1.05), 3)))
        skus.append(
            DemoSku(
                code=sku_code,
                name=f"{name}{name_suffix}",
                gtin=_gtin13(item_refs[sku_code]),
                unit_cost=cost,
                unit_price=price,
                weight_kg=(base_weight * jitter).quantize(GRAM, ROUND_HALF_UP),
            )
        )
    return skus


def _price_for(cost: Decimal, rng: random.Random) -> Decimal:
    """A retail price ending in .99 with a gross margin of roughly 30-70 %."""
    raw = cost / Decimal(str(1 - rng.uniform(*MARGIN_RANGE)))
    return Decimal(int(raw)) + Decimal("0.99")


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _gtin13(item_ref: int) -> str:
    body = f"{GTIN_PREFIX}{item_ref:05d}"
    return f"{body}{gtin_check_digit(body)}"


# --------------------------------------------------------------------------------------
# Stock
# --------------------------------------------------------------------------------------


def popularity(index: int) -> float:
    """Zipf-like weight of the SKU at ``index`` (1.0 for the best seller)."""
    return float(1 / (index + 1) ** 0.9)


def demo_stock(
    locations: list[DemoLocation], skus: list[DemoSku], seed: int = 7
) -> list[DemoStock]:
    """Opening stock for every location, grouped by location in the order given."""
    rng = random.Random(seed)
    warehouses = [loc.code for loc in locations if loc.kind == "warehouse"]
    stock = _warehouse_stock(warehouses, skus, rng)
    for loc in locations:
        if loc.kind in ("store", "micro_fulfillment"):
            stock.extend(_store_stock(loc.code, skus, rng))
        elif loc.kind == "dark_store":
            stock.extend(_dark_store_stock(loc.code, skus, rng))
        elif loc.kind == "dropship_vendor":
            stock.extend(_dropship_stock(loc.code, skus, rng))
    order = {loc.code: i for i, loc in enumerate(locations)}
    return sorted(stock, key=lambda s: order[s.location])  # stable: SKU order kept


def _warehouse_stock(
    warehouses: Sequence[str], skus: Sequence[DemoSku], rng: random.Random
) -> list[DemoStock]:
    """Every SKU in at least two warehouses (all of them for the best sellers)."""
    stock = []
    for index, sku in enumerate(skus):
        chosen = list(warehouses)
        if index >= ALL_WAREHOUSES_TOP_N and len(chosen) > 2:
            chosen = rng.sample(chosen, rng.choice((2, len(chosen))))
        base = 150 + 6000 * popularity(index)
        for code in chosen:
            quantity = round(base * rng.uniform(0.7, 1.3))
            stock.append(DemoStock(sku.code, code, quantity, max(5, quantity // 20)))
    return stock


def _store_stock(
    location: str, skus: Sequence[DemoSku], rng: random.Random
) -> list[DemoStock]:
    """A random 40-60 % of the catalog, a few units each."""
    share = rng.uniform(*STORE_ASSORTMENT_SHARE)
    picked = sorted(rng.sample(range(len(skus)), round(share * len(skus))))
    stock = []
    for index in picked:
        quantity = rng.randint(*STORE_QUANTITY)
        safety = rng.randint(1, min(2, quantity - 1))
        stock.append(DemoStock(skus[index].code, location, quantity, safety))
    return stock


def _dark_store_stock(
    location: str, skus: Sequence[DemoSku], rng: random.Random
) -> list[DemoStock]:
    """The most popular small items, a moderate amount of each."""
    ranked = [(i, sku) for i, sku in enumerate(skus) if not is_bulky(sku)]
    stock = []
    for index, sku in ranked[:DARK_STORE_ASSORTMENT]:
        quantity = round((20 + 100 * popularity(index) ** 0.5) * rng.uniform(0.8, 1.2))
        stock.append(DemoStock(sku.code, location, quantity, rng.randint(0, 1)))
    return stock


def _dropship_stock(
    location: str, skus: Sequence[DemoSku], rng: random.Random
) -> list[DemoStock]:
    """Bulky and home SKUs in depth, no safety stock."""
    return [
        DemoStock(sku.code, location, rng.randint(*DROPSHIP_QUANTITY), 0)
        for sku in skus
        if is_bulky(sku)
    ]
