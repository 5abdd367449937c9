"""The KPI report: orders grouped by channel, location, fulfillment method or day, each group's KPIs by name, and
the totals over every order. Formulas are in domain/kpis.py; what each means is in docs/KPIS.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from omnifill.domain import kpis as k
from omnifill.domain import stock_kpis as st
from omnifill.domain.return_analytics import ReturnRate

Value = float | int | None
RATE_PLACES = 4


class KpiGroupBy(StrEnum):
    CHANNEL = "channel"
    LOCATION = "location"  # the location of the order's first fulfillment
    FULFILLMENT_METHOD = "fulfillment_method"  # of the order's first fulfillment
    DAY = "day"  # the UTC day the order was placed


def group_key(order: k.OrderFacts, group_by: KpiGroupBy) -> str | None:
    """The group an order falls in; None for an order never routed anywhere (grouped by location or method)."""
    if group_by is KpiGroupBy.CHANNEL:
        return order.channel
    if group_by is KpiGroupBy.LOCATION:
        return order.location
    if group_by is KpiGroupBy.FULFILLMENT_METHOD:
        return str(order.method) if order.method else None
    return order.placed_at.date().isoformat()


def _rate(ratio: k.Ratio) -> float | None:
    value = ratio.value
    return None if value is None else round(value, RATE_PLACES)


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(k.CENTS, ROUND_HALF_UP))


def order_kpis(orders: Sequence[k.OrderFacts]) -> dict[str, Value]:
    """Every order KPI of one group of orders."""
    ship50, ship90 = k.click_to_ship_hours(orders)
    ready50, ready90 = k.click_to_ready_hours(orders)
    by_method = k.cost_per_order_by_method(orders)
    went_out = [o for o in orders if o.shipments > 0]
    row: dict[str, Value] = {
        "orders": len(orders),
        "perfect_order_rate": _rate(k.perfect_order_rate(orders)),
        "line_fill_rate": _rate(k.line_fill_rate(orders)),
        "unit_fill_rate": _rate(k.unit_fill_rate(orders)),
        "stockout_rate": _rate(k.stockout_rate(orders)),
        "split_shipment_rate": _rate(k.split_shipment_rate(orders)),
        "on_time_delivery_rate": _rate(k.on_time_delivery_rate(orders)),
        "click_to_ship_hours_p50": _hours(ship50), "click_to_ship_hours_p90": _hours(ship90),
        "click_to_ready_hours_p50": _hours(ready50), "click_to_ready_hours_p90": _hours(ready90),
        "cost_per_order": _money(sum((o.fulfillment_cost for o in went_out), k.ZERO) / len(went_out)
                                 if went_out else None),
    }
    for method in k.FulfillmentMethod:
        row[f"cost_per_order_{method}"] = _money(by_method.get(method))
    return row


@dataclass(frozen=True, slots=True)
class StockFacts:
    """The ledger over a period: on hand when it began, the movements during it, the SKUs' standard costs."""

    opening: Mapping[tuple[str, str], int]
    entries: Sequence[st.LedgerEntry]
    unit_cost: Mapping[str, Decimal]
    first: date
    last: date

    def at(self, location: str) -> StockFacts:
        return replace(self, opening={key: n for key, n in self.opening.items() if key[1] == location},
                       entries=[e for e in self.entries if e.location == location])

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def stock_kpis(stock: StockFacts, day_of: Callable[[datetime], date]) -> dict[str, Value]:
    """Turnover, sell-through and count accuracy of the stock given (the network's, or one location's)."""
    values = st.daily_inventory_value(stock.opening, stock.entries, stock.unit_cost, stock.first, stock.last, day_of)
    cogs = sum((-e.on_hand_delta * e.unit_cost for e in stock.entries if e.kind in st.SOLD), k.ZERO)
    positions = st.stock_positions(stock.opening, stock.entries, stock.days)
    sold = sum(p.sold for p in positions)
    available = sum(p.opening + p.received for p in positions)
    exact, units = st.inventory_accuracy(st.counts_in(stock.entries))
    turnover = st.inventory_turnover(cogs, values)
    return {
        "units_sold": sold,
        "inventory_turnover": None if turnover is None else round(turnover, RATE_PLACES),
        "sell_through": _rate(k.Ratio(sold, available)),
        "inventory_accuracy_counts": _rate(exact),
        "inventory_accuracy_units": _rate(units),
    }


STOCK_KPIS = ("units_sold", "inventory_turnover", "sell_through", "inventory_accuracy_counts",
              "inventory_accuracy_units")


def return_rate(rates: Sequence[ReturnRate]) -> float | None:
    """Units received back ÷ units shipped or handed over, over the rows of the return analytics."""
    return _rate(k.Ratio(sum(r.returned_units for r in rates), sum(r.sold_units for r in rates)))


@dataclass(frozen=True, slots=True)
class KpiGroup:
    key: str | None
    kpis: dict[str, Value]


def report_groups(orders: Sequence[k.OrderFacts], group_by: KpiGroupBy) -> list[KpiGroup]:
    """One group per key that has orders, sorted by key (the unrouted group, key None, last)."""
    grouped: dict[str | None, list[k.OrderFacts]] = {}
    for order in orders:
        grouped.setdefault(group_key(order, group_by), []).append(order)
    keys = sorted(grouped, key=lambda key: (key is None, key or ""))
    return [KpiGroup(key, order_kpis(grouped[key])) for key in keys]
