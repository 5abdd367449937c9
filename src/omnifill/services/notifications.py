"""Customer notifications: queued in the transaction of the move that causes them, sent after it commits.

A failed send never undoes the move: the notification's row records `failed` and the error. What a crash left
pending is sent by the next timer run. A row is claimed (pending → sending) before it is sent, so two senders
never send it twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from omnifill.adapters.notifiers import LogNotifier, Notifier, message_template
from omnifill.adapters.sql.notification_repository import StoredNotification
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.notifications import NotificationKind, pickup_values, render
from omnifill.domain.orders import FulfillmentOrder, Order
from omnifill.domain.routing.promises import pickup_window

BATCH = 500
log = logging.getLogger("omnifill.notifications")


@dataclass(frozen=True, slots=True)
class Messaging:
    """Who sends customer messages, and the pickup hold their collection window ends with."""

    notifier: Notifier = field(default_factory=LogNotifier)
    pickup_hold: timedelta = timedelta(days=5)


def queue_pickup_message(
    uow: UnitOfWork, kind: NotificationKind, order: Order, fulfillment: FulfillmentOrder, hold: timedelta,
    now: datetime,
) -> None:
    """Render a pickup message and keep it, pending, in the caller's transaction."""
    store = uow.locations.get(fulfillment.location)
    assert store is not None, "a fulfillment's location always exists"
    window = pickup_window(store, fulfillment.ready_at or now, hold)
    subject, body = render(message_template(kind), pickup_values(order, fulfillment, store, window))
    uow.notifications.add(kind, order.id, fulfillment.id, order.customer.email, subject, body, now)


def deliver(uow: UnitOfWork, notifier: Notifier, now: datetime, *, order_id: str | None = None) -> int:
    """Send what is pending (one order's, or everyone's); how many were sent."""
    with uow.reading() as reader:
        waiting = reader.notifications.pending(BATCH, order_id)
    return sum(_send(uow, notifier, notification_id, now) for notification_id in waiting)


def notifications_of(uow: UnitOfWork, order_id: str) -> list[StoredNotification]:
    with uow.reading() as reader:
        return reader.notifications.for_order(order_id)


def _send(uow: UnitOfWork, notifier: Notifier, notification_id: int, now: datetime) -> bool:
    with uow:
        claimed = uow.notifications.claim(notification_id)
        uow.commit()
    if claimed is None:
        return False  # another sender has it
    message, error = claimed.message, None
    if message is None:
        error = "the order has no e-mail address to send to"
    else:
        try:
            notifier.send(message)
        except Exception as failure:  # any transport error: recorded, never raised into the move that caused it
            error = f"{type(failure).__name__}: {failure}"
            log.warning("notification %s to %s failed: %s", notification_id, message.recipient, error)
    with uow:
        uow.notifications.finish(notification_id, notifier.name, error, now)
        uow.commit()
    return error is None
