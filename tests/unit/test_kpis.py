"""Every KPI formula on small hand-computed fixtures, with the edge cases: nothing to count, partial fills and
returns, zero inventory."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from omnifill.domain.kpis import (
    CountResult,
    CustomerHistory,
    FulfillmentMethod,
    LedgerEntry,
    OrderFacts,
    Ratio,
    StockPosition,
    click_to_ready_hours,
    click_to_ship_hours,
    cost_of_goods_sold,
    cost_per_order_by_method,
    cross_channel_comparison,
    daily_inventory_value,
    fulfillment_method,
    historical_value,
    inventory_accuracy,
    inventory_turnover,
    line_fill_rate,
    on_time_delivery_rate,
    percentile,
    perfect_order_rate,
    sell_through,
    split_shipment_rate,
    stockout_rate,
    unit_fill_rate,
)
from omnifill.domain.locations import LocationKind

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
D = date(2026, 11, 2)
M = FulfillmentMethod


def order(n: int, **facts: object) -> OrderFacts:
    base: dict[str, object] = {"order_id": f"o{n}", "channel": "web", "placed_at": T0, "lines_ordered": 2,
                               "units_ordered": 3}
    return OrderFacts(**{**base, **facts})  # type: ignore[arg-type]


# A perfect order, a late one, a partly filled one, one returned damaged, one never shipped.
PERFECT = order(1, lines_filled=2, units_filled=3, packages=1, promised_by=D + timedelta(days=3),
                completed_on=D + timedelta(days=2))
LATE = order(2, lines_filled=2, units_filled=3, packages=2, promised_by=D + timedelta(days=1),
             completed_on=D + timedelta(days=2))
PARTIAL = order(3, lines_filled=1, units_filled=1, lines_short=1, packages=1, promised_by=D + timedelta(days=3),
                completed_on=D + timedelta(days=2))
DAMAGED = order(4, lines_filled=2, units_filled=3, packages=1, promised_by=D + timedelta(days=3),
                completed_on=D + timedelta(days=1), damaged_return=True)
WAITING = order(5)
ORDERS = [PERFECT, LATE, PARTIAL, DAMAGED, WAITING]


def test_perfect_order_rate_counts_complete_on_time_undamaged_orders_over_all_orders() -> None:
    assert perfect_order_rate(ORDERS) == Ratio(1, 5)


def test_fill_rates_count_what_reached_the_customer_over_what_was_ordered() -> None:
    assert line_fill_rate(ORDERS) == Ratio(2 + 2 + 1 + 2 + 0, 10)
    assert unit_fill_rate(ORDERS) == Ratio(3 + 3 + 1 + 3 + 0, 15)


def test_an_order_the_customer_cancelled_does_not_lower_the_fill_rate_but_one_cancelled_for_stock_does() -> None:
    by_customer = order(6, cancelled=True)
    for_stock = order(7, cancelled=True, lines_short=2)
    assert line_fill_rate([PERFECT, by_customer]) == Ratio(2, 2)
    assert line_fill_rate([PERFECT, for_stock]) == Ratio(2, 4)


def test_stockout_and_split_rates() -> None:
    assert stockout_rate(ORDERS) == Ratio(1, 10)
    assert split_shipment_rate(ORDERS) == Ratio(1, 4)  # LATE went in two packages; WAITING went nowhere


def test_on_time_delivery_counts_completed_promised_orders_only() -> None:
    # PARTIAL is not complete, WAITING not completed: PERFECT and DAMAGED on time, LATE not.
    assert on_time_delivery_rate(ORDERS) == Ratio(2, 3)


def test_an_order_without_a_promise_is_on_time_once_complete() -> None:
    unpromised = order(8, lines_filled=2, units_filled=3, packages=1, completed_on=D)
    assert unpromised.on_time
    assert on_time_delivery_rate([unpromised]).value is None


def test_no_orders_give_no_rate_rather_than_zero() -> None:
    for rate in (perfect_order_rate([]), line_fill_rate([]), unit_fill_rate([]), stockout_rate([]),
                 split_shipment_rate([]), on_time_delivery_rate([])):
        assert rate.value is None
    assert click_to_ship_hours([]) == (None, None)
    assert cost_per_order_by_method([]) == {}


def test_percentiles_use_the_nearest_rank() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 6.0, 7.0, 8.0, 9.0]
    assert percentile(values, 50) == 5.0
    assert percentile(values, 90) == 9.0
    assert percentile([7.0], 90) == 7.0


def test_click_to_ship_and_click_to_ready_in_hours() -> None:
    shipped = [order(n, first_shipped_at=T0 + timedelta(hours=h)) for n, h in enumerate([2, 4, 6, 30])]
    assert click_to_ship_hours(shipped) == (4.0, 30.0)
    ready = [order(n, ready_at=T0 + timedelta(minutes=m)) for n, m in enumerate([30, 90])]
    assert click_to_ready_hours(ready) == (0.5, 1.5)


def test_cost_per_order_by_fulfillment_method_averages_the_orders_that_went_out() -> None:
    orders = [
        order(1, method=M.SHIP_FROM_WAREHOUSE, packages=1, fulfillment_cost=Decimal("7.10")),
        order(2, method=M.SHIP_FROM_WAREHOUSE, packages=2, fulfillment_cost=Decimal("12.00")),
        order(3, method=M.BOPIS, packages=1, fulfillment_cost=Decimal("4.10")),
        order(4, method=M.SHIP_FROM_STORE, packages=0, fulfillment_cost=Decimal("3.00")),  # not out yet
    ]
    assert cost_per_order_by_method(orders) == {M.SHIP_FROM_WAREHOUSE: Decimal("9.55"), M.BOPIS: Decimal("4.10")}


@pytest.mark.parametrize(("kind", "pickup", "curbside", "method"), [
    (LocationKind.WAREHOUSE, False, False, M.SHIP_FROM_WAREHOUSE),
    (LocationKind.STORE, False, False, M.SHIP_FROM_STORE),
    (LocationKind.STORE, True, False, M.BOPIS),
    (LocationKind.STORE, True, True, M.CURBSIDE),
    (LocationKind.DARK_STORE, False, False, M.DARK_STORE),
    (LocationKind.MICRO_FULFILLMENT, False, False, M.DARK_STORE),
    (LocationKind.DROPSHIP_VENDOR, False, False, M.DROPSHIP),
])
def test_fulfillment_method_by_location_kind_and_delivery(kind: LocationKind, pickup: bool, curbside: bool,
                                                          method: FulfillmentMethod) -> None:
    assert fulfillment_method(kind, pickup, curbside) is method


def entry(day: int, hour: int, sku: str, kind: str, delta: int, after: int, cost: str = "4.00") -> LedgerEntry:
    return LedgerEntry(datetime(2026, 11, day, hour, tzinfo=UTC), sku, "WH", kind, delta, after, Decimal(cost))


LEDGER = [
    entry(1, 8, "A", "receipt", 10, 10),  # before the period: the opening stock
    entry(2, 10, "A", "shipment", -4, 6),
    entry(2, 11, "B", "receipt", 5, 5, "2.00"),
    entry(3, 9, "A", "shipment", -6, 0),
    entry(4, 9, "B", "sale", -1, 4, "2.00"),
]
COSTS = {"A": Decimal("4.00"), "B": Decimal("2.00")}


def by_utc_day(moment: datetime) -> date:
    return moment.date()


def test_inventory_value_is_replayed_from_the_ledger_day_by_day() -> None:
    values = daily_inventory_value(LEDGER, COSTS, date(2026, 11, 2), date(2026, 11, 4), by_utc_day)
    assert values == {date(2026, 11, 2): Decimal("34.00"),  # A 6 × 4 + B 5 × 2
                      date(2026, 11, 3): Decimal("10.00"),  # A 0, B 5 × 2
                      date(2026, 11, 4): Decimal("8.00")}  # B 4 × 2


def test_turnover_is_cost_of_goods_sold_over_the_average_inventory_value() -> None:
    since, until = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC)
    cogs = cost_of_goods_sold(LEDGER, since, until)
    assert cogs == Decimal("42.00")  # 4 × 4 + 6 × 4 + 1 × 2
    values = daily_inventory_value(LEDGER, COSTS, date(2026, 11, 2), date(2026, 11, 4), by_utc_day)
    assert inventory_turnover(cogs, values) == pytest.approx(42 / (52 / 3))


def test_turnover_with_no_inventory_at_all_is_undefined() -> None:
    assert inventory_turnover(Decimal(0), {}) is None
    assert inventory_turnover(Decimal(0), {D: Decimal(0)}) is None


def test_days_of_supply_and_sell_through() -> None:
    assert StockPosition("A", "WH", on_hand=30, sold=20, days=10).days_of_supply == 15.0
    assert StockPosition("A", "WH", on_hand=30, sold=0, days=10).days_of_supply is None
    assert StockPosition("A", "WH", on_hand=0, sold=5, days=10).days_of_supply == 0.0
    assert sell_through(opening_on_hand=10, received=5, sold=12) == Ratio(12, 15)
    assert sell_through(0, 0, 0).value is None


def test_inventory_accuracy_from_counts() -> None:
    exact, units = inventory_accuracy([CountResult(10, 10), CountResult(8, 6), CountResult(2, 3)])
    assert exact == Ratio(1, 3)
    assert units == Ratio(20 - 3, 20)
    assert inventory_accuracy([])[0].value is None


def test_historical_customer_value_is_margin_across_every_channel() -> None:
    orders = [
        order(1, channel="web", customer_id="c1", revenue=Decimal(100), cost_of_goods=Decimal(40),
              fulfillment_cost=Decimal(10)),
        order(2, channel="pos", customer_id="c1", revenue=Decimal(50), cost_of_goods=Decimal(20),
              refunded=Decimal(50)),
        order(3, channel="web", customer_id="c2", revenue=Decimal(30), cost_of_goods=Decimal(10),
              fulfillment_cost=Decimal(5)),
        order(4, channel="web", customer_id="c2", revenue=Decimal(99), cancelled=True),
        order(5, channel="web"),  # a guest checkout: nobody to attribute it to
    ]
    found = historical_value(orders)
    assert found["c1"].margin == Decimal(30)  # 100 − 40 − 10 + 50 − 20 − 50
    assert found["c1"].channels == {"web", "pos"}
    assert (found["c2"].margin, found["c2"].orders) == (Decimal(15), 1)
    assert cross_channel_comparison(found.values()) == {"cross_channel": Decimal("30.00"),
                                                        "single_channel": Decimal("15.00")}
    assert cross_channel_comparison([CustomerHistory("c3")]) == {"cross_channel": None,
                                                                 "single_channel": Decimal("0.00")}
