"""The wire contract of /v1/routing. Never the tables: these models change only with the API's version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import FulfillmentOrder, ServiceLevel
from omnifill.domain.routing.availability import Promise
from omnifill.domain.routing.backorders import Backorder
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.entrypoints.api.schemas import Code, Country, PostalCode, Strict, Text
from omnifill.entrypoints.api.warehouse_schemas import CartonOut
from omnifill.services.lookahead import LookaheadMethod
from omnifill.services.packing import CartonRecord

_DEFAULT = RoutingProfile()  # the defaults of a field left out are the domain's, stated once
BufferUnits = Annotated[int, Field(ge=0, le=1_000_000)]
Miles = Annotated[float, Field(gt=0, le=25_000, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


class RoutingProfileIn(Strict):
    """A whole profile (PUT replaces it): a field left out takes its default, not the value stored before."""

    name: Code | None = Field(None, description="Optional; if sent, it must equal the name in the path.")
    channels: list[Code] = Field(default_factory=list, max_length=200)
    service_levels: list[ServiceLevel] = Field(default_factory=list, max_length=3)
    excluded_locations: list[Code] = Field(default_factory=list, max_length=10_000)
    excluded_kinds: list[LocationKind] = Field(default_factory=list, max_length=5)
    max_distance_miles: Miles | None = _DEFAULT.max_distance_miles
    safety_buffer_by_kind: dict[LocationKind, BufferUnits] = Field(default_factory=dict)
    safety_buffer_by_location: dict[Code, BufferUnits] = Field(default_factory=dict, max_length=10_000)
    enforce_promise: bool = _DEFAULT.enforce_promise
    max_packages: Annotated[int, Field(ge=1, le=10)] = _DEFAULT.max_packages
    split_threshold: Amount = _DEFAULT.split_threshold
    look_ahead: bool = _DEFAULT.look_ahead
    batchable: bool = _DEFAULT.batchable
    pickup_lead_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = _DEFAULT.pickup_lead_minutes

    def to_domain(self, name: str) -> RoutingProfile:
        if self.name is not None and self.name != name:
            raise InvalidInput("name", "must equal the name in the path (or be left out)")
        return RoutingProfile(
            name=name, channels=frozenset(self.channels), service_levels=frozenset(self.service_levels),
            excluded_locations=frozenset(self.excluded_locations), excluded_kinds=frozenset(self.excluded_kinds),
            max_distance_miles=self.max_distance_miles, safety_buffer_by_kind=dict(self.safety_buffer_by_kind),
            safety_buffer_by_location=dict(self.safety_buffer_by_location), enforce_promise=self.enforce_promise,
            max_packages=self.max_packages, split_threshold=self.split_threshold, look_ahead=self.look_ahead,
            batchable=self.batchable, pickup_lead_minutes=self.pickup_lead_minutes,
        )


class RoutingProfileOut(BaseModel):
    name: str
    channels: list[str]
    service_levels: list[ServiceLevel]
    excluded_locations: list[str]
    excluded_kinds: list[LocationKind]
    max_distance_miles: float | None
    safety_buffer_by_kind: dict[LocationKind, int]
    safety_buffer_by_location: dict[str, int]
    enforce_promise: bool
    max_packages: int
    split_threshold: float
    look_ahead: bool
    batchable: bool
    pickup_lead_minutes: int

    @classmethod
    def of(cls, p: RoutingProfile) -> RoutingProfileOut:
        return cls(
            name=p.name, channels=sorted(p.channels), service_levels=sorted(p.service_levels),
            excluded_locations=sorted(p.excluded_locations), excluded_kinds=sorted(p.excluded_kinds),
            max_distance_miles=p.max_distance_miles,
            safety_buffer_by_kind=dict(sorted(p.safety_buffer_by_kind.items())),
            safety_buffer_by_location=dict(sorted(p.safety_buffer_by_location.items())),
            enforce_promise=p.enforce_promise, max_packages=p.max_packages, split_threshold=p.split_threshold,
            look_ahead=p.look_ahead, batchable=p.batchable, pickup_lead_minutes=p.pickup_lead_minutes,
        )


# ------------------------------------------------------------------------------- decisions and backorders


class DecisionOut(BaseModel):
    """One routing decision: every candidate with its verdict, reason and cost, and the packages chosen."""

    sequence: int
    kind: str  # initial | reroute | wave
    profile: str
    decided_at: datetime
    explanation: dict[str, Any]


class BackorderOut(BaseModel):
    id: str
    order_id: str
    sku: str
    quantity: int
    status: str
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, b: Backorder) -> BackorderOut:
        return cls(id=b.id, order_id=b.order_id, sku=b.sku, quantity=b.quantity, status=str(b.status),
                   reason=b.reason, created_at=b.created_at)


class RejectIn(Strict):
    reason: Code = Field(description="A code from OMNIFILL_REJECT_REASONS (damaged, not_found, no_capacity, other).")
    note: Text | None = None


class PickedLineIn(Strict):
    sku: Code
    picked: Annotated[int, Field(ge=0, le=1_000_000)]


class ShortPickIn(Strict):
    """What the picker found of each short line; a line left out was found in full."""

    lines: Annotated[list[PickedLineIn], Field(min_length=1, max_length=200)]
    reason: Text


# -------------------------------------------------------------------------------------------- promises


class BasketLineIn(Strict):
    sku: Code
    quantity: Annotated[int, Field(ge=1, le=10_000)]


class AvailabilityIn(Strict):
    postal_code: PostalCode
    country: Country = "US"
    channel: Code | None = Field(None, description="Picks the routing profiles; a channel key's own by default.")
    lines: Annotated[list[BasketLineIn], Field(min_length=1, max_length=50)]


class PickupOptionOut(BaseModel):
    location: str
    name: str
    distance_miles: float | None
    ready_by: datetime


class DeliveryOptionOut(BaseModel):
    service_level: ServiceLevel
    delivers_on: date | None
    price: str  # carrier charges of the plan, a decimal string like every amount in the API
    packages: int
    ships_from: list[str]


class UnavailableOut(BaseModel):
    service_level: ServiceLevel
    reason: str


class AvailabilityOut(BaseModel):
    pickup: list[PickupOptionOut]
    delivery: list[DeliveryOptionOut]
    unavailable: list[UnavailableOut]

    @classmethod
    def of(cls, promise: Promise) -> AvailabilityOut:
        return cls(
            pickup=[PickupOptionOut(location=p.location, name=p.name, ready_by=p.ready_by,
                                    distance_miles=round(p.distance_miles, 1) if p.distance_miles is not None
                                    else None) for p in promise.pickup],
            delivery=[DeliveryOptionOut(service_level=d.service_level, delivers_on=d.delivers_on,
                                        price=f"{d.price:.2f}", packages=d.packages, ships_from=list(d.ships_from))
                      for d in promise.delivery],
            unavailable=[UnavailableOut(service_level=u.service_level, reason=u.reason) for u in promise.unavailable],
        )


# ------------------------------------------------------------------------------- look-ahead and waves


class LookaheadIn(Strict):
    history_hours: Annotated[float, Field(gt=0, le=24 * 90, allow_inf_nan=False)] = 24
    horizon_hours: Annotated[float, Field(gt=0, le=24 * 30, allow_inf_nan=False)] = 24
    method: LookaheadMethod = LookaheadMethod.TRANSPORTATION


class LookaheadOut(BaseModel):
    orders_seen: int
    skus: int
    locations: int
    regions: int
    priced: int
    seconds: float


class WaveIn(Strict):
    time_limit_seconds: Annotated[float, Field(gt=0, le=600, allow_inf_nan=False)] = 10
    max_orders: Annotated[int, Field(ge=1, le=50_000)] = 5_000


class WaveOut(BaseModel):
    """What a wave did: orders seen and re-routed, their cost before and after, and how the MILP fared."""

    id: str
    started_at: datetime
    orders: int
    changed: int
    cost_before: float
    cost_after: float
    objective: float
    greedy_objective: float
    best_bound: float | None
    gap: float
    seconds: float
    status: str
    fallback: bool


# ------------------------------------------------------------------------------------------ fulfillment


class FulfillmentView(BaseModel):
    """One location's part of an order, as the location works on it."""

    id: str
    order_id: str
    location: str
    status: str
    lines: list[dict[str, Any]]
    pickup_code: str | None = Field(None, description="Admin and operator keys only; never shown to store keys.")
    handed_over_by: str | None = None
    handed_over_at: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    cartons: list[CartonOut] = Field(default_factory=list, description="Chosen at `pack`.")
    handoff_method: str | None = Field(None, description="pickup_code or order_number_and_name")
    arrived_at: datetime | None = None
    bay: str | None = None
    vehicle: str | None = None

    @classmethod
    def of(
        cls, order_id: str, f: FulfillmentOrder, *, show_code: bool = False, cartons: Sequence[CartonRecord] = (),
    ) -> FulfillmentView:
        return cls(id=f.id, order_id=order_id, location=f.location, status=str(f.status),
                   lines=[{"sku": ln.sku, "quantity": ln.quantity} for ln in f.lines],
                   pickup_code=f.pickup_code if show_code else None, handed_over_by=f.handed_over_by,
                   handed_over_at=f.handed_over_at, carrier=f.carrier, tracking_number=f.tracking_number,
                   cartons=[CartonOut.of(c) for c in cartons],
                   handoff_method=str(f.handoff_method) if f.handoff_method else None, arrived_at=f.arrived_at,
                   bay=f.curbside_bay, vehicle=f.curbside_vehicle)


