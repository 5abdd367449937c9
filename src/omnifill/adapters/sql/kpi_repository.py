"""What the KPIs read, in bulk: a handful of queries per report, never one per order (docs/KPIS.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, case, func, literal, select

from omnifill.adapters.sql.tables import (
    backorders,
    fulfillment_lines,
    fulfillment_orders,
    inventory_movements,
    locations,
    order_lines,
    orders,
    pos_transaction_lines,
    pos_transactions,
    return_authorizations,
    return_lines,
    shipments,
    skus,
)
from omnifill.domain.customer_value import Purchase
from omnifill.domain.kpis import DAMAGE_REASONS, ZERO, Departure, OrderFacts, fulfillment_method
from omnifill.domain.locations import LocationKind
from omnifill.domain.stock_kpis import VENDOR_FEED, LedgerEntry

_fo, _m = fulfillment_orders, inventory_movements
_GONE = ("shipped", "delivered", "picked_up")  # fulfillment statuses of work that left for its customer
_UNSETTLED_RETURNS = ("cancelled", "expired")  # returns that never came back


@dataclass(slots=True)
class _Order:
    """An order being assembled from the bulk reads."""

    row: Any
    ordered: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    prices: dict[str, Decimal] = field(default_factory=dict)
    shipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cost_of_goods: Decimal = ZERO
    fulfillments: list[Any] = field(default_factory=list)
    departures: list[Departure] = field(default_factory=list)
    finished: list[datetime] = field(default_factory=list)
    first_shipped_at: datetime | None = None
    short: set[str] = field(default_factory=set)
    damaged: bool = False
    refunded: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class OrderRecords:
    facts: list[OrderFacts]
    departures: dict[str, list[Departure]]  # order id → what left, to cost with the cost model


class KpiRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # ------------------------------------------------------------------------------------------- orders

    def orders(self, since: datetime | None, until: datetime | None) -> OrderRecords:
        """Every order placed in [since, until) (every order with no bounds), as the KPIs see it."""
        placed = select(orders.c.id).where(*_between(orders.c.created_at, since, until))
        found = {row.id: _Order(row) for row in self._c.execute(
            select(orders).where(orders.c.id.in_(placed)).order_by(orders.c.created_at, orders.c.id))}
        self._read_lines(placed, found)
        self._read_fulfillments(placed, found)
        self._read_shipped_units(placed, found)
        self._read_backorders(placed, found)
        self._read_returns(placed, found)
        return OrderRecords([_facts(o) for o in found.values()],
                            {oid: o.departures for oid, o in found.items()})

    def _read_lines(self, placed: Select[Any], found: dict[str, _Order]) -> None:
        for row in self._c.execute(select(order_lines).where(order_lines.c.order_id.in_(placed))):
            order = found[row.order_id]
            order.ordered[row.sku] += row.quantity
            order.prices.setdefault(row.sku, row.unit_price)

    def _read_fulfillments(self, placed: Select[Any], found: dict[str, _Order]) -> None:
        units = (select(fulfillment_lines.c.fulfillment_id, func.sum(fulfillment_lines.c.quantity).label("units"))
                 .group_by(fulfillment_lines.c.fulfillment_id).subquery())
        query = (
            select(_fo.c.id, _fo.c.order_id, _fo.c.status, _fo.c.ready_at, _fo.c.handed_over_at,
                   locations.c.code, locations.c.kind, units.c.units, shipments.c.cost, shipments.c.created_at,
                   shipments.c.delivered_at)
            .join(locations, locations.c.id == _fo.c.location_id)
            .outerjoin(units, units.c.fulfillment_id == _fo.c.id)
            .outerjoin(shipments, shipments.c.fulfillment_id == _fo.c.id)
            .where(_fo.c.order_id.in_(placed)).order_by(_fo.c.created_at, _fo.c.id)
        )
        for row in self._c.execute(query):
            _add_fulfillment(found[row.order_id], row)

    def _read_shipped_units(self, placed: Select[Any], found: dict[str, _Order]) -> None:
        """What left for the customer, from the ledger: units per SKU, valued at their cost when they left."""
        query = (select(_m.c.order_id, skus.c.code, _m.c.on_hand_delta, _m.c.unit_cost)
                 .join(skus, skus.c.id == _m.c.sku_id)
                 .where(_m.c.kind == "shipment", _m.c.order_id.in_(placed)))
        for order_id, sku, delta, unit_cost in self._c.execute(query):
            order = found[order_id]
            order.shipped[sku] -= delta
            order.cost_of_goods -= delta * unit_cost

    def _read_backorders(self, placed: Select[Any], found: dict[str, _Order]) -> None:
        for order_id, sku in self._c.execute(
                select(backorders.c.order_id, backorders.c.sku).where(backorders.c.order_id.in_(placed))):
            found[order_id].short.add(sku)

    def _read_returns(self, placed: Select[Any], found: dict[str, _Order]) -> None:
        ra = return_authorizations
        live = ra.c.order_id.in_(placed) & ra.c.status.not_in(_UNSETTLED_RETURNS)
        query = select(ra.c.order_id, return_lines.c.reason).join(return_lines, return_lines.c.return_id == ra.c.id)
        for order_id, _reason in self._c.execute(query.where(live, return_lines.c.reason.in_(DAMAGE_REASONS))):
            found[order_id].damaged = True
        for order_id, refund in self._c.execute(select(ra.c.order_id, ra.c.refund).where(live)):
            if refund:  # JSON null until the return is refunded
                found[order_id].refunded += Decimal(refund["total"])

    # ------------------------------------------------------------------------------------------- till sales

    def till_purchases(self) -> list[Purchase]:
        """Every till sale of a known customer, with its goods at the SKUs' standard cost."""
        pt, lines = pos_transactions, pos_transaction_lines
        cost: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for pos_id, quantity, unit_cost in self._c.execute(
                select(lines.c.pos_id, lines.c.quantity, skus.c.unit_cost).join(skus, skus.c.code == lines.c.sku)
                .join(pt, pt.c.id == lines.c.pos_id).where(pt.c.kind == "sale", pt.c.customer_id.is_not(None))):
            cost[pos_id] += quantity * unit_cost
        query = (select(pt.c.id, pt.c.customer_id, pt.c.occurred_at, pt.c.total)
                 .where(pt.c.kind == "sale", pt.c.customer_id.is_not(None)).order_by(pt.c.occurred_at, pt.c.id))
        return [Purchase(customer_id, "pos", at, total, cost[pos_id])
                for pos_id, customer_id, at, total in self._c.execute(query)]

    # ------------------------------------------------------------------------------------------- the ledger

    def opening_stock(self, since: datetime) -> dict[tuple[str, str], int]:
        """On hand per (SKU, location) when `since` began: the sum of every earlier change."""
        query = (select(skus.c.code, locations.c.code, func.sum(_m.c.on_hand_delta))
                 .join(skus, skus.c.id == _m.c.sku_id).join(locations, locations.c.id == _m.c.location_id)
                 .where(_m.c.occurred_at < since).group_by(skus.c.code, locations.c.code))
        return {(sku, location): int(units) for sku, location, units in self._c.execute(query)}

    def movements(self, since: datetime, until: datetime) -> list[LedgerEntry]:
        """Every movement in [since, until) that changed on hand, or counted it. A dropship vendor's stock feed is
        booked as counts; it is a sync, not a count of a shelf, so it reads as `vendor_feed` here."""
        feed = (_m.c.kind == "count") & (locations.c.kind == str(LocationKind.DROPSHIP_VENDOR))
        kind = case((feed, literal(VENDOR_FEED)), else_=_m.c.kind)
        query = (select(_m.c.occurred_at, skus.c.code, locations.c.code, kind, _m.c.on_hand_delta,
                        _m.c.on_hand_after, _m.c.unit_cost)
                 .join(skus, skus.c.id == _m.c.sku_id).join(locations, locations.c.id == _m.c.location_id)
                 .where(_m.c.occurred_at >= since, _m.c.occurred_at < until,
                        (_m.c.on_hand_delta != 0) | (_m.c.kind == "count"))
                 .order_by(_m.c.occurred_at, _m.c.id))
        return [LedgerEntry(*row) for row in self._c.execute(query)]

    def standard_costs(self) -> dict[str, Decimal]:
        return dict(self._c.execute(select(skus.c.code, skus.c.unit_cost)).all())


