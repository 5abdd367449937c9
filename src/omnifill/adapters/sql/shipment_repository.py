"""Shipments, their parcels and their tracking events. A status change is a conditional update."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, exists, insert, select, update

from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.tables import locations, shipment_events, shipment_parcels, shipments
from omnifill.domain.orders import ServiceLevel
from omnifill.domain.shipping import Parcel, Shipment, ShipmentStatus, TrackingEvent

_SELECT = select(shipments, locations.c.code.label("origin")).join(locations, locations.c.id == shipments.c.location_id)


class ShipmentRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, shipment: Shipment, location_id: int, now: datetime) -> None:
        self._c.execute(insert(shipments).values(
            id=shipment.id, fulfillment_id=shipment.fulfillment_id, order_id=shipment.order_id,
            location_id=location_id, carrier=shipment.carrier,
            service=str(shipment.service) if shipment.service else None, tracking_number=shipment.tracking_number,
            cost=shipment.cost, promised_by=shipment.promised_by, estimated_delivery=shipment.estimated_delivery,
            status=str(shipment.status), on_time=shipment.on_time, label=dict(shipment.label),
            created_at=shipment.created_at, updated_at=now, delivered_at=shipment.delivered_at,
        ))
        self._c.execute(insert(shipment_parcels), [
            {"shipment_id": shipment.id, "parcel_no": no, "weight_kg": p.weight_kg, "length_cm": p.length_cm,
             "width_cm": p.width_cm, "height_cm": p.height_cm}
            for no, p in enumerate(shipment.parcels, start=1)
        ])

    def tracking_number_taken(self, carrier: str, tracking_number: str) -> bool:
        return bool(self._c.execute(select(exists().where(
            shipments.c.carrier == carrier, shipments.c.tracking_number == tracking_number))).scalar())

    def get(self, shipment_id: str, *, lock: bool = False) -> Shipment | None:
        """One shipment; `lock` holds its row until commit, so tracking events on it run one after the other."""
        query = _SELECT.where(shipments.c.id == shipment_id)
        if lock and self._c.dialect.name == "postgresql":
            query = query.with_for_update(of=shipments)
        found = self._load(query)
        return found[0] if found else None

    def find(self, *, order_id: str | None = None, fulfillment_id: str | None = None,
             tracking_number: str | None = None, carrier: str | None = None) -> list[Shipment]:
        """Shipments matching every filter given, oldest first."""
        query = _SELECT.order_by(shipments.c.id)
        for column, value in ((shipments.c.order_id, order_id), (shipments.c.fulfillment_id, fulfillment_id),
                              (shipments.c.tracking_number, tracking_number), (shipments.c.carrier, carrier)):
            if value is not None:
                query = query.where(column == value)
        return self._load(query)

    def track(self, shipment: Shipment, expected: ShipmentStatus, now: datetime) -> None:
        """Write the shipment's new status and its latest event, only if nobody moved it since we read it."""
        done = self._c.execute(
            update(shipments).where(shipments.c.id == shipment.id, shipments.c.status == str(expected))
            .values(status=str(shipment.status), on_time=shipment.on_time, delivered_at=shipment.delivered_at,
                    updated_at=now)
        )
        if done.rowcount != 1:
            raise StaleStatus(shipment.id)
        event = shipment.events[-1]
        self._c.execute(insert(shipment_events).values(
            shipment_id=shipment.id, status=str(event.status), occurred_at=event.at, note=event.note,
            actor=event.actor, recorded_at=now,
        ))

    def _load(self, query: Any) -> list[Shipment]:
        heads = list(self._c.execute(query).mappings())
        ids = [h["id"] for h in heads]
        if not ids:
            return []
        parcels: dict[str, list[Parcel]] = defaultdict(list)
        for r in self._c.execute(select(shipment_parcels).where(shipment_parcels.c.shipment_id.in_(ids))
                                 .order_by(shipment_parcels.c.shipment_id, shipment_parcels.c.parcel_no)).mappings():
            parcels[r["shipment_id"]].append(Parcel(r["weight_kg"], r["length_cm"], r["width_cm"], r["height_cm"]))
        events: dict[str, list[TrackingEvent]] = defaultdict(list)
        for r in self._c.execute(select(shipment_events).where(shipment_events.c.shipment_id.in_(ids))
                                 .order_by(shipment_events.c.id)).mappings():
            events[r["shipment_id"]].append(
                TrackingEvent(ShipmentStatus(r["status"]), r["occurred_at"], r["note"], r["actor"]))
        return [_shipment(h, parcels[h["id"]], events[h["id"]]) for h in heads]


def _shipment(row: RowMapping, parcels: Sequence[Parcel], events: list[TrackingEvent]) -> Shipment:
    return Shipment(
        id=row["id"], fulfillment_id=row["fulfillment_id"], order_id=row["order_id"], origin=row["origin"],
        carrier=row["carrier"], service=ServiceLevel(row["service"]) if row["service"] else None,
        tracking_number=row["tracking_number"], cost=row["cost"], promised_by=row["promised_by"],
        estimated_delivery=row["estimated_delivery"], status=ShipmentStatus(row["status"]),
        created_at=row["created_at"], parcels=tuple(parcels), label=dict(row["label"]),
        delivered_at=row["delivered_at"], on_time=row["on_time"], events=events,
    )
