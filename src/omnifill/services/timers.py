"""Timers: what happens because time passed. One function runs them all; running it twice changes nothing more.

- Pickup reminder: a pickup still waiting `reminder_before` the end of its hold gets one reminder event.
- Pickup no-show: a pickup still waiting when its hold ends expires: its units go back on the shelf (a `release`
  movement), the order is cancelled and a refund is asked for (events for the integration to deliver).
- Store acceptance SLA: work a store has not accepted within the SLA is rejected on the store's behalf and
  routed elsewhere (services/rerouting.py).

`omnifill serve` runs them every minute in each worker; `omnifill run-timers` runs them once (for cron). Each
action is its own transaction on a freshly read order, so two runners racing skip what the other already did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import DomainError
from omnifill.domain.events import DomainEvent
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import FULFILLMENT_TRANSITIONS, FulfillmentStatus, OrderStatus, transition
from omnifill.services.orders import find_fulfillment, order_event, release_units
from omnifill.services.rerouting import reject_fulfillment

TIMERS = Principal(Role.ADMIN)  # the actor recorded for what the timers do
BATCH = 500


@dataclass(frozen=True, slots=True)
class TimerSettings:
    pickup_hold: timedelta = timedelta(days=5)
    reminder_before: timedelta = timedelta(days=1)
    store_acceptance: timedelta = timedelta(hours=2)


def timer_settings(pickup_hold_days: float, reminder_hours: float, acceptance_minutes: float) -> TimerSettings:
    return TimerSettings(timedelta(days=pickup_hold_days), timedelta(hours=reminder_hours),
                         timedelta(minutes=acceptance_minutes))


@dataclass(frozen=True, slots=True)
class TimerRun:
    reminded: int
    expired: int
    rerouted: int


def run_timers(uow: UnitOfWork, now: datetime, settings: TimerSettings = TimerSettings()) -> TimerRun:
    with uow.reading() as reader:
        waiting = FulfillmentStatus.READY_FOR_PICKUP
        remind = reader.orders.due(str(waiting), now - (settings.pickup_hold - settings.reminder_before),
                                   "ready_at", BATCH)
        expire = set(reader.orders.due(str(waiting), now - settings.pickup_hold, "ready_at", BATCH))
        late = reader.orders.due(str(FulfillmentStatus.PENDING), now - settings.store_acceptance, "created_at",
                                 BATCH)
    reminded = sum(_remind(uow, f, now) for f in remind if f not in expire)
    expired = sum(_expire(uow, f, now) for f in sorted(expire))
    rerouted = sum(_reroute_late(uow, f, settings, now) for f in late)
    return TimerRun(reminded, expired, rerouted)


def _remind(uow: UnitOfWork, fulfillment_id: str, now: datetime) -> bool:
    with uow:
        order, fulfillment = find_fulfillment(uow, fulfillment_id, lock=True)
        if fulfillment.status is not FulfillmentStatus.READY_FOR_PICKUP or fulfillment.reminded_at is not None:
            return False
        fulfillment.reminded_at = now
        uow.orders.change_status(order, order.status, now)
        uow.outbox.add([DomainEvent("pickup.reminder", "fulfillment", fulfillment.id, {
            "fulfillment_id": fulfillment.id, "order_id": order.id, "location": fulfillment.location,
            "pickup_code": fulfillment.pickup_code, "customer": order.customer.email,
        }, now)])
        uow.commit()
    return True


def _expire(uow: UnitOfWork, fulfillment_id: str, now: datetime) -> bool:
    """The customer did not come: the units go back on the shelf and the order is cancelled for a refund."""
    with uow:
        order, fulfillment = find_fulfillment(uow, fulfillment_id, lock=True)
        if fulfillment.status is not FulfillmentStatus.READY_FOR_PICKUP:
            return False
        expected = order.status
        fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, FulfillmentStatus.EXPIRED,
                                        f"fulfillment {fulfillment.id}")
        held = [(fulfillment.location, line.sku, line.quantity) for line in fulfillment.lines]
        ledger = release_units(uow, order.id, held, str(TIMERS), now, "pickup not collected: back on the shelf")
        if not order.live_fulfillments() and order.status is OrderStatus.READY_FOR_PICKUP:
            order.status = OrderStatus.CANCELLED
        try:
            uow.orders.change_status(order, expected, now)
        except StaleStatus:
            return False
        uow.inventory.record(ledger, now)
        uow.outbox.add([
            order_event("order.cancelled", order, now),
            DomainEvent("refund.requested", "order", order.id, {
                "order_id": order.id, "reason": "pickup not collected", "fulfillment_id": fulfillment.id,
                "lines": [{"sku": ln.sku, "quantity": ln.quantity} for ln in fulfillment.lines],
            }, now),
        ])
        uow.commit()
    return True


def _reroute_late(uow: UnitOfWork, fulfillment_id: str, settings: TimerSettings, now: datetime) -> bool:
    with uow.reading() as reader:
        _, fulfillment = find_fulfillment(reader, fulfillment_id, lock=False)
        location = reader.locations.get(fulfillment.location)
    if location is None or location.kind is not LocationKind.STORE:
        return False  # the SLA is the store's; warehouses and vendors answer through their own processes
    minutes = int(settings.store_acceptance.total_seconds() // 60)
    try:
        reject_fulfillment(uow, fulfillment_id, TIMERS, f"sla: not accepted within {minutes} minutes", now)
    except DomainError:
        return False  # accepted, cancelled or re-routed meanwhile
    return True
