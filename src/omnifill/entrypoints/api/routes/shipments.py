"""Shipments: read them with their tracking, print their labels, and take the carriers' tracking events."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from omnifill.domain.access import Permission
from omnifill.domain.shipping import ShipmentStatus, TrackingEvent
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.schemas import Page
from omnifill.entrypoints.api.shipping_schemas import ShipmentOut, TrackingEventIn
from omnifill.services import shipments, shipping

router = APIRouter(prefix="/v1/shipments", tags=["shipping"])


@router.get("")
def list_shipments(
    caller: Caller, uow: Uow, order: str | None = None, fulfillment: str | None = None,
    tracking_number: str | None = None,
) -> Page[ShipmentOut]:
    """The shipments of an order, of a fulfillment, or with a tracking number (give at least one)."""
    caller.require(Permission.SHIPPING_READ)
    found = shipments.find_shipments(uow, caller, order_id=order, fulfillment_id=fulfillment,
                                     tracking_number=tracking_number)
    return Page(items=[ShipmentOut.of(s) for s in found], next_cursor=None)


@router.get("/{shipment_id}")
def get_shipment(shipment_id: str, caller: Caller, uow: Uow) -> ShipmentOut:
    caller.require(Permission.SHIPPING_READ)
    return ShipmentOut.of(shipments.get_shipment(uow, shipment_id, caller))


@router.get("/{shipment_id}/label", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "A 4×6 inch label, a page a parcel"}})
def label(shipment_id: str, caller: Caller, uow: Uow) -> Response:
    caller.require(Permission.SHIPPING_READ)
    pdf = shipments.shipment_label(uow, shipment_id, caller)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="label-{shipment_id}.pdf"'})


@router.post("/{shipment_id}/events")
def track(shipment_id: str, body: TrackingEventIn, caller: Caller, uow: Uow) -> ShipmentOut:
    """What the carrier saw; `delivered` moves the fulfillment and the order to delivered and records on-time."""
    caller.require(Permission.SHIPPING_WRITE)
    now = datetime.now(UTC)
    event = TrackingEvent(ShipmentStatus(body.status), body.at or now, body.note or None, str(caller))
    return ShipmentOut.of(shipping.track_shipment(uow, shipment_id, event, caller, now))
