"""Returns on the real adapters, on SQLite and PostgreSQL: authorize, receive and inspect, refund, exchange,
expire. Every flow that moves stock ends with the ledger equal to the balances."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from omnifill.adapters.carriers import load_carriers
from omnifill.adapters.return_policy import load_return_policy
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import Forbidden, InvalidInput, InvalidTransition
from omnifill.domain.locations import Capability, LocationKind
from omnifill.domain.orders import Order, OrderDraft, OrderStatus
from omnifill.domain.pickup import PickupProof
from omnifill.domain.returns import (
    Condition,
    Disposition,
    Outcome,
    ReceivedLine,
    RequestedLine,
    ReturnMethod,
    ReturnStatus,
    disposition_for,
)
from omnifill.domain.shipping import ShipmentStatus, TrackingEvent, is_s10_tracking_number
from omnifill.services.customers import find_customers, get_customer
from omnifill.services.fulfillment import advance, hand_over
from omnifill.services.orders import get_order, place_order
from omnifill.services.return_receiving import Receipt, list_dispositions, receive_return, resolve_disposition
from omnifill.services.return_settlement import RefundMethod, close_return, exchange_return, refund_return
from omnifill.services.returns import ReturnRequest, authorize_return, cancel_return, get_return, return_label
from omnifill.services.shipping import ship_fulfillment, track_shipment
from omnifill.services.timers import TimerSettings, run_timers
from tests.conftest import NOW
from tests.e2e.conftest import ledger_and_balances, row_counts
from tests.factories import ZIP, add_location, add_sku, ledger, levels, pickup_order, ship_order, stock
from tests.labels import pages

ADMIN = Principal.parse("admin")
CARRIERS = load_carriers()
POLICY = load_return_policy()
DELIVERED_AT = NOW + timedelta(days=2)
LATER = DELIVERED_AT + timedelta(days=1)


@pytest.fixture
def network(uow: UnitOfWork) -> UnitOfWork:
    add_sku(uow, NOW, "A")  # 12.00 a unit on the orders below
    add_sku(uow, NOW, "B")
    add_location(uow, NOW, "NYC", ZIP["NYC"])  # ships, takes pickups and returns
    add_location(uow, NOW, "PHL", ZIP["PHL"])  # never stocks anything
    add_location(uow, NOW, "CHI", ZIP["CHI"], kind=LocationKind.WAREHOUSE,
                 capabilities=frozenset({Capability.SHIP, Capability.RETURNS}))
    stock(uow, {("A", "NYC"): 5, ("B", "NYC"): 2})
    return uow


def delivered(uow: UnitOfWork, draft: OrderDraft) -> str:
    """Place, pick, pack, ship and deliver (two days later) an order; its id."""
    placed = place_order(uow, draft, "channel:web", NOW)
    assert placed.order is not None
    deliver(uow, placed.order)
    return placed.order.id


def deliver(uow: UnitOfWork, order: Order) -> None:
    """Pick, pack, ship and deliver (two days later) the order's first fulfillment."""
    work = order.fulfillments[0].id
    for action in ("accept", "pick", "pack"):
        advance(uow, work, action, ADMIN, NOW)
    _, shipment = ship_fulfillment(uow, work, CARRIERS, ADMIN, NOW)
    track_shipment(uow, shipment.id, TrackingEvent(ShipmentStatus.DELIVERED, DELIVERED_AT), ADMIN, DELIVERED_AT)


def picked_up(uow: UnitOfWork, draft: OrderDraft) -> str:
    placed = place_order(uow, draft, "channel:web", NOW)
    assert placed.order is not None
    work = placed.order.fulfillments[0].id
    for action in ("accept", "pick", "ready"):
        advance(uow, work, action, ADMIN, NOW)
    code = get_order(uow, placed.order.id, ADMIN).fulfillments[0].pickup_code
    hand_over(uow, work, PickupProof(code), ADMIN, NOW + timedelta(hours=2))
    return placed.order.id


def authorize(uow: UnitOfWork, order_id: str, lines: dict[str, int], reason: str = "size_fit",
              method: ReturnMethod = ReturnMethod.IN_STORE, location: str | None = None,
              by: Principal = ADMIN, at: datetime = LATER) -> str:
    request = ReturnRequest(order_id, tuple(RequestedLine(s, q, reason) for s, q in lines.items()), method, location)
    return authorize_return(uow, request, by, at, policy=POLICY, carriers=CARRIERS).id


