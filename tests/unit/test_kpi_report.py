"""The KPI report's grouping and rows on hand-computed orders and stock."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from omnifill.domain.kpi_report import KpiGroupBy, StockFacts, order_kpis, report_groups, return_rate, stock_kpis
from omnifill.domain.kpis import FulfillmentMethod, OrderFacts
from omnifill.domain.return_analytics import ReturnRate
from omnifill.domain.stock_kpis import LedgerEntry

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
M = FulfillmentMethod


def order(n: int, channel: str, method: FulfillmentMethod | None, cost: str = "0", **facts: object) -> OrderFacts:
    base: dict[str, object] = {"order_id": f"o{n}", "channel": channel, "placed_at": T0 + timedelta(days=n % 2),
                               "lines_ordered": 1, "units_ordered": 1, "method": method,
                               "location": None if method is None else f"L{n % 2}", "fulfillment_cost": Decimal(cost)}
    return OrderFacts(**{**base, **facts})  # type: ignore[arg-type]


def test_no_orders_give_a_count_of_zero_and_no_rates() -> None:
    row = order_kpis([])
    assert row["orders"] == 0
    assert {name for name, value in row.items() if value is not None} == {"orders"}


def test_groups_by_method_with_the_unrouted_orders_last() -> None:
    orders = [order(1, "web", M.BOPIS, "4.10", lines_filled=1, units_filled=1, shipments=1, completed_on=T0.date()),
              order(2, "pos", None, lines_short=1),
              order(3, "web", M.SHIP_FROM_WAREHOUSE, "7.105", lines_filled=1, units_filled=1, shipments=1)]
    groups = report_groups(orders, KpiGroupBy.FULFILLMENT_METHOD)
    assert [g.key for g in groups] == ["bopis", "ship_from_warehouse", None]
    assert groups[0].kpis["perfect_order_rate"] == 1.0
    assert groups[1].kpis["cost_per_order"] == 7.11  # 7.105 to the cent, half up
    assert groups[2].kpis["stockout_rate"] == 1.0
    totals = order_kpis(orders)
    assert totals["line_fill_rate"] == round(2 / 3, 4)
    assert totals["cost_per_order_bopis"] == 4.1


def test_groups_by_day_and_channel() -> None:
    orders = [order(n, "web" if n < 3 else "app", M.SHIP_FROM_STORE) for n in range(4)]
    assert [(g.key, g.kpis["orders"]) for g in report_groups(orders, KpiGroupBy.DAY)] == [
        ("2026-11-02", 2), ("2026-11-03", 2)]
    assert [(g.key, g.kpis["orders"]) for g in report_groups(orders, KpiGroupBy.CHANNEL)] == [("app", 1), ("web", 3)]


def test_return_rate_over_the_rows_of_the_return_analytics() -> None:
    assert return_rate([ReturnRate("web", 1, 4, None), ReturnRate("app", 1, 6, None)]) == 0.2
    assert return_rate([]) is None


def test_stock_kpis_with_no_stock_at_all() -> None:
    empty = StockFacts({}, [], {}, date(2026, 11, 2), date(2026, 11, 3))
    assert stock_kpis(empty, lambda m: m.date()) == {
        "units_sold": 0, "inventory_turnover": None, "sell_through": None, "inventory_accuracy_counts": None,
        "inventory_accuracy_units": None}


def test_stock_kpis_of_one_location() -> None:
    entries = [LedgerEntry(T0, "A", "L1", "shipment", -2, 8, Decimal(4)),
               LedgerEntry(T0, "A", "L2", "count", -1, 4, Decimal(4))]
    stock = StockFacts({("A", "L1"): 10, ("A", "L2"): 5}, entries, {"A": Decimal(4)}, T0.date(), T0.date())
    assert stock_kpis(stock.at("L1"), lambda m: m.date()) == {
        "units_sold": 2, "inventory_turnover": 0.25, "sell_through": 0.2,  # 8 ÷ (8 × 4); 2 ÷ 10
        "inventory_accuracy_counts": None, "inventory_accuracy_units": None}
    assert stock_kpis(stock.at("L2"), lambda m: m.date())["inventory_accuracy_units"] == 0.8
