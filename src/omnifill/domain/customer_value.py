"""What customers are worth: the margin each has brought across every channel, and the recency-frequency-monetary
summary a BG/NBD + Gamma-Gamma model predicts their future value from (docs/KPIS.md). Pure arithmetic; the model
itself is fitted by adapters/clv.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

ZERO = Decimal(0)
CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Purchase:
    """One order or till sale of a known customer, as value: what was paid and what it cost to serve."""

    customer_id: str
    channel: str  # an order's channel, or "pos" for a till sale
    at: datetime
    revenue: Decimal
    cost_of_goods: Decimal = ZERO
    fulfillment_cost: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost_of_goods - self.fulfillment_cost - self.refunded


@dataclass(slots=True)
class CustomerHistory:
    customer_id: str
    channels: set[str] = field(default_factory=set)
    orders: int = 0
    margin: Decimal = ZERO

    @property
    def cross_channel(self) -> bool:
        return len(self.channels) > 1


def historical_value(purchases: Iterable[Purchase]) -> dict[str, CustomerHistory]:
    """Margin per customer across every channel: revenue − cost of goods − fulfillment cost − refunds."""
    found: dict[str, CustomerHistory] = {}
    for p in purchases:
        history = found.setdefault(p.customer_id, CustomerHistory(p.customer_id))
        history.channels.add(p.channel)
        history.orders += 1
        history.margin += p.margin
    return found


def cross_channel_comparison(histories: Iterable[CustomerHistory]) -> dict[str, Decimal | None]:
    """Average historical margin of customers who bought on two or more channels against those on one."""
    groups: dict[str, list[Decimal]] = {"cross_channel": [], "single_channel": []}
    for h in histories:
        groups["cross_channel" if h.cross_channel else "single_channel"].append(h.margin)
    return {name: average(margins) for name, margins in groups.items()}


@dataclass(frozen=True, slots=True)
class Rfm:
    """A customer's history as BG/NBD and Gamma-Gamma read it, in days: `frequency` repeat purchase days,
    `recency` from the first purchase day to the last, `age` (the models' T) from the first to the day observed,
    `monetary_value` the average spend of the repeat purchase days (0 with none)."""

    customer_id: str
    frequency: int
    recency: int
    age: int
    monetary_value: Decimal


def rfm(purchases: Iterable[Purchase], observed_on: date) -> list[Rfm]:
    """One summary per customer who bought on or before `observed_on`. Purchases of one day count as one, as the
    models expect; what the customer paid that day is that purchase's value."""
    spend: dict[str, dict[date, Decimal]] = {}
    for p in purchases:
        day = p.at.date()
        if day <= observed_on:
            days = spend.setdefault(p.customer_id, {})
            days[day] = days.get(day, ZERO) + p.revenue
    found = []
    for customer_id in sorted(spend):
        days = spend[customer_id]
        first, last = min(days), max(days)
        repeats = [value for day, value in days.items() if day != first]
        average = (sum(repeats, ZERO) / len(repeats)).quantize(CENTS) if repeats else ZERO
        found.append(Rfm(customer_id, len(repeats), (last - first).days, (observed_on - first).days, average))
    return found


@dataclass(frozen=True, slots=True)
class LifetimeValue:
    """What a BG/NBD + Gamma-Gamma fit predicts for one customer over the horizon."""

    customer_id: str
    expected_purchases: float  # purchase days expected over the horizon
    probability_alive: float  # that the customer still buys at all
    predicted_value: Decimal  # their expected spend over the horizon, discounted to today


@dataclass(frozen=True, slots=True)
class LifetimeValueFit:
    """One fit: the models' parameters (r, alpha, a, b; p, q, v) and every customer's prediction."""

    parameters: dict[str, float]
    values: list[LifetimeValue]


@dataclass(frozen=True, slots=True)
class Horizon:
    """How far ahead to predict, and the monthly discount rate that brings later spend back to today."""

    months: int = 12
    discount_rate: float = 0.01
    min_repeat_customers: int = 10  # fewer customers who came back cannot identify the models' parameters


def average(values: Iterable[Decimal]) -> Decimal | None:
    found = list(values)
    return (sum(found, ZERO) / len(found)).quantize(CENTS) if found else None
