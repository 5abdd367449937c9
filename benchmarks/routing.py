"""Routing: what each policy costs against an LP bound, and how long decisions and waves take.

    .venv/bin/python benchmarks/routing.py            # the full run (≈ 10 min on 2 cores)
    .venv/bin/python benchmarks/routing.py --quick    # a smaller run (< 2 min)
    .venv/bin/python benchmarks/routing.py --only jasin-sinha --seed 3

a. Reference scenario (seeded): 10 warehouses at real US logistics hubs and 90 ship-from-stores in the largest
   continental US cities; customers drawn by city population (98 cities, positions jittered by up to ~10 miles);
   300 SKUs with Zipf popularity; orders of 1–5 lines arriving over one day — one cut-off cycle, from 14:45 on
   the east coast to 14:45 the next day (see DAY); the default rate card (`load_cost_model()`), standard
   service. Warehouses carry most SKUs in quantities near their region's expected demand (with noise), stores
   carry the popular ones in ones and twos and can ship 40 orders a day.
   Policies:
     nearest     the nearest location holding every line, else nearest-first per SKU (allocation v0);
     myopic      `route_order` with look-ahead off;
     look-ahead  `route_order` plus the transportation LP's opportunity costs, re-solved every two hours on the
                 stock left and the demand expected for the rest of the day (yesterday's orders, pooled as
                 SKU mix × region share: one day of history is too sparse per (SKU, region));
     batch MILP  hourly: orders wait for the end of their hour; each hourly wave goes through `solve_wave`
                 (shortlist of 8 locations per order), alone or with the look-ahead's prices added to unit
                 costs. At the cut-off: every order of the cycle waits for one wave released just before the
                 cut-off (standard orders ship after it either way), on cost alone; or, as the product runs it,
                 routed and reserved at intake with its promise kept, then re-planned in that wave
                 (`cutoff_wave_policy`).
     and, in the full run, two rows that are context, not policies: look-ahead given the rates the orders are
     drawn from (a perfect forecast), and given the rest of the day's actual orders (clairvoyant).
   Every plan is priced afterwards by the cost model itself (`CostModel.package`, split penalty, capacity
   surcharge), never by a policy's own objective; a unit not shipped costs LOST_SALE.
   Promise: at checkout the customer is promised the standard-service delivery date from the nearest location
   holding every line (if none does, the latest of each line's nearest holder), with that location's cut-off;
   an order meets it when every unit arrives by then (a partly unfilled order does not). The policies above
   route on cost alone; "promise enforced" rows give the engine that date as `promised_by` with a profile
   that enforces it (falling back to a late plan only when no location can make it).
   Bound: `hindsight_bound` over the day's orders with every location as an option, the day's stock and the
   stores' daily capacities: the plan LP, a valid lower bound for any policy, even one that knew the day ahead.
b. Jasin & Sinha (2015) warm-up, as set up in the public code of Amil, Makhdoumi & Wei (2025), repository
   AyoubAmil/multi-item-order-fulfillment_AA_AM_YW, ORDER_FULFILLMENT/ (see `js_instance` for what was taken
   and where we had to approximate). Costs ÷ the deterministic LP over fulfillment methods. The full run tries
   look-ahead variants on tuning arrivals (seed + 1000) and evaluates the best on other arrivals (seed,
   seed + 1) and on a second instance; the quick run evaluates `JS_CHOSEN` only.
c. Timing: `route_order` p50/p99 over 100 candidates; `solve_wave` on 10,000 orders × 100 locations.
d. Availability: `check_availability` (POST /v1/availability's service) questions per second, in-process, on a
   SQLite database holding the reference network (stores offer pickup and same-day), to 300 real ZIP codes; one
   thread, then one process per core on the same database (each with its own snapshot, as API workers run).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import numpy as np

from omnifill.adapters.geography import all_postal_codes, lookup_postal_code
from omnifill.adapters.highs import hindsight_bound, opportunity_costs, solve_wave
from omnifill.adapters.rates import load_cost_model
from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.migrate import upgrade_database
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.catalog import Sku
from omnifill.domain.costs import CostModel, LinearCostModel
from omnifill.domain.errors import InsufficientStock
from omnifill.domain.inventory import MovementKind, StockLevel, movement
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind, great_circle_miles
from omnifill.domain.orders import Delivery, DeliveryMethod, ServiceLevel
from omnifill.domain.routing.availability import Ranking, candidates_from, promise, rank_locations
from omnifill.domain.routing.engine import RoutingRequest, route_order
from omnifill.domain.routing.lookahead import (
    OpportunityCosts,
    TransportationProblem,
    amortized_unit_cost,
    expected_demand,
)
from omnifill.domain.routing.plans import Candidate
from omnifill.domain.routing.profiles import BUILT_IN, RoutingProfile
from omnifill.domain.routing.promises import delivery_date, ship_date
from omnifill.domain.routing.waves import Assignment, WaveOption, WaveOrder, WavePlan, WaveProblem, assignment_cost
from omnifill.entrypoints.process import settle_start_up_heap
from omnifill.services.promising import StockSnapshot, check_availability

STANDARD = ServiceLevel.STANDARD
SHIP = Delivery(DeliveryMethod.SHIP, STANDARD)

# The 100 most populous US cities (city proper, US Census 2013 estimates; coordinates of the city centre), as
# in plotly/datasets us-cities-top-1k.csv. Honolulu and Anchorage are left out: the network is continental.
CITIES: tuple[tuple[str, str, float, float, int], ...] = (
    ("New York", "NY", 40.7128, -74.0059, 8405837), ("Los Angeles", "CA", 34.0522, -118.2437, 3884307),
    ("Chicago", "IL", 41.8781, -87.6298, 2718782), ("Houston", "TX", 29.7604, -95.3698, 2195914),
    ("Philadelphia", "PA", 39.9526, -75.1652, 1553165), ("Phoenix", "AZ", 33.4484, -112.0740, 1513367),
    ("San Antonio", "TX", 29.4241, -98.4936, 1409019), ("San Diego", "CA", 32.7157, -117.1611, 1355896),
    ("Dallas", "TX", 32.7767, -96.7970, 1257676), ("San Jose", "CA", 37.3382, -121.8863, 998537),
    ("Austin", "TX", 30.2672, -97.7431, 885400), ("Indianapolis", "IN", 39.7684, -86.1581, 843393),
    ("Jacksonville", "FL", 30.3322, -81.6557, 842583), ("San Francisco", "CA", 37.7749, -122.4194, 837442),
    ("Columbus", "OH", 39.9612, -82.9988, 822553), ("Charlotte", "NC", 35.2271, -80.8431, 792862),
    ("Fort Worth", "TX", 32.7555, -97.3308, 792727), ("Detroit", "MI", 42.3314, -83.0458, 688701),
    ("El Paso", "TX", 31.7776, -106.4425, 674433), ("Memphis", "TN", 35.1495, -90.0490, 653450),
    ("Seattle", "WA", 47.6062, -122.3321, 652405), ("Denver", "CO", 39.7392, -104.9903, 649495),
    ("Washington", "DC", 38.9072, -77.0369, 646449), ("Boston", "MA", 42.3601, -71.0589, 645966),
    ("Nashville", "TN", 36.1627, -86.7816, 634464), ("Baltimore", "MD", 39.2904, -76.6122, 622104),
    ("Oklahoma City", "OK", 35.4676, -97.5164, 610613), ("Louisville", "KY", 38.2527, -85.7585, 609893),
    ("Portland", "OR", 45.5231, -122.6765, 609456), ("Las Vegas", "NV", 36.1699, -115.1398, 603488),
    ("Milwaukee", "WI", 43.0389, -87.9065, 599164), ("Albuquerque", "NM", 35.0853, -106.6056, 556495),
    ("Tucson", "AZ", 32.2217, -110.9265, 526116), ("Fresno", "CA", 36.7468, -119.7726, 509924),
    ("Sacramento", "CA", 38.5816, -121.4944, 479686), ("Long Beach", "CA", 33.7701, -118.1937, 469428),
    ("Kansas City", "MO", 39.0997, -94.5786, 467007), ("Mesa", "AZ", 33.4152, -111.8315, 457587),
    ("Virginia Beach", "VA", 36.8529, -75.9780, 448479), ("Atlanta", "GA", 33.7490, -84.3880, 447841),
    ("Colorado Springs", "CO", 38.8339, -104.8214, 439886), ("Omaha", "NE", 41.2524, -95.9980, 434353),
    ("Raleigh", "NC", 35.7796, -78.6382, 431746), ("Miami", "FL", 25.7617, -80.1918, 417650),
    ("Oakland", "CA", 37.8044, -122.2711, 406253), ("Minneapolis", "MN", 44.9778, -93.2650, 400070),
    ("Tulsa", "OK", 36.1540, -95.9928, 398121), ("Cleveland", "OH", 41.4993, -81.6944, 390113),
    ("Wichita", "KS", 37.6889, -97.3361, 386552), ("Arlington", "TX", 32.7357, -97.1081, 379577),
    ("New Orleans", "LA", 29.9511, -90.0715, 378715), ("Bakersfield", "CA", 35.3733, -119.0187, 363630),
    ("Tampa", "FL", 27.9506, -82.4572, 352957), ("Aurora", "CO", 39.7294, -104.8319, 345803),
    ("Anaheim", "CA", 33.8353, -117.9145, 345012), ("Santa Ana", "CA", 33.7456, -117.8678, 334227),
    ("St. Louis", "MO", 38.6270, -90.1994, 318416), ("Riverside", "CA", 33.9533, -117.3962, 316619),
    ("Corpus Christi", "TX", 27.8006, -97.3964, 316381), ("Lexington", "KY", 38.0406, -84.5037, 308428),
    ("Pittsburgh", "PA", 40.4406, -79.9959, 305841), ("Stockton", "CA", 37.9577, -121.2908, 298118),
    ("Cincinnati", "OH", 39.1031, -84.5120, 297517), ("St. Paul", "MN", 44.9537, -93.0900, 294873),
    ("Toledo", "OH", 41.6639, -83.5552, 282313), ("Greensboro", "NC", 36.0726, -79.7920, 279639),
    ("Newark", "NJ", 40.7357, -74.1724, 278427), ("Plano", "TX", 33.0198, -96.6989, 274409),
    ("Henderson", "NV", 36.0395, -114.9817, 270811), ("Lincoln", "NE", 40.8258, -96.6852, 268738),
    ("Buffalo", "NY", 42.8864, -78.8784, 258959), ("Jersey City", "NJ", 40.7282, -74.0776, 257342),
    ("Chula Vista", "CA", 32.6401, -117.0842, 256780), ("Fort Wayne", "IN", 41.0793, -85.1394, 256496),
    ("Orlando", "FL", 28.5383, -81.3792, 255483), ("St. Petersburg", "FL", 27.7731, -82.6400, 249688),
    ("Chandler", "AZ", 33.3062, -111.8413, 249146), ("Laredo", "TX", 27.5306, -99.4803, 248142),
    ("Norfolk", "VA", 36.8508, -76.2859, 246139), ("Durham", "NC", 35.9940, -78.8986, 245475),
    ("Madison", "WI", 43.0731, -89.4012, 243344), ("Lubbock", "TX", 33.5779, -101.8552, 239538),
    ("Irvine", "CA", 33.6839, -117.7947, 236716), ("Winston-Salem", "NC", 36.0999, -80.2442, 236441),
    ("Glendale", "AZ", 33.5387, -112.1860, 234632), ("Garland", "TX", 32.9126, -96.6389, 234566),
    ("Hialeah", "FL", 25.8576, -80.2781, 233394), ("Reno", "NV", 39.5296, -119.8138, 233294),
    ("Chesapeake", "VA", 36.7682, -76.2875, 230571), ("Gilbert", "AZ", 33.3528, -111.7890, 229972),
    ("Baton Rouge", "LA", 30.4583, -91.1403, 229426), ("Irving", "TX", 32.8140, -96.9489, 228653),
    ("Scottsdale", "AZ", 33.4942, -111.9261, 226918), ("North Las Vegas", "NV", 36.1989, -115.1175, 226877),
    ("Fremont", "CA", 37.5483, -121.9886, 224922), ("Boise", "ID", 43.6187, -116.2146, 214237),
    ("Richmond", "VA", 37.5407, -77.4360, 214114), ("San Bernardino", "CA", 34.1083, -117.2898, 213708),
)
# Warehouses at well-known US distribution hubs (approximate town-centre coordinates).
WAREHOUSES: tuple[tuple[str, str, str, float, float], ...] = (
    ("DC-ONT", "Ontario, CA (Inland Empire)", "CA", 34.0633, -117.6509),
    ("DC-TRC", "Tracy, CA", "CA", 37.7397, -121.4252),
    ("DC-KNT", "Kent, WA", "WA", 47.3809, -122.2348),
    ("DC-GDY", "Goodyear, AZ", "AZ", 33.4353, -112.3577),
    ("DC-DFW", "Dallas-Fort Worth, TX", "TX", 32.8998, -97.0403),
    ("DC-JOL", "Joliet, IL", "IL", 41.5250, -88.0817),
    ("DC-MEM", "Memphis, TN", "TN", 35.0421, -89.9792),
    ("DC-OBZ", "Obetz, OH (Columbus)", "OH", 39.8790, -82.9507),
    ("DC-MCD", "McDonough, GA (Atlanta)", "GA", 33.4473, -84.1469),
    ("DC-ABE", "Allentown, PA (Lehigh Valley)", "PA", 40.6084, -75.4902),
)
TIME_ZONES = {
    "America/Los_Angeles": "CA WA OR NV", "America/Phoenix": "AZ", "America/Denver": "CO NM",
    "America/Boise": "ID", "America/Indiana/Indianapolis": "IN", "America/Kentucky/Louisville": "KY",
    "America/Detroit": "MI", "America/Chicago": "TX OK KS NE MN WI IL MO TN LA",
    "America/New_York": "NY PA OH NJ MA MD DC VA NC GA FL",
}
ZONE_OF_STATE = {state: zone for zone, states in TIME_ZONES.items() for state in states.split()}
ZONE_OF_CITY = {"El Paso": "America/Denver"}  # West Texas keeps Mountain time

# The simulated day is one cut-off cycle: it starts at 14:45 on the US east coast, a quarter of an hour before the
# first locations' 15:00 cut-off, so a wave released at its end still ships that day from every location.
DAY = datetime(2026, 11, 24, 19, 45, tzinfo=UTC)
SKU_COUNT, STORE_COUNT, STORE_CAPACITY = 300, 90, 40
LOST_SALE = 30.0  # per unit not shipped: margin and goodwill lost
LINES = (0.50, 0.22, 0.13, 0.09, 0.06)  # P(1..5 lines)
SHORTLIST = 8  # options per order in a wave
LATE_PACKAGE = 10.0  # in a wave that keeps promises: what breaking one is worth avoiding (below LOST_SALE)


# --- a. reference scenario ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    placed_at: datetime
    region: str
    destination: GeoPoint
    demand: dict[str, int]


@dataclass(slots=True)
class Network:
    locations: list[Location]
    by_code: dict[str, Location]
    stock: dict[tuple[str, str], int]  # (sku, location) at the start of the day
    weights: dict[str, float]
    popularity: list[float]
    regions: dict[str, GeoPoint]
    region_weights: list[float]


def build_network(seed: int, orders_per_day: int) -> Network:
    rng = random.Random(seed)
    regions = {c[0]: GeoPoint(c[2], c[3]) for c in CITIES}
    region_weights = [float(c[4]) for c in CITIES]
    locations = [_location(code, name, LocationKind.WAREHOUSE, state, lat, lon, None)
                 for code, name, state, lat, lon in WAREHOUSES]
    locations += [_location(f"ST-{i:02d}", f"Store {name}", LocationKind.STORE, state, lat, lon, STORE_CAPACITY, name)
                  for i, (name, state, lat, lon, _) in enumerate(CITIES[:STORE_COUNT])]
    popularity = [1 / (k + 1) ** 0.9 for k in range(SKU_COUNT)]
    total = sum(popularity)
    popularity = [p / total for p in popularity]
    weights = {sku(k): round(min(6.0, rng.lognormvariate(0.0, 0.7)), 2) for k in range(SKU_COUNT)}
    units_per_day = orders_per_day * sum((i + 1) * p for i, p in enumerate(LINES)) * 1.15
    share = _warehouse_shares(locations[: len(WAREHOUSES)], regions, region_weights)
    biggest = max(share, key=lambda w: share[w])
    stock: dict[tuple[str, str], int] = {}
    for k in range(SKU_COUNT):
        expected = units_per_day * popularity[k]
        carriers = [w for w in share if rng.random() < (0.9 if k < 60 else 0.65)] or [biggest]
        spread = {w: share[w] * rng.uniform(0.5, 1.5) for w in carriers}
        scale = 1.1 * expected / sum(spread.values())
        for w, part in spread.items():
            stock[(sku(k), w)] = max(1, round(part * scale))
        for store in locations[len(WAREHOUSES):]:
            if k < 120 and rng.random() < 0.5:
                stock[(sku(k), store.code)] = rng.choice((1, 1, 2, 3))
    return Network(locations, {loc.code: loc for loc in locations}, stock, weights, popularity, regions,
                   region_weights)


def sku(k: int) -> str:
    return f"SKU-{k:03d}"


def _location(code: str, name: str, kind: LocationKind, state: str, lat: float, lon: float, capacity: int | None,
              city: str = "") -> Location:
    zone = ZONE_OF_CITY.get(city) or ZONE_OF_STATE[state]
    return Location(code, name, kind, GeoPoint(lat, lon), "00000", "US", zone, frozenset({Capability.SHIP}),
                    daily_order_capacity=capacity)


def _warehouse_shares(warehouses: Sequence[Location], regions: Mapping[str, GeoPoint],
                      weights: Sequence[float]) -> dict[str, float]:
    """Each warehouse's share of demand: the population of the cities it is nearest to."""
    share: dict[str, float] = {}
    for point, weight in zip(regions.values(), weights, strict=True):
        nearest = min(warehouses, key=lambda w: great_circle_miles(w.position, point))
        share[nearest.code] = share.get(nearest.code, 0.0) + weight
    total = sum(share.values())
    return {code: part / total for code, part in share.items()}


