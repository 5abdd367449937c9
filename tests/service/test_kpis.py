"""The KPI report built from a small real scenario on SQLite and PostgreSQL, against values computed by hand.

On 25 November (UTC) a Chicago warehouse receives 10 of A and 3 of B, a New York store (pickup only) 4 of A, all at
a standard cost of 4.00. Shipped orders are promised for 30 November. Then:
  o1 ships 2 A from Chicago (3 h after it was placed), delivered the next day;
  o2 ships 1 A + 1 B from Chicago (5 h), delivered late on 1 December, and B comes back damaged at the New York
  store that day;
  o3 is collected in New York: ready 1 h after it was placed, handed over at 2 h;
  o4 asks for 2 B: Chicago finds 1 (a short pick; the other is backordered) and ships it the next day, 24 h;
  o5 is cancelled by its customer; a till in New York sells 1 A to the same customer; Chicago counts 6 of the 7 A
  its books hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from omnifill.adapters.carriers import load_carriers
from omnifill.adapters.clv import fit_lifetime_values
from omnifill.adapters.return_policy import load_return_policy
from omnifill.adapters.sql.tables import shipments
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.customer_value import Horizon, LifetimeValue, LifetimeValueFit, Rfm
from omnifill.domain.errors import Forbidden, InvalidInput
from omnifill.domain.inventory import MovementKind
from omnifill.domain.kpi_report import KpiGroupBy
from omnifill.domain.locations import Capability, LocationKind
from omnifill.domain.pickup import PickupProof
from omnifill.domain.pos import PosCustomer, PosKind
from omnifill.domain.returns import Condition, ReceivedLine, RequestedLine, ReturnMethod, disposition_for
from omnifill.domain.shipping import ShipmentStatus, TrackingEvent
from omnifill.services.customer_value import compute_lifetime_values, customer_values
from omnifill.services.fulfillment import advance, hand_over
from omnifill.services.inventory import MovementRequest, record_movement, vendor_stock_feed
from omnifill.services.kpis import kpi_report, kpi_reports, stock_report
from omnifill.services.orders import cancel_order, get_order, place_order
from omnifill.services.pos import TillLine, TillReport, record_pos
from omnifill.services.rerouting import short_pick
from omnifill.services.return_receiving import Receipt, receive_return
from omnifill.services.returns import ReturnRequest, authorize_return
from omnifill.services.shipping import ship_fulfillment, track_shipment
from tests.conftest import NOW
from tests.e2e.conftest import ledger_and_balances
from tests.factories import ZIP, add_location, add_sku, pickup_order, ship_order, stock

ADMIN = Principal.parse("admin")
CARRIERS = load_carriers()
FIRST, LAST = NOW.date(), NOW.date() + timedelta(days=6)  # 25 November to 1 December
PROMISE = date(2026, 11, 30)
H = timedelta(hours=1)


def ship(uow: UnitOfWork, external_id: str, lines: dict[str, int], shipped_after: timedelta,
         delivered_after: timedelta | None, found: dict[str, int] | None = None) -> str:
    draft = ship_order(external_id, lines)
    draft = replace(draft, delivery=replace(draft.delivery, promised_by=PROMISE))
    placed = place_order(uow, draft, "channel:web", NOW)
    assert placed.order is not None
    work = placed.order.fulfillments[0].id
    advance(uow, work, "accept", ADMIN, NOW)
    if found is not None:
        short_pick(uow, work, found, ADMIN, "not on the shelf", NOW)
    advance(uow, work, "pick", ADMIN, NOW)
    advance(uow, work, "pack", ADMIN, NOW)
    _, shipment = ship_fulfillment(uow, work, CARRIERS, ADMIN, NOW + shipped_after)
    if delivered_after is not None:
        at = NOW + delivered_after
        track_shipment(uow, shipment.id, TrackingEvent(ShipmentStatus.DELIVERED, at), ADMIN, at)
    return placed.order.id


def collect(uow: UnitOfWork) -> str:
    placed = place_order(uow, pickup_order("3", {"A": 1}, "NYC"), "channel:web", NOW)
    assert placed.order is not None
    work = placed.order.fulfillments[0].id
    for action in ("accept", "pick"):
        advance(uow, work, action, ADMIN, NOW)
    advance(uow, work, "ready", ADMIN, NOW + H)
    code = get_order(uow, placed.order.id, ADMIN).fulfillments[0].pickup_code
    hand_over(uow, work, PickupProof(code), ADMIN, NOW + 2 * H)
    return placed.order.id


def return_damaged(uow: UnitOfWork, order_id: str) -> None:
    at = NOW + timedelta(days=6, hours=1)
    rma = authorize_return(uow, ReturnRequest(order_id, (RequestedLine("B", 1, "damaged"),), ReturnMethod.IN_STORE,
                                              "NYC"), ADMIN, at, policy=load_return_policy(), carriers=CARRIERS)
    received = (ReceivedLine("B", 1, Condition.DAMAGED, disposition_for(Condition.DAMAGED, None, "d")),)
    receive_return(uow, rma.id, Receipt("NYC", received), ADMIN, at)


@pytest.fixture
def scenario(uow: UnitOfWork) -> UnitOfWork:
    for sku in ("A", "B"):
        add_sku(uow, NOW, sku)
    add_location(uow, NOW, "CHI", ZIP["CHI"], kind=LocationKind.WAREHOUSE,
                 capabilities=frozenset({Capability.SHIP, Capability.RETURNS}))
    add_location(uow, NOW, "NYC", ZIP["NYC"], capabilities=frozenset({Capability.PICKUP, Capability.RETURNS}))
    stock(uow, {("A", "CHI"): 10, ("B", "CHI"): 3, ("A", "NYC"): 4})
    ship(uow, "1", {"A": 2}, 3 * H, 20 * H)
    o2 = ship(uow, "2", {"A": 1, "B": 1}, 5 * H, timedelta(days=6))
    collect(uow)
    ship(uow, "4", {"B": 2}, 24 * H, None, found={"B": 1})
    cancelled = place_order(uow, ship_order("5", {"A": 1}), "channel:web", NOW).order
    assert cancelled is not None
    cancel_order(uow, cancelled.id, ADMIN, NOW)
    till = TillReport(PosKind.SALE, "T-1", NOW + 4 * H, (TillLine(1, "A", unit_price=Decimal("15.00")),),
                      PosCustomer(email="pat@example.com"))
    record_pos(uow, till, "NYC", "store:NYC", NOW + 4 * H)
    record_movement(uow, MovementRequest("A", "CHI", MovementKind.COUNT, 6, "cycle count"), "test", NOW + 30 * H)
    return_damaged(uow, o2)
    return uow


def cents(amount: Decimal) -> float:
    return float(amount.quantize(Decimal("0.01"), ROUND_HALF_UP))


def label_costs(uow: UnitOfWork) -> Decimal:
    with uow.engine.connect() as connection:
        return sum((c for c in connection.execute(select(shipments.c.cost)).scalars()), Decimal(0))


def test_the_totals_over_the_whole_business(scenario: UnitOfWork) -> None:
    report = kpi_report(scenario, FIRST, LAST, KpiGroupBy.CHANNEL, ADMIN)
    handling = Decimal("2.30") + Decimal("2.30") + Decimal("1.95")  # 1.60 + 0.35 a unit: 2, 2 and 1 units
    expected_cost = cents((handling + label_costs(scenario)) / 3)
    assert report.totals == {
        "orders": 5,
        "perfect_order_rate": 0.4,  # o1 and o3 of five; o2 came back damaged, o4 is short, o5 cancelled
        "line_fill_rate": 0.8,  # o1 1 + o2 2 + o3 1 + o4 0 of 5 lines (o5 never asked to be filled)
        "unit_fill_rate": round(6 / 7, 4),
        "stockout_rate": round(1 / 6, 4),  # o4's B of the 6 lines ordered
        "split_shipment_rate": 0.0,
        "on_time_delivery_rate": 0.5,  # o1 by its promise, o2 a day late; o3 promised no date
        "click_to_ship_hours_p50": 5.0, "click_to_ship_hours_p90": 24.0,  # 3, 5, 24
        "click_to_ready_hours_p50": 1.0, "click_to_ready_hours_p90": 1.0,
        "cost_per_order": cents((handling + Decimal("4.10") + label_costs(scenario)) / 4),
        "cost_per_order_ship_from_warehouse": expected_cost,
        "cost_per_order_ship_from_store": None,
        "cost_per_order_bopis": 4.1,  # a store's handling: 3.25 + 0.85 for one unit, no label
        "cost_per_order_curbside": None, "cost_per_order_dark_store": None, "cost_per_order_dropship": None,
        "return_rate": round(1 / 6, 4),  # 1 unit back of 6 shipped or handed over (till sales are not orders)
        "units_sold": 7,  # 6 to orders + 1 over the till
        # Day-end values at 4.00: the 25th 10 units (CHI A 7, B 1, NYC A 2), the six days after 8 (CHI A 6).
        "inventory_turnover": round(28 / ((40 + 6 * 32) / 7), 4),
        "sell_through": round(7 / 17, 4),
        "inventory_accuracy_counts": 0.0, "inventory_accuracy_units": round(6 / 7, 4),
    }
    assert [(g.key, g.kpis["orders"]) for g in report.groups] == [("web", 5)]
    assert report.groups[0].kpis["units_sold"] is None  # stock has no channel
    sums, balances = ledger_and_balances(scenario.engine)
    assert sums == balances


def test_by_location_and_by_method(scenario: UnitOfWork) -> None:
    by_location = {g.key: g.kpis for g in kpi_report(scenario, FIRST, LAST, KpiGroupBy.LOCATION, ADMIN).groups}
    assert list(by_location) == ["CHI", "NYC"]
    assert (by_location["CHI"]["orders"], by_location["CHI"]["perfect_order_rate"]) == (4, 0.25)
    assert (by_location["NYC"]["orders"], by_location["NYC"]["perfect_order_rate"]) == (1, 1.0)
    assert by_location["CHI"]["return_rate"] == 0.0  # 0 back of 5 shipped from Chicago
    assert by_location["NYC"]["return_rate"] == 1.0  # the damaged B came in at New York, which handed over 1
    assert by_location["NYC"]["sell_through"] == 0.5  # 1 handed over + 1 over the till, of 4 received
    assert by_location["CHI"]["inventory_accuracy_units"] == round(6 / 7, 4)
    by_method = {g.key: g.kpis["orders"] for g in
                 kpi_report(scenario, FIRST, LAST, KpiGroupBy.FULFILLMENT_METHOD, ADMIN).groups}
    assert by_method == {"bopis": 1, "ship_from_warehouse": 4}


def test_several_groupings_from_one_read_equal_one_report_each(scenario: UnitOfWork) -> None:
    groupings = list(KpiGroupBy)
    together = kpi_reports(scenario, FIRST, LAST, groupings, Principal.parse("store:NYC"))
    assert together == [kpi_report(scenario, FIRST, LAST, g, Principal.parse("store:NYC")) for g in groupings]
    assert [r.group_by for r in together] == groupings
    assert {r.location for r in together} == {"NYC"}


def test_by_day_groups_orders_by_the_utc_day_they_were_placed(scenario: UnitOfWork) -> None:
    groups = kpi_report(scenario, FIRST, LAST, KpiGroupBy.DAY, ADMIN).groups
    # Orders were all placed on the 25th; o4 shipped on the 26th; the return came in on 1 December, when
    # nothing shipped.
    assert [(g.key, g.kpis["orders"], g.kpis["return_rate"]) for g in groups] == [
        ("2026-11-25", 5, 0.0), ("2026-11-26", 0, 0.0), ("2026-12-01", 0, None)]


def test_a_store_key_sees_its_own_store_only(scenario: UnitOfWork) -> None:
    own = kpi_report(scenario, FIRST, LAST, KpiGroupBy.CHANNEL, Principal.parse("store:NYC"))
    assert (own.location, own.totals["orders"], own.totals["units_sold"]) == ("NYC", 1, 2)
    with pytest.raises(Forbidden):
        kpi_report(scenario, FIRST, LAST, KpiGroupBy.CHANNEL, Principal.parse("store:NYC"), location="CHI")
    with pytest.raises(Forbidden):
        kpi_report(scenario, FIRST, LAST, KpiGroupBy.CHANNEL, Principal.parse("channel:web"))


def test_a_period_with_no_orders_and_no_stock(scenario: UnitOfWork) -> None:
    report = kpi_report(scenario, date(2026, 1, 1), date(2026, 1, 31), KpiGroupBy.LOCATION, ADMIN)
    assert report.groups == []
    assert report.totals["orders"] == 0
    assert {n for n, v in report.totals.items() if v not in (None, 0)} == set()


def test_periods_are_checked(scenario: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as backwards:
        kpi_report(scenario, LAST, FIRST, KpiGroupBy.DAY, ADMIN)
    assert backwards.value.field == "to"
    with pytest.raises(InvalidInput) as too_long:
        kpi_report(scenario, FIRST, FIRST + timedelta(days=366), KpiGroupBy.DAY, ADMIN)
    assert too_long.value.field == "to"


def test_days_of_supply_per_sku_and_location(scenario: UnitOfWork) -> None:
    positions = stock_report(scenario, FIRST, LAST, ADMIN)
    assert [(p.sku, p.location, p.on_hand, p.sold, p.days_of_supply) for p in positions] == [
        ("A", "CHI", 6, 3, 14.0),  # 6 on hand ÷ (3 sold ÷ 7 days)
        ("B", "CHI", 0, 2, 0.0),
        ("A", "NYC", 2, 2, 7.0),
    ]


def fake_fit(summaries: Sequence[Rfm], horizon: Horizon) -> LifetimeValueFit:
    """A stand-in for the models (the real fit is tests/integration/test_clv_fit.py): 2 purchases, 30.00 each."""
    return LifetimeValueFit({"r": 1.0}, [LifetimeValue(s.customer_id, 2.0, 0.9, Decimal("60.00")) for s in summaries])


def test_customer_value_across_orders_and_the_till(scenario: UnitOfWork) -> None:
    before = customer_values(scenario, ADMIN, 10)
    assert before.run is None
    [pat] = before.customers
    # Revenue 24 + 24 + 12 + 12 (units that went out, at 12.00) + 15 at the till; goods 7 units × 4.00; handling
    # 2.30 + 2.30 + 4.10 + 1.95; the labels; o2's return is received but not refunded, o5 was cancelled.
    assert pat.history.margin == Decimal(87) - 28 - Decimal("10.65") - label_costs(scenario)
    assert (pat.history.channels, pat.history.orders, pat.predicted) == ({"web", "pos"}, 5, None)
    assert before.counts == {"cross_channel": 1, "single_channel": 0}
    assert before.historical_margin["cross_channel"] == pat.history.margin.quantize(Decimal("0.01"))
    assert before.historical_margin["single_channel"] is None

    run = compute_lifetime_values(scenario, fake_fit, NOW + timedelta(days=10))

    after = customer_values(scenario, ADMIN, 10)
    assert after.run == run
    assert (run.customers, run.parameters, run.horizon.months) == (1, {"r": 1.0}, 12)
    assert after.customers[0].predicted == LifetimeValue(pat.history.customer_id, 2.0, 0.9, Decimal("60.00"))
    assert after.predicted_value == {"cross_channel": Decimal("60.00"), "single_channel": None}
    with scenario.reading() as reader:
        [event] = reader.outbox.for_entity(run.id)
    assert (event.type, event.payload["customers"]) == ("customer.lifetime_values_computed", 1)
    with pytest.raises(Forbidden):
        customer_values(scenario, Principal.parse("store:NYC"), 10)


def test_the_models_are_not_fitted_on_too_few_returning_customers(scenario: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        compute_lifetime_values(scenario, fit_lifetime_values, NOW + timedelta(days=10))
    assert refused.value.field == "customers"
    with scenario.reading() as reader:
        assert reader.lifetime_values.latest_run() is None


def test_a_vendors_stock_feed_is_not_a_count(scenario: UnitOfWork) -> None:
    add_location(scenario, NOW, "VND", ZIP["PHL"], kind=LocationKind.DROPSHIP_VENDOR,
                 capabilities=frozenset({Capability.SHIP}))
    vendor_stock_feed(scenario, "VND", {"A": 8}, "vendor:VND", NOW + H)
    vendor_stock_feed(scenario, "VND", {"A": 5}, "vendor:VND", NOW + 2 * H)

    report = kpi_report(scenario, FIRST, LAST, KpiGroupBy.LOCATION, ADMIN)

    vendor = next(g.kpis for g in report.groups if g.key == "VND")
    assert (vendor["inventory_accuracy_counts"], vendor["sell_through"]) == (None, 0.0)  # 8 on hand, nothing sold
    assert report.totals["inventory_accuracy_units"] == round(6 / 7, 4)  # Chicago's count alone
