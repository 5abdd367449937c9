"""Timers: pickup reminders and no-shows, the store acceptance SLA, reservation expiry, customer notifications;
running them twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.locations import Capability, LocationKind
from omnifill.domain.notifications import NotificationKind, NotificationStatus
from omnifill.domain.orders import FulfillmentStatus, Order, OrderStatus
from omnifill.services.fulfillment import advance
from omnifill.services.notifications import notifications_of
from omnifill.services.orders import get_order, place_order
from omnifill.services.timers import TimerRun, TimerSettings, run_timers
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, levels, pickup_order, ship_order, stock

ADMIN = Principal.parse("admin")
SETTINGS = TimerSettings(pickup_hold=timedelta(days=5), reminder_before=timedelta(days=1),
                         store_acceptance=timedelta(hours=2), reservation_hold=timedelta(hours=72))


@pytest.fixture
def network(sqlite_uow: UnitOfWork) -> UnitOfWork:
    add_sku(sqlite_uow, NOW, "A")
    add_location(sqlite_uow, NOW, "PHL", ZIP["PHL"])
    add_location(sqlite_uow, NOW, "CHI", ZIP["CHI"], kind=LocationKind.WAREHOUSE,
                 capabilities=frozenset({Capability.SHIP}))
    return sqlite_uow


def ready_pickup(uow: UnitOfWork) -> Order:
    placed = place_order(uow, pickup_order("P-1", {"A": 2}, "PHL"), "channel:web", NOW)
    assert placed.order is not None
    work = placed.order.fulfillments[0].id
    for action in ("accept", "pick", "ready"):
        advance(uow, work, action, ADMIN, NOW)
    return get_order(uow, placed.order.id, ADMIN)


def events(uow: UnitOfWork, entity: str) -> list[str]:
    with uow.reading() as reader:
        return [e.type for e in reader.outbox.for_entity(entity)]


def test_a_waiting_pickup_is_reminded_once_then_expires_back_to_the_shelf(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = ready_pickup(network)
    work = order.fulfillments[0].id

    assert run_timers(network, NOW + timedelta(days=3), SETTINGS) == TimerRun(0, 0, 0)
    assert run_timers(network, NOW + timedelta(days=4, hours=1), SETTINGS) == TimerRun(1, 0, 0)
    assert run_timers(network, NOW + timedelta(days=4, hours=2), SETTINGS) == TimerRun(0, 0, 0)
    assert events(network, work).count("pickup.reminder") == 1

    assert run_timers(network, NOW + timedelta(days=5, hours=1), SETTINGS) == TimerRun(0, 1, 0)

    expired = get_order(network, order.id, ADMIN)
    assert (expired.status, expired.fulfillments[0].status) == (OrderStatus.CANCELLED, FulfillmentStatus.EXPIRED)
    assert levels(network) == {("A", "PHL"): (5, 0)}
    assert [(r["kind"], r["quantity"]) for r in ledger(network)][-1] == ("release", 2)
    assert events(network, order.id)[-2:] == ["order.cancelled", "refund.requested"]
    assert run_timers(network, NOW + timedelta(days=6), SETTINGS) == TimerRun(0, 0, 0)


def test_work_a_store_does_not_accept_in_time_goes_elsewhere(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5})
    placed = place_order(network, ship_order("W-1", {"A": 1}, ZIP["PHL"]), "channel:web", NOW)
    assert placed.order is not None
    assert placed.order.fulfillments[0].location == "PHL"

    assert run_timers(network, NOW + timedelta(hours=1), SETTINGS) == TimerRun(0, 0, 0)
    assert run_timers(network, NOW + timedelta(hours=3), SETTINGS) == TimerRun(0, 0, 1)

    rerouted = get_order(network, placed.order.id, ADMIN)
    assert [(f.location, f.status) for f in rerouted.fulfillments] == [
        ("PHL", FulfillmentStatus.REJECTED), ("CHI", FulfillmentStatus.PENDING)]
    # the warehouse's pending work is not the store's SLA
    assert run_timers(network, NOW + timedelta(hours=6), SETTINGS) == TimerRun(0, 0, 0)


def test_accepted_work_is_not_rerouted(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5})
    placed = place_order(network, ship_order("W-1", {"A": 1}, ZIP["PHL"]), "channel:web", NOW)
    assert placed.order is not None
    advance(network, placed.order.fulfillments[0].id, "accept", ADMIN, NOW)

    assert run_timers(network, NOW + timedelta(hours=3), SETTINGS) == TimerRun(0, 0, 0)


def test_the_reminder_and_the_expiry_are_sent_to_the_customer(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = ready_pickup(network)

    run_timers(network, NOW + timedelta(days=4, hours=1), SETTINGS)
    run_timers(network, NOW + timedelta(days=5, hours=1), SETTINGS)

    sent = notifications_of(network, order.id)
    assert [(n.kind, n.status) for n in sent] == [
        (NotificationKind.PICKUP_READY, NotificationStatus.SENT),
        (NotificationKind.PICKUP_REMINDER, NotificationStatus.SENT),
        (NotificationKind.PICKUP_EXPIRED, NotificationStatus.SENT),
    ]
    assert "refunded" in sent[2].body


def test_a_notification_left_pending_is_sent_by_the_next_run(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = ready_pickup(network)
    with network:  # as if the process died between the commit and the send
        network.notifications.add(NotificationKind.PICKUP_REMINDER, order.id, None, "pat@example.com", "s", "b", NOW)
        network.commit()

    run_timers(network, NOW + timedelta(hours=1), SETTINGS)

    assert [n.status for n in notifications_of(network, order.id)] == [NotificationStatus.SENT] * 2


def test_an_order_nobody_began_working_on_gives_its_stock_back_after_the_hold(network: UnitOfWork) -> None:
    stock(network, {("A", "CHI"): 5})
    placed = place_order(network, ship_order("W-1", {"A": 2}, ZIP["CHI"]), "channel:web", NOW)
    assert placed.order is not None
    assert levels(network) == {("A", "CHI"): (5, 2)}

    assert run_timers(network, NOW + timedelta(hours=71), SETTINGS) == TimerRun(0, 0, 0, 0)
    assert run_timers(network, NOW + timedelta(hours=73), SETTINGS) == TimerRun(0, 0, 0, 1)

    released = get_order(network, placed.order.id, ADMIN)
    assert (released.status, released.fulfillments[0].status) == (OrderStatus.CANCELLED, FulfillmentStatus.CANCELLED)
    assert levels(network) == {("A", "CHI"): (5, 0)}
    assert [(r["kind"], r["quantity"], r["reason"]) for r in ledger(network)][-1] == (
        "release", 2, "reservation expired: no work began")
    assert events(network, placed.order.id)[-2:] == ["order.cancelled", "order.reservation_expired"]
    assert run_timers(network, NOW + timedelta(hours=80), SETTINGS) == TimerRun(0, 0, 0, 0)


def test_work_that_has_begun_keeps_its_reservation(network: UnitOfWork) -> None:
    stock(network, {("A", "CHI"): 5})
    placed = place_order(network, ship_order("W-1", {"A": 2}, ZIP["CHI"]), "channel:web", NOW)
    assert placed.order is not None
    advance(network, placed.order.fulfillments[0].id, "accept", ADMIN, NOW)

    assert run_timers(network, NOW + timedelta(hours=200), SETTINGS) == TimerRun(0, 0, 0, 0)
    assert levels(network) == {("A", "CHI"): (5, 2)}