def draw_orders(network: Network, count: int, seed: int, prefix: str = "O") -> list[Order]:
    rng = random.Random(seed)
    names = list(network.regions)
    cum_regions = list(accumulate(network.region_weights))
    cum_skus = list(accumulate(network.popularity))
    cum_lines = list(accumulate(LINES))
    skus = [sku(k) for k in range(SKU_COUNT)]
    times = sorted(rng.uniform(0, 24 * 3600) for _ in range(count))
    orders = []
    for n, seconds in enumerate(times):
        region = rng.choices(names, cum_weights=cum_regions)[0]
        centre = network.regions[region]
        point = GeoPoint(centre.latitude + rng.uniform(-0.15, 0.15), centre.longitude + rng.uniform(-0.15, 0.15))
        lines = rng.choices(range(1, 6), cum_weights=cum_lines)[0]
        demand: dict[str, int] = {}
        while len(demand) < lines:
            demand[rng.choices(skus, cum_weights=cum_skus)[0]] = 2 if rng.random() < 0.15 else 1
        orders.append(Order(f"{prefix}{n:05d}", DAY + timedelta(seconds=seconds), region, point, demand))
    return orders


@dataclass(slots=True)
class Outcome:
    cost: float
    packages: int
    units: int
    shipped: int
    promise_met: bool
    parts: tuple[float, ...]  # the cost as COST_PARTS


