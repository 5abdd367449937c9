"""Timers: what happens because time passed. One function runs them all; running it twice changes nothing more.

- Pickup reminder: a pickup still waiting `reminder_before` the end of its hold gets one reminder event.
- Pickup no-show: a pickup still waiting when its hold ends expires: its units go back on the shelf (a `release`
  movement), the order is cancelled and a refund is asked for (events for the integration to deliver).
- Store acceptance SLA: work a store has not accepted within the SLA is rejected on the store's behalf and
  routed elsewhere (services/rerouting.py).
- Reservation expiry: an order whose stock is held but whose work nobody began (allocated, every fulfillment
  still pending: typically a payment that never cleared or an order parked for review) is cancelled once
  `reservation_hold` has passed since it was placed; its units are released (`release` movements) and
  `order.cancelled` and `order.reservation_expired` go out.
- Return expiry: a return authorization nothing came back for within `return_expiry` expires
  (services/return_settlement.py), so its units may be authorized again.
- Webhook retention: deliveries answered 2xx more than `webhook_retention` ago are forgotten (the events stay in
  the stream; waiting deliveries and dead letters stay until delivered or replayed).
- Customer notifications the moves above queue (reminder, expiry) are sent after each commits; anything still
  pending from earlier (a crash between commit and send) is sent at the end of the run.

`omnifill serve` runs them every minute in each worker; `omnifill run-timers` runs them once (for cron). Each
action is its own transaction on a freshly read order, so two runners racing skip what the other already did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from omnifill.adapters.notifiers import LogNotifier, Notifier
from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import DomainError
from omnifill.domain.events import DomainEvent
from omnifill.domain.locations import LocationKind
from omnifill.domain.notifications import NotificationKind
from omnifill.domain.orders import FULFILLMENT_TRANSITIONS, FulfillmentStatus, OrderStatus, transition
from omnifill.services.notifications import deliver, queue_pickup_message
from omnifill.services.orders import cancel_in, find_fulfillment, order_event, release_units
from omnifill.services.rerouting import reject_fulfillment
from omnifill.services.return_settlement import expire_returns
from omnifill.services.webhooks import prune_deliveries

TIMERS = Principal(Role.ADMIN)  # the actor recorded for what the timers do
BATCH = 500


@dataclass(frozen=True, slots=True)
class TimerSettings:
    pickup_hold: timedelta = timedelta(days=5)
    reminder_before: timedelta = timedelta(days=1)
    store_acceptance: timedelta = timedelta(hours=2)
    reservation_hold: timedelta = timedelta(hours=72)
    return_expiry: timedelta = timedelta(days=30)
    webhook_retention: timedelta = timedelta(days=30)


def timer_settings(
    pickup_hold_days: float, reminder_hours: float, acceptance_minutes: float, reservation_hold_hours: float = 72.0,
    return_expiry_days: float = 30.0, webhook_retention_days: float = 30.0,
) -> TimerSettings:
    return TimerSettings(timedelta(days=pickup_hold_days), timedelta(hours=reminder_hours),
                         timedelta(minutes=acceptance_minutes), timedelta(hours=reservation_hold_hours),
                         timedelta(days=return_expiry_days), timedelta(days=webhook_retention_days))


@dataclass(frozen=True, slots=True)
class TimerRun:
    reminded: int
    expired: int
    rerouted: int
    released: int = 0  # orders whose reservation expired
    returns_expired: int = 0  # return authorizations nothing came back for
    deliveries_pruned: int = 0  # webhook deliveries past their retention


def run_timers(
    uow: UnitOfWork, now: datetime, settings: TimerSettings = TimerSettings(), notifier: Notifier | None = None,
) -> TimerRun:
    with uow.reading() as reader:
        waiting = FulfillmentStatus.READY_FOR_PICKUP
        remind = reader.orders.due(str(waiting), now - (settings.pickup_hold - settings.reminder_before),
                                   "ready_at", BATCH)
        expire = set(reader.orders.due(str(waiting), now - settings.pickup_hold, "ready_at", BATCH))
        late = reader.orders.due(str(FulfillmentStatus.PENDING), now - settings.store_acceptance, "created_at",
                                 BATCH)
        unstarted = reader.orders.waiting_to_start(now - settings.reservation_hold, BATCH)
    reminded = sum(_remind(uow, f, settings, now) for f in remind if f not in expire)
    expired = sum(_expire(uow, f, settings, now) for f in sorted(expire))
    rerouted = sum(_reroute_late(uow, f, settings, now) for f in late)
    released = sum(_release_unstarted(uow, o, settings, now) for o in unstarted)
    returns_expired = expire_returns(uow, now, settings.return_expiry, TIMERS)
    pruned = prune_deliveries(uow, now - settings.webhook_retention)
    deliver(uow, notifier or LogNotifier(), now)
    return TimerRun(reminded, expired, rerouted, released, returns_expired, pruned)


def _remind(uow: UnitOfWork, fulfillment_id: str, settings: TimerSettings, now: datetime) -> bool:
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
        queue_pickup_message(uow, NotificationKind.PICKUP_REMINDER, order, fulfillment, settings.pickup_hold, now)
        uow.commit()
    return True


def _expire(uow: UnitOfWork, fulfillment_id: str, settings: TimerSettings, now: datetime) -> bool:
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
        queue_pickup_message(uow, NotificationKind.PICKUP_EXPIRED, order, fulfillment, settings.pickup_hold, now)
        uow.commit()
    return True


def _release_unstarted(uow: UnitOfWork, order_id: str, settings: TimerSettings, now: datetime) -> bool:
    """Nobody began the work within the hold: the stock goes back to sale and the order is cancelled."""
    hours = settings.reservation_hold.total_seconds() / 3600
    with uow:
        order = uow.orders.get(order_id, lock=True)
        if order is None or not order.waiting_to_start() or order.created_at >= now - settings.reservation_hold:
            return False  # started, cancelled or re-placed meanwhile
        expired = DomainEvent("order.reservation_expired", "order", order.id, {
            "order_id": order.id, "channel": order.channel, "external_id": order.external_id,
            "reason": f"no work began within {hours:g} hours", "placed_at": order.created_at.isoformat(),
        }, now)
        try:
            cancel_in(uow, order, str(TIMERS), now, "reservation expired: no work began", expired)
        except DomainError:
            return False
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