def receive(uow: UnitOfWork, return_id: str, location: str, *lines: tuple[str, int, Condition],
            by: Principal = ADMIN) -> None:
    received = tuple(ReceivedLine(s, q, c, disposition_for(c, None, "d")) for s, q, c in lines)
    receive_return(uow, return_id, Receipt(location, received), by, LATER)


def assert_ledger_matches_balances(uow: UnitOfWork) -> None:
    sums, balances = ledger_and_balances(uow.engine)
    assert sums == balances


def event_types(uow: UnitOfWork, entity: str) -> list[str]:
    with uow.reading() as reader:
        return [e.type for e in reader.outbox.for_entity(entity)]


def test_boris_a_store_that_never_stocked_the_sku_takes_it_back_and_can_sell_it_at_once(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 2}))
    assert ("A", "PHL") not in levels(network)

    rma = authorize(network, order, {"A": 1}, location="PHL", by=Principal.parse("store:PHL"))
    receive(network, rma, "PHL", ("A", 1, Condition.SELLABLE), by=Principal.parse("store:PHL"))

    found = get_return(network, rma, Principal.parse("store:PHL"))
    assert (found.status, found.location, found.received_at) == (ReturnStatus.RECEIVED, "PHL", ("PHL",))
    assert levels(network)[("A", "PHL")] == (1, 0)
    assert [(m["kind"], m["location"], m["quantity"], m["order_id"]) for m in ledger(network)][-1] == (
        "return", "PHL", 1, order)
    assert event_types(network, rma) == ["return.authorized", "return.received"]
    assert_ledger_matches_balances(network)


def test_a_mail_return_gets_a_label_to_the_nearest_warehouse_that_takes_returns(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 2}))

    rma = authorize(network, order, {"A": 2}, method=ReturnMethod.MAIL)

    label = get_return(network, rma, ADMIN).label
    assert label is not None
    assert (label.carrier, label.returns_location) == ("groundline", "CHI")
    assert is_s10_tracking_number(label.tracking_number)
    assert label.expected_arrival > LATER.date()
    [(width, height, text)] = pages(return_label(network, rma, Principal.parse("channel:web")))
    assert (width, height) == (288.0, 432.0)
    assert label.tracking_number in text
    assert "Location CHI" in text
    receive(network, rma, "CHI", ("A", 2, Condition.SELLABLE))
    assert levels(network)[("A", "CHI")] == (2, 0)
    assert_ledger_matches_balances(network)


def test_a_partial_return_leaves_the_rest_returnable_and_a_second_return_of_the_same_units_is_refused(
    network: UnitOfWork,
) -> None:
    order = delivered(network, ship_order("1", {"A": 3}))
    first = authorize(network, order, {"A": 1})
    receive(network, first, "NYC", ("A", 1, Condition.SELLABLE))
    authorize(network, order, {"A": 2})
    before = row_counts(network.engine)

    with pytest.raises(InvalidInput) as refused:
        authorize(network, order, {"A": 1})

    assert refused.value.field == "lines[0].quantity"
    assert row_counts(network.engine) == before
    assert levels(network)[("A", "NYC")] == (3, 0)  # 5 − 3 shipped + 1 back
    assert_ledger_matches_balances(network)


def test_units_not_yet_shipped_and_returns_outside_the_window_are_refused(network: UnitOfWork) -> None:
    placed = place_order(network, ship_order("1", {"A": 1}), "channel:web", NOW)
    assert placed.order is not None
    with pytest.raises(InvalidInput) as refused:
        authorize(network, placed.order.id, {"A": 1})
    assert refused.value.field == "lines[0].sku"

    order = delivered(network, ship_order("2", {"A": 1}))
    closed = datetime.combine(DELIVERED_AT.date() + timedelta(days=31), DELIVERED_AT.timetz())
    with pytest.raises(InvalidInput) as late:
        authorize(network, order, {"A": 1}, at=closed)
    assert "closed on 2026-12-27" in late.value.problem
    authorize(network, order, {"A": 1}, at=closed - timedelta(days=1))  # the 30th day is still inside


