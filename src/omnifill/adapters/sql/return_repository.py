"""Return authorizations, their lines and the disposition of every unit received. Status changes are conditional."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, or_, select, update

from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.tables import (
    inventory_movements,
    locations,
    orders,
    return_authorizations,
    return_dispositions,
    return_lines,
    skus,
)
from omnifill.domain import return_analytics as analytics
from omnifill.domain.return_policy import Refund, RefundLine, money_text
from omnifill.domain.returns import (
    Condition,
    Disposition,
    Outcome,
    ReceivedLine,
    ReturnAuthorization,
    ReturnLabel,
    ReturnLine,
    ReturnMethod,
    ReturnStatus,
)

_ra, _rd = return_authorizations, return_dispositions
_DISPOSITIONS = select(_rd, locations.c.code.label("location")).join(locations, locations.c.id == _rd.c.location_id)


@dataclass(frozen=True, slots=True)
class DispositionRecord:
    """Units received back at a location, in one condition, and where they went."""

    id: int
    return_id: str
    sku: str
    location: str
    quantity: int
    condition: Condition
    disposition: Disposition
    actor: str
    received_at: datetime
    outcome: Outcome | None = None  # None: still waiting in its queue
    resolved_by: str | None = None
    resolved_at: datetime | None = None


class ReturnRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, rma: ReturnAuthorization, now: datetime) -> None:
        label = rma.label
        self._c.execute(insert(_ra).values(
            id=rma.id, order_id=rma.order_id, channel=rma.channel, method=str(rma.method), status=str(rma.status),
            location=rma.location, returns_location=label.returns_location if label else None,
            carrier=label.carrier if label else None, tracking_number=label.tracking_number if label else None,
            label_cost=label.cost if label else None, label=dict(label.routing) if label else None,
            expected_arrival=label.expected_arrival if label else None, actor=rma.actor,
            created_at=rma.created_at, updated_at=now,
        ))
        self._c.execute(insert(return_lines), [
            {"return_id": rma.id, "sku": ln.sku, "quantity": ln.quantity, "reason": ln.reason} for ln in rma.lines
        ])

    def get(self, return_id: str, *, lock: bool = False) -> ReturnAuthorization | None:
        """One RMA; `lock` holds its row until commit, so two moves on one RMA run one after the other."""
        query = select(_ra).where(_ra.c.id == return_id)
        if lock and self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        found = self._load(query)
        return found[0] if found else None

    def for_order(self, order_id: str) -> list[ReturnAuthorization]:
        """The RMAs of an order, and the one whose exchange it is the replacement of."""
        return self._load(select(_ra).where(or_(_ra.c.order_id == order_id, _ra.c.replacement_order_id == order_id))
                          .order_by(_ra.c.id))

    def page(self, *, order_id: str | None, status: str | None, channel: str | None, location: str | None,
             after: str | None, limit: int) -> list[ReturnAuthorization]:
        """RMAs in id order; `order_id` finds the returns of an order and the one it replaces in an exchange,
        `location` those authorized for that store or received there."""
        query = select(_ra).order_by(_ra.c.id).limit(limit)
        for column, value in ((_ra.c.status, status), (_ra.c.channel, channel)):
            if value is not None:
                query = query.where(column == value)
        if order_id is not None:
            query = query.where(or_(_ra.c.order_id == order_id, _ra.c.replacement_order_id == order_id))
        if location is not None:
            received_there = (select(_rd.c.return_id).join(locations, locations.c.id == _rd.c.location_id)
                              .where(locations.c.code == location))
            query = query.where(or_(_ra.c.location == location, _ra.c.id.in_(received_there)))
        if after is not None:
            query = query.where(_ra.c.id > after)
        return self._load(query)

    def unreceived_before(self, before: datetime, limit: int) -> list[str]:
        rows = self._c.execute(select(_ra.c.id).where(_ra.c.status == str(ReturnStatus.AUTHORIZED),
                                                      _ra.c.created_at < before).order_by(_ra.c.id).limit(limit))
        return [row[0] for row in rows]

    def change(self, rma: ReturnAuthorization, expected: ReturnStatus, now: datetime) -> None:
        """Write the RMA's status and settlement, only if nobody moved it since we read it."""
        done = self._c.execute(
            update(_ra).where(_ra.c.id == rma.id, _ra.c.status == str(expected))
            .values(status=str(rma.status), replacement_order_id=rma.replacement_order_id,
                    refund_method=rma.refund_method, refund=refund_json(rma.refund) if rma.refund else None,
                    updated_at=now)
        )
        if done.rowcount != 1:
            raise StaleStatus(rma.id)

    def add_dispositions(
        self, return_id: str, lines: Sequence[ReceivedLine], location_id: int, actor: str, now: datetime,
    ) -> None:
        """Restocked units are done as they arrive; the others wait in their queue until resolved."""
        self._c.execute(insert(_rd), [
            {"return_id": return_id, "sku": ln.sku, "location_id": location_id, "quantity": ln.quantity,
             "condition": str(ln.condition), "disposition": str(ln.disposition), "actor": actor, "received_at": now,
             **_resolved(ln.disposition is Disposition.RESTOCK, actor, now)}
            for ln in lines
        ])

    def dispositions(self, *, location: str | None, disposition: str | None, return_id: str | None,
                     waiting: bool | None, after: int | None, limit: int) -> list[DispositionRecord]:
        query = _DISPOSITIONS.order_by(_rd.c.id).limit(limit)
        for column, value in ((locations.c.code, location), (_rd.c.disposition, disposition),
                              (_rd.c.return_id, return_id)):
            if value is not None:
                query = query.where(column == value)
        if waiting is not None:
            query = query.where(_rd.c.outcome.is_(None) if waiting else _rd.c.outcome.is_not(None))
        if after is not None:
            query = query.where(_rd.c.id > after)
        return [_disposition(r) for r in self._c.execute(query).mappings()]

    def disposition(self, disposition_id: int, *, lock: bool = False) -> tuple[DispositionRecord, int] | None:
        """One disposition and its location's id; `lock` holds its row until commit."""
        query = _DISPOSITIONS.where(_rd.c.id == disposition_id)
        if lock and self._c.dialect.name == "postgresql":
            query = query.with_for_update(of=_rd)
        row = self._c.execute(query).mappings().first()
        return (_disposition(row), row["location_id"]) if row else None

    def resolve(self, disposition_id: int, outcome: Outcome, actor: str, now: datetime) -> bool:
        """Take it off its queue, only if nobody did meanwhile."""
        done = self._c.execute(update(_rd).where(_rd.c.id == disposition_id, _rd.c.outcome.is_(None))
                               .values(outcome=str(outcome), resolved_by=actor, resolved_at=now))
        return done.rowcount == 1

    # ------------------------------------------------------------------------------------------- analytics

    def returned_units(self, start: datetime, end: datetime) -> list[analytics.ReturnedUnits]:
        """Units received back in [start, end), with the reason, the order's channel and where they came in."""
        rows = self._c.execute(
            select(_rd.c.sku, return_lines.c.reason, _ra.c.channel, locations.c.code, _rd.c.received_at,
                   _rd.c.quantity)
            .join(_ra, _ra.c.id == _rd.c.return_id)
            .join(return_lines, (return_lines.c.return_id == _rd.c.return_id) & (return_lines.c.sku == _rd.c.sku))
            .join(locations, locations.c.id == _rd.c.location_id)
            .where(_rd.c.received_at >= start, _rd.c.received_at < end)
        )
        return [analytics.ReturnedUnits(r[0], r[1], r[2], r[3], r[4].date(), r[5]) for r in rows]

    def sold_units(self, start: datetime, end: datetime) -> list[analytics.SoldUnits]:
        """Units that left a location for a customer (shipped or handed over) in [start, end)."""
        m = inventory_movements
        rows = self._c.execute(
            select(skus.c.code, orders.c.channel, locations.c.code, m.c.occurred_at, m.c.quantity)
            .join(skus, skus.c.id == m.c.sku_id).join(locations, locations.c.id == m.c.location_id)
            .join(orders, orders.c.id == m.c.order_id)
            .where(m.c.kind == "shipment", m.c.occurred_at >= start, m.c.occurred_at < end)
        )
        return [analytics.SoldUnits(r[0], r[1], r[2], r[3].date(), int(r[4])) for r in rows]

    # ------------------------------------------------------------------------------------------- loading

    def _load(self, query: Any) -> list[ReturnAuthorization]:
        heads = list(self._c.execute(query).mappings())
        if not heads:
            return []
        ids = [h["id"] for h in heads]
        received: dict[tuple[str, str], int] = defaultdict(int)
        places: dict[str, set[str]] = defaultdict(set)
        for return_id, sku, code, units in self._c.execute(
            select(_rd.c.return_id, _rd.c.sku, locations.c.code, _rd.c.quantity)
            .join(locations, locations.c.id == _rd.c.location_id).where(_rd.c.return_id.in_(ids))
        ):
            received[return_id, sku] += units
            places[return_id].add(code)
        lines: dict[str, list[ReturnLine]] = defaultdict(list)
        for r in self._c.execute(select(return_lines).where(return_lines.c.return_id.in_(ids))
                                 .order_by(return_lines.c.return_id, return_lines.c.sku)).mappings():
            lines[r["return_id"]].append(ReturnLine(r["sku"], r["quantity"], r["reason"],
                                                    received[r["return_id"], r["sku"]]))
        return [_rma(h, lines[h["id"]], tuple(sorted(places[h["id"]]))) for h in heads]


