"""Storefront promises per second: `check_availability` in-process, on a real SQLite database.

Called by benchmarks/routing.py (section d) with the reference network's locations; it can also run alone:

    .venv/bin/python benchmarks/availability.py

Each question is one basket (1 or 3 SKUs drawn by Zipf popularity) to one of 300 real ZIP codes. "warm": the
per-SKU stock snapshot may be up to 1 s old (the default), the destination's ranking of locations is cached;
"cold": the snapshot is re-read from the database on every question.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from omnifill.adapters.geography import all_postal_codes, lookup_postal_code
from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.migrate import upgrade_database
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.catalog import Sku
from omnifill.domain.inventory import MovementKind, StockLevel, movement
from omnifill.domain.locations import Capability, Location, LocationKind
from omnifill.services.promising import StockSnapshot, check_availability

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
# Real ZIP codes the questions come from: every 97th of the country's, plus the big cities' downtowns.
DOWNTOWNS = ("10001", "90012", "60601", "77002", "19103", "85004", "78205", "92101", "75201", "95113")


@dataclass(frozen=True)
class Figures:
    label: str
    questions: int
    per_second: float
    p50_us: float
    p99_us: float


def default_network(count: int = 100, seed: int = 7) -> list[Location]:
    """Locations at real ZIP codes when benchmarks/routing.py does not pass its own: 10 % warehouses."""
    rng = random.Random(seed)
    zips = [z for z in _zip_codes() if lookup_postal_code(z)]
    found = []
    for n, code in enumerate(rng.sample(zips, count)):
        place = lookup_postal_code(code)
        assert place is not None
        warehouse = n < count // 10
        found.append(Location(
            f"{'WH' if warehouse else 'ST'}-{n:03d}", f"Location {n}",
            LocationKind.WAREHOUSE if warehouse else LocationKind.STORE, place.position, code, "US",
            place.time_zone or "America/New_York",
            frozenset({Capability.SHIP} if warehouse else {Capability.SHIP, Capability.PICKUP, Capability.SAME_DAY}),
        ))
    return found


def _zip_codes() -> list[str]:
    return all_postal_codes()[::97]


def build(path: Path, locations: Sequence[Location], skus: int, seed: int) -> UnitOfWork:
    """A migrated SQLite database holding the network, `skus` SKUs and stock for them."""
    uow = UnitOfWork(make_engine(f"sqlite:///{path}"))
    upgrade_database(uow.engine)
    rng = random.Random(seed)
    with uow:
        for location in locations:
            uow.locations.add(location, NOW)
        for k in range(skus):
            uow.skus.add(Sku(f"SKU-{k:04d}", f"Item {k}", Decimal("4.00"), Decimal("12.00"), Decimal("0.500")), NOW)
        uow.commit()
    _stock(uow, locations, skus, rng)
    return uow


def _stock(uow: UnitOfWork, locations: Sequence[Location], skus: int, rng: random.Random) -> None:
    """Warehouses hold most SKUs, stores the popular ones: booked through the ledger's own repository."""
    with uow:
        sku_ids = uow.skus.ids_for([f"SKU-{k:04d}" for k in range(skus)])
        location_ids = {code: found[0] for code, found in uow.locations.by_code([x.code for x in locations]).items()}
        rows = []
        for location in locations:
            warehouse = location.kind is LocationKind.WAREHOUSE
            for k in range(skus):
                if rng.random() > (0.9 if warehouse else 0.6 / (1 + k / 20)):
                    continue
                sku = f"SKU-{k:04d}"
                keys = Keys(sku_ids[sku], location_ids[location.code])
                uow.inventory.ensure_level(keys, Decimal("4.00"), NOW)
                units = rng.randint(20, 200) if warehouse else rng.randint(1, 6)
                row, after = movement(MovementKind.RECEIPT, sku, location.code, units, StockLevel(),
                                      reason="benchmark", actor="benchmark", unit_cost=Decimal("4.00"))
                uow.inventory.store_level(keys, after, NOW)
                rows.append((row, keys, after))
        uow.inventory.record(rows, NOW)
        uow.commit()


def measure(uow: UnitOfWork, skus: int, questions: int, max_age: float, lines: int, seed: int) -> Figures:
    rng = random.Random(seed)
    destinations = [*DOWNTOWNS, *_zip_codes()[:290]]
    weights = [1 / (k + 1) for k in range(skus)]
    snapshot = StockSnapshot(max_age)
    asks = [(rng.choice(destinations), {f"SKU-{k:04d}": 1 for k in rng.choices(range(skus), weights, k=lines)})
            for _ in range(questions)]
    for zip_code, basket in asks[: min(500, questions)]:  # warm-up: rankings, snapshot, code paths
        check_availability(uow, snapshot, zip_code, "US", basket, None, NOW)
    took = []
    started = time.perf_counter()
    for zip_code, basket in asks:
        t = time.perf_counter()
        check_availability(uow, snapshot, zip_code, "US", basket, None, NOW)
        took.append(time.perf_counter() - t)
    seconds = time.perf_counter() - started
    took.sort()
    label = f"{'warm' if max_age else 'cold'}, {lines}-SKU basket"
    return Figures(label, questions, questions / seconds, statistics.median(took) * 1e6,
                   took[int(0.99 * len(took))] * 1e6)


def run(locations: Sequence[Location] | None = None, quick: bool = False, seed: int = 7) -> list[Figures]:
    network = list(locations) if locations is not None else default_network()
    skus = 300
    questions = 2_000 if quick else 10_000
    with tempfile.TemporaryDirectory() as folder:
        uow = build(Path(folder) / "availability.db", network, skus, seed)
        try:
            return [
                measure(uow, skus, questions, 1.0, 1, seed),
                measure(uow, skus, questions, 1.0, 3, seed),
                measure(uow, skus, questions // 5, 0.0, 1, seed),
            ]
        finally:
            uow.engine.dispose()


def print_figures(figures: Sequence[Figures], locations: int) -> None:
    print(f"\nAvailability (POST /v1/availability's service, in-process, SQLite, {locations} locations)")
    print(f"  {'case':<22} {'questions':>9} {'per s':>8} {'p50 µs':>8} {'p99 µs':>8}")
    for f in figures:
        print(f"  {f.label:<22} {f.questions:>9} {f.per_second:>8.0f} {f.p50_us:>8.0f} {f.p99_us:>8.0f}")


if __name__ == "__main__":
    found = run()
    print_figures(found, 100)
