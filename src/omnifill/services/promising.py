"""POST /v1/availability: pickup and delivery promises for a basket, reserving nothing.

Storefronts ask on every product page, so the stock behind the answer comes from a per-SKU snapshot that is at
most `max_age_seconds` old (1 s by default). A promise read from it can be that much behind a reservation; the
order itself is still placed against the live balances, with the oversell guard.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
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

NETWORK_LIMIT = 100_000  # locations read for rankings: every store of the largest chains fits
BUSY_REFRESH_LIMIT = 2_000  # SKUs re-read beside a stale one, at most


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
    network: dict[str, Location]  # every location, by code, as fresh as the stock


class StockSnapshot:
    """Where each SKU can be promised, and the network, re-read from the database when older than
    `max_age_seconds`.

    A question that finds a SKU stale re-reads it with every other SKU asked since its last read and past half
    its age: a storefront's busy SKUs come back in one query a second, not one query each.
    """

    def __init__(self, max_age_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._skus: dict[str, _Stock] = {}
        self._asked: set[str] = set()  # SKUs asked since they were last read
        self._network: tuple[float, dict[str, Location]] = (-float("inf"), {})
        self._rankings: dict[tuple[str, str], Ranking] = {}
        self._lock = threading.Lock()

    def read(self, uow: UnitOfWork, skus: Sequence[str]) -> BasketStock:
        clock = self._clock()
        with self._lock:
            self._asked.update(skus)
        stale = [sku for sku in skus
                 if (known := self._skus.get(sku)) is None or clock - known.read_at > self.max_age_seconds]
        fresh: dict[str, _Stock] = {}
        if stale or clock - self._network[0] > self.max_age_seconds:
            with uow.reading() as reader:  # one transaction: the stock and the locations agree
                if clock - self._network[0] > self.max_age_seconds:
                    self._read_network(reader, clock)
                if stale:
                    fresh = self._refresh(reader, stale, clock)
        network = self._network[1]
        # What this question read itself first: another thread may have emptied the cache meanwhile.
        found = {sku: stock for sku in skus if (stock := fresh.get(sku) or self._skus.get(sku)) is not None}
        if len(found) == 1:  # most questions: one product page
            [(sku, stock)] = found.items()
            return BasketStock({sku: stock.weight_kg}, stock.holdings, stock.opportunity, network)
        weights: dict[str, float] = {}
        opportunity: dict[tuple[str, str], float] = {}
        merged: dict[str, tuple[Location, dict[str, int]]] = {}
        for sku, stock in found.items():
            weights[sku] = stock.weight_kg
            opportunity.update(stock.opportunity)
            for code, (location, units) in stock.holdings.items():
                merged.setdefault(code, (location, {}))[1].update(units)
        return BasketStock(weights, merged, opportunity, network)

    def ranking(
        self, network: dict[str, Location], place: tuple[str, str], destination: GeoPoint, costing: PackageCosting,
    ) -> Ranking:
        """The destination's ranking of shipping locations, kept until the network changes."""
        found = self._rankings.get(place)
        if found is None:
            if len(self._rankings) > 50_000:
                self._rankings = {}
            found = self._rankings[place] = rank_locations(network.values(), destination, costing)
        return found

    def _read_network(self, reader: UnitOfWork, clock: float) -> dict[str, Location]:
        network = {location.code: location for location in reader.locations.page(None, NETWORK_LIMIT)}
        if network != self._network[1]:
            self._rankings = {}
        self._network = (clock, network)
        return network

    def _refresh(self, reader: UnitOfWork, stale: list[str], clock: float) -> dict[str, _Stock]:
        half_stale = clock - self.max_age_seconds / 2
        with self._lock:
            busy = [sku for sku in self._asked
                    if (known := self._skus.get(sku)) is not None and known.read_at < half_stale and sku not in stale]
        skus = [*stale, *busy[:BUSY_REFRESH_LIMIT]]
        stock = reader.inventory.promisable(skus)
        network = self._network[1]
        if any(code not in network for _, code, _ in stock.units):  # a location opened since the network was read
            network = self._read_network(reader, clock)
        holdings: dict[str, dict[str, tuple[Location, dict[str, int]]]] = {sku: {} for sku in stock.weights_kg}
        for sku, code, units in stock.units:
            location = network.get(code)
            if location is not None:  # None: beyond NETWORK_LIMIT
                holdings[sku][code] = (location, {sku: units})
        opportunity: dict[str, dict[tuple[str, str], float]] = {sku: {} for sku in stock.weights_kg}
        for (sku, code), cost in stock.opportunity.items():
            opportunity[sku][sku, code] = cost
        fresh = {sku: _Stock(clock, weight, holdings[sku], opportunity[sku])
                 for sku, weight in stock.weights_kg.items()}
        with self._lock:
            if len(self._skus) > 100_000:
                self._skus.clear()
                self._asked.clear()
            self._skus.update(fresh)
            for sku in skus:
                self._asked.discard(sku)
                if sku not in fresh:
                    self._skus.pop(sku, None)
        return fresh


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
    ranking = snapshot.ranking(basket.network, (postal_code, country), destination, costing)
    shortlist = candidates_from(lines, basket.holdings, ranking)
    return promise(lines, basket.weights_kg, destination, now, shortlist, profile, costing, basket.opportunity)