COST_PARTS = ("shipping", "handling", "capacity", "split penalty", "lost sales")


@dataclass(slots=True)
class Day:
    """One policy's day: the stock and capacity it has left, and what each order cost."""

    network: Network
    costing: CostModel
    miles: dict[str, dict[str, float]]  # order id → location → miles
    stock: dict[tuple[str, str], int] = field(init=False)
    orders_today: Counter[str] = field(default_factory=Counter)
    outcomes: list[Outcome] = field(default_factory=list)
    # per order id: its packages and the promise it was given, as shipped
    shipped: dict[str, tuple[list[tuple[str, dict[str, int]]], date | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stock = dict(self.network.stock)

    def has_room(self, location: Location) -> bool:
        cap = location.daily_order_capacity
        return cap is None or self.orders_today[location.code] < cap

    def candidates(self, order: Order) -> list[Candidate]:
        found = []
        for location in self.network.locations:
            held = {s: n for s in order.demand if (n := self.stock.get((s, location.code), 0)) > 0}
            if held:
                found.append(Candidate(location, held, self.miles[order.order_id][location.code],
                                       self.orders_today[location.code]))
        return found

    def promise(self, order: Order, now: datetime) -> date | None:
        """Standard delivery from the nearest location holding every line, else the latest of each line's."""
        near = sorted((m, code) for code, m in self.miles[order.order_id].items())
        open_ = [(m, self.network.by_code[code]) for m, code in near if self.has_room(self.network.by_code[code])]
        whole = next(((m, loc) for m, loc in open_
                      if all(self.stock.get((s, loc.code), 0) >= n for s, n in order.demand.items())), None)
        if whole is not None:
            return self._arrives(*whole, order, now)
        dates = []
        for s, n in order.demand.items():
            holder = next(((m, loc) for m, loc in open_ if self.stock.get((s, loc.code), 0) >= n), None)
            if holder is None:
                return None
            dates.append(self._arrives(*holder, order, now))
        return max(dates)

    def _arrives(self, miles: float, location: Location, order: Order, now: datetime) -> date:
        weight = sum(self.network.weights[s] * n for s, n in order.demand.items())
        quote = self.costing.rates.quote(STANDARD, miles, weight)
        assert quote is not None
        return delivery_date(location, now, quote.transit_days)

    def ship(self, order: Order, packages: Sequence[tuple[str, Mapping[str, int]]], released_at: datetime,
             promise: date | None) -> None:
        """Price the packages with the cost model itself and take their stock."""
        parts, arrivals, shipped = [0.0] * len(COST_PARTS), [], 0
        for code, lines in packages:
            location = self.network.by_code[code]
            units = sum(lines.values())
            weight = sum(self.network.weights[s] * n for s, n in lines.items())
            priced = self.costing.package(location, self.miles[order.order_id][code], units, weight, STANDARD,
                                          self.orders_today[code])
            if priced is None or priced.transit_days is None:
                raise RuntimeError(f"{order.order_id}: {code} cannot send this package")
            parts[0] += priced.shipping
            parts[1] += priced.handling
            parts[2] += priced.capacity
            self.orders_today[code] += 1
            for s, n in lines.items():
                self.stock[(s, code)] -= n
                if self.stock[(s, code)] < 0:
                    raise RuntimeError(f"{order.order_id}: {code} oversold {s}")
            arrivals.append(delivery_date(location, released_at, priced.transit_days))
            shipped += units
        wanted = sum(order.demand.values())
        parts[3] = self.costing.split_penalty * max(0, len(packages) - 1)
        parts[4] = LOST_SALE * (wanted - shipped)
        met = promise is not None and shipped == wanted and all(d <= promise for d in arrivals)
        self.outcomes.append(Outcome(sum(parts), len(packages), wanted, shipped, met, tuple(parts)))
        self.shipped[order.order_id] = ([(code, dict(lines)) for code, lines in packages], promise)


Policy = Callable[[Day, Sequence[Order]], None]


def nearest_policy(day: Day, orders: Sequence[Order]) -> None:
    """Allocation v0: the nearest location holding every line; else nearest-first per SKU."""
    for order in orders:
        promise = day.promise(order, order.placed_at)
        near = sorted((day.miles[order.order_id][loc.code], loc.code) for loc in day.network.locations
                      if day.has_room(loc))
        whole = next((code for _, code in near
                      if all(day.stock.get((s, code), 0) >= n for s, n in order.demand.items())), None)
        if whole is not None:
            day.ship(order, [(whole, order.demand)], order.placed_at, promise)
            continue
        left, packages = dict(order.demand), {}
        for _, code in near:
            take = {s: min(n, day.stock.get((s, code), 0)) for s, n in left.items()}
            take = {s: n for s, n in take.items() if n > 0}
            if take:
                packages[code] = take
                left = {s: n - take.get(s, 0) for s, n in left.items() if n > take.get(s, 0)}
            if not left:
                break
        day.ship(order, list(packages.items()), order.placed_at, promise)


@dataclass(frozen=True, slots=True)
class LookAhead:
    """How the look-ahead LP is set up: re-solve period, the share of a package's fixed cost each unit carries,
    how strongly its prices count, and how many sources each region's demand may draw on."""

    resolve_every: timedelta = timedelta(hours=1)
    units_per_package: float = 2.0
    scale: float = 1.0
    sources: int = 6


# What the look-ahead expects from `now` to the end of the day, in units per (SKU, region).
Forecast = Callable[[datetime], Mapping[tuple[str, str], float]]


def from_history(history: Sequence[Order]) -> Forecast:
    """Yesterday's rate, pooled as SKU mix × region share (one day is too sparse per (SKU, region)): what a
    retailer can know."""
    daily = pooled_demand(expected_demand([(o.region, o.demand) for o in history], timedelta(days=1),
                                          timedelta(days=1)))
    return lambda now: _rest_of_day(daily, now)


def true_rates(network: Network, orders_per_day: int) -> Forecast:
    """The rates the orders are drawn from (lines × popularity × region share): a perfect forecast, which no
    retailer has; how far look-ahead could go on this day without knowing the orders themselves."""
    units = orders_per_day * sum((i + 1) * p for i, p in enumerate(LINES)) * 1.15
    regions = sum(network.region_weights)
    daily = {(sku(k), region): units * popularity * weight / regions
             for k, popularity in enumerate(network.popularity)
             for region, weight in zip(network.regions, network.region_weights, strict=True)}
    return lambda now: _rest_of_day(daily, now)


def clairvoyant(orders: Sequence[Order]) -> Forecast:
    """The orders still to come today, exactly: not a policy, the most any price could know."""
    def rest(now: datetime) -> dict[tuple[str, str], float]:
        demand: dict[tuple[str, str], float] = {}
        for order in orders:
            if order.placed_at >= now:
                for s, n in order.demand.items():
                    demand[(s, order.region)] = demand.get((s, order.region), 0.0) + n
        return demand
    return rest


def _rest_of_day(daily: Mapping[tuple[str, str], float], now: datetime) -> dict[tuple[str, str], float]:
    share = (DAY + timedelta(days=1) - now) / timedelta(days=1)
    return {key: units * share for key, units in daily.items()}


def engine_policy(look_ahead: LookAhead | None, forecast: Forecast | None = None,
                  keep_promise: bool = False) -> Policy:
    """`keep_promise`: the order carries the checkout promise as `promised_by` and the profile enforces it
    (locations that would deliver late are filtered; if none is left, the order is placed anyway, late)."""
    profile = RoutingProfile(look_ahead=look_ahead is not None, enforce_promise=keep_promise)
    relaxed = replace(profile, enforce_promise=False)

    def run(day: Day, orders: Sequence[Order]) -> None:
        opportunity: OpportunityCosts | None = None
        next_solve = DAY
        lanes = _lane_miles(day.network)
        for order in orders:
            if look_ahead is not None and forecast is not None and order.placed_at >= next_solve:
                problem = _transportation(day, forecast(order.placed_at), lanes, look_ahead)
                prices = opportunity_costs(problem, sources_per_demand=look_ahead.sources)
                opportunity = {k: look_ahead.scale * v for k, v in prices.items() if v > 0}
                next_solve += look_ahead.resolve_every
            promise = day.promise(order, order.placed_at)
            request = RoutingRequest(order.demand, SHIP, order.placed_at, order.destination, day.network.weights,
                                     promised_by=promise if keep_promise else None, allow_partial=True)
            decision = route_order(request, day.candidates(order), profile, day.costing, opportunity)
            if keep_promise and decision.unfilled:
                decision = route_order(request, day.candidates(order), relaxed, day.costing, opportunity)
            day.ship(order, [(p.location, dict(p.lines)) for p in decision.packages], order.placed_at, promise)

    return run


def _lane_miles(network: Network) -> dict[tuple[str, str], float]:
    return {(loc.code, region): great_circle_miles(loc.position, point)
            for loc in network.locations for region, point in network.regions.items()}


def _transportation(day: Day, demand: Mapping[tuple[str, str], float], lanes: Mapping[tuple[str, str], float],
                    setup: LookAhead) -> TransportationProblem:
    """The stock left against the demand expected for the rest of the day."""
    network = day.network
    weight = sum(network.weights[sku(k)] * p for k, p in enumerate(network.popularity))
    unit_cost = {}
    for (code, region), miles in lanes.items():
        terms = day.costing.linear_terms(network.by_code[code], miles, STANDARD, day.orders_today[code])
        if terms is not None:
            unit_cost[(code, region)] = amortized_unit_cost(terms, weight, setup.units_per_package)
    return TransportationProblem({k: n for k, n in day.stock.items() if n > 0}, demand, unit_cost,
                                 {sku(k): LOST_SALE for k in range(SKU_COUNT)})


def pooled_demand(demand: Mapping[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """demand(s, r) = total × share of s × share of r."""
    by_sku: dict[str, float] = {}
    by_region: dict[str, float] = {}
    for (s, r), units in demand.items():
        by_sku[s] = by_sku.get(s, 0.0) + units
        by_region[r] = by_region.get(r, 0.0) + units
    total = sum(by_sku.values())
    return {(s, r): a * b / total for s, a in by_sku.items() for r, b in by_region.items()} if total else {}


def batch_policy(waves: list[WavePlan], look_ahead: LookAhead | None = None, forecast: Forecast | None = None,
                 wave: timedelta = timedelta(hours=1), time_limit_s: float = 5.0) -> Policy:
    """Orders wait for the end of their wave; each wave is one `solve_wave` (its result kept in `waves`), with
    the look-ahead's opportunity costs added to unit costs when given."""

    def run(day: Day, orders: Sequence[Order]) -> None:
        start = DAY
        pending = list(orders)
        lanes = _lane_miles(day.network)
        while pending:
            release = start + wave
            batch = [o for o in pending if o.placed_at < release]
            pending = pending[len(batch):]
            promises = {o.order_id: day.promise(o, o.placed_at) for o in batch}
            opportunity: OpportunityCosts = {}
            if look_ahead is not None and forecast is not None:
                problem = _transportation(day, forecast(release), lanes, look_ahead)
                opportunity = {k: look_ahead.scale * v
                               for k, v in opportunity_costs(problem, look_ahead.sources).items() if v > 0}
            capacity = {loc.code: loc.daily_order_capacity - day.orders_today[loc.code]
                        for loc in day.network.locations if loc.daily_order_capacity is not None}
            plan = solve_wave(WaveProblem(tuple(_wave_order(day, o, SHORTLIST, opportunity) for o in batch),
                                          day.stock, capacity), time_limit_s, mip_gap=0.005)
            waves.append(plan)
            for order in batch:
                packages = [(f.location, dict(f.lines)) for f in plan.plans[order.order_id].fulfillments]
                day.ship(order, packages, release, promises[order.order_id])
            start = release

    return run


def cutoff_wave_policy(waves: list[WavePlan], look_ahead: LookAhead | None = None, forecast: Forecast | None = None,
                       time_limit_s: float = 60.0) -> Policy:
    """As `POST /v1/routing/waves` runs it: each order is routed and reserved at intake by the engine, keeping
    its checkout promise (`engine_policy(keep_promise=True)`). An order whose locations would ship it later if
    it waited for the wave (placed before a location's own cut-off) is released at once; the others wait, and
    one wave at the end of the cycle re-plans them together — a package that would break a promise costs
    LATE_PACKAGE more — taking the new plans only if they cost less than the intake plans, priced the same way."""
    intake = engine_policy(look_ahead, forecast, keep_promise=True)

    def run(day: Day, orders: Sequence[Order]) -> None:
        routed = Day(day.network, day.costing, day.miles)
        intake(routed, orders)
        release = DAY + timedelta(days=1)
        waiting = []
        for order in orders:  # the orders that cannot wait go first: their stock was reserved at intake
            packages, promised = routed.shipped[order.order_id]
            if all(ship_date(day.network.by_code[code], release) == ship_date(day.network.by_code[code],
                                                                              order.placed_at)
                   for code, _ in packages):
                waiting.append(order)
            else:
                day.ship(order, packages, order.placed_at, promised)
        problem = WaveProblem(tuple(
            _wave_order(day, o, SHORTLIST, due=(promised, release) if (promised := routed.shipped[o.order_id][1])
                        else None, include={code for code, _ in routed.shipped[o.order_id][0]})
            for o in waiting), day.stock, {loc.code: loc.daily_order_capacity - day.orders_today[loc.code]
                                           for loc in day.network.locations if loc.daily_order_capacity is not None})
        plan = solve_wave(problem, time_limit_s, mip_gap=0.005)
        waves.append(plan)
        kept = sum(assignment_cost(w, _assignment(w, routed.shipped[w.order_id][0])) for w in problem.orders)
        for order in waiting:
            packages, promised = routed.shipped[order.order_id]
            if plan.objective < kept:
                packages = [(f.location, dict(f.lines)) for f in plan.plans[order.order_id].fulfillments]
            day.ship(order, packages, release, promised)

    return run


def _assignment(order: WaveOrder, packages: Sequence[tuple[str, Mapping[str, int]]]) -> Assignment:
    left = dict(order.demand)
    for _, lines in packages:
        for s, n in lines.items():
            left[s] -= n
    return Assignment({code: dict(lines) for code, lines in packages}, {s: n for s, n in left.items() if n > 0})


def _wave_order(day: Day, order: Order, shortlist: int | None, opportunity: OpportunityCosts | None = None,
                due: tuple[date, datetime] | None = None, include: AbstractSet[str] = frozenset()
                ) -> WaveOrder:
    """The order's options: per location its package cost as the rate card prices it (split penalty folded
    in, plus any opportunity cost per unit), cut to the `shortlist` best by what it costs to send what each
    holds (and each SKU's two cheapest), plus the locations in `include`. `due` (promised date, release): a
    package from a location that would deliver after the promise costs LATE_PACKAGE more, so the wave breaks a
    promise only to save that much or to fill a unit."""
    options, score = [], {}
    penalty = day.costing.split_penalty
    for location in day.network.locations:
        held = {s: min(n, day.stock.get((s, location.code), 0)) for s, n in order.demand.items()}
        held = {s: n for s, n in held.items() if n > 0}
        if not held or not day.has_room(location):
            continue
        terms = day.costing.linear_terms(location, day.miles[order.order_id][location.code], STANDARD,
                                         day.orders_today[location.code])
        if terms is None:
            continue
        option = WaveOption.from_terms(location.code, terms, {s: day.network.weights[s] for s in held}, penalty)
        if opportunity:
            extra = {s: opportunity.get((s, location.code), 0.0) for s in held}
            option = replace(option, per_unit={s: c + extra[s] for s, c in option.per_unit.items()},
                             floor_unit={s: c + extra[s] for s, c in option.floor_unit.items()})
        per_unit = option.per_unit
        options.append(option)
        score[location.code] = option.per_package + sum((per_unit[s] - LOST_SALE) * n for s, n in held.items())
    if due is not None:
        promised, released = due
        options = [o if day._arrives(day.miles[order.order_id][o.location], day.network.by_code[o.location], order,
                                     released) <= promised else _dearer(o, LATE_PACKAGE) for o in options]
    if shortlist is not None and len(options) > shortlist:
        keep = {o.location for o in sorted(options, key=lambda o: (score[o.location], o.location))[:shortlist]}
        keep |= include
        for s in order.demand:
            holders = sorted((o for o in options if s in o.per_unit), key=lambda o: (o.per_unit[s], o.location))
            keep |= {o.location for o in holders[:2]}
        options = [o for o in options if o.location in keep]
    # Like the engine, fill first: with opportunity costs in unit costs, leaving a unit must still cost more.
    unfilled = LOST_SALE + max(opportunity.values(), default=0.0) if opportunity else LOST_SALE
    return WaveOrder(order.order_id, order.demand, tuple(options), unfilled, max_packages=5 if shortlist is None
                     else 3)


def _dearer(option: WaveOption, extra: float) -> WaveOption:
    floor = None if option.floor_package is None else option.floor_package + extra
    return replace(option, per_package=option.per_package + extra, floor_package=floor)


def summarize(name: str, outcomes: Sequence[Outcome], bound: float, seconds: float) -> list[str]:
    n = len(outcomes)
    total = sum(o.cost for o in outcomes)
    shipped = [o for o in outcomes if o.packages]
    split = sum(o.packages > 1 for o in shipped) / max(1, len(shipped))
    fill = sum(o.shipped for o in outcomes) / sum(o.units for o in outcomes)
    met = sum(o.promise_met for o in outcomes) / n
    return [name, f"{total:,.0f}", f"{total / n:.3f}", f"{split:.1%}", f"{fill:.2%}", f"{met:.1%}",
            f"{total / bound:.4f}", f"{seconds:.1f}"]


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    rows = [list(header), *map(list, rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for k, row in enumerate(rows):
        print("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths,
                                                                                                    strict=True))))
        if k == 0:
            print("  " + "  ".join("-" * w for w in widths))


def reference(seed: int, quick: bool) -> None:
    count = 1500 if quick else 4000
    network = build_network(seed, count)
    orders = draw_orders(network, count, seed + 1)
    history = draw_orders(network, count, seed + 2, prefix="Y")  # "yesterday", for the expected demand
    miles = {o.order_id: {loc.code: great_circle_miles(loc.position, o.destination) for loc in network.locations}
             for o in orders}
    costing = load_cost_model()
    print(f"\n## a. Reference scenario: {len(WAREHOUSES)} warehouses + {STORE_COUNT} stores, {SKU_COUNT} SKUs, "
          f"{count:,} orders over one day (seed {seed})")
    started = time.perf_counter()
    day = Day(network, costing, miles)
    problem = WaveProblem(tuple(_wave_order(day, o, None) for o in orders), network.stock,
                          {loc.code: loc.daily_order_capacity for loc in network.locations
                           if loc.daily_order_capacity is not None})
    found = hindsight_bound(problem, time_limit_s=60 if quick else 240, tolerance=1e-5)
    bound = found.value - costing.split_penalty * len(orders)
    print(f"  hindsight plan-LP bound {bound:,.2f} ({'converged' if found.converged else 'stopped at time limit'}; "
          f"LP {found.lp_value - costing.split_penalty * len(orders):,.2f}; {found.rounds} rounds, "
          f"{found.columns:,} columns, {found.lost_units:.0f} units unfilled, {time.perf_counter() - started:.1f} s)")
    look_ahead = LookAhead(resolve_every=timedelta(hours=2))
    forecast = from_history(history)
    cutoff_limit = 15.0 if quick else 60.0  # seconds for the one wave of the cycle
    waves: dict[str, list[WavePlan]] = {"hourly": [], "hourly + look-ahead": [], "cut-off": [], "cut-off, promise": []}
    policies: list[tuple[str, Policy]] = [
        ("nearest-with-stock", nearest_policy),
        ("myopic (engine)", engine_policy(None)),
        ("look-ahead (engine + transport LP)", engine_policy(look_ahead, forecast)),
        ("myopic, checkout promise enforced", engine_policy(None, keep_promise=True)),
        ("look-ahead, checkout promise enforced", engine_policy(look_ahead, forecast, keep_promise=True)),
        ("batch MILP, hourly waves", batch_policy(waves["hourly"])),
        ("batch MILP, hourly + look-ahead", batch_policy(waves["hourly + look-ahead"], look_ahead, forecast)),
        ("batch MILP, one wave at the cut-off", batch_policy(waves["cut-off"], wave=timedelta(days=1),
                                                             time_limit_s=cutoff_limit)),
        ("batch MILP, cut-off wave re-planning intake, promise kept",
         cutoff_wave_policy(waves["cut-off, promise"], time_limit_s=cutoff_limit)),
    ]
    if not quick:  # what look-ahead could reach knowing more than anyone can: context, not policies
        policies += [
            ("(look-ahead, perfect forecast)", engine_policy(look_ahead, true_rates(network, count))),
            ("(look-ahead, clairvoyant)", engine_policy(look_ahead, clairvoyant(orders))),
        ]
    rows, parts = [], []
    for name, policy in policies:
        day = Day(network, costing, miles)
        started = time.perf_counter()
        policy(day, orders)
        rows.append(summarize(name, day.outcomes, bound, time.perf_counter() - started))
        parts.append([name, *(f"{sum(o.parts[i] for o in day.outcomes) / len(orders):.3f}"
                              for i in range(len(COST_PARTS)))])
    table(["policy", "total cost", "per order", "split", "fill", "promise met", "÷ bound", "run s"], rows)
    print("\n  where the cost goes, per order:")
    table(["policy", *COST_PARTS], parts)
    for name, plans in waves.items():
        if plans:
            print(f"  {name} waves: {len(plans)}, better than greedy in {sum(not w.fallback for w in plans)}, "
                  f"worst gap {max(w.gap for w in plans):.2%}, slowest {max(w.seconds for w in plans):.2f} s")


# --- b. Jasin & Sinha (2015) warm-up experiment ----------------------------------------------------------------

JS_CITIES: tuple[tuple[str, float, float, int], ...] = (
    ("New York", 40.6943, -73.9249, 18680025), ("Los Angeles", 34.1141, -118.4068, 12531334),
    ("Chicago", 41.8375, -87.6866, 8586888), ("Miami", 25.784, -80.2101, 6076316),
    ("Dallas", 32.7935, -96.7667, 5910669), ("Houston", 29.786, -95.3885, 5724418),
    ("Philadelphia", 40.0077, -75.1339, 5540199), ("Atlanta", 33.7628, -84.422, 5151496),
    ("Washington", 38.9047, -77.0163, 5066973), ("Boston", 42.3188, -71.0852, 4465966),
)
JS_FCS: tuple[tuple[str, float, float, str], ...] = (
    ("OAK4", 37.7448, -121.3985, "America/Los_Angeles"), ("IND1", 39.9797, -86.3833, "America/Indiana/Indianapolis"),
    ("AVP3", 41.2776, -75.4973, "America/New_York"), ("CAE1", 33.9114, -81.0501, "America/New_York"),
    ("DFW7", 32.9709, -97.3348, "America/Chicago"),
)
JS_ITEMS, JS_MAX_SIZE, JS_TYPES_PER_SIZE, JS_P_STOCK = 20, 5, 5, 0.75
JS_BOX, JS_UNIT, JS_MILE = 8.759, 0.423, 0.000541
LOST = "LOST"  # the "dummy facility" an unfilled unit is routed to


def js_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine of the reference code (Earth radius 3,959 miles)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (lon1, lat1, lon2, lat2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * math.asin(math.sqrt(h)) * 3959


@dataclass(slots=True)
class JsInstance:
    """One instance of the warm-up experiment, generated as the reference code does (`js_instance`)."""

    types: list[tuple[int, ...]]  # order types (item tuples); index 0 is the empty order
    prob: list[list[float]]  # per type, per city: arrival probability in one period
    stock: dict[tuple[str, str], int]  # (item, FC) with stock > 0
    miles: list[list[float]]  # per FC, per city
    lost_unit: list[float]  # per city: an unfilled unit's cost, twice the farthest FC's unit cost
    periods: int
    fcs: list[Location]

    def unit_cost(self, k: int, j: int) -> float:
        return JS_UNIT + JS_MILE * self.miles[k][j]


def js_item(i: int) -> str:
    return f"I{i:02d}"


def js_instance(instance: int, periods: int) -> JsInstance:
    """The instance `OrderFulfillment(prob_seed_value=instance, order_seed_value=instance,
    inv_seed_value=instance)` of AyoubAmil/multi-item-order-fulfillment_AA_AM_YW builds (ORDER_FULFILLMENT/
    demand_distribution.py, inventory.py, costs.py; order_fulfillment_environment_notidentical_arrival_probs.py):

    - order-size probabilities (sizes 0–5, 0 being "no arrival this period"): `random.seed(instance)`, six
      distinct draws from 1..999, normalized;
    - per size, 5 distinct item sets drawn with `random.sample` (re-seeded), each with probability
      uniform(1e-5, p_size) from `np.random.seed(instance)`, renormalized to p_size, in the set's iteration order;
    - per city, probabilities scaled by population share; alpha = 0.5 (stationary), so the per-period
      normalization changes nothing;
    - an FC may stock an item with probability 0.75 (`np.random.binomial`, re-seeded, FC-major);
    - stock of item i at FC k = ceil(T × expected demand for i from the cities to which k is the nearest FC
      that may stock it). The code's CSL = 0.5 makes the "+ z·σ" safety term zero (z = Φ⁻¹(0.5) = 0), and
      the current code computes exactly ceil(T·μ). If no FC may stock an item, every FC ties at the sentinel
      distance and stocks it (a quirk of the code, kept);
    - costs: $8.759 per box; per unit $0.423 + $0.000541 per mile; an unfilled unit goes to a dummy FC: one
      box of 2 × $8.759 per order plus, per unit, twice the unit cost of the city's farthest FC.
    Python's `random` and numpy's legacy `RandomState` reproduce the same streams, so the instance (types,
    probabilities, stock) should be theirs; we have not run their code to check it.
    """
    rng = random.Random(instance)
    draws = rng.sample(range(1, 1000), JS_MAX_SIZE + 1)
    p_size = [d / sum(draws) for d in draws]
    rng = random.Random(instance)
    legacy = np.random.RandomState(instance)
    types: list[tuple[int, ...]] = [()]
    p_type = [p_size[0]]
    for size in range(1, JS_MAX_SIZE + 1):
        target = min(JS_TYPES_PER_SIZE, math.comb(JS_ITEMS, size))
        found: set[tuple[int, ...]] = set()
        while len(found) < target:
            found.add(tuple(sorted(rng.sample(range(JS_ITEMS), size))))
        draw = legacy.uniform(0.00001, p_size[size], size=target)
        for index, items in enumerate(found):
            if items not in types:
                types.append(items)
                p_type.append(float(draw[index] * p_size[size] / draw.sum()))
    populations = [c[3] for c in JS_CITIES]
    prob = [[p * pop / sum(populations) for pop in populations] for p in p_type]
    total = sum(map(sum, prob))
    prob = [[p / total for p in row] for row in prob]
    legacy = np.random.RandomState(instance)
    may_stock = [[int(legacy.binomial(1, p=JS_P_STOCK)) for _ in range(JS_ITEMS)] for _ in JS_FCS]
    miles = [[js_miles(f[1], f[2], c[1], c[2]) for c in JS_CITIES] for f in JS_FCS]
    stock: dict[tuple[str, str], int] = {}
    for k, fc in enumerate(JS_FCS):
        for i in range(JS_ITEMS):
            mu = 0.0
            for j in range(len(JS_CITIES)):
                gated = [round(miles[k1][j] if may_stock[k1][i] else 1e6, 4) for k1 in range(len(JS_FCS))]
                if gated[k] == min(gated):
                    mu += sum(prob[q][j] for q, items in enumerate(types) if i in items)
            if math.ceil(periods * mu) > 0:
                stock[(js_item(i), fc[0])] = math.ceil(periods * mu)
    lost_unit = [2 * (JS_UNIT + JS_MILE * max(miles[k][j] for k in range(len(JS_FCS))))
                 for j in range(len(JS_CITIES))]
    fcs = [Location(code, code, LocationKind.WAREHOUSE, GeoPoint(lat, lon), "00000", "US", zone,
                    frozenset({Capability.SHIP})) for code, lat, lon, zone in JS_FCS]
    return JsInstance(types, prob, stock, miles, lost_unit, periods, fcs)


def js_orders(instance: JsInstance, periods_left: int, stock: Mapping[tuple[str, str], int]) -> tuple[
        WaveProblem, dict[str, float]]:
    """Every (order type, city) as one order weighted by its expected count over `periods_left`; every FC, and
    the dummy FC that takes unfilled units, as options. Its plan LP is the reference code's deterministic LP
    over fulfillment methods (`LP_fulfillment_notidentical_arrival_probs.py`)."""
    orders, weights = [], {}
    for q, items in enumerate(instance.types):
        for j in range(len(JS_CITIES)):
            if not items or instance.prob[q][j] <= 0:
                continue
            options = [WaveOption(fc.code, JS_BOX, {js_item(i): instance.unit_cost(k, j) for i in items})
                       for k, fc in enumerate(instance.fcs)]
            options.append(WaveOption(LOST, 2 * JS_BOX, {js_item(i): instance.lost_unit[j] for i in items}))
            order_id = f"{q}@{j}"
            orders.append(WaveOrder(order_id, {js_item(i): 1 for i in items}, tuple(options), 1e4, len(options)))
            weights[order_id] = periods_left * instance.prob[q][j]
    unlimited = {(js_item(i), LOST): instance.periods for i in range(JS_ITEMS)}
    return WaveProblem(tuple(orders), {**stock, **unlimited}), weights


def js_arrivals(instance: JsInstance, seed: int) -> list[tuple[int, int]]:
    """(type, city) per period, drawn from the per-period probabilities (type 0: nothing arrives)."""
    pairs = [(q, j) for q in range(len(instance.types)) for j in range(len(JS_CITIES))]
    cum = list(accumulate(instance.prob[q][j] for q, j in pairs))
    return random.Random(seed).choices(pairs, cum_weights=cum, k=instance.periods)


@dataclass(frozen=True, slots=True)
class JsLookAhead:
    """A look-ahead variant: which LP prices stock ("transport": the transportation LP of `lookahead.py`;
    "plans": the dual prices of the plan LP itself, i.e. bid prices), how often it is re-solved (in
    arrivals), how much of the box cost a unit carries in the transportation LP, and a scale on the prices."""

    lp: str = "transport"
    every: int = 500
    box_share: float = 1.0
    scale: float = 1.0

    def __str__(self) -> str:
        box = f", box/unit × {self.box_share:g}" if self.lp == "transport" else ""
        return f"{self.lp} LP, re-solved every {self.every:,}{box}, prices × {self.scale:g}"


def js_prices(instance: JsInstance, setup: JsLookAhead, stock: Mapping[tuple[str, str], int],
              periods_left: int) -> dict[tuple[str, str], float]:
    if setup.lp == "plans":
        orders, weights = js_orders(instance, periods_left, stock)
        found = hindsight_bound(orders, weights, time_limit_s=30)
        return {k: setup.scale * v for k, v in found.stock_prices.items() if v > 0 and k[1] != LOST}
    sizes = [len(t) for t in instance.types]
    p_city = [sum(row[j] for row in instance.prob) for j in range(len(JS_CITIES))]
    mean_size = sum(s * sum(row) for s, row in zip(sizes, instance.prob, strict=True)) / (1 - sum(instance.prob[0]))
    box = setup.box_share * JS_BOX / mean_size
    demand = {(js_item(i), city[0]): periods_left * sum(instance.prob[q][j] for q, t in enumerate(instance.types)
                                                        if i in t)
              for i in range(JS_ITEMS) for j, city in enumerate(JS_CITIES)}
    unit_cost = {(fc.code, JS_CITIES[j][0]): instance.unit_cost(k, j) + box
                 for k, fc in enumerate(instance.fcs) for j in range(len(JS_CITIES))}
    lost = sum(p * (u + 2 * box) for p, u in zip(p_city, instance.lost_unit, strict=True)) / sum(p_city)
    problem = TransportationProblem(stock, demand, unit_cost, {js_item(i): lost for i in range(JS_ITEMS)})
    return {k: setup.scale * v for k, v in opportunity_costs(problem).items() if v > 0}


def js_run(instance: JsInstance, arrivals: Sequence[tuple[int, int]], setup: JsLookAhead | None) -> float:
    """Route every arrival with `route_order` (look-ahead off when `setup` is None) and price the day as the
    reference code does: per box $8.759, per unit $0.423 + $0.000541/mile, unfilled units to the dummy FC."""
    costing = LinearCostModel()
    profile = RoutingProfile(max_packages=len(JS_FCS), split_threshold=0.0, look_ahead=setup is not None,
                             enforce_promise=False)
    stock = dict(instance.stock)
    opportunity: OpportunityCosts | None = None
    total = 0.0
    for t, (q, j) in enumerate(arrivals):
        items = instance.types[q]
        if setup is not None and t % setup.every == 0:
            opportunity = js_prices(instance, setup, {k: n for k, n in stock.items() if n > 0}, len(arrivals) - t)
        if not items:
            continue
        demand = {js_item(i): 1 for i in items}
        candidates = [Candidate(fc, held, instance.miles[k][j]) for k, fc in enumerate(instance.fcs)
                      if (held := {s: stock[(s, fc.code)] for s in demand if stock.get((s, fc.code), 0) > 0})]
        request = RoutingRequest(demand, SHIP, DAY, None, {}, allow_partial=True)
        decision = route_order(request, candidates, profile, costing, opportunity)
        for package in decision.packages:
            k = next(k for k, fc in enumerate(instance.fcs) if fc.code == package.location)
            units = sum(n for _, n in package.lines)
            priced = costing.package(instance.fcs[k], instance.miles[k][j], units, 0.0, STANDARD)
            assert priced is not None
            total += priced.total
            for s, n in package.lines:
                stock[(s, package.location)] -= n
        if decision.unfilled:
            total += 2 * JS_BOX + instance.lost_unit[j] * sum(decision.unfilled.values())
    return total


# The look-ahead the quick run uses: what the full run's grid chose on its tuning arrivals (seed 7 + 1000).
JS_CHOSEN = JsLookAhead(lp="plans", every=250)
JS_GRID = (
    JsLookAhead("transport", 100, 1.0), JsLookAhead("transport", 1000, 1.0), JsLookAhead("transport", 100, 0.0),
    JsLookAhead("transport", 1000, 0.0), JsLookAhead("transport", 500, 1.0, 0.5),
    JsLookAhead("transport", 500, 1.0, 1.5), JsLookAhead("plans", 250), JsLookAhead("plans", 1000),
    JsLookAhead("plans", 2500), JsLookAhead("plans", 1000, scale=0.75), JsLookAhead("plans", 1000, scale=1.25),
)


def jasin_sinha(seed: int, quick: bool) -> None:
    periods = 10_000
    print(f"\n## b. Jasin & Sinha (2015) warm-up: 10 cities, 5 FCs, 20 items, T = {periods:,} periods "
          "(instance 1 of Amil, Makhdoumi & Wei's code)")
    instance = js_instance(1, periods)
    problem, weights = js_orders(instance, periods, instance.stock)
    bound = hindsight_bound(problem, weights, tolerance=1e-9)
    print(f"  deterministic LP over fulfillment methods: {bound.value:,.2f} ({bound.rounds} rounds, "
          f"{bound.columns} columns; the reference formulation enumerated explicitly gives the same value)")
    print("  published (cost ÷ LP): myopic ≈ 1.12, LP-guided rounding (Ma 2023) ≈ 1.065")
    chosen = JS_CHOSEN
    if not quick:
        tuning = seed + 1000
        arrivals = js_arrivals(instance, tuning)
        print(f"\n  look-ahead variants on the tuning arrivals (seed {tuning}), cost ÷ LP:")
        rows = [["myopic (no look-ahead)", f"{js_run(instance, arrivals, None) / bound.value:.4f}"]]
        results = [(js_run(instance, arrivals, v) / bound.value, i, v) for i, v in enumerate(JS_GRID)]
        rows += [[str(v), f"{r:.4f}"] for r, _, v in results]
        table(["variant", "÷ LP"], rows)
        chosen = min(results)[2]
        print(f"  chosen: {chosen}")
    transport = JsLookAhead("transport", 500, 1.0)
    policies: list[tuple[str, JsLookAhead | None]] = [
        ("myopic (engine, look-ahead off)", None), (f"look-ahead: {transport}", transport),
        (f"look-ahead (chosen): {chosen}", chosen)]
    cases = [(1, seed), (1, seed + 1)] if quick else [(1, seed), (1, seed + 1), (2, seed)]
    header = ["policy", *(f"inst {i}, seed {s}" for i, s in cases), "mean"]
    ratios: dict[str, list[float]] = {name: [] for name, _ in policies}
    for number, arrivals_seed in cases:
        case = instance if number == 1 else js_instance(number, periods)
        lp = bound.value if number == 1 else hindsight_bound(*js_orders(case, periods, case.stock)).value
        arrivals = js_arrivals(case, arrivals_seed)
        for name, setup in policies:
            ratios[name].append(js_run(case, arrivals, setup) / lp)
    print("\n  evaluation (arrivals not used for tuning), cost ÷ that instance's LP:")
    table(header, [[name, *(f"{r:.4f}" for r in rs), f"{statistics.mean(rs):.4f}"] for name, rs in ratios.items()])


# --- c. timing ------------------------------------------------------------------------------------------------

def timing(seed: int, quick: bool) -> None:
    print("\n## c. Timing")
    network = build_network(seed, 4000)
    costing = load_cost_model()
    profile = RoutingProfile(look_ahead=False, enforce_promise=False)
    for lines in (1, 5):
        orders = [o for o in draw_orders(network, 4000, seed + 3 + lines) if len(o.demand) == lines]
        orders = (orders * 10)[: 200 if quick else 1000]
        seconds = []
        for order in orders:
            candidates = [Candidate(loc, {s: network.stock.get((s, loc.code), 0) for s in order.demand},
                                    great_circle_miles(loc.position, order.destination)) for loc in network.locations]
            request = RoutingRequest(order.demand, SHIP, order.placed_at, order.destination, network.weights)
            started = time.perf_counter()
            with suppress(InsufficientStock):  # a refusal is a decision too
                route_order(request, candidates, profile, costing)
            seconds.append(time.perf_counter() - started)
        seconds.sort()
        p50, p99 = seconds[len(seconds) // 2], seconds[int(len(seconds) * 0.99)]
        print(f"  route_order, {lines}-line orders over {len(network.locations)} candidates: "
              f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms ({len(seconds)} decisions)")
    count = 2000 if quick else 10_000
    orders = draw_orders(network, count, seed + 9)
    miles = {o.order_id: {loc.code: great_circle_miles(loc.position, o.destination) for loc in network.locations}
             for o in orders}
    day = Day(network, costing, miles)
    day.stock = {k: n * max(1, count // 4000 + 1) for k, n in network.stock.items()}  # a wave of 10,000 orders
    problem = WaveProblem(tuple(_wave_order(day, o, 6) for o in orders), day.stock,
                          {loc.code: loc.daily_order_capacity for loc in network.locations
                           if loc.daily_order_capacity is not None})
    plan = solve_wave(problem, time_limit_s=30.0, mip_gap=0.01)
    options = sum(len(o.options) for o in problem.orders) / count
    print(f"  solve_wave, {count:,} orders × {len(network.locations)} locations (shortlist ≈ {options:.1f} per order): "
          f"{plan.seconds:.2f} s, gap {plan.gap:.3%}, status '{plan.status}', fallback {plan.fallback}, "
          f"objective {plan.objective:,.2f} vs greedy {plan.greedy_objective:,.2f}")


# --- d. availability -------------------------------------------------------------------------------------------

# Destinations of the questions: every 97th ZIP code of the country, plus the big cities' downtowns.
DOWNTOWNS = ("10001", "90012", "60601", "77002", "19103", "85004", "78205", "92101", "75201", "95113")
AVAILABILITY_AT = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def availability_section(seed: int, quick: bool) -> None:
    """`check_availability` (the service behind POST /v1/availability) in-process on a real SQLite database
    holding the reference network, its stock and SKUs; stores offer pickup and same-day."""
    print("\n## d. Availability (in-process, SQLite)")
    network = build_network(seed, 4000)
    omni = frozenset({Capability.SHIP, Capability.PICKUP, Capability.SAME_DAY})
    locations = [replace(loc, capabilities=omni) if loc.kind is LocationKind.STORE else loc
                 for loc in network.locations]
    questions = 2_000 if quick else 10_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "availability.db"
        uow = _availability_database(path, locations, network)
        settle_start_up_heap()  # as each server worker does once it has started
        try:
            rows = [_ask(uow, network, questions, 1.0, 1, seed), _ask(uow, network, questions, 1.0, 3, seed),
                    _ask(uow, network, questions // 5, 0.0, 1, seed)]
        finally:
            uow.engine.dispose()
        rows.append(_ask_per_core(path, network, questions * 2, seed))
    print(f"  {'case':<28} {'questions':>9} {'per s':>8} {'p50 µs':>8} {'p99 µs':>8}")
    for label, count, per_second, p50, p99 in rows:
        print(f"  {label:<28} {count:>9} {per_second:>8.0f} {p50:>8.0f} {p99:>8.0f}")
    same, asked = _shortlist_agreement(locations, network, 300 if quick else 1000, seed)
    print(f"  the shortlist's standard option equals the one from pricing every location in {same} of {asked} "
          f"questions ({same / asked:.1%})")


def _availability_database(path: Path, locations: Sequence[Location], network: Network) -> UnitOfWork:
    uow = UnitOfWork(make_engine(f"sqlite:///{path}"))
    upgrade_database(uow.engine)
    with uow:
        for location in locations:
            uow.locations.add(location, AVAILABILITY_AT)
        for code, kg in network.weights.items():
            uow.skus.add(Sku(code, code, Decimal("4.00"), Decimal("12.00"), Decimal(f"{kg:.3f}")), AVAILABILITY_AT)
        sku_ids = uow.skus.ids_for(network.weights)
        location_ids = {code: found[0] for code, found in uow.locations.by_code(network.by_code).items()}
        ledger = []
        for (code, place), units in network.stock.items():
            if units <= 0:
                continue
            keys = Keys(sku_ids[code], location_ids[place])
            uow.inventory.ensure_level(keys, Decimal("4.00"), AVAILABILITY_AT)
            row, after = movement(MovementKind.RECEIPT, code, place, units, StockLevel(), reason="benchmark",
                                  actor="benchmark", unit_cost=Decimal("4.00"))
            uow.inventory.store_level(keys, after, AVAILABILITY_AT)
            ledger.append((row, keys, after))
        uow.inventory.record(ledger, AVAILABILITY_AT)
        uow.commit()
    return uow


def question_destinations() -> list[str]:
    """The 300 ZIP codes questions come from: the downtowns, then every 97th of the country's."""
    return [*DOWNTOWNS, *all_postal_codes()[::97][:290]]


def _shortlist_agreement(
    locations: Sequence[Location], network: Network, questions: int, seed: int,
) -> tuple[int, int]:
    """How often the promise's shortlist finds the same standard plan (price, origin) as routing over every
    location that holds the SKU."""
    rng = random.Random(seed + 1)
    costing = load_cost_model()
    ranking_of: dict[str, Ranking] = {}
    destinations = question_destinations()
    same = asked = 0
    for _ in range(questions):
        sku = rng.choices(list(network.weights), network.popularity)[0]
        place = lookup_postal_code(rng.choice(destinations))
        assert place is not None
        holders = {loc.code: (loc, {sku: n}) for loc in locations if (n := network.stock.get((sku, loc.code), 0))}
        ranking = ranking_of.setdefault(place.postal_code, rank_locations(locations, place.position, costing))
        short = promise({sku: 1}, network.weights, place.position, AVAILABILITY_AT,
                        candidates_from({sku: 1}, holders, ranking), lambda m, lvl: BUILT_IN, costing)
        every = [Candidate(loc, units, ranking.miles[code]) for code, (loc, units) in holders.items()]
        request = RoutingRequest({sku: 1}, SHIP, AVAILABILITY_AT, place.position, network.weights)
        try:
            full = route_order(request, every, BUILT_IN, costing, explain=False)
        except InsufficientStock:
            continue
        asked += 1
        option = next((d for d in short.delivery if d.service_level is STANDARD), None)
        same += option is not None and option.ships_from == tuple(p.location for p in full.packages)
    return same, asked


def _ask(
    uow: UnitOfWork, network: Network, questions: int, max_age: float, lines: int, seed: int,
) -> tuple[str, int, float, float, float]:
    asks = _questions(network, questions, lines, seed)
    started, ended, took = _time_questions(uow, asks, max_age)
    label = f"{'warm' if max_age else 'cold'} snapshot, {lines}-SKU basket"
    return label, questions, questions / (ended - started), *_p50_p99(took)


Question = tuple[str, dict[str, int], datetime]  # ZIP code, basket, when it is asked


def _questions(network: Network, questions: int, lines: int, seed: int) -> list[Question]:
    """Each asked a millisecond after the one before, as a storefront's are: nothing keyed by the clock is
    reused from one question to the next."""
    rng = random.Random(seed)
    destinations = question_destinations()
    skus = list(network.weights)
    return [(rng.choice(destinations), dict.fromkeys(rng.choices(skus, network.popularity, k=lines), 1),
             AVAILABILITY_AT + timedelta(milliseconds=i))
            for i in range(questions)]


def _time_questions(
    uow: UnitOfWork, asks: Sequence[Question], max_age: float, ready: Barrier | None = None,
) -> tuple[float, float, list[float]]:
    """(start, end, seconds per question) of answering `asks` after a warm-up; with `ready`, every process
    starts together."""
    snapshot = StockSnapshot(max_age)
    for zip_code, basket, now in asks[:500]:  # warm-up: rankings per ZIP code, the snapshot, code paths
        check_availability(uow, snapshot, zip_code, "US", basket, None, now)
    if ready is not None:
        ready.wait()
    took = []
    started = time.monotonic()
    for zip_code, basket, now in asks:
        t = time.perf_counter()
        check_availability(uow, snapshot, zip_code, "US", basket, None, now)
        took.append(time.perf_counter() - t)
    return started, time.monotonic(), took


def _ask_per_core(path: Path, network: Network, questions: int, seed: int) -> tuple[str, int, float, float, float]:
    """The warm 1-SKU case with one process per core on the same database, as `serve --workers N` runs."""
    cores = os.cpu_count() or 1
    asks = _questions(network, questions, 1, seed)
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(cores), context.Queue()
    workers = [context.Process(target=_answer_share, args=(str(path), asks[i::cores], ready, results))
               for i in range(cores)]
    for worker in workers:
        worker.start()
    shares = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    started, ended = min(s[0] for s in shares), max(s[1] for s in shares)
    took = [t for share in shares for t in share[2]]
    label = f"warm, 1-SKU, {cores} processes"
    return label, questions, questions / (ended - started), *_p50_p99(took)


def _answer_share(
    path: str, asks: list[Question], ready: Barrier, results: Queue[tuple[float, float, list[float]]],
) -> None:
    settle_start_up_heap()
    uow = UnitOfWork(make_engine(f"sqlite:///{path}"))
    try:
        results.put(_time_questions(uow, asks, 1.0, ready))
    finally:
        uow.engine.dispose()


def _p50_p99(took: list[float]) -> tuple[float, float]:
    took = sorted(took)
    return statistics.median(took) * 1e6, took[int(0.99 * len(took))] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller runs: under two minutes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("reference", "jasin-sinha", "timing", "availability"))
    args = parser.parse_args()
    started = time.perf_counter()
    sections: dict[str, Callable[[int, bool], None]] = {
        "reference": reference, "jasin-sinha": jasin_sinha, "timing": timing, "availability": availability_section}
    for name, section in sections.items():
        if args.only in (None, name):
            section(args.seed, args.quick)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