def test_a_damaged_unit_never_becomes_available(network: UnitOfWork) -> None:
    order = picked_up(network, pickup_order("1", {"A": 2}, "NYC"))
    rma = authorize(network, order, {"A": 2}, reason="damaged")

    receive(network, rma, "NYC", ("A", 1, Condition.DAMAGED), ("A", 1, Condition.REFURBISH))

    assert levels(network)[("A", "NYC")] == (3, 0)  # as after the pickup: nothing came back on hand
    assert [m["kind"] for m in ledger(network)].count("return") == 0
    found = list_dispositions(network, Principal.parse("store:NYC"), location=None, disposition=None,
                              return_id=rma, after=None, limit=50)
    assert [(d.sku, d.quantity, d.disposition) for d in found] == [
        ("A", 1, Disposition.QUARANTINE), ("A", 1, Disposition.REFURBISH)]
    assert list_dispositions(network, Principal.parse("store:PHL"), location=None, disposition=None,
                             return_id=rma, after=None, limit=50) == []
    assert_ledger_matches_balances(network)


def test_a_refurbished_unit_is_restocked_off_its_queue_once(network: UnitOfWork) -> None:
    order = picked_up(network, pickup_order("1", {"A": 2}, "NYC"))
    rma = authorize(network, order, {"A": 2}, reason="damaged")
    receive(network, rma, "NYC", ("A", 1, Condition.REFURBISH), ("A", 1, Condition.DAMAGED))
    store = Principal.parse("store:NYC")
    refurbish, quarantine = list_dispositions(network, store, location="NYC", disposition=None, return_id=rma,
                                              waiting=True)

    with pytest.raises(Forbidden):
        resolve_disposition(network, refurbish.id, Outcome.RESTOCK, Principal.parse("store:PHL"), LATER)
    done = resolve_disposition(network, refurbish.id, Outcome.RESTOCK, store, LATER)
    resolve_disposition(network, quarantine.id, Outcome.DISPOSE, store, LATER)

    assert (done.outcome, done.resolved_by) == (Outcome.RESTOCK, "store:NYC")
    assert levels(network)[("A", "NYC")] == (4, 0)  # 3 after the pickup, and the refurbished one
    assert [(m["kind"], m["quantity"]) for m in ledger(network)][-1] == ("return", 1)
    with pytest.raises(InvalidTransition):
        resolve_disposition(network, refurbish.id, Outcome.DISPOSE, store, LATER)
    assert list_dispositions(network, store, location=None, disposition=None, return_id=rma, waiting=True) == []
    assert event_types(network, rma)[-2:] == ["return.disposition_resolved", "return.disposition_resolved"]
    assert_ledger_matches_balances(network)


def test_refunds_with_and_without_a_restocking_fee_and_never_twice(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 2}))  # groundline charged 7.74 for the two units
    not_needed = authorize(network, order, {"A": 1}, reason="no_longer_needed")
    damaged = authorize(network, order, {"A": 1}, reason="damaged")
    receive(network, not_needed, "NYC", ("A", 1, Condition.SELLABLE))
    receive(network, damaged, "NYC", ("A", 1, Condition.DAMAGED))

    fee = refund_return(network, not_needed, RefundMethod.STORE_CREDIT, ADMIN, LATER, POLICY).refund
    fault = refund_return(network, damaged, RefundMethod.ORIGINAL_PAYMENT, ADMIN, LATER, POLICY).refund

    assert fee is not None
    assert fault is not None
    assert (fee.lines[0].amount, fee.restocking_fee, fee.shipping, fee.total) == (
        Decimal("12.00"), Decimal("1.20"), Decimal(0), Decimal("10.80"))
    assert (fault.restocking_fee, fault.shipping, fault.total) == (Decimal(0), Decimal("3.87"), Decimal("15.87"))
    with pytest.raises(InvalidTransition):
        refund_return(network, damaged, RefundMethod.ORIGINAL_PAYMENT, ADMIN, LATER, POLICY)
    with network.reading() as reader:
        refunded = [e for e in reader.outbox.for_entity(damaged) if e.type == "return.refunded"]
    assert [(e.payload["refund_method"], e.payload["refund"]["total"]) for e in refunded] == [
        ("original_payment", "15.87")]
    assert_ledger_matches_balances(network)


def test_nothing_received_cannot_be_refunded(network: UnitOfWork) -> None:
    rma = authorize(network, delivered(network, ship_order("1", {"A": 1})), {"A": 1})

    with pytest.raises(InvalidTransition) as refused:
        refund_return(network, rma, RefundMethod.ORIGINAL_PAYMENT, ADMIN, LATER, POLICY)

    assert refused.value.details["current_status"] == "authorized"


