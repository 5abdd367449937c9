"""The wire contract of shipping: the ship body, shipments with their tracking, tracking events."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import Order
from omnifill.domain.shipping import MAX_PARCEL_KG, MAX_SIDE_CM, Parcel, Shipment, TrackingEvent
from omnifill.entrypoints.api.schemas import OrderOut, Strict, money

Kilograms = Annotated[Decimal, Field(gt=0, le=MAX_PARCEL_KG, max_digits=6, decimal_places=3, allow_inf_nan=False)]
Centimetres = Annotated[Decimal, Field(gt=0, le=MAX_SIDE_CM, max_digits=5, decimal_places=1, allow_inf_nan=False)]
GRAM = Decimal("0.001")  # weights read as stored: to the gram
TrackingStatus = Literal["in_transit", "out_for_delivery", "delivered", "exception"]


class ParcelIn(Strict):
    weight_kg: Kilograms
    length_cm: Centimetres | None = None
    width_cm: Centimetres | None = None
    height_cm: Centimetres | None = None


class ShipFulfillmentIn(Strict):
    """The boxes as packed; left out, the work ships in one box weighing its units."""

    parcels: Annotated[list[ParcelIn], Field(min_length=1, max_length=50)] | None = None

    def to_domain(self) -> list[Parcel] | None:
        if self.parcels is None:
            return None
        found = []
        for index, p in enumerate(self.parcels):
            try:
                found.append(Parcel(p.weight_kg, p.length_cm, p.width_cm, p.height_cm))
            except InvalidInput as refused:
                raise InvalidInput(f"parcels[{index}].{refused.field}", refused.problem) from None
        return found


class TrackingEventIn(Strict):
    status: TrackingStatus
    at: AwareDatetime | None = Field(None, description="When the carrier saw it; now when left out.")
    note: Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)] | None = None


class ParcelOut(BaseModel):
    weight_kg: str
    length_cm: str | None
    width_cm: str | None
    height_cm: str | None

    @classmethod
    def of(cls, p: Parcel) -> ParcelOut:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else f"{value.normalize():f}"

        return cls(weight_kg=f"{p.weight_kg.quantize(GRAM):f}", length_cm=text(p.length_cm), width_cm=text(p.width_cm),
                   height_cm=text(p.height_cm))


class TrackingEventOut(BaseModel):
    status: str
    at: datetime
    note: str | None
    actor: str

    @classmethod
    def of(cls, e: TrackingEvent) -> TrackingEventOut:
        return cls(status=str(e.status), at=e.at, note=e.note, actor=e.actor)


class ShipmentOut(BaseModel):
    id: str
    fulfillment_id: str
    order_id: str
    origin: str
    carrier: str
    service: str | None
    tracking_number: str
    cost: str | None = Field(description="What the label cost; null when a dropship vendor paid its own carrier.")
    promised_by: date | None
    estimated_delivery: date | None
    status: str
    on_time: bool | None = Field(description="Set on delivery: delivered on or before the date due, at the "
                                             "ship-to address (the order's promise, else the carrier's estimate).")
    created_at: datetime
    delivered_at: datetime | None
    parcels: list[ParcelOut]
    events: list[TrackingEventOut]
    label_url: str | None

    @classmethod
    def of(cls, s: Shipment) -> ShipmentOut:
        return cls(
            id=s.id, fulfillment_id=s.fulfillment_id, order_id=s.order_id, origin=s.origin, carrier=s.carrier,
            service=str(s.service) if s.service else None, tracking_number=s.tracking_number,
            cost=money(s.cost) if s.cost is not None else None, promised_by=s.promised_by,
            estimated_delivery=s.estimated_delivery, status=str(s.status), on_time=s.on_time,
            created_at=s.created_at, delivered_at=s.delivered_at, parcels=[ParcelOut.of(p) for p in s.parcels],
            events=[TrackingEventOut.of(e) for e in s.events],
            label_url=f"/v1/shipments/{s.id}/label" if s.has_label else None,
        )


class ShippedOut(OrderOut):
    """The order after the ship move, with the shipment it made."""

    shipment: ShipmentOut

    @classmethod
    def of_shipped(cls, order: Order, shipment: Shipment) -> ShippedOut:
        return cls(**OrderOut.of(order).model_dump(), shipment=ShipmentOut.of(shipment))
