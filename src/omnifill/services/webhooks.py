"""Webhook subscriptions, and the worker that delivers their events: signed, retried, ordered per order.

A delivery is claimed (pending → sending) in one short transaction, sent with no transaction open, and its
outcome recorded in another: 2xx is delivered; anything else waits `RetryPolicy.delay` and is tried again, until
the last try parks it in the subscription's dead-letter list, from where it can be replayed.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.adapters.sql.webhook_repository import Claim
from omnifill.adapters.webhook_sender import WebhookSender
from omnifill.domain.access import Principal
from omnifill.domain.errors import InvalidTransition, NotFound
from omnifill.domain.event_stream import type_patterns
from omnifill.domain.webhooks import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    Attempt,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    Subscription,
    require_secret,
    require_webhook_url,
    signature_header,
)
from omnifill.services.events import event_body

BATCH = 50


@dataclass(frozen=True, slots=True)
class DeliveryRun:
    delivered: int
    retrying: int
    dead: int

    @property
    def sent(self) -> int:
        return self.delivered + self.retrying + self.dead


def create_subscription(
    uow: UnitOfWork, url: str, event_types: list[str], secret: str | None, description: str | None,
    principal: Principal, now: datetime,
) -> tuple[Subscription, str]:
    """A new subscription and its signing secret (given, or made here): the only time the secret is shown."""
    secret = require_secret(secret) if secret is not None else f"whsec_{secrets.token_urlsafe(32)}"
    subscription = Subscription(new_id("whs"), require_webhook_url(url), type_patterns("event_types", event_types),
                                True, now, str(principal), description)
    with uow:
        uow.webhooks.add_subscription(subscription, secret)
        uow.commit()
    return subscription, secret


def list_subscriptions(uow: UnitOfWork, after: str | None, limit: int) -> list[Subscription]:
    with uow.reading() as reader:
        return reader.webhooks.subscriptions(after, limit)


def get_subscription(uow: UnitOfWork, subscription_id: str) -> Subscription:
    with uow.reading() as reader:
        return _subscription(reader, subscription_id)


def disable_subscription(uow: UnitOfWork, subscription_id: str, now: datetime) -> Subscription:
    """No more deliveries are made or sent for it; what was delivered stays on record."""
    with uow:
        _subscription(uow, subscription_id)
        uow.webhooks.disable(subscription_id, now)
        uow.commit()
        return _subscription(uow, subscription_id)


def list_deliveries(uow: UnitOfWork, subscription_id: str, status: DeliveryStatus | None, after: int | None,
                    limit: int) -> list[Delivery]:
    with uow.reading() as reader:
        _subscription(reader, subscription_id)
        return reader.webhooks.deliveries(subscription_id, status, after, limit)


def replay_dead_letter(uow: UnitOfWork, subscription_id: str, delivery_id: int, now: datetime) -> Delivery:
    """Send a dead-lettered delivery again, from its first try."""
    with uow:
        _subscription(uow, subscription_id)
        found = uow.webhooks.delivery(subscription_id, delivery_id)
        if found is None:
            raise NotFound(f"no delivery {delivery_id} for subscription {subscription_id}", delivery_id=delivery_id)
        if found.status is not DeliveryStatus.DEAD:
            raise InvalidTransition(f"delivery {delivery_id} is {found.status}, not dead-lettered",
                                    current_status=str(found.status))
        uow.webhooks.replay(subscription_id, delivery_id, now)
        uow.commit()
        replayed = uow.webhooks.delivery(subscription_id, delivery_id)
    assert replayed is not None
    return replayed


def replay_dead_letters(uow: UnitOfWork, subscription_id: str, now: datetime) -> list[int]:
    """Every dead letter of the subscription back in the queue; their ids."""
    with uow:
        _subscription(uow, subscription_id)
        replayed = uow.webhooks.replay(subscription_id, None, now)
        uow.commit()
    return replayed


def deliver_due(
    uow: UnitOfWork, sender: WebhookSender, policy: RetryPolicy, now: datetime, *, lease: timedelta,
    draw: Callable[[], float] = random.random, batch: int = BATCH,
) -> DeliveryRun:
    """One round: claim what is due (at most one per subscription and order), send each, record each outcome.

    `lease` is how long a claim lasts before another worker may take it over: longer than a whole round.
    """
    with uow.reading() as reader:
        if not reader.webhooks.has_due(now):
            return DeliveryRun(0, 0, 0)
    with uow:
        claims = uow.webhooks.claim_due(now, now + lease, batch)
        uow.commit()
    outcomes = [_send(uow, sender, policy, claim, now, draw()) for claim in claims]
    return DeliveryRun(*(outcomes.count(s) for s in (DeliveryStatus.DELIVERED, DeliveryStatus.PENDING,
                                                     DeliveryStatus.DEAD)))


def _send(uow: UnitOfWork, sender: WebhookSender, policy: RetryPolicy, claim: Claim, now: datetime,
          draw: float) -> DeliveryStatus:
    body = event_body(claim.event)
    attempt = sender.post(claim.url, body, signed_headers(claim, body, now))
    status, next_at = _outcome(policy, attempt, claim.attempts + 1, now, draw)
    with uow:
        uow.webhooks.finish(claim, status, attempt.status_code, attempt.problem(), next_at, now)
        uow.commit()
    return status


def _outcome(policy: RetryPolicy, attempt: Attempt, tries: int, now: datetime,
             draw: float) -> tuple[DeliveryStatus, datetime]:
    if attempt.delivered:
        return DeliveryStatus.DELIVERED, now
    if policy.is_last(tries):
        return DeliveryStatus.DEAD, now
    return DeliveryStatus.PENDING, now + policy.delay(tries, draw)


def prune_deliveries(uow: UnitOfWork, finished_before: datetime, batch: int = 5_000) -> int:
    """Forget deliveries answered 2xx before `finished_before`, a batch per transaction so no lock is held long;
    the events themselves stay in the stream. Waiting deliveries and dead letters are never pruned."""
    pruned = 0
    while True:
        with uow:
            removed = uow.webhooks.prune_delivered(finished_before, batch)
            uow.commit()
        pruned += removed
        if removed < batch:
            return pruned


def signed_headers(claim: Claim, body: bytes, now: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(claim.secret, int(now.timestamp()), body),
        EVENT_ID_HEADER: str(claim.event.id),
        EVENT_TYPE_HEADER: claim.event.type,
    }


def _subscription(uow: UnitOfWork, subscription_id: str) -> Subscription:
    found = uow.webhooks.subscription(subscription_id)
    if found is None:
        raise NotFound(f"no webhook subscription {subscription_id}", subscription_id=subscription_id)
    return found
