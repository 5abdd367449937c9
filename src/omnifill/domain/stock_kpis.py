"""Stock KPIs, replayed from the inventory ledger: inventory value day by day, turnover, days of supply,
sell-through and count accuracy. Formulas in docs/KPIS.md; a ratio with nothing to divide by is `None`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from omnifill.domain.kpis import ZERO, Ratio


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


Stock = dict[tuple[str, str], int]  # (SKU, location) → units on hand


def daily_inventory_value(opening: Mapping[tuple[str, str], int], entries: Sequence[LedgerEntry],
                          unit_cost: Mapping[str, Decimal], first: date, last: date,
                          day_of: Callable[[datetime], date]) -> dict[date, Decimal]:
    """The value on hand at the end of each day from `first` to `last`: the opening units (on hand when `first`
    began) plus each later movement's change, replayed by when it happened (a till's offline sale lands on the day
    it was made), valued at each SKU's standard cost. `day_of` says which day a moment falls in."""
    on_hand: Stock = dict(opening)
    values: dict[date, Decimal] = {}
    ordered = sorted(entries, key=lambda e: e.occurred_at)
    i = 0
    day = first
    while day <= last:
        while i < len(ordered) and day_of(ordered[i].occurred_at) <= day:
            key = (ordered[i].sku, ordered[i].location)
            on_hand[key] = on_hand.get(key, 0) + ordered[i].on_hand_delta
            i += 1
        values[day] = sum((unit_cost.get(sku, ZERO) * n for (sku, _), n in on_hand.items()), ZERO)
        day += timedelta(days=1)
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
    """One SKU at one location over a period: on hand at its start and end, and what came in and went out."""

    sku: str
    location: str
    on_hand: int  # at the end of the period
    sold: int  # units shipped or sold over the period
    days: int  # length of the period
    opening: int = 0  # on hand when the period began
    received: int = 0  # receipts and transfers in over the period

    @property
    def days_of_supply(self) -> float | None:
        """On hand ÷ average units sold per day; None when nothing sold (the stock would last forever)."""
        return self.on_hand / (self.sold / self.days) if self.sold and self.days else None

    @property
    def sell_through(self) -> Ratio:
        return sell_through(self.opening, self.received, self.sold)


RECEIVED = frozenset({"receipt", "transfer_in"})  # movements that bring new units to sell
# A dropship vendor's stock feed, booked as counts: a rise is stock the vendor took in, never a count of a shelf.
VENDOR_FEED = "vendor_feed"


def stock_positions(opening: Mapping[tuple[str, str], int], entries: Iterable[LedgerEntry],
                    days: int) -> list[StockPosition]:
    """Every (SKU, location) that held or moved stock in the period, sorted by location then SKU."""
    on_hand: Stock = dict(opening)
    sold: Stock = defaultdict(int)
    received: Stock = defaultdict(int)
    for e in entries:
        key = (e.sku, e.location)
        on_hand[key] = on_hand.get(key, 0) + e.on_hand_delta
        if e.kind in SOLD:
            sold[key] -= e.on_hand_delta
        elif e.kind in RECEIVED or (e.kind == VENDOR_FEED and e.on_hand_delta > 0):
            received[key] += e.on_hand_delta
    return [StockPosition(sku, location, on_hand[(sku, location)], sold[(sku, location)], days,
                          opening.get((sku, location), 0), received[(sku, location)])
            for sku, location in sorted(on_hand, key=lambda k: (k[1], k[0]))]


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


def counts_in(entries: Iterable[LedgerEntry]) -> list[CountResult]:
    """The counts in a ledger: a count movement carries the difference found, and the balance it set."""
    return [CountResult(e.on_hand_after - e.on_hand_delta, e.on_hand_after) for e in entries if e.kind == "count"]