def _resolved(restocked: bool, actor: str, now: datetime) -> dict[str, Any]:
    if restocked:
        return {"outcome": str(Outcome.RESTOCK), "resolved_by": actor, "resolved_at": now}
    return {"outcome": None, "resolved_by": None, "resolved_at": None}


def _disposition(row: RowMapping) -> DispositionRecord:
    return DispositionRecord(
        row["id"], row["return_id"], row["sku"], row["location"], row["quantity"], Condition(row["condition"]),
        Disposition(row["disposition"]), row["actor"], row["received_at"],
        Outcome(row["outcome"]) if row["outcome"] else None, row["resolved_by"], row["resolved_at"],
    )


def _rma(row: RowMapping, lines: list[ReturnLine], received_at: tuple[str, ...]) -> ReturnAuthorization:
    label = None
    if row["tracking_number"] is not None:
        label = ReturnLabel(row["carrier"], row["tracking_number"], row["label_cost"], row["returns_location"],
                            row["expected_arrival"], dict(row["label"] or {}))
    return ReturnAuthorization(
        id=row["id"], order_id=row["order_id"], channel=row["channel"], method=ReturnMethod(row["method"]),
        status=ReturnStatus(row["status"]), lines=lines, created_at=row["created_at"], actor=row["actor"],
        location=row["location"], label=label, replacement_order_id=row["replacement_order_id"],
        refund=refund_from(row["refund"]) if row["refund"] else None, refund_method=row["refund_method"],
        received_at=received_at,
    )


def refund_json(refund: Refund) -> dict[str, Any]:
    return {
        "lines": [{"sku": ln.sku, "quantity": ln.quantity, "reason": ln.reason, "unit_price": money_text(ln.unit_price),
                   "amount": money_text(ln.amount), "restocking_fee": money_text(ln.restocking_fee),
                   "refund": money_text(ln.refund)}
                  for ln in refund.lines],
        "shipping": money_text(refund.shipping), "restocking_fee": money_text(refund.restocking_fee),
        "total": money_text(refund.total),
    }


def refund_from(document: dict[str, Any]) -> Refund:
    lines = tuple(RefundLine(ln["sku"], ln["quantity"], ln["reason"], Decimal(ln["unit_price"]), Decimal(ln["amount"]),
                             Decimal(ln["restocking_fee"]), Decimal(ln["refund"])) for ln in document["lines"])
    return Refund(lines, Decimal(document["shipping"]), Decimal(document["restocking_fee"]),
                  Decimal(document["total"]))
