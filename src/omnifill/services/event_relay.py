"""One pass of everything that moves events out: the relay (positions, webhook fan-out, broker), then webhook
deliveries until nothing more is due. `omnifill deliver-events` and the server's background loop both run it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from omnifill.adapters.event_brokers import EventPublisher
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.adapters.webhook_sender import WebhookSender
from omnifill.domain.webhooks import RetryPolicy
from omnifill.services.events import RelayRun, publish_to_broker, relay_events
from omnifill.services.webhooks import DeliveryRun, deliver_due

log = logging.getLogger("omnifill.events")
MAX_ROUNDS = 1_000  # a pass ends even if receivers keep answering 2xx to a never-ending backlog


@dataclass(frozen=True)
class EventOutlets:
    """Where events go and how hard deliveries are tried; built from the settings (entrypoints/configured.py)."""

    sender: WebhookSender
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = timedelta(minutes=10)
    publisher: EventPublisher | None = None
    draw: Callable[[], float] = field(default=random.random)

    def close(self) -> None:
        self.sender.close()
        if self.publisher is not None:
            self.publisher.close()


def move_events(uow: UnitOfWork, outlets: EventOutlets, now: datetime) -> tuple[RelayRun, DeliveryRun]:
    """Position and fan out, deliver webhooks, then publish to the broker: a broker that is down holds up only
    its own relay (its cursor stays, the next pass publishes), never the stream or the webhooks."""
    relay = relay_events(uow, now)
    sent = _deliver(uow, outlets, now)
    return replace(relay, published=_publish(uow, outlets.publisher, now)), sent


def _deliver(uow: UnitOfWork, outlets: EventOutlets, now: datetime) -> DeliveryRun:
    """Round after round while a round delivers something (a round sends one event per order)."""
    delivered = retrying = dead = 0
    for _ in range(MAX_ROUNDS):
        run = deliver_due(uow, outlets.sender, outlets.policy, now, lease=outlets.lease, draw=outlets.draw)
        delivered, retrying, dead = delivered + run.delivered, retrying + run.retrying, dead + run.dead
        if run.delivered == 0:
            break
    return DeliveryRun(delivered, retrying, dead)


def _publish(uow: UnitOfWork, publisher: EventPublisher | None, now: datetime) -> int:
    if publisher is None:
        return 0
    try:
        return publish_to_broker(uow, publisher, now)
    except Exception:  # any broker or network failure: logged, and the next pass publishes from the same cursor
        log.warning("publishing events to %s failed; the next pass retries", publisher.name, exc_info=True)
        return 0
