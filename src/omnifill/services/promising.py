"""POST /v1/availability: pickup and delivery promises for a basket, reserving nothing.

Storefronts ask on every product page, so the stock behind the answer comes from a per-SKU snapshot that is at
most `max_age_seconds` old (1 s by default). A promise read from it can be that much behind a reservation; the
order itself is still placed against the live balances, with the oversell guard.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.costs import PackageCosting
from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Location
from omnifill.domain.orders import Address, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.availability import Promise, promise
from omnifill.domain.routing.profiles import RoutingProfile, profile_for
from omnifill.services.routing import default_cost_model, destination_of, network_stock

Row = tuple[int, Location, str, int]


@dataclass(frozen=True, slots=True)
class _Stock:
    read_at: float
    weight_kg: float
    rows: tuple[Row, ...]
    opportunity: dict[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class BasketStock:
    weights_kg: dict[str, float]
    rows: list[Row]
    opportunity: dict[tuple[str, str], float]


class StockSnapshot:
    """Where each SKU can be promised, re-read from the database when older than `max_age_seconds`."""

    def __init__(self, max_age_seconds: float = 1.0) -> None:
        self.max_age_seconds = max_age_seconds
        self._skus: dict[str, _Stock] = {}
        self._profiles: tuple[float, list[RoutingProfile]] | None = None
        self._lock = threading.Lock()

    def read(self, uow: UnitOfWork, skus: Sequence[str]) -> BasketStock:
        clock = time.monotonic()
        stale = [sku for sku in skus
                 if (found := self._skus.get(sku)) is None or clock - found.read_at > self.max_age_seconds]
        if stale:
            self._refresh(uow, stale, clock)
        basket = BasketStock({}, [], {})
        for sku in skus:
            found = self._skus.get(sku)
            if found is not None:
                basket.weights_kg[sku] = found.weight_kg
                basket.rows.extend(found.rows)
                basket.opportunity.update(found.opportunity)
        return basket

    def profiles(self, uow: UnitOfWork) -> list[RoutingProfile]:
        clock = time.monotonic()
        if self._profiles is None or clock - self._profiles[0] > self.max_age_seconds:
            with uow.reading() as reader:
                self._profiles = (clock, reader.routing_profiles.all())
        return self._profiles[1]

    def _refresh(self, uow: UnitOfWork, skus: list[str], clock: float) -> None:
        with uow.reading() as reader:
            stock = reader.inventory.availability(skus)
        by_sku: dict[str, list[Row]] = {sku: [] for sku in stock.sku_ids}
        for row in stock.at:
            by_sku[row[2]].append(row)
        opportunity: dict[str, dict[tuple[str, str], float]] = {sku: {} for sku in stock.sku_ids}
        for (sku, location), cost in stock.opportunity.items():
            opportunity[sku][sku, location] = cost
        with self._lock:
            if len(self._skus) > 100_000:
                self._skus.clear()
            for sku, rows in by_sku.items():
                self._skus[sku] = _Stock(clock, stock.weights_kg[sku], tuple(rows), opportunity[sku])
            for sku in set(skus) - set(by_sku):
                self._skus.pop(sku, None)


def check_availability(
    uow: UnitOfWork, snapshot: StockSnapshot, postal_code: str, country: str, lines: Mapping[str, int],
    channel: str | None, now: datetime, costing: PackageCosting | None = None,
) -> Promise:
    destination = destination_of(Address(postal_code, country), "postal_code")
    assert destination is not None
    basket = snapshot.read(uow, list(lines))
    for index, sku in enumerate(lines):
        if sku not in basket.weights_kg:
            raise InvalidInput(f"lines[{index}].sku", f"unknown SKU {sku}")
    profiles = snapshot.profiles(uow)

    def profile(method: DeliveryMethod, level: ServiceLevel | None) -> RoutingProfile:
        return profile_for(profiles, channel or "", method, level)

    network = network_stock(basket.rows, destination)
    return promise(lines, basket.weights_kg, destination, now, network.candidates, profile,
                   costing or default_cost_model(), basket.opportunity)
