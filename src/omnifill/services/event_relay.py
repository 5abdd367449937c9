"""One pass of everything that moves events out: the relay (positions, webhook fan-out, broker), then webhook
deliveries until nothing more is due. `omnifill deliver-events` and the server's background loop both run it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from omnifill.adapters.event_brokers import EventPublisher
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.adapters.webhook_sender import WebhookSender
from omnifill.domain.webhooks import RetryPolicy
from omnifill.services.events import RelayRun, relay_events
from omnifill.services.webhooks import DeliveryRun, deliver_due

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
    """Relay, then deliver round after round while a round delivers something (one event per order a round)."""
    relay = relay_events(uow, now, outlets.publisher)
    delivered = retrying = dead = 0
    for _ in range(MAX_ROUNDS):
        run = deliver_due(uow, outlets.sender, outlets.policy, now, lease=outlets.lease, draw=outlets.draw)
        delivered, retrying, dead = delivered + run.delivered, retrying + run.retrying, dead + run.dead
        if run.delivered == 0:
            break
    return relay, DeliveryRun(delivered, retrying, dead)
