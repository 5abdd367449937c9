"""The wire contract of channels: configuration (the secret is write-only), outcomes, rejects, availability."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from omnifill.adapters.sql.channel_repository import Rejection, allocation_json
from omnifill.domain.channels import Allocation, Channel, ChannelKind
from omnifill.domain.locations import LocationKind
from omnifill.entrypoints.api.schemas import Code, OrderOut, Strict
from omnifill.services.channel_intake import Outcome

Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4, allow_inf_nan=False)]
Secret = Annotated[str, StringConstraints(min_length=8, max_length=500)]
PickupPlace = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class AllocationIn(Strict):
    """share by location kind (a kind left out sells nothing once share is given), per-location overrides, and
    units per SKU held back from the channel."""

    share: dict[LocationKind, Share] | None = None
    locations: Annotated[dict[Code, Share], Field(default_factory=dict, max_length=1000)]
    buffer: Annotated[int, Field(ge=0, le=1_000_000)] = 0

    def to_domain(self) -> Allocation:
        return Allocation(self.share, self.locations, self.buffer)


class ChannelIn(Strict):
    code: Code
    kind: ChannelKind
    secret: Secret | None = None  # the webhook signing secret (Shopify, WooCommerce); never returned
    allocation: AllocationIn | None = None  # none: the whole network
    pickup_locations: Annotated[dict[PickupPlace, Code], Field(default_factory=dict, max_length=1000)]

    def to_domain(self) -> Channel:
        allocation = self.allocation.to_domain() if self.allocation else Allocation()
        return Channel(self.code, self.kind, self.secret, allocation, self.pickup_locations)


class ChannelPatch(Strict):
    secret: Secret | None = None
    allocation: AllocationIn | None = None  # null: back to the whole network
    pickup_locations: Annotated[dict[PickupPlace, Code], Field(max_length=1000)] | None = None

    def changes(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if "secret" in self.model_fields_set:
            found["secret"] = self.secret
        if "allocation" in self.model_fields_set:
            found["allocation"] = self.allocation.to_domain() if self.allocation else Allocation()
        if self.pickup_locations is not None:
            found["pickup_locations"] = self.pickup_locations
        return found


class ChannelOut(BaseModel):
    code: str
    kind: str
    has_secret: bool  # the secret itself is never returned
    allocation: dict[str, Any] | None
    pickup_locations: dict[str, str]
    updated_at: datetime | None

    @classmethod
    def of(cls, channel: Channel) -> ChannelOut:
        return cls(code=channel.code, kind=str(channel.kind), has_secret=bool(channel.secret),
                   allocation=allocation_json(channel.allocation), pickup_locations=dict(channel.pickup_locations),
                   updated_at=channel.updated_at)


class OutcomeOut(BaseModel):
    result: str  # placed, duplicate, cancelled, unchanged, refund_received, ignored, rejected (imports)
    order_id: str | None
    note: str | None
    order: OrderOut | None = None
    external_id: str | None = None
    rejected_id: str | None = None

    @classmethod
    def of(cls, outcome: Outcome) -> OutcomeOut:
        return cls(result=outcome.result, order_id=outcome.order_id, note=outcome.note,
                   order=OrderOut.of(outcome.order) if outcome.order else None, external_id=outcome.external_id,
                   rejected_id=outcome.rejected_id)


class ImportOut(BaseModel):
    items: list[OutcomeOut]


class RejectionOut(BaseModel):
    id: str
    channel: str
    topic: str
    headers: dict[str, str]
    body: str  # the payload as received (UTF-8; anything else shown with replacement characters)
    error: dict[str, str]  # {"field": JSON path that failed, "problem"}
    status: str  # rejected, replayed
    received_at: datetime
    order_id: str | None
    replayed_at: datetime | None

    @classmethod
    def of(cls, found: Rejection) -> RejectionOut:
        return cls(id=found.id, channel=found.channel, topic=found.topic, headers=found.headers,
                   body=found.body.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
                   error={"field": found.error_field, "problem": found.error_message}, status=found.status,
                   received_at=found.received_at, order_id=found.order_id, replayed_at=found.replayed_at)


class SellableOut(BaseModel):
    sku: str
    sellable: int


class AvailabilityFeedOut(BaseModel):
    items: list[SellableOut]
    next_cursor: str | None
    as_of: datetime  # pass it as the next call's updated_since
    complete: bool  # every SKU is listed (no updated_since, or the channel's rules or a location changed since)
