"""Key performance indicators, as pure arithmetic over facts read from the ledger, orders, fulfillments, shipments
and returns. Each formula is written out in docs/KPIS.md; a ratio with nothing to divide by is `None`, never 0
(no orders is not a 0 % perfect order rate)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from omnifill.domain.locations import LocationKind

ZERO = Decimal(0)


class FulfillmentMethod(StrEnum):
    SHIP_FROM_WAREHOUSE = "ship_from_warehouse"
    SHIP_FROM_STORE = "ship_from_store"
    BOPIS = "bopis"
    CURBSIDE = "curbside"
    DARK_STORE = "dark_store"
    DROPSHIP = "dropship"


def fulfillment_method(kind: LocationKind, pickup: bool, curbside: bool) -> FulfillmentMethod:
    """How a fulfillment reached the customer: by where it left from and whether the customer came for it."""
    if pickup:
        return FulfillmentMethod.CURBSIDE if curbside else FulfillmentMethod.BOPIS
    return {
        LocationKind.WAREHOUSE: FulfillmentMethod.SHIP_FROM_WAREHOUSE,
        LocationKind.STORE: FulfillmentMethod.SHIP_FROM_STORE,
        LocationKind.DARK_STORE: FulfillmentMethod.DARK_STORE,
        LocationKind.MICRO_FULFILLMENT: FulfillmentMethod.DARK_STORE,
        LocationKind.DROPSHIP_VENDOR: FulfillmentMethod.DROPSHIP,
    }[kind]


@dataclass(frozen=True, slots=True)
class Ratio:
    numerator: float
    denominator: float

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """One order as the KPIs see it. Units and lines count what was ordered, what reached the customer (shipped
    or handed over) and what was refused or backordered for lack of stock."""

    order_id: str
    channel: str
    placed_at: datetime
    lines_ordered: int
    units_ordered: int
    lines_filled: int = 0
    units_filled: int = 0
    lines_short: int = 0
    packages: int = 0  # parcels shipped, or 1 for a pickup handed over
    method: FulfillmentMethod | None = None  # of its first fulfillment; None before routing
    location: str | None = None  # its first fulfillment's location
    promised_by: date | None = None
    completed_on: date | None = None  # the day the last unit was delivered or handed over
    first_shipped_at: datetime | None = None
    ready_at: datetime | None = None  # a pickup: when it was ready to collect
    damaged_return: bool = False  # a unit came back with a damage reason (damaged, defective, wrong item)
    cancelled: bool = False
    revenue: Decimal = ZERO
    cost_of_goods: Decimal = ZERO
    fulfillment_cost: Decimal = ZERO  # handling + shipping + packaging
    refunded: Decimal = ZERO
    customer_id: str | None = None

    @property
    def complete(self) -> bool:
        return self.completed_on is not None and self.units_filled >= self.units_ordered

    @property
    def on_time(self) -> bool:
        """Completed by its promise; an order with no promise counts as on time once complete."""
        if not self.complete or self.completed_on is None:
            return False
        return self.promised_by is None or self.completed_on <= self.promised_by


def perfect_order_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Delivered (or collected) complete, by the promise, with no damage-reason return ÷ all orders."""
    perfect = sum(1 for o in orders if o.on_time and not o.damaged_return)
    return Ratio(perfect, len(orders))


def line_fill_rate(orders: Sequence[OrderFacts]) -> Ratio:
    live = [o for o in orders if not o.cancelled or o.lines_short]
    return Ratio(sum(o.lines_filled for o in live), sum(o.lines_ordered for o in live))


def unit_fill_rate(orders: Sequence[OrderFacts]) -> Ratio:
    live = [o for o in orders if not o.cancelled or o.lines_short]
    return Ratio(sum(o.units_filled for o in live), sum(o.units_ordered for o in live))


def stockout_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Lines refused or backordered for lack of stock ÷ lines ordered."""
    return Ratio(sum(o.lines_short for o in orders), sum(o.lines_ordered for o in orders))


def split_shipment_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Orders that went out in more than one package ÷ orders that went out at all."""
    sent = [o for o in orders if o.packages > 0]
    return Ratio(sum(1 for o in sent if o.packages > 1), len(sent))


def on_time_delivery_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Completed orders with a promise that met it ÷ completed orders with a promise."""
    promised = [o for o in orders if o.complete and o.promised_by is not None]
    return Ratio(sum(1 for o in promised if o.on_time), len(promised))


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least p % of values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier) / timedelta(hours=1)


def click_to_ship_hours(orders: Sequence[OrderFacts]) -> tuple[float | None, float | None]:
    """p50 and p90 of the hours from placing an order to its first parcel leaving."""
    hours = [_hours(o.first_shipped_at, o.placed_at) for o in orders if o.first_shipped_at]
    return percentile(hours, 50), percentile(hours, 90)


def click_to_ready_hours(orders: Sequence[OrderFacts]) -> tuple[float | None, float | None]:
    """p50 and p90 of the hours from placing a pickup order to its being ready to collect."""
    hours = [_hours(o.ready_at, o.placed_at) for o in orders if o.ready_at]
    return percentile(hours, 50), percentile(hours, 90)


def cost_per_order_by_method(orders: Sequence[OrderFacts]) -> dict[FulfillmentMethod, Decimal]:
    """Handling + shipping + packaging ÷ orders, per fulfillment method (orders that went out only)."""
    cost: dict[FulfillmentMethod, Decimal] = defaultdict(lambda: ZERO)
    count: dict[FulfillmentMethod, int] = defaultdict(int)
    for o in orders:
        if o.method is not None and o.packages > 0:
            cost[o.method] += o.fulfillment_cost
            count[o.method] += 1
    return {m: (cost[m] / count[m]).quantize(Decimal("0.01")) for m in FulfillmentMethod if count[m]}


# ------------------------------------------------------------------------------------------- inventory


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One movement, reduced to what the inventory KPIs need."""

    occurred_at: datetime
    sku: str
    location: str
    kind: str  # receipt, shipment, sale, count, adjustment, return, …
    on_hand_delta: int
    on_hand_after: int
    unit_cost: Decimal


