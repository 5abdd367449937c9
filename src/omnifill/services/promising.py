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
from omnifill.domain.locations import GeoPoint, Location
from omnifill.domain.orders import Address, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.availability import (
    Holdings,
    Promise,
    Ranking,
    candidates_from,
    promise,
    rank_locations,
)
from omnifill.domain.routing.profiles import RoutingProfile, profile_for
from omnifill.services.routing import default_cost_model, destination_of, routing_profiles

Row = tuple[int, Location, str, int]
NETWORK_LIMIT = 100_000  # locations read for rankings: every store of the largest chains fits


@dataclass(frozen=True, slots=True)
class _Stock:
    read_at: float
    weight_kg: float
    holdings: dict[str, tuple[Location, dict[str, int]]]  # where this SKU can be promised, by location code
    opportunity: dict[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class BasketStock:
    weights_kg: dict[str, float]
    holdings: Holdings
    opportunity: dict[tuple[str, str], float]


class StockSnapshot:
    """Where each SKU can be promised, re-read from the database when older than `max_age_seconds`."""

    def __init__(self, max_age_seconds: float = 1.0) -> None:
        self.max_age_seconds = max_age_seconds
        self._skus: dict[str, _Stock] = {}
        self._network: tuple[float, tuple[Location, ...]] | None = None
        self._rankings: dict[tuple[str, str], Ranking] = {}
        self._lock = threading.Lock()

    def read(self, uow: UnitOfWork, skus: Sequence[str]) -> BasketStock:
        clock = time.monotonic()
        stale = [sku for sku in skus
                 if (known := self._skus.get(sku)) is None or clock - known.read_at > self.max_age_seconds]
        if stale:
            self._refresh(uow, stale, clock)
        found = {sku: stock for sku in skus if (stock := self._skus.get(sku)) is not None}
        if len(found) == 1:  # most questions: one product page
            [(sku, stock)] = found.items()
            return BasketStock({sku: stock.weight_kg}, stock.holdings, stock.opportunity)
        weights: dict[str, float] = {}
        opportunity: dict[tuple[str, str], float] = {}
        merged: dict[str, tuple[Location, dict[str, int]]] = {}
        for sku, stock in found.items():
            weights[sku] = stock.weight_kg
            opportunity.update(stock.opportunity)
            for code, (location, units) in stock.holdings.items():
                merged.setdefault(code, (location, {}))[1].update(units)
        return BasketStock(weights, merged, opportunity)

    def ranking(
        self, uow: UnitOfWork, place: tuple[str, str], destination: GeoPoint, costing: PackageCosting
    ) -> Ranking:
        """The destination's ranking of shipping locations, rebuilt when the network changes."""
        clock = time.monotonic()
        if self._network is None or clock - self._network[0] > self.max_age_seconds:
            with uow.reading() as reader:
                network = tuple(reader.locations.page(None, NETWORK_LIMIT))
            if self._network is None or network != self._network[1]:
                self._rankings = {}
            self._network = (clock, network)
        found = self._rankings.get(place)
        if found is None:
            if len(self._rankings) > 50_000:
                self._rankings = {}
            found = self._rankings[place] = rank_locations(self._network[1], destination, costing)
        return found

    def _refresh(self, uow: UnitOfWork, skus: list[str], clock: float) -> None:
        with uow.reading() as reader:
            stock = reader.inventory.availability(skus)
        by_sku: dict[str, dict[str, tuple[Location, dict[str, int]]]] = {sku: {} for sku in stock.sku_ids}
        for _, place, sku, units in stock.at:
            by_sku[sku][place.code] = (place, {sku: units})
        opportunity: dict[str, dict[tuple[str, str], float]] = {sku: {} for sku in stock.sku_ids}
        for (sku, code), cost in stock.opportunity.items():
            opportunity[sku][sku, code] = cost
        with self._lock:
            if len(self._skus) > 100_000:
                self._skus.clear()
            for sku, holdings in by_sku.items():
                self._skus[sku] = _Stock(clock, stock.weights_kg[sku], holdings, opportunity[sku])
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
    profiles = routing_profiles(uow)

    def profile(method: DeliveryMethod, level: ServiceLevel | None) -> RoutingProfile:
        return profile_for(profiles, channel or "", method, level)

    costing = costing or default_cost_model()
    ranking = snapshot.ranking(uow, (postal_code, country), destination, costing)
    candidates = candidates_from(lines, basket.holdings, ranking)
    return promise(lines, basket.weights_kg, destination, now, candidates, profile, costing, basket.opportunity,
                   ranking=ranking)