def test_an_exchange_places_a_routed_replacement_at_no_charge_linked_both_ways(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 1}))
    rma = authorize(network, order, {"A": 1})

    exchanged = exchange_return(network, rma, {"B": 1}, ADMIN, LATER)

    replacement = get_order(network, str(exchanged.replacement_order_id), ADMIN)
    assert (replacement.channel, replacement.external_id, replacement.status) == (
        "web", f"exchange:{rma}", OrderStatus.ALLOCATED)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in replacement.lines] == [("B", 1, Decimal(0))]
    assert [f.location for f in replacement.fulfillments] == ["NYC"]
    assert levels(network)[("B", "NYC")] == (2, 1)
    with network.reading() as reader:
        assert [r.id for r in reader.returns.for_order(replacement.id)] == [rma]
    with pytest.raises(InvalidTransition):
        exchange_return(network, rma, {"B": 1}, ADMIN, LATER)
    receive(network, rma, "NYC", ("A", 1, Condition.SELLABLE))
    assert get_return(network, rma, ADMIN).status is ReturnStatus.CLOSED  # all back: the exchange settled it
    with pytest.raises(InvalidTransition):
        refund_return(network, rma, RefundMethod.ORIGINAL_PAYMENT, ADMIN, LATER, POLICY)
    assert event_types(network, rma) == ["return.authorized", "return.exchanged", "return.received"]
    assert_ledger_matches_balances(network)


def test_an_authorization_nothing_came_back_for_expires_and_frees_its_units(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 1}))
    rma = authorize(network, order, {"A": 1}, method=ReturnMethod.MAIL)
    timers = TimerSettings(return_expiry=timedelta(days=30))

    assert run_timers(network, LATER + timedelta(days=29), timers).returns_expired == 0
    assert run_timers(network, LATER + timedelta(days=30, minutes=1), timers).returns_expired == 1
    assert run_timers(network, LATER + timedelta(days=31), timers).returns_expired == 0

    assert get_return(network, rma, ADMIN).status is ReturnStatus.EXPIRED
    assert event_types(network, rma) == ["return.authorized", "return.expired"]
    authorize(network, order, {"A": 1}, at=LATER + timedelta(days=1))


def test_keys_act_on_their_own_channel_and_store_only(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 2}))
    before = row_counts(network.engine)
    with pytest.raises(Forbidden):
        authorize(network, order, {"A": 1}, by=Principal.parse("channel:app"))
    with pytest.raises(Forbidden):
        authorize(network, order, {"A": 1}, location="NYC", by=Principal.parse("store:PHL"))
    assert row_counts(network.engine) == before

    rma = authorize(network, order, {"A": 1}, by=Principal.parse("channel:web"))
    with pytest.raises(Forbidden):
        receive(network, rma, "NYC", ("A", 1, Condition.SELLABLE), by=Principal.parse("store:PHL"))
    with pytest.raises(Forbidden):
        get_return(network, rma, Principal.parse("store:PHL"))
    assert row_counts(network.engine) == before | {"return_authorizations": 1, "return_lines": 1,
                                                   "outbox_events": before["outbox_events"] + 1}


def test_a_cancelled_return_frees_its_units_and_a_closed_one_keeps_what_came_back(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 2}))
    cancelled = authorize(network, order, {"A": 2})
    assert cancel_return(network, cancelled, ADMIN, LATER).status is ReturnStatus.CANCELLED
    kept = authorize(network, order, {"A": 2}, reason="damaged")  # the cancelled one holds nothing
    receive(network, kept, "NYC", ("A", 1, Condition.DEFECTIVE))

    closed = close_return(network, kept, ADMIN, LATER)

    assert (closed.status, closed.refund) == (ReturnStatus.CLOSED, None)
    with pytest.raises(InvalidTransition) as refused:
        cancel_return(network, kept, ADMIN, LATER)
    assert refused.value.details["current_status"] == "closed"
    authorize(network, order, {"A": 1})  # the unit that never came back may be returned again
    assert event_types(network, kept) == ["return.authorized", "return.received", "return.closed"]
    assert event_types(network, cancelled) == ["return.authorized", "return.cancelled"]


def test_the_customers_profile_lists_the_returns_of_their_orders(network: UnitOfWork) -> None:
    order = delivered(network, ship_order("1", {"A": 2}))
    rma = authorize(network, order, {"A": 1})
    [customer] = find_customers(network, "pat@example.com", None, None)
    profile = get_customer(network, customer)
    assert [(r.id, r.order_id, r.units, r.status) for r in profile.returns] == [(rma, order, 1, "authorized")]
