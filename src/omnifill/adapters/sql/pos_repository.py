"""What stores' tills reported, the conflicts their sales caused, and the online work a till sale can touch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from omnifill.adapters.sql.tables import (
    fulfillment_lines,
    fulfillment_orders,
    locations,
    pos_conflicts,
    pos_transaction_lines,
    pos_transactions,
    skus,
)
from omnifill.domain.pos import TAKEABLE, PosTransaction


@dataclass(frozen=True, slots=True)
class StoredPos:
    fingerprint: str
    result: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PosConflict:
    id: int
    location: str
    transaction_id: str
    sku: str
    units_short: int
    rerouted: list[dict[str, Any]]
    unbooked_units: int
    sale_occurred_at: datetime
    recorded_at: datetime


class PosRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, location_id: int, transaction_id: str) -> StoredPos | None:
        p = pos_transactions
        row = self._c.execute(select(p.c.fingerprint, p.c.result).where(
            p.c.location_id == location_id, p.c.transaction_id == transaction_id)).first()
        return StoredPos(row[0], row[1]) if row else None

    def add(
        self, pos_id: str, location_id: int, sale: PosTransaction, customer_id: str | None,
        result: dict[str, Any], now: datetime,
    ) -> None:
        self._c.execute(insert(pos_transactions).values(
            id=pos_id, location_id=location_id, transaction_id=sale.transaction_id, kind=str(sale.kind),
            occurred_at=sale.occurred_at, recorded_at=now, customer_id=customer_id,
            original_transaction_id=sale.original_transaction_id, total=sale.total(),
            fingerprint=sale.fingerprint(), result=result,
        ))
        self._c.execute(insert(pos_transaction_lines), [
            {"pos_id": pos_id, "line_no": no, "sku": line.sku, "quantity": line.quantity,
             "unit_price": line.unit_price, "condition": str(line.condition) if line.condition else None}
            for no, line in enumerate(sale.lines, start=1)
        ])

    def orders_holding(self, location_id: int, sku_codes: Iterable[str]) -> list[str]:
        """Orders with work at the location that holds these SKUs reserved and has not picked them yet."""
        f = fulfillment_orders
        rows = self._c.execute(
            select(f.c.order_id).distinct()
            .join(fulfillment_lines, fulfillment_lines.c.fulfillment_id == f.c.id)
            .join(skus, skus.c.id == fulfillment_lines.c.sku_id)
            .where(f.c.location_id == location_id, f.c.status.in_([str(s) for s in TAKEABLE]),
                   skus.c.code.in_(list(sku_codes)))
            .order_by(f.c.order_id)
        )
        return [r[0] for r in rows]

    def add_conflict(
        self, location_id: int, pos_id: str, sku: str, units_short: int, rerouted: list[dict[str, Any]],
        unbooked_units: int, sale_occurred_at: datetime, now: datetime,
    ) -> None:
        self._c.execute(insert(pos_conflicts).values(
            location_id=location_id, pos_id=pos_id, sku=sku, units_short=units_short, rerouted=rerouted,
            unbooked_units=unbooked_units, sale_occurred_at=sale_occurred_at, recorded_at=now,
        ))

    def conflicts(self, location: str, after: int | None, limit: int) -> list[PosConflict]:
        c = pos_conflicts
        query = (
            select(c.c.id, locations.c.code, pos_transactions.c.transaction_id, c.c.sku, c.c.units_short,
                   c.c.rerouted, c.c.unbooked_units, c.c.sale_occurred_at, c.c.recorded_at)
            .join(locations, locations.c.id == c.c.location_id)
            .join(pos_transactions, pos_transactions.c.id == c.c.pos_id)
            .where(locations.c.code == location).order_by(c.c.id).limit(limit)
        )
        if after is not None:
            query = query.where(c.c.id > after)
        return [PosConflict(*row) for row in self._c.execute(query)]