def _between(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    return [c for c in (column >= since if since else None, column < until if until else None) if c is not None]


def _add_fulfillment(order: _Order, row: Any) -> None:
    order.fulfillments.append(row)
    if row.status not in _GONE:
        return
    kind = LocationKind(row.kind)
    order.departures.append(Departure(row.code, kind, int(row.units or 0), row.cost or ZERO))
    finished = row.delivered_at or row.handed_over_at
    if finished is not None:
        order.finished.append(finished)
    if row.created_at is not None and (order.first_shipped_at is None or row.created_at < order.first_shipped_at):
        order.first_shipped_at = row.created_at


def _facts(order: _Order) -> OrderFacts:
    row = order.row
    live = [f for f in order.fulfillments if f.status not in ("cancelled", "rejected", "expired")]
    first = order.fulfillments[0] if order.fulfillments else None
    pickup = row.delivery_method == "pickup"
    filled = [sku for sku, units in order.ordered.items() if order.shipped.get(sku, 0) >= units]
    done = bool(live) and len(order.finished) == len(live)
    return OrderFacts(
        order_id=row.id, channel=row.channel, placed_at=row.created_at,
        lines_ordered=len(order.ordered), units_ordered=sum(order.ordered.values()),
        lines_filled=len(filled), units_filled=sum(min(order.shipped.get(s, 0), n) for s, n in order.ordered.items()),
        lines_short=len(order.short & set(order.ordered)), shipments=len(order.departures),
        method=fulfillment_method(LocationKind(first.kind), pickup, row.curbside) if first else None,
        location=first.code if first else None, promised_by=row.promised_by,
        completed_on=_day(max(order.finished)) if done else None,
        first_shipped_at=order.first_shipped_at, ready_at=_ready_at(order.fulfillments) if pickup else None,
        damaged_return=order.damaged, cancelled=row.status == "cancelled",
        revenue=sum((order.prices[s] * n for s, n in order.shipped.items() if s in order.prices), ZERO),
        cost_of_goods=order.cost_of_goods, refunded=order.refunded, customer_id=row.customer_id,
    )


def _ready_at(fulfillments: Iterable[Any]) -> datetime | None:
    moments = [f.ready_at for f in fulfillments if f.ready_at is not None]
    return min(moments) if moments else None


def _day(moment: datetime) -> date:
    return moment.date()  # times are stored in UTC: a KPI day is the UTC day
