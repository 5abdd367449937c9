"""Configured channels, the payloads they sent that were refused, and the stock their availability feed reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from omnifill.adapters.sql.tables import channel_rejections, channels, inventory_levels, locations, skus
from omnifill.domain.channels import Allocation, Channel, ChannelKind, StockAt
from omnifill.domain.locations import LocationKind

_il = inventory_levels


@dataclass(frozen=True, slots=True)
class Rejection:
    id: str
    channel: str
    topic: str
    headers: dict[str, str]
    body: bytes
    error_field: str
    error_message: str
    status: str  # rejected | replayed
    received_at: datetime
    order_id: str | None = None
    replayed_at: datetime | None = None


def allocation_json(allocation: Allocation) -> dict[str, Any] | None:
    if allocation == Allocation():
        return None
    return {
        "share": None if allocation.share is None else {str(k): str(v) for k, v in allocation.share.items()},
        "locations": {code: str(v) for code, v in allocation.locations.items()},
        "buffer": allocation.buffer,
    }


def allocation_from_json(value: dict[str, Any] | None) -> Allocation:
    if value is None:
        return Allocation()
    share = value.get("share")
    return Allocation(
        None if share is None else {LocationKind(k): Decimal(v) for k, v in share.items()},
        {code: Decimal(v) for code, v in value.get("locations", {}).items()},
        int(value.get("buffer", 0)),
    )


class ChannelRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, channel: Channel, now: datetime) -> None:
        self._c.execute(insert(channels).values(**_values(channel), created_at=now, updated_at=now))

    def replace(self, channel: Channel, now: datetime) -> None:
        self._c.execute(update(channels).where(channels.c.code == channel.code).values(**_values(channel),
                                                                                       updated_at=now))

    def get(self, code: str) -> Channel | None:
        row = self._c.execute(select(channels).where(channels.c.code == code)).mappings().first()
        return _channel(row) if row else None

    def page(self, after: str | None, limit: int) -> list[Channel]:
        query = select(channels).order_by(channels.c.code).limit(limit)
        if after is not None:
            query = query.where(channels.c.code > after)
        return [_channel(r) for r in self._c.execute(query).mappings()]

    # ---------------------------------------------------------------------------------- refused payloads

    def add_rejection(self, rejection: Rejection) -> None:
        self._c.execute(insert(channel_rejections).values(
            id=rejection.id, channel=rejection.channel, topic=rejection.topic, headers=rejection.headers,
            body=rejection.body, error_field=rejection.error_field, error_message=rejection.error_message,
            status=rejection.status, received_at=rejection.received_at,
        ))

    def rejected_body(self, channel: str, topic: str, body: bytes) -> str | None:
        """The entry still waiting with exactly this payload: a channel's retry of it is not kept twice."""
        r = channel_rejections
        return self._c.execute(select(r.c.id).where(
            r.c.channel == channel, r.c.status == "rejected", r.c.topic == topic, r.c.body == body).limit(1)).scalar()

    def rejection(self, channel: str, rejection_id: str) -> Rejection | None:
        row = self._c.execute(select(channel_rejections).where(
            channel_rejections.c.channel == channel, channel_rejections.c.id == rejection_id)).mappings().first()
        return _rejection(row) if row else None

    def rejections(self, channel: str, status: str | None, after: str | None, limit: int) -> list[Rejection]:
        r = channel_rejections
        query = select(r).where(r.c.channel == channel).order_by(r.c.id).limit(limit)
        if status is not None:
            query = query.where(r.c.status == status)
        if after is not None:
            query = query.where(r.c.id > after)
        return [_rejection(row) for row in self._c.execute(query).mappings()]

    def mark_replayed(self, rejection_id: str, order_id: str | None, now: datetime) -> bool:
        """Only a payload still rejected becomes replayed: of two racing replays, one marks it."""
        r = channel_rejections
        result = self._c.execute(update(r).where(r.c.id == rejection_id, r.c.status == "rejected")
                                 .values(status="replayed", order_id=order_id, replayed_at=now))
        return bool(result.rowcount)

    def refused_again(self, rejection_id: str, field: str, message: str) -> None:
        r = channel_rejections
        self._c.execute(update(r).where(r.c.id == rejection_id, r.c.status == "rejected")
                        .values(error_field=field[:300], error_message=message[:500]))

    # ---------------------------------------------------------------------------------- availability feed

    def sku_page(self, changed_since: datetime | None, after: str | None, limit: int) -> list[str]:
        """SKU codes in code order; with `changed_since`, only those with a balance written since then."""
        if changed_since is None:
            query = select(skus.c.code)
        else:
            query = (select(skus.c.code).distinct().select_from(_il.join(skus, skus.c.id == _il.c.sku_id))
                     .where(_il.c.updated_at >= changed_since))
        if after is not None:
            query = query.where(skus.c.code > after)
        return list(self._c.execute(query.order_by(skus.c.code).limit(limit)).scalars())

    def stock_for(self, sku_codes: Iterable[str]) -> dict[str, list[StockAt]]:
        """Each SKU's available-to-promise at every location that fulfills orders."""
        query = (
            select(skus.c.code, locations.c.code, locations.c.kind,
                   _il.c.on_hand - _il.c.reserved - _il.c.safety_stock)
            .select_from(_il.join(skus, skus.c.id == _il.c.sku_id).join(locations, locations.c.id == _il.c.location_id))
            .where(skus.c.code.in_(list(sku_codes)), locations.c.fulfillment_enabled.is_(True))
        )
        found: dict[str, list[StockAt]] = {}
        for sku, location, kind, available in self._c.execute(query):
            found.setdefault(sku, []).append(StockAt(location, LocationKind(kind), int(available)))
        return found

    def locations_changed_since(self, since: datetime) -> bool:
        """A location switched on or off (or changed kind) changes what every SKU may sell."""
        return self._c.execute(select(locations.c.id).where(locations.c.updated_at >= since).limit(1)).first() \
            is not None


def _values(channel: Channel) -> dict[str, Any]:
    return {"code": channel.code, "kind": str(channel.kind), "secret": channel.secret,
            "allocation": allocation_json(channel.allocation), "pickup_locations": dict(channel.pickup_locations)}


def _channel(row: Any) -> Channel:
    return Channel(row["code"], ChannelKind(row["kind"]), row["secret"], allocation_from_json(row["allocation"]),
                   dict(row["pickup_locations"]), row["updated_at"])


def _rejection(row: Any) -> Rejection:
    return Rejection(row["id"], row["channel"], row["topic"], dict(row["headers"]), bytes(row["body"]),
                     row["error_field"], row["error_message"], row["status"], row["received_at"], row["order_id"],
                     row["replayed_at"])
