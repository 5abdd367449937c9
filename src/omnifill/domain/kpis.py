"""Key performance indicators, as pure arithmetic over facts read from the ledger, orders, fulfillments, shipments
and returns. Each formula is written out in docs/KPIS.md; a ratio with nothing to divide by is `None`, never 0
(no orders is not a 0 % perfect order rate)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from omnifill.domain.costs import Handling
from omnifill.domain.locations import LocationKind

ZERO = Decimal(0)
CENTS = Decimal("0.01")
# Return reasons that say the order itself was wrong when it arrived: such a return spoils a perfect order.
DAMAGE_REASONS = frozenset({"damaged", "defective", "wrong_item"})


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
    shipments: int = 0  # separate departures: each fulfillment shipped, or a pickup handed over
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


def _settled(orders: Sequence[OrderFacts]) -> list[OrderFacts]:
    """Orders whose fill is known: something went out, or a line was refused or backordered for stock. An order
    still waiting to be picked has not failed to fill, and one the customer cancelled never asked to be filled."""
    return [o for o in orders if o.lines_short or (o.shipments and not o.cancelled)]


def line_fill_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Lines that went out in full ÷ lines ordered, over the settled orders."""
    settled = _settled(orders)
    return Ratio(sum(o.lines_filled for o in settled), sum(o.lines_ordered for o in settled))


def unit_fill_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Units that went out ÷ units ordered, over the settled orders."""
    settled = _settled(orders)
    return Ratio(sum(o.units_filled for o in settled), sum(o.units_ordered for o in settled))


def stockout_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Lines refused or backordered for lack of stock ÷ lines ordered."""
    return Ratio(sum(o.lines_short for o in orders), sum(o.lines_ordered for o in orders))


def split_shipment_rate(orders: Sequence[OrderFacts]) -> Ratio:
    """Orders that went out in more than one shipment (or handover) ÷ orders that went out at all."""
    sent = [o for o in orders if o.shipments > 0]
    return Ratio(sum(1 for o in sent if o.shipments > 1), len(sent))


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
        if o.method is not None and o.shipments > 0:
            cost[o.method] += o.fulfillment_cost
            count[o.method] += 1
    return {m: (cost[m] / count[m]).quantize(CENTS, ROUND_HALF_UP) for m in FulfillmentMethod if count[m]}


@dataclass(frozen=True, slots=True)
class Departure:
    """A fulfillment that left for its customer: shipped, or handed over at the counter."""

    location: str
    kind: LocationKind
    units: int
    shipping: Decimal = ZERO  # what the label cost; 0 for a handover, or a vendor that paid its own carrier
    packaging: Decimal = ZERO  # the cartons' cost; the carton file carries none yet (docs/KPIS.md)


def fulfillment_cost(departures: Iterable[Departure], handling: Callable[[str, LocationKind], Handling]) -> Decimal:
    """Handling (the cost model's per order + per unit for the location) + shipping + packaging, summed."""
    total = ZERO
    for d in departures:
        total += Decimal(str(round(handling(d.location, d.kind).cost(d.units), 4))) + d.shipping + d.packaging
    return total
