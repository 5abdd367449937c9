"""Every KPI formula on small hand-computed fixtures, with the edge cases: nothing to count, partial fills and
returns, zero inventory."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from omnifill.domain.costs import Handling
from omnifill.domain.customer_value import (
    CustomerHistory,
    Purchase,
    cross_channel_comparison,
    historical_value,
    rfm,
)
from omnifill.domain.kpis import (
    Departure,
    FulfillmentMethod,
    OrderFacts,
    Ratio,
    click_to_ready_hours,
    click_to_ship_hours,
    cost_per_order_by_method,
    fulfillment_cost,
    fulfillment_method,
    line_fill_rate,
    on_time_delivery_rate,
    percentile,
    perfect_order_rate,
    split_shipment_rate,
    stockout_rate,
    unit_fill_rate,
)
from omnifill.domain.locations import LocationKind
from omnifill.domain.stock_kpis import (
    CountResult,
    LedgerEntry,
    StockPosition,
    cost_of_goods_sold,
    counts_in,
    daily_inventory_value,
    inventory_accuracy,
    inventory_turnover,
    sell_through,
    stock_positions,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
D = date(2026, 11, 2)
M = FulfillmentMethod


def order(n: int, **facts: object) -> OrderFacts:
    base: dict[str, object] = {"order_id": f"o{n}", "channel": "web", "placed_at": T0, "lines_ordered": 2,
                               "units_ordered": 3}
    return OrderFacts(**{**base, **facts})  # type: ignore[arg-type]


# A perfect order, a late one, a partly filled one, one returned damaged, one never shipped.
PERFECT = order(1, lines_filled=2, units_filled=3, shipments=1, promised_by=D + timedelta(days=3),
                completed_on=D + timedelta(days=2))
LATE = order(2, lines_filled=2, units_filled=3, shipments=2, promised_by=D + timedelta(days=1),
             completed_on=D + timedelta(days=2))
PARTIAL = order(3, lines_filled=1, units_filled=1, lines_short=1, shipments=1, promised_by=D + timedelta(days=3),
                completed_on=D + timedelta(days=2))
DAMAGED = order(4, lines_filled=2, units_filled=3, shipments=1, promised_by=D + timedelta(days=3),
                completed_on=D + timedelta(days=1), damaged_return=True)
WAITING = order(5)
ORDERS = [PERFECT, LATE, PARTIAL, DAMAGED, WAITING]


def test_perfect_order_rate_counts_complete_on_time_undamaged_orders_over_all_orders() -> None:
    assert perfect_order_rate(ORDERS) == Ratio(1, 5)


def test_fill_rates_count_what_reached_the_customer_over_what_settled_orders_asked_for() -> None:
    # WAITING has neither gone out nor run short: its fill is not known yet.
    assert line_fill_rate(ORDERS) == Ratio(2 + 2 + 1 + 2, 8)
    assert unit_fill_rate(ORDERS) == Ratio(3 + 3 + 1 + 3, 12)


def test_an_order_backordered_before_anything_went_out_counts_as_unfilled() -> None:
    backordered = order(9, lines_short=2)
    assert line_fill_rate([PERFECT, backordered]) == Ratio(2, 4)
    assert unit_fill_rate([PERFECT, backordered]) == Ratio(3, 6)


def test_an_order_the_customer_cancelled_does_not_lower_the_fill_rate_but_one_cancelled_for_stock_does() -> None:
    by_customer = order(6, cancelled=True)
    for_stock = order(7, cancelled=True, lines_short=2)
    assert line_fill_rate([PERFECT, by_customer]) == Ratio(2, 2)
    assert line_fill_rate([PERFECT, for_stock]) == Ratio(2, 4)


def test_all_orders_cancelled_by_their_customers_leave_every_rate_but_perfect_orders_undefined() -> None:
    cancelled = [order(n, cancelled=True) for n in range(3)]
    assert perfect_order_rate(cancelled) == Ratio(0, 3)
    for rate in (line_fill_rate(cancelled), unit_fill_rate(cancelled), split_shipment_rate(cancelled),
                 on_time_delivery_rate(cancelled)):
        assert rate.value is None
    assert stockout_rate(cancelled) == Ratio(0, 6)


def test_stockout_and_split_rates() -> None:
    assert stockout_rate(ORDERS) == Ratio(1, 10)
    assert split_shipment_rate(ORDERS) == Ratio(1, 4)  # LATE went in two packages; WAITING went nowhere


def test_on_time_delivery_counts_completed_promised_orders_only() -> None:
    # PARTIAL is not complete, WAITING not completed: PERFECT and DAMAGED on time, LATE not.
    assert on_time_delivery_rate(ORDERS) == Ratio(2, 3)


def test_an_order_without_a_promise_is_on_time_once_complete() -> None:
    unpromised = order(8, lines_filled=2, units_filled=3, shipments=1, completed_on=D)
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
        order(1, method=M.SHIP_FROM_WAREHOUSE, shipments=1, fulfillment_cost=Decimal("7.10")),
        order(2, method=M.SHIP_FROM_WAREHOUSE, shipments=2, fulfillment_cost=Decimal("12.00")),
        order(3, method=M.BOPIS, shipments=1, fulfillment_cost=Decimal("4.10")),
        order(4, method=M.SHIP_FROM_STORE, shipments=0, fulfillment_cost=Decimal("3.00")),  # not out yet
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


LEDGER = [  # in the period; 10 of A were on hand when it began
    entry(2, 10, "A", "shipment", -4, 6),
    entry(2, 11, "B", "receipt", 5, 5, "2.00"),
    entry(3, 9, "A", "shipment", -6, 0),
    entry(4, 9, "B", "sale", -1, 4, "2.00"),
]
OPENING = {("A", "WH"): 10}
COSTS = {"A": Decimal("4.00"), "B": Decimal("2.00")}


def by_utc_day(moment: datetime) -> date:
    return moment.date()


def test_inventory_value_is_replayed_from_the_ledger_day_by_day() -> None:
    values = daily_inventory_value(OPENING, LEDGER, COSTS, date(2026, 11, 2), date(2026, 11, 4), by_utc_day)
    assert values == {date(2026, 11, 2): Decimal("34.00"),  # A 6 × 4 + B 5 × 2
                      date(2026, 11, 3): Decimal("10.00"),  # A 0, B 5 × 2
                      date(2026, 11, 4): Decimal("8.00")}  # B 4 × 2


def test_a_sale_booked_out_of_order_lands_on_the_day_it_happened() -> None:
    late_upload = [*LEDGER, entry(2, 8, "A", "sale", -1, 0)]  # a till offline on the 2nd, uploaded on the 4th
    values = daily_inventory_value(OPENING, late_upload, COSTS, date(2026, 11, 2), date(2026, 11, 2), by_utc_day)
    assert values == {date(2026, 11, 2): Decimal("30.00")}  # A 5 × 4 + B 5 × 2


def test_turnover_is_cost_of_goods_sold_over_the_average_inventory_value() -> None:
    since, until = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC)
    cogs = cost_of_goods_sold(LEDGER, since, until)
    assert cogs == Decimal("42.00")  # 4 × 4 + 6 × 4 + 1 × 2
    values = daily_inventory_value(OPENING, LEDGER, COSTS, date(2026, 11, 2), date(2026, 11, 4), by_utc_day)
    assert inventory_turnover(cogs, values) == pytest.approx(42 / (52 / 3))


def test_turnover_with_no_inventory_at_all_is_undefined() -> None:
    assert inventory_turnover(Decimal(0), {}) is None
    assert inventory_turnover(Decimal(0), {D: Decimal(0)}) is None
    empty = daily_inventory_value({}, [], COSTS, D, D + timedelta(days=1), by_utc_day)
    assert empty == {D: Decimal(0), D + timedelta(days=1): Decimal(0)}
    assert inventory_turnover(Decimal(0), empty) is None


def test_stock_positions_per_sku_and_location() -> None:
    positions = stock_positions(OPENING, LEDGER, days=3)
    assert positions == [StockPosition("A", "WH", on_hand=0, sold=10, days=3, opening=10, received=0),
                         StockPosition("B", "WH", on_hand=4, sold=1, days=3, opening=0, received=5)]
    assert positions[0].days_of_supply == 0.0  # sold out
    assert positions[1].days_of_supply == pytest.approx(4 / (1 / 3))
    assert positions[0].sell_through == Ratio(10, 10)
    assert positions[1].sell_through == Ratio(1, 5)


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


def test_counts_are_read_from_count_movements_only() -> None:
    ledger = [*LEDGER, entry(4, 12, "B", "count", -2, 2), entry(4, 13, "A", "count", 0, 0)]
    assert counts_in(ledger) == [CountResult(4, 2), CountResult(0, 0)]
    exact, units = inventory_accuracy(counts_in(ledger))
    assert exact == Ratio(1, 2)
    assert units == Ratio(2, 4)


def test_counting_a_zero_shelf_as_zero_is_exact_but_has_no_units_to_weigh() -> None:
    exact, units = inventory_accuracy([CountResult(0, 0)])
    assert exact == Ratio(1, 1)
    assert units.value is None


def test_fulfillment_cost_is_handling_by_location_plus_shipping_plus_packaging() -> None:
    handling = {LocationKind.WAREHOUSE: Handling(2.0, 0.25), LocationKind.STORE: Handling(3.5, 0.5)}
    departures = [Departure("WH", LocationKind.WAREHOUSE, 3, shipping=Decimal("6.40")),
                  Departure("ST", LocationKind.STORE, 1)]  # a handover: no label
    assert fulfillment_cost(departures, lambda code, kind: handling[kind]) == Decimal("2.75") + Decimal("6.40") + 4
    assert fulfillment_cost([], lambda code, kind: handling[kind]) == 0


def purchase(customer: str, channel: str, day: int, revenue: int, cost: int = 0, fulfilment: int = 0,
             refunded: int = 0) -> Purchase:
    return Purchase(customer, channel, datetime(2026, 11, day, 12, tzinfo=UTC), Decimal(revenue), Decimal(cost),
                    Decimal(fulfilment), Decimal(refunded))


def test_historical_customer_value_is_margin_across_every_channel() -> None:
    found = historical_value([
        purchase("c1", "web", 1, 100, cost=40, fulfilment=10),
        purchase("c1", "pos", 2, 50, cost=20, refunded=50),  # bought at the till, then refunded in full
        purchase("c2", "web", 3, 30, cost=10, fulfilment=5),
    ])
    assert found["c1"].margin == Decimal(30)  # 100 − 40 − 10 + 50 − 20 − 50
    assert found["c1"].channels == {"web", "pos"}
    assert (found["c2"].margin, found["c2"].orders) == (Decimal(15), 1)
    assert cross_channel_comparison(found.values()) == {"cross_channel": Decimal("30.00"),
                                                        "single_channel": Decimal("15.00")}
    assert cross_channel_comparison([CustomerHistory("c3")]) == {"cross_channel": None,
                                                                 "single_channel": Decimal("0.00")}
    assert historical_value([]) == {}
    assert cross_channel_comparison([]) == {"cross_channel": None, "single_channel": None}


def test_rfm_counts_purchase_days_and_averages_the_repeat_ones() -> None:
    found = rfm([
        purchase("c1", "web", 1, 100),
        purchase("c1", "pos", 1, 20),  # the same day: one purchase of 120
        purchase("c1", "web", 5, 30),
        purchase("c1", "pos", 9, 50),
        purchase("c2", "web", 8, 70),
        purchase("c3", "web", 20, 10),  # after the day observed: not seen yet
    ], date(2026, 11, 10))
    assert [(r.customer_id, r.frequency, r.recency, r.age, r.monetary_value) for r in found] == [
        ("c1", 2, 8, 9, Decimal("40.00")),
        ("c2", 0, 0, 2, Decimal(0)),
    ]


def test_a_vendors_feed_rising_is_stock_received_and_never_a_count() -> None:
    feed = [LedgerEntry(T0, "A", "VND", "vendor_feed", 8, 8, Decimal(4)),
            LedgerEntry(T0 + timedelta(hours=1), "A", "VND", "vendor_feed", -3, 5, Decimal(4))]
    assert stock_positions({}, feed, days=1) == [StockPosition("A", "VND", 5, 0, 1, opening=0, received=8)]
    assert counts_in(feed) == []
