"""Reads for the console's order desk: orders found by filters or by id, and every event of one order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, or_, select

from omnifill.adapters.sql.tables import fulfillment_orders, locations, orders, outbox_events
from omnifill.domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class OrderFilters:
    """What the order list is narrowed to; None means any."""

    channel: str | None = None
    status: str | None = None
    location: str | None = None
    placed_from: datetime | None = None  # inclusive
    placed_until: datetime | None = None  # exclusive
    search: str | None = None  # an order id or a channel's external id, exactly


class OrderSearchRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def newest_first(self, filters: OrderFilters, before: str | None, limit: int) -> list[str]:
        """Ids of matching orders, newest first (ids sort by creation time), older than the cursor `before`."""
        query = select(orders.c.id).order_by(orders.c.id.desc()).limit(limit)
        if filters.channel is not None:
            query = query.where(orders.c.channel == filters.channel)
        if filters.status is not None:
            query = query.where(orders.c.status == filters.status)
        if filters.placed_from is not None:
            query = query.where(orders.c.created_at >= filters.placed_from)
        if filters.placed_until is not None:
            query = query.where(orders.c.created_at < filters.placed_until)
        if filters.search:
            query = query.where(or_(orders.c.id == filters.search, orders.c.external_id == filters.search))
        if filters.location is not None:
            at_location = (select(fulfillment_orders.c.order_id)
                           .join(locations, locations.c.id == fulfillment_orders.c.location_id)
                           .where(locations.c.code == filters.location))
            query = query.where(or_(orders.c.id.in_(at_location), orders.c.pickup_location == filters.location))
        if before is not None:
            query = query.where(orders.c.id < before)
        return [row[0] for row in self._c.execute(query)]

    def events_of(self, entity_ids: Sequence[str]) -> list[DomainEvent]:
        """Every outbox event about these entities (an order, its fulfillments, shipments, returns), oldest first."""
        rows = self._c.execute(
            select(outbox_events).where(outbox_events.c.entity_id.in_(list(entity_ids)))
            .order_by(outbox_events.c.occurred_at, outbox_events.c.id)
        ).mappings()
        return [DomainEvent(r["type"], r["entity_type"], r["entity_id"], r["payload"], r["occurred_at"]) for r in rows]
