"""The wire contract of the event stream and of webhook subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from omnifill.domain.event_stream import StoredEvent, cursor_for
from omnifill.domain.webhooks import Delivery, Subscription
from omnifill.entrypoints.api.schemas import Strict


class EventOut(BaseModel):
    id: int
    type: str
    entity_type: str
    entity_id: str
    occurred_at: datetime
    payload: dict[str, Any]
    cursor: str  # pass as `after` to read on from this event

    @classmethod
    def of(cls, event: StoredEvent) -> EventOut:
        return cls(id=event.id, type=event.type, entity_type=event.entity_type, entity_id=event.entity_id,
                   occurred_at=event.occurred_at, payload=event.payload, cursor=cursor_for(event.position))


class EventPageOut(BaseModel):
    items: list[EventOut]
    next_cursor: str  # never null: with no new events it is the cursor asked with, so polling goes on from it


class SubscriptionIn(Strict):
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    event_types: Annotated[list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=50)] = Field(
        default_factory=lambda: ["*"])
    secret: str | None = None  # made for you when left out
    description: Annotated[str, Field(max_length=200)] | None = None


class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        return cls(id=subscription.id, url=subscription.url, event_types=list(subscription.event_types) or ["*"],
                   description=subscription.description, active=subscription.active,
                   created_at=subscription.created_at, created_by=subscription.created_by)


class SubscriptionCreated(SubscriptionOut):
    secret: str  # shown this once: sign-checking code needs it, and it cannot be read back


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    event_type: str
    ordering_key: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        done = delivery.finished_at is not None
        return cls(id=delivery.id, event_id=delivery.event_id, event_type=delivery.event_type,
                   ordering_key=delivery.ordering_key, status=str(delivery.status), attempts=delivery.attempts,
                   next_attempt_at=None if done else delivery.next_attempt_at,
                   last_status_code=delivery.last_status_code, last_error=delivery.last_error,
                   created_at=delivery.created_at, finished_at=delivery.finished_at)


class ReplayOut(BaseModel):
    replayed: list[int]
