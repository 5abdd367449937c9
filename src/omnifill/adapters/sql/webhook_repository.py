"""Webhook subscriptions and their deliveries: fan-out rows, claiming due work safely, retries and dead letters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, insert, select, update

from omnifill.adapters.sql.event_repository import stored_event
from omnifill.adapters.sql.tables import outbox_events, webhook_deliveries, webhook_subscriptions
from omnifill.domain.event_stream import StoredEvent
from omnifill.domain.webhooks import Delivery, DeliveryStatus, Subscription

_S = webhook_subscriptions.c
_D = webhook_deliveries.c
_E = outbox_events.c
_WAITING = (str(DeliveryStatus.PENDING), str(DeliveryStatus.SENDING))


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery a worker holds: what to send, where, and with which secret."""

    delivery_id: int
    attempts: int  # tries before this one; finishing checks it, so a lapsed claim cannot be finished twice
    url: str
    secret: str
    event: StoredEvent


class WebhookRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # ---------------------------------------------------------------------------------- subscriptions

    def add_subscription(self, subscription: Subscription, secret: str) -> None:
        self._c.execute(insert(webhook_subscriptions).values(
            id=subscription.id, url=subscription.url, event_types=list(subscription.event_types), secret=secret,
            description=subscription.description, active=subscription.active, created_by=subscription.created_by,
            created_at=subscription.created_at,
        ))

    def subscription(self, subscription_id: str) -> Subscription | None:
        row = self._c.execute(select(webhook_subscriptions).where(_S.id == subscription_id)).mappings().first()
        return _subscription(row) if row else None

    def subscriptions(self, after: str | None, limit: int, *, active_only: bool = False) -> list[Subscription]:
        query = select(webhook_subscriptions).order_by(_S.id).limit(limit)
        if after is not None:
            query = query.where(_S.id > after)
        if active_only:
            query = query.where(_S.active.is_(True))
        return [_subscription(r) for r in self._c.execute(query).mappings()]

    def disable(self, subscription_id: str, now: datetime) -> bool:
        changed = self._c.execute(update(webhook_subscriptions)
                                  .where(_S.id == subscription_id, _S.active.is_(True))
                                  .values(active=False, disabled_at=now))
        return changed.rowcount == 1

    # ------------------------------------------------------------------------------------- deliveries

    def add_deliveries(self, pairs: Sequence[tuple[str, StoredEvent]], now: datetime) -> None:
        """A pending delivery per (subscription id, event), due now."""
        rows = [
            {"subscription_id": sub, "event_id": e.id, "position": e.position, "ordering_key": e.ordering_key,
             "status": str(DeliveryStatus.PENDING), "attempts": 0, "next_attempt_at": now, "created_at": now}
            for sub, e in pairs
        ]
        if rows:
            self._c.execute(insert(webhook_deliveries), rows)

    def has_due(self, now: datetime) -> bool:
        found = (select(_D.id).join(webhook_subscriptions, _S.id == _D.subscription_id)
                 .where(_D.status.in_(_WAITING), _D.next_attempt_at <= now, _S.active.is_(True)).limit(1))
        return self._c.execute(found).first() is not None

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Claim]:
        """Take up to `limit` due deliveries, each the oldest waiting one of its (subscription, ordering key).

        A delivery waits while an earlier one with its key is pending, retrying or being sent: one order's
        events reach a receiver in stream order, and other orders are not held up. On PostgreSQL the rows are
        locked FOR UPDATE SKIP LOCKED, so concurrent workers take different ones; SQLite serializes writers.
        A claim lasts until `lease_until`: a worker that dies mid-send leaves it due again then.
        """
        earlier = webhook_deliveries.alias("earlier")
        blocked = exists().where(
            earlier.c.subscription_id == _D.subscription_id, earlier.c.ordering_key == _D.ordering_key,
            earlier.c.position < _D.position, earlier.c.status.in_(_WAITING),
        )
        due = (
            select(_D.id, _D.attempts)
            .join(webhook_subscriptions, _S.id == _D.subscription_id)
            .where(_D.status.in_(_WAITING), _D.next_attempt_at <= now, _S.active.is_(True), ~blocked)
            .order_by(_D.position, _D.id).limit(limit)
            .with_for_update(skip_locked=True, of=webhook_deliveries)
        )
        claimed = {row.id: row.attempts for row in self._c.execute(due)}
        if not claimed:
            return []
        self._c.execute(update(webhook_deliveries).where(_D.id.in_(claimed))
                        .values(status=str(DeliveryStatus.SENDING), next_attempt_at=lease_until))
        rows = self._c.execute(
            select(_D.id.label("delivery_id"), _S.url, _S.secret, outbox_events)
            .join(webhook_subscriptions, _S.id == _D.subscription_id)
            .join(outbox_events, _E.id == _D.event_id)
            .where(_D.id.in_(claimed)).order_by(_D.position)
        ).mappings()
        return [Claim(r["delivery_id"], claimed[r["delivery_id"]], r["url"], r["secret"], stored_event(r))
                for r in rows]

    def finish(self, claim: Claim, status: DeliveryStatus, status_code: int | None, error: str | None,
               next_attempt_at: datetime, now: datetime) -> bool:
        """Record a try; False if the claim had lapsed and another worker took the delivery meanwhile."""
        done = status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD)
        changed = self._c.execute(
            update(webhook_deliveries)
            .where(_D.id == claim.delivery_id, _D.status == str(DeliveryStatus.SENDING),
                   _D.attempts == claim.attempts)
            .values(status=str(status), attempts=claim.attempts + 1, last_status_code=status_code,
                    last_error=error[:500] if error else None, next_attempt_at=next_attempt_at,
                    finished_at=now if done else None)
        )
        return changed.rowcount == 1

    def deliveries(self, subscription_id: str, status: DeliveryStatus | None, after: int | None,
                   limit: int) -> list[Delivery]:
        query = (select(webhook_deliveries, _E.type).join(outbox_events, _E.id == _D.event_id)
                 .where(_D.subscription_id == subscription_id).order_by(_D.id).limit(limit))
        if status is not None:
            query = query.where(_D.status == str(status))
        if after is not None:
            query = query.where(_D.id > after)
        return [_delivery(r) for r in self._c.execute(query).mappings()]

    def delivery(self, subscription_id: str, delivery_id: int) -> Delivery | None:
        row = self._c.execute(
            select(webhook_deliveries, _E.type).join(outbox_events, _E.id == _D.event_id)
            .where(_D.subscription_id == subscription_id, _D.id == delivery_id)
        ).mappings().first()
        return _delivery(row) if row else None

    def replay(self, subscription_id: str, delivery_id: int | None, now: datetime) -> list[int]:
        """Dead letters (one, or all of the subscription's) back to pending, due now, with their tries reset."""
        where = and_(_D.subscription_id == subscription_id, _D.status == str(DeliveryStatus.DEAD))
        if delivery_id is not None:
            where = and_(where, _D.id == delivery_id)
        ids = [row.id for row in self._c.execute(select(_D.id).where(where).order_by(_D.id))]
        if ids:
            self._c.execute(update(webhook_deliveries).where(_D.id.in_(ids), where).values(
                status=str(DeliveryStatus.PENDING), attempts=0, next_attempt_at=now, finished_at=None,
            ))
        return ids

    def prune_delivered(self, finished_before: datetime, limit: int) -> int:
        """Forget up to `limit` deliveries answered 2xx before `finished_before`; waiting and dead ones stay."""
        done = (select(_D.id).where(_D.status == str(DeliveryStatus.DELIVERED), _D.finished_at < finished_before)
                .order_by(_D.id).limit(limit))
        return self._c.execute(delete(webhook_deliveries).where(_D.id.in_(done.scalar_subquery()))).rowcount


def _subscription(row: Any) -> Subscription:
    return Subscription(row["id"], row["url"], tuple(row["event_types"]), bool(row["active"]), row["created_at"],
                        row["created_by"], row["description"])


def _delivery(row: Any) -> Delivery:
    return Delivery(row["id"], row["subscription_id"], row["event_id"], row["type"], row["ordering_key"],
                    DeliveryStatus(row["status"]), row["attempts"], row["next_attempt_at"], row["last_status_code"],
                    row["last_error"], row["created_at"], row["finished_at"])
