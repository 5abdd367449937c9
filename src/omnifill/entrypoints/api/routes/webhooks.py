"""Webhook subscriptions: where events are pushed, signed; their deliveries, dead letters and replays."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from omnifill.domain.access import Permission
from omnifill.domain.errors import InvalidInput
from omnifill.domain.webhooks import DeliveryStatus
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.event_schemas import (
    DeliveryOut,
    ReplayOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)
from omnifill.entrypoints.api.pagination import decode_cursor, decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.schemas import Limit, Page
from omnifill.services import webhooks

router = APIRouter(prefix="/v1/webhook-subscriptions", tags=["events"])
Cursor = Annotated[str | None, Query()]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post("", status_code=201)
def create_subscription(body: SubscriptionIn, caller: Caller, uow: Uow) -> SubscriptionCreated:
    """Events of the listed types (or prefixes, or "*") are POSTed to `url`, signed with the secret."""
    caller.require(Permission.WEBHOOKS_WRITE)
    subscription, secret = webhooks.create_subscription(uow, body.url, body.event_types, body.secret,
                                                        body.description, caller, datetime.now(UTC))
    return SubscriptionCreated(**SubscriptionOut.of(subscription).model_dump(), secret=secret)


@router.get("")
def list_subscriptions(caller: Caller, uow: Uow, cursor: Cursor = None,
                       limit: Annotated[Limit, Query()] = 50) -> Page[SubscriptionOut]:
    caller.require(Permission.WEBHOOKS_WRITE)
    found = webhooks.list_subscriptions(uow, decode_text_cursor(cursor), limit)
    return Page(items=[SubscriptionOut.of(s) for s in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)


@router.get("/{subscription_id}")
def get_subscription(subscription_id: str, caller: Caller, uow: Uow) -> SubscriptionOut:
    caller.require(Permission.WEBHOOKS_WRITE)
    return SubscriptionOut.of(webhooks.get_subscription(uow, subscription_id))


@router.delete("/{subscription_id}")
def disable_subscription(subscription_id: str, caller: Caller, uow: Uow) -> SubscriptionOut:
    """Stop delivering to it (nothing more is sent or queued); its delivery history stays."""
    caller.require(Permission.WEBHOOKS_WRITE)
    return SubscriptionOut.of(webhooks.disable_subscription(uow, subscription_id, datetime.now(UTC)))


@router.get("/{subscription_id}/deliveries")
def list_deliveries(subscription_id: str, caller: Caller, uow: Uow, status: DeliveryStatus | None = None,
                    cursor: Cursor = None, limit: Annotated[Limit, Query()] = 50) -> Page[DeliveryOut]:
    caller.require(Permission.WEBHOOKS_WRITE)
    return _deliveries(uow, subscription_id, status, cursor, limit)


@router.get("/{subscription_id}/dead-letters")
def list_dead_letters(subscription_id: str, caller: Caller, uow: Uow, cursor: Cursor = None,
                      limit: Annotated[Limit, Query()] = 50) -> Page[DeliveryOut]:
    """Deliveries whose every try failed, oldest first."""
    caller.require(Permission.WEBHOOKS_WRITE)
    return _deliveries(uow, subscription_id, DeliveryStatus.DEAD, cursor, limit)


@router.post("/{subscription_id}/dead-letters/replay")
def replay_dead_letters(subscription_id: str, caller: Caller, uow: Uow) -> ReplayOut:
    """Every dead letter back in the queue, from its first try."""
    caller.require(Permission.WEBHOOKS_WRITE)
    return ReplayOut(replayed=webhooks.replay_dead_letters(uow, subscription_id, datetime.now(UTC)))


@router.post("/{subscription_id}/dead-letters/{delivery_id}/replay")
def replay_dead_letter(subscription_id: str, delivery_id: DeliveryId, caller: Caller, uow: Uow) -> DeliveryOut:
    caller.require(Permission.WEBHOOKS_WRITE)
    return DeliveryOut.of(webhooks.replay_dead_letter(uow, subscription_id, delivery_id, datetime.now(UTC)))


def _deliveries(uow: Uow, subscription_id: str, status: DeliveryStatus | None, cursor: str | None,
                limit: int) -> Page[DeliveryOut]:
    after = decode_cursor(cursor)
    if after is not None and (not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**63):
        raise InvalidInput("cursor", "not a cursor this API returned")
    found = webhooks.list_deliveries(uow, subscription_id, status, after, limit)
    return Page(items=[DeliveryOut.of(d) for d in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)