class PurchaseOrderView(FulfillmentView):
    """A fulfillment at a dropship vendor, with what the vendor needs to ship it."""

    ship_to: dict[str, Any] | None
    customer_name: str | None


class ShipPurchaseOrderIn(Strict):
    carrier: Code
    tracking_number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9\-]{4,64}$")]


class VendorStockLineIn(Strict):
    sku: Code
    on_hand: Annotated[int, Field(ge=0, le=10_000_000)]


class VendorStockFeedIn(Strict):
    """The vendor's whole stock: a SKU it held that is left out is counted as zero."""

    items: Annotated[list[VendorStockLineIn], Field(max_length=100_000)]


Bay = Annotated[str, StringConstraints(min_length=1, max_length=32, strip_whitespace=True)]
Vehicle = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]


class ArrivedIn(Strict):
    """The customer is here; curbside, where they parked and what they drive."""

    bay: Bay | None = None
    vehicle: Vehicle | None = None


class HandoffIn(ArrivedIn):
    """The pickup code, or the order number with the customer's name (not both); curbside, the bay and vehicle."""

    pickup_code: Annotated[str, StringConstraints(pattern=r"^\s*\d{4,12}\s*$")] | None = None
    order_number: Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)] | None = None
    customer_name: Text | None = None


class PickIn(Strict):
    """The units found per line; a line left out was found in full. Fewer than asked is a short pick."""

    lines: Annotated[list[PickedLineIn], Field(max_length=200)] = Field(default_factory=list)


class TaskOut(BaseModel):
    """One thing to do at a location: the fulfillment, the next action on it, and the date promised."""

    fulfillment_id: str
    order_id: str
    status: str
    action: str
    promised_by: date | None
    lines: list[dict[str, Any]]
    curbside: bool = False
    arrived_at: datetime | None = None
    bay: str | None = None
    vehicle: str | None = None
