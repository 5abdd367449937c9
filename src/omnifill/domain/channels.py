"""Sales channels as configured data: what kind of storefront each is, and what share of the network it may sell.

A channel's code is the `channel` of its orders and the scope of its `channel:<code>` keys. Orders may name a
channel nobody configured (`POST /v1/orders` has always allowed it); webhooks and imports need a configured one,
because that is where the signing secret and the allocation rules live.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from omnifill.domain.errors import InvalidInput
from omnifill.domain.events import DomainEvent
from omnifill.domain.inventory import Movement, StockLevel, available_to_promise
from omnifill.domain.locations import LocationKind


class ChannelKind(StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    AMAZON = "amazon"
    POS = "pos"
    WEB = "web"


# The kinds that push signed webhooks: their secret verifies every delivery.
SIGNED_KINDS = frozenset({ChannelKind.SHOPIFY, ChannelKind.WOOCOMMERCE})


@dataclass(frozen=True, slots=True)
class Allocation:
    """What share of each location's available stock a channel may sell, less a buffer per SKU.

    `share` by location kind; a kind left out sells nothing once any share is given (an allow-list, so a new
    kind of location is never offered to a marketplace by accident). No `share` at all: every kind at 100 %.
    `locations` overrides the share of single locations by code.
    """

    share: Mapping[LocationKind, Decimal] | None = None
    locations: Mapping[str, Decimal] = field(default_factory=dict)
    buffer: int = 0

    def __post_init__(self) -> None:
        for kind, part in (self.share or {}).items():
            _check_share(f"allocation.share.{kind}", part)
        for code, part in self.locations.items():
            _check_share(f"allocation.locations.{code}", part)
        if self.buffer < 0:
            raise InvalidInput("allocation.buffer", "must not be negative")

    def share_of(self, location: str, kind: LocationKind) -> Decimal:
        if location in self.locations:
            return self.locations[location]
        if self.share is None:
            return Decimal(1)
        return self.share.get(kind, Decimal(0))


WHOLE_NETWORK = Allocation()


def _check_share(path: str, part: Decimal) -> None:
    if not Decimal(0) <= part <= Decimal(1):
        raise InvalidInput(path, "a share is between 0 and 1")


@dataclass(frozen=True, slots=True)
class Channel:
    code: str
    kind: ChannelKind
    secret: str | None  # write-only over the API; kept retrievable because HMAC needs the secret itself
    allocation: Allocation = WHOLE_NETWORK
    # The channel's own pickup place (Shopify location id, WooCommerce pickup title…) → omnifill store code.
    pickup_locations: Mapping[str, str] = field(default_factory=dict)
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind in SIGNED_KINDS and not self.secret:
            raise InvalidInput("secret", f"a {self.kind} channel signs its webhooks: give the shared secret")


@dataclass(frozen=True, slots=True)
class StockAt:
    """One location's available-to-promise of one SKU, as allocation reads it."""

    location: str
    kind: LocationKind
    available: int


def sellable(allocation: Allocation, stock: Iterable[StockAt]) -> int:
    """floor(Σ available × share over the locations the channel may sell from) − buffer, never below zero."""
    total = sum((allocation.share_of(s.location, s.kind) * max(0, s.available) for s in stock), Decimal(0))
    return max(0, math.floor(total) - allocation.buffer)


def availability_changed(row: Movement, after: StockLevel, now: datetime) -> DomainEvent | None:
    """The event a connector pushes to its storefront when a movement changed what a location can promise."""
    before = available_to_promise(after.on_hand - row.on_hand_delta, after.reserved - row.reserved_delta,
                                  after.safety_stock)
    if before == after.available:
        return None
    return stock_availability_event(row.sku, row.location, before, after.available, now)


def stock_availability_event(sku: str, location: str, before: int, after: int, now: datetime) -> DomainEvent:
    return DomainEvent("inventory.availability_changed", "availability", sku, {
        "sku": sku, "location": location, "available_before": before, "available_after": after,
    }, now)
