"""Orders and their fulfillment orders. Status changes are conditional updates: a lost race is visible."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, delete, exists, insert, or_, select, update

from omnifill.adapters.sql.tables import fulfillment_lines, fulfillment_orders, locations, order_lines, orders, skus
from omnifill.domain.orders import (
    RELEASED_FULFILLMENTS,
    Address,
    Customer,
    Delivery,
    DeliveryMethod,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    ServiceLevel,
)
from omnifill.domain.pickup import HandoffMethod

# Built once: order intake runs these for every order (see InventoryRepository for why).
_INSERT_ORDER = insert(orders)
_INSERT_LINES = insert(order_lines)
_INSERT_FULFILLMENTS = insert(fulfillment_orders)
_INSERT_FULFILLMENT_LINES = insert(fulfillment_lines)
_ORDER_FOR_EXTERNAL = select(orders.c.id).where(
    orders.c.channel == bindparam("channel"), orders.c.external_id == bindparam("external_id")
)


class StaleStatus(Exception):
    """Someone else changed the status between our read and our write."""


class OrderRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(
        self, order: Order, sku_ids: Mapping[str, int], location_ids: Mapping[str, int], now: datetime,
        customer_id: str | None = None,
    ) -> None:
        self._c.execute(_INSERT_ORDER, {
            "id": order.id, "channel": order.channel, "external_id": order.external_id, "status": str(order.status),
            "customer": _customer_json(order.customer), "ship_to": _address_json(order.ship_to),
            "delivery_method": str(order.delivery.method),
            "service_level": str(order.delivery.service_level) if order.delivery.service_level else None,
            "pickup_location": order.delivery.location, "promised_by": order.delivery.promised_by,
            "routing_profile": order.routing_profile, "curbside": order.delivery.curbside,
            "created_at": order.created_at, "updated_at": now, "channel_data": order.channel_data,
            "customer_id": customer_id,
        })
        self._c.execute(_INSERT_LINES, [
            {"order_id": order.id, "line_no": no, "sku": line.sku, "quantity": line.quantity,
             "unit_price": line.unit_price}
            for no, line in enumerate(order.lines, start=1)
        ])
        self.add_fulfillments(order.id, order.fulfillments, sku_ids, location_ids, now)

    def add_fulfillments(
        self, order_id: str, fulfillments: Sequence[FulfillmentOrder], sku_ids: Mapping[str, int],
        location_ids: Mapping[str, int], now: datetime,
    ) -> None:
        if not fulfillments:
            return
        self._c.execute(_INSERT_FULFILLMENTS, [
            {"id": f.id, "order_id": order_id, "location_id": location_ids[f.location], "status": str(f.status),
             "created_at": now, "updated_at": now}
            for f in fulfillments
        ])
        self._c.execute(_INSERT_FULFILLMENT_LINES, [
            {"fulfillment_id": f.id, "sku_id": sku_ids[line.sku], "quantity": line.quantity}
            for f in fulfillments for line in f.lines
        ])

    def replace_fulfillment_lines(self, fulfillment: FulfillmentOrder, sku_ids: Mapping[str, int]) -> None:
        """A short pick leaves a fulfillment with fewer units: its lines become what was found."""
        self._c.execute(delete(fulfillment_lines).where(fulfillment_lines.c.fulfillment_id == fulfillment.id))
        if fulfillment.lines:
            self._c.execute(_INSERT_FULFILLMENT_LINES, [
                {"fulfillment_id": fulfillment.id, "sku_id": sku_ids[line.sku], "quantity": line.quantity}
                for line in fulfillment.lines
            ])

    def order_id_for_fulfillment(self, fulfillment_id: str) -> str | None:
        found: str | None = self._c.execute(
            select(fulfillment_orders.c.order_id).where(fulfillment_orders.c.id == fulfillment_id)
        ).scalar()
        return found

    def id_for_external(self, channel: str, external_id: str) -> str | None:
        found: str | None = self._c.execute(
            _ORDER_FOR_EXTERNAL, {"channel": channel, "external_id": external_id}
        ).scalar()
        return found

    def ids_for_external_id(self, external_id: str, limit: int) -> list[str]:
        """Orders carrying this channel order number, on any channel (a customer at a counter knows no channel)."""
        query = select(orders.c.id).where(orders.c.external_id == external_id).order_by(orders.c.id).limit(limit)
        return [r[0] for r in self._c.execute(query)]

    def get(self, order_id: str, *, lock: bool = False) -> Order | None:
        """One order; `lock` holds its row until commit so two changes to one order run one after the other."""
        query = select(orders).where(orders.c.id == order_id)
        if lock and self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        found = self._load(query)
        return found[0] if found else None

    def page(
        self, *, status: str | None, channel: str | None, location: str | None, after: str | None, limit: int
    ) -> list[Order]:
        query = select(orders).order_by(orders.c.id).limit(limit)
        if status is not None:
            query = query.where(orders.c.status == status)
        if channel is not None:
            query = query.where(orders.c.channel == channel)
        if after is not None:
            query = query.where(orders.c.id > after)
        if location is not None:
            at_location = (
                select(fulfillment_orders.c.order_id)
                .join(locations, locations.c.id == fulfillment_orders.c.location_id)
                .where(locations.c.code == location)
            )
            query = query.where(or_(orders.c.id.in_(at_location), orders.c.pickup_location == location))
        return self._load(query)

    def fulfillment_page(
        self, location: str | None, status: str | None, after: str | None, limit: int, kind: str | None = None,
        channel: str | None = None,
    ) -> list[tuple[str, FulfillmentOrder]]:
        """(order id, fulfillment) in id order (creation order), filtered by location code or kind, status and the
        order's channel."""
        query = (select(fulfillment_orders.c.id, fulfillment_orders.c.order_id).order_by(fulfillment_orders.c.id)
                 .join(locations, locations.c.id == fulfillment_orders.c.location_id))
        if location is not None:
            query = query.where(locations.c.code == location)
        if kind is not None:
            query = query.where(locations.c.kind == kind)
        if status is not None:
            query = query.where(fulfillment_orders.c.status == status)
        if channel is not None:
            query = query.join(orders, orders.c.id == fulfillment_orders.c.order_id).where(orders.c.channel == channel)
        if after is not None:
            query = query.where(fulfillment_orders.c.id > after)
        heads = self._c.execute(query.limit(limit)).all()
        loaded = self._fulfillments(sorted({order_id for _, order_id in heads}))
        by_id = {f.id: (order_id, f) for order_id, found in loaded.items() for f in found}
        return [by_id[fulfillment_id] for fulfillment_id, _ in heads]

    def due(self, status: str, before: datetime, since: str, limit: int) -> list[str]:
        """Ids of fulfillments in `status` whose `since` time (created_at, ready_at…) is before `before`."""
        moment = fulfillment_orders.c[since]
        rows = self._c.execute(
            select(fulfillment_orders.c.id).where(fulfillment_orders.c.status == status, moment < before)
            .order_by(fulfillment_orders.c.id).limit(limit)
        )
        return [row[0] for row in rows]

    def waiting_to_start(self, placed_before: datetime, limit: int) -> list[str]:
        """Ids of allocated orders placed before then whose every live fulfillment is still pending."""
        # Correlated, so each allocated order looks at its own few fulfillments (ix_fulfillment_orders_order).
        started = exists().where(
            fulfillment_orders.c.order_id == orders.c.id,
            fulfillment_orders.c.status.not_in([str(FulfillmentStatus.PENDING),
                                                *(str(s) for s in RELEASED_FULFILLMENTS)]),
        )
        rows = self._c.execute(
            select(orders.c.id)
            .where(orders.c.status == str(OrderStatus.ALLOCATED), orders.c.created_at < placed_before, ~started)
            .order_by(orders.c.id).limit(limit)
        )
        return [row[0] for row in rows]

    def fulfillments_since(self, location_ids: Sequence[int], since: datetime) -> list[tuple[int, datetime]]:
        """(location id, created at) of the work still live at these locations, created since then."""
        if not location_ids:
            return []
        released = [str(s) for s in RELEASED_FULFILLMENTS]
        rows = self._c.execute(
            select(fulfillment_orders.c.location_id, fulfillment_orders.c.created_at)
            .where(fulfillment_orders.c.location_id.in_(list(location_ids)),
                   fulfillment_orders.c.created_at >= since, fulfillment_orders.c.status.not_in(released))
        )
        return [(row[0], row[1]) for row in rows]

    def waiting_for_wave(self, profiles: Sequence[str], limit: int) -> list[Order]:
        """Allocated ship orders of these profiles, oldest first, none of whose work has left `pending`."""
        if not profiles:
            return []
        query = (
            select(orders).where(orders.c.status == str(OrderStatus.ALLOCATED),
                                 orders.c.delivery_method == str(DeliveryMethod.SHIP),
                                 orders.c.routing_profile.in_(list(profiles)))
            .order_by(orders.c.id).limit(limit)
        )
        return [o for o in self._load(query)
                if all(f.status is FulfillmentStatus.PENDING for f in o.live_fulfillments())]

    def shipped_demand_since(self, since: datetime) -> list[tuple[str, dict[str, int]]]:
        """(ship-to postal code, {SKU: units}) of every ship order placed since then: what the look-ahead expects."""
        rows = self._c.execute(
            select(orders.c.id, orders.c.ship_to, order_lines.c.sku, order_lines.c.quantity)
            .join(order_lines, order_lines.c.order_id == orders.c.id)
            .where(orders.c.created_at >= since, orders.c.delivery_method == str(DeliveryMethod.SHIP))
            .order_by(orders.c.id)
        )
        found: dict[str, tuple[str, dict[str, int]]] = {}
        for order_id, ship_to, sku, quantity in rows:
            _, lines = found.setdefault(order_id, (ship_to["postal_code"], {}))
            lines[sku] = lines.get(sku, 0) + quantity
        return list(found.values())

    def open_at(self, location: str, statuses: Sequence[str], limit: int) -> list[Order]:
        """Orders with a fulfillment at the location in one of these statuses, oldest first."""
        at_location = (
            select(fulfillment_orders.c.order_id)
            .join(locations, locations.c.id == fulfillment_orders.c.location_id)
            .where(locations.c.code == location, fulfillment_orders.c.status.in_(list(statuses)))
        )
        return self._load(select(orders).where(orders.c.id.in_(at_location)).order_by(orders.c.id).limit(limit))

    def change_status(self, order: Order, expected: OrderStatus, now: datetime) -> None:
        """Write the order's new status (and its fulfillments'), only if nobody moved it since we read it."""
        done = self._c.execute(
            update(orders).where(orders.c.id == order.id, orders.c.status == str(expected))
            .values(status=str(order.status), updated_at=now)
        )
        if done.rowcount != 1:
            raise StaleStatus(order.id)
        for f in order.fulfillments:
            self._c.execute(
                update(fulfillment_orders).where(fulfillment_orders.c.id == f.id)
                .values(status=str(f.status), pickup_code=f.pickup_code, handed_over_by=f.handed_over_by,
                        handed_over_at=f.handed_over_at, ready_at=f.ready_at, reminded_at=f.reminded_at,
                        carrier=f.carrier, tracking_number=f.tracking_number,
                        handoff_method=str(f.handoff_method) if f.handoff_method else None, arrived_at=f.arrived_at,
                        curbside_bay=f.curbside_bay, curbside_vehicle=f.curbside_vehicle, updated_at=now)
            )

    def many(self, order_ids: Sequence[str]) -> list[Order]:
        """These orders, in the order the ids were given (a missing id is left out)."""
        found = {o.id: o for o in self._load(select(orders).where(orders.c.id.in_(list(order_ids))))}
        return [found[i] for i in order_ids if i in found]

    def _load(self, query: Any) -> list[Order]:
        heads = list(self._c.execute(query).mappings())
        if not heads:
            return []
        ids = [h["id"] for h in heads]
        lines: dict[str, list[OrderLine]] = defaultdict(list)
        for r in self._c.execute(
            select(order_lines).where(order_lines.c.order_id.in_(ids)).order_by(order_lines.c.line_no)
        ).mappings():
            lines[r["order_id"]].append(OrderLine(r["sku"], r["quantity"], Decimal(r["unit_price"])))
        fulfillments = self._fulfillments(ids)
        return [_order_from_row(h, lines[h["id"]], fulfillments[h["id"]]) for h in heads]

    def _fulfillments(self, order_ids: list[str]) -> dict[str, list[FulfillmentOrder]]:
        rows = self._c.execute(
            select(fulfillment_orders.c.id, fulfillment_orders.c.order_id, fulfillment_orders.c.status,
                   fulfillment_orders.c.pickup_code, fulfillment_orders.c.handed_over_by,
                   fulfillment_orders.c.handed_over_at, fulfillment_orders.c.ready_at,
                   fulfillment_orders.c.reminded_at, fulfillment_orders.c.carrier,
                   fulfillment_orders.c.tracking_number, fulfillment_orders.c.handoff_method,
                   fulfillment_orders.c.arrived_at, fulfillment_orders.c.curbside_bay,
                   fulfillment_orders.c.curbside_vehicle, locations.c.code.label("location"), skus.c.code.label("sku"),
                   fulfillment_lines.c.quantity)
            .join(locations, locations.c.id == fulfillment_orders.c.location_id)
            .join(fulfillment_lines, fulfillment_lines.c.fulfillment_id == fulfillment_orders.c.id)
            .join(skus, skus.c.id == fulfillment_lines.c.sku_id)
            .where(fulfillment_orders.c.order_id.in_(order_ids))
            .order_by(fulfillment_orders.c.id, skus.c.code)
        ).mappings()
        by_id: dict[str, FulfillmentOrder] = {}
        by_order: dict[str, list[FulfillmentOrder]] = defaultdict(list)
        for r in rows:
            f = by_id.get(r["id"])
            if f is None:
                f = by_id[r["id"]] = FulfillmentOrder(
                    r["id"], r["location"], FulfillmentStatus(r["status"]), (), r["pickup_code"], r["handed_over_by"],
                    r["handed_over_at"], r["ready_at"], r["reminded_at"], r["carrier"], r["tracking_number"],
                    HandoffMethod(r["handoff_method"]) if r["handoff_method"] else None, r["arrived_at"],
                    r["curbside_bay"], r["curbside_vehicle"],
                )
                by_order[r["order_id"]].append(f)
            f.lines = (*f.lines, FulfillmentLine(r["sku"], r["quantity"]))
        return by_order


def _customer_json(customer: Customer) -> dict[str, Any]:
    return {"email": customer.email, "name": customer.name, "phone": customer.phone}


def _address_json(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {"postal_code": address.postal_code, "country": address.country, "lines": list(address.lines)}


def _order_from_row(row: RowMapping, lines: list[OrderLine], fulfillments: list[FulfillmentOrder]) -> Order:
    ship_to = row["ship_to"]
    return Order(
        id=row["id"], channel=row["channel"], external_id=row["external_id"], status=OrderStatus(row["status"]),
        customer=Customer(**row["customer"]),
        ship_to=Address(ship_to["postal_code"], ship_to["country"], tuple(ship_to["lines"])) if ship_to else None,
        delivery=Delivery(
            DeliveryMethod(row["delivery_method"]),
            ServiceLevel(row["service_level"]) if row["service_level"] else None,
            row["pickup_location"], row["promised_by"], row["curbside"],
        ),
        lines=tuple(lines), created_at=row["created_at"], fulfillments=fulfillments,
        routing_profile=row["routing_profile"], channel_data=row["channel_data"],
    )
