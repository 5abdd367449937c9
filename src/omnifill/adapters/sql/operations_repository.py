"""Read-only counts across orders and fulfillments, for the console's overview."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select

from omnifill.adapters.sql.tables import fulfillment_orders, locations, orders


class OperationsRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def fulfillments_by_status(self, statuses: Sequence[str], location: str | None = None) -> dict[str, int]:
        query = (select(fulfillment_orders.c.status, func.count())
                 .where(fulfillment_orders.c.status.in_(list(statuses)))
                 .group_by(fulfillment_orders.c.status))
        if location is not None:
            query = query.join(locations, locations.c.id == fulfillment_orders.c.location_id).where(
                locations.c.code == location)
        return {str(row[0]): int(row[1]) for row in self._c.execute(query)}

    def orders_by_channel(self, since: datetime, until: datetime) -> dict[str, int]:
        query = (select(orders.c.channel, func.count())
                 .where(orders.c.created_at >= since, orders.c.created_at < until)
                 .group_by(orders.c.channel).order_by(orders.c.channel))
        return {str(row[0]): int(row[1]) for row in self._c.execute(query)}