SOLD = frozenset({"shipment", "sale"})  # movements that hand units to a customer


def daily_inventory_value(entries: Sequence[LedgerEntry], unit_cost: Mapping[str, Decimal], first: date,
                          last: date, day_of: Callable[[datetime], date]) -> dict[date, Decimal]:
    """The value on hand at the end of each day from `first` to `last`, replayed from the ledger (every entry up
    to `last`, oldest first) at each SKU's standard cost. `day_of` says which business day a moment falls in."""
    on_hand: dict[tuple[str, str], int] = {}
    values: dict[date, Decimal] = {}
    ordered = sorted(entries, key=lambda e: e.occurred_at)
    i = 0
    day = first - timedelta(days=1)
    while day < last:
        day += timedelta(days=1)
        while i < len(ordered) and day_of(ordered[i].occurred_at) <= day:
            entry = ordered[i]
            on_hand[(entry.sku, entry.location)] = entry.on_hand_after
            i += 1
        if day >= first:
            values[day] = sum((unit_cost.get(sku, ZERO) * n for (sku, _), n in on_hand.items()), ZERO)
    return values


def cost_of_goods_sold(entries: Iterable[LedgerEntry], since: datetime, until: datetime) -> Decimal:
    return sum((-e.on_hand_delta * e.unit_cost for e in entries
                if e.kind in SOLD and since <= e.occurred_at < until), ZERO)


def inventory_turnover(cogs: Decimal, daily_values: Mapping[date, Decimal]) -> float | None:
    """Cost of goods sold in the period ÷ the average of the day-end inventory values over it."""
    if not daily_values:
        return None
    average = sum(daily_values.values(), ZERO) / len(daily_values)
    return float(cogs / average) if average else None


@dataclass(frozen=True, slots=True)
class StockPosition:
    sku: str
    location: str
    on_hand: int
    sold: int  # units shipped or sold over the period
    days: int  # length of the period

    @property
    def days_of_supply(self) -> float | None:
        """On hand ÷ average units sold per day; None when nothing sold (the stock would last forever)."""
        return self.on_hand / (self.sold / self.days) if self.sold and self.days else None


def sell_through(opening_on_hand: int, received: int, sold: int) -> Ratio:
    """Units sold ÷ units available to sell over the period (on hand at its start + received during it)."""
    return Ratio(sold, opening_on_hand + received)


@dataclass(frozen=True, slots=True)
class CountResult:
    expected: int  # what the system held when the count was taken
    counted: int


def inventory_accuracy(counts: Sequence[CountResult]) -> tuple[Ratio, Ratio]:
    """(counts that matched the system exactly ÷ counts, 1 − |units off| ÷ units the system expected)."""
    exact = Ratio(sum(1 for c in counts if c.counted == c.expected), len(counts))
    expected = sum(c.expected for c in counts)
    off = sum(abs(c.counted - c.expected) for c in counts)
    units = Ratio(max(expected - off, 0), expected)
    return exact, units


# ------------------------------------------------------------------------------------------- customers


@dataclass(slots=True)
class CustomerHistory:
    customer_id: str
    channels: set[str] = field(default_factory=set)
    orders: int = 0
    margin: Decimal = ZERO


def historical_value(orders: Iterable[OrderFacts]) -> dict[str, CustomerHistory]:
    """Margin per customer across every channel: revenue − cost of goods − fulfillment cost − refunds."""
    found: dict[str, CustomerHistory] = {}
    for o in orders:
        if o.customer_id is None or o.cancelled:
            continue
        history = found.setdefault(o.customer_id, CustomerHistory(o.customer_id))
        history.channels.add(o.channel)
        history.orders += 1
        history.margin += o.revenue - o.cost_of_goods - o.fulfillment_cost - o.refunded
    return found


def cross_channel_comparison(histories: Iterable[CustomerHistory]) -> dict[str, Decimal | None]:
    """Average historical margin of customers who bought on two or more channels against those on one."""
    groups: dict[str, list[Decimal]] = {"cross_channel": [], "single_channel": []}
    for h in histories:
        groups["cross_channel" if len(h.channels) > 1 else "single_channel"].append(h.margin)
    return {name: (sum(m, ZERO) / len(m)).quantize(Decimal("0.01")) if m else None for name, m in groups.items()}
