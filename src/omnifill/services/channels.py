"""Channel configuration (admin only) and each channel's availability feed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from omnifill.adapters.sql.channel_repository import allocation_json
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal
from omnifill.domain.channels import Channel, sellable
from omnifill.domain.errors import AlreadyExists, InvalidInput, NotFound
from omnifill.domain.events import DomainEvent

# The feed's `as_of` lies this far before the read: a transaction that took its clock before the read but
# committed after it is then still inside the next poll's window. A SKU sent twice is harmless (absolute figures).
FEED_OVERLAP = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class SellableStock:
    sku: str
    sellable: int


@dataclass(frozen=True, slots=True)
class AvailabilityFeed:
    items: list[SellableStock]
    as_of: datetime  # pass as the next `updated_since`
    everything: bool  # every SKU is listed: the channel's rules or a location changed since `updated_since`


def create_channel(uow: UnitOfWork, channel: Channel, principal: Principal, now: datetime) -> Channel:
    principal.require(Permission.NETWORK_WRITE)
    with uow:
        if uow.channels.get(channel.code) is not None:
            raise AlreadyExists(f"channel {channel.code} already exists", channel=channel.code)
        _check_pickup_stores(uow, channel.pickup_locations)
        uow.channels.add(channel, now)
        uow.outbox.add([_channel_event("channel.created", channel, now)])
        uow.commit()
    return replace(channel, updated_at=now)


def update_channel(
    uow: UnitOfWork, code: str, changes: Mapping[str, Any], principal: Principal, now: datetime,
) -> Channel:
    """Change the secret, the allocation or the pickup mapping; what is not named stays as it was."""
    principal.require(Permission.NETWORK_WRITE)
    with uow:
        current = _channel(uow, code)
        changed = replace(current, **changes)
        _check_pickup_stores(uow, changed.pickup_locations)
        uow.channels.replace(changed, now)
        uow.outbox.add([_channel_event("channel.updated", changed, now)])
        uow.commit()
    return replace(changed, updated_at=now)


def get_channel(uow: UnitOfWork, code: str, principal: Principal) -> Channel:
    principal.require(Permission.NETWORK_WRITE)
    with uow.reading() as reader:
        return _channel(reader, code)


def list_channels(uow: UnitOfWork, principal: Principal, after: str | None, limit: int) -> list[Channel]:
    principal.require(Permission.NETWORK_WRITE)
    with uow.reading() as reader:
        return reader.channels.page(after, limit)


def channel_availability(
    uow: UnitOfWork, code: str, principal: Principal, updated_since: datetime | None, after: str | None,
    limit: int, now: datetime,
) -> AvailabilityFeed:
    """Per SKU, what this channel may sell: every SKU, or those whose balances changed since `updated_since`."""
    principal.require(Permission.CHANNELS_SYNC)
    principal.require_channel(code)
    with uow.reading() as reader:
        channel = _channel(reader, code)
        everything = updated_since is None or _rules_changed(reader, channel, updated_since)
        codes = reader.channels.sku_page(None if everything else updated_since, after, limit)
        stock = reader.channels.stock_for(codes)
    items = [SellableStock(sku, sellable(channel.allocation, stock.get(sku, []))) for sku in codes]
    return AvailabilityFeed(items, now - FEED_OVERLAP, everything)


def configured_channel(uow: UnitOfWork, code: str) -> Channel:
    """A channel that webhooks and imports may name: configured, or a 404."""
    with uow.reading() as reader:
        return _channel(reader, code)


def _rules_changed(reader: UnitOfWork, channel: Channel, since: datetime) -> bool:
    return (channel.updated_at is not None and channel.updated_at >= since) or \
        reader.channels.locations_changed_since(since)


def _channel(uow: UnitOfWork, code: str) -> Channel:
    found = uow.channels.get(code)
    if found is None:
        raise NotFound(f"no channel {code} is configured", channel=code)
    return found


def _check_pickup_stores(uow: UnitOfWork, pickup_locations: Mapping[str, str]) -> None:
    known = uow.locations.by_code(set(pickup_locations.values()))
    for key, store in sorted(pickup_locations.items()):
        if store not in known:
            raise InvalidInput(f"pickup_locations.{key}", f"unknown location {store}")


def _channel_event(kind: str, channel: Channel, now: datetime) -> DomainEvent:
    # Never the secret: the outbox is read by systems that must not learn it.
    return DomainEvent(kind, "channel", channel.code, {
        "code": channel.code, "kind": str(channel.kind), "allocation": allocation_json(channel.allocation),
        "pickup_locations": dict(channel.pickup_locations),
    }, now)
