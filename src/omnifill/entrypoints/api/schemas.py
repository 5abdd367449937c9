"""The wire contract. Never the tables: these models change only with the API's version."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_serializer,
)

from omnifill.domain.catalog import Sku
from omnifill.domain.inventory import Movement, StockLevel
from omnifill.domain.locations import DEFAULT_SHIP_CUTOFF, Capability, Location, LocationKind
from omnifill.domain.opening_hours import DEFAULT_OPENING_HOURS, WEEKDAYS, OpeningHours
from omnifill.domain.orders import Order, ServiceLevel

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
# Money is a decimal string ("12.50"): a float cannot hold a price exactly.
_MONEY = re.compile(r"\d{1,9}(\.\d{1,4})?")


def _money_text(value: object) -> str:
    if isinstance(value, str) and _MONEY.fullmatch(value):
        return value
    raise ValueError('must be a decimal string such as "12.50" (up to 4 decimals, never a JSON number)')


MoneyText = Annotated[str, BeforeValidator(_money_text)]
Units = Annotated[int, Field(ge=1, le=1_000_000)]
Limit = Annotated[int, Field(ge=1, le=500)]


def money(value: Decimal) -> str:
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_bytes(cls, value: object) -> object:
        # PostgreSQL text cannot hold a NUL byte; refusing it here names the field instead of failing the write.
        if _holds_nul(value):
            raise ValueError("must not contain a NUL character")
        return value


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


Centimetres = Annotated[Decimal, Field(gt=0, le=10_000, max_digits=6, decimal_places=1, allow_inf_nan=False)]


class DimensionsIn(Strict):
    """Outer size in cm, to choose cartons by; without it a unit's volume is estimated from its weight."""

    length: Centimetres
    width: Centimetres
    height: Centimetres


class DimensionsOut(BaseModel):
    length: str
    width: str
    height: str


class SkuIn(Strict):
    code: Code
    name: Text
    gtin: Annotated[str, StringConstraints(pattern=r"^\d{8}$|^\d{12,14}$")] | None = None
    unit_cost: MoneyText
    unit_price: MoneyText
    weight_kg: Annotated[Decimal, Field(ge=0, le=100_000, max_digits=9, decimal_places=3, allow_inf_nan=False)]
    dimensions_cm: DimensionsIn | None = None

    def to_domain(self) -> Sku:
        dims = self.dimensions_cm
        return Sku(self.code, self.name, Decimal(self.unit_cost), Decimal(self.unit_price), self.weight_kg, self.gtin,
                   (dims.length, dims.width, dims.height) if dims else None)


class SkuOut(BaseModel):
    code: str
    name: str
    gtin: str | None
    unit_cost: str
    unit_price: str
    weight_kg: str
    dimensions_cm: DimensionsOut | None

    @classmethod
    def of(cls, sku: Sku) -> SkuOut:
        dims = sku.dimensions_cm
        return cls(code=sku.code, name=sku.name, gtin=sku.gtin, unit_cost=money(sku.unit_cost),
                   unit_price=money(sku.unit_price), weight_kg=str(sku.weight_kg),
                   dimensions_cm=DimensionsOut(length=f"{dims[0]:.1f}", width=f"{dims[1]:.1f}",
                                               height=f"{dims[2]:.1f}") if dims else None)


Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
TimeZone = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+\-]+){0,2}$", max_length=64)]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 \-]{3,10}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Capacity = Annotated[int, Field(ge=0, le=10_000_000)]
_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _clock_time(value: object) -> time:
    if isinstance(value, time):  # built in Python (a response), never from JSON
        return value
    if isinstance(value, str) and (match := _HH_MM.fullmatch(value)):
        return time(int(match[1]), int(match[2]))
    raise ValueError('must be a 24-hour local time "HH:MM" such as "15:00"')


def clock_text(value: time) -> str:
    return value.strftime("%H:%M")


# A location's local wall-clock time on the wire: "HH:MM", nothing else (no seconds, no zone); a time in Python.
ClockTime = Annotated[
    time, BeforeValidator(_clock_time), PlainSerializer(clock_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": f"^{_HH_MM.pattern}$", "examples": ["15:00"]}),
]


class DayHoursIn(Strict):
    opens: ClockTime
    closes: ClockTime


class OpeningHoursIn(Strict):
    """A week of opening hours on the location's own clock; a day left out or null is closed."""

    mon: DayHoursIn | None = None
    tue: DayHoursIn | None = None
    wed: DayHoursIn | None = None
    thu: DayHoursIn | None = None
    fri: DayHoursIn | None = None
    sat: DayHoursIn | None = None
    sun: DayHoursIn | None = None

    def to_domain(self) -> OpeningHours:
        return OpeningHours.of({day: (found.opens, found.closes) for day in WEEKDAYS
                                if (found := getattr(self, day)) is not None})

    @classmethod
    def of(cls, hours: OpeningHours) -> OpeningHoursIn:
        return cls(**{day: DayHoursIn(opens=found[0], closes=found[1]) if found else None
                      for day, found in hours.by_day().items()})


def opening_hours_of(body: OpeningHoursIn | None) -> OpeningHours:
    """The week sent, or the default week when none (or null) is."""
    return body.to_domain() if body is not None else DEFAULT_OPENING_HOURS


# How far a same-day order may be sent from the location, in miles.
ServiceRadius = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]


class LocationIn(Strict):
    code: Code
    name: Text
    kind: LocationKind
    postal_code: PostalCode
    country: Country = "US"
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    time_zone: TimeZone | None = None
    capabilities: Annotated[list[Capability], Field(max_length=4)] = []
    daily_order_capacity: Capacity | None = None
    fulfillment_enabled: bool = True
    # Orders released after it (local time) ship the next day.
    ship_cutoff: ClockTime = Field(DEFAULT_SHIP_CUTOFF, json_schema_extra={"default": clock_text(DEFAULT_SHIP_CUTOFF)})
    address: Text | None = None
    # Left out: Monday to Saturday 09:00-21:00, Sunday 10:00-18:00.
    opening_hours: OpeningHoursIn | None = None
    service_radius_miles: ServiceRadius | None = None
    hourly_order_capacity: Capacity | None = None


class LocationPatch(Strict):
    """Only the fields sent change; `null` removes a capacity, the radius or the address, and puts the default
    opening hours back."""

    name: Text | None = None
    capabilities: Annotated[list[Capability], Field(max_length=4)] | None = None
    daily_order_capacity: Capacity | None = None
    fulfillment_enabled: bool | None = None
    time_zone: TimeZone | None = None
    ship_cutoff: ClockTime | None = None
    address: Text | None = None
    opening_hours: OpeningHoursIn | None = None
    service_radius_miles: ServiceRadius | None = None
    hourly_order_capacity: Capacity | None = None

    @field_validator("name", "capabilities", "fulfillment_enabled", "time_zone", "ship_cutoff")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class LocationOut(BaseModel):
    code: str
    name: str
    kind: LocationKind
    latitude: float
    longitude: float
    postal_code: str
    country: str
    time_zone: str
    capabilities: list[Capability]
    daily_order_capacity: int | None
    fulfillment_enabled: bool
    ship_cutoff: Annotated[str, Field(examples=["15:00"])]
    address: str | None
    opening_hours: OpeningHoursIn
    service_radius_miles: float | None
    hourly_order_capacity: int | None

    @classmethod
    def of(cls, location: Location) -> LocationOut:
        return cls(
            code=location.code, name=location.name, kind=location.kind, latitude=location.position.latitude,
            longitude=location.position.longitude, postal_code=location.postal_code, country=location.country,
            time_zone=location.time_zone, capabilities=sorted(location.capabilities),
            daily_order_capacity=location.daily_order_capacity, fulfillment_enabled=location.fulfillment_enabled,
            ship_cutoff=clock_text(location.ship_cutoff), address=location.address,
            opening_hours=OpeningHoursIn.of(location.opening_hours),
            service_radius_miles=location.service_radius_miles, hourly_order_capacity=location.hourly_order_capacity,
        )


class MovementIn(Strict):
    sku: Code
    location: Code
    kind: Literal["receipt", "adjustment", "count"]
    quantity: Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
    reason: Text
    unit_cost: MoneyText | None = None


class SafetyStockIn(Strict):
    sku: Code
    location: Code
    safety_stock: Annotated[int, Field(ge=0, le=1_000_000)]


class BalanceOut(BaseModel):
    sku: str
    location: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int

    @classmethod
    def of(cls, sku: str, location: str, level: StockLevel) -> BalanceOut:
        return cls(sku=sku, location=location, on_hand=level.on_hand, reserved=level.reserved,
                   safety_stock=level.safety_stock, available=level.available)


class NetworkTotalOut(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int


class MovementOut(BaseModel):
    kind: str
    sku: str
    location: str
    quantity: int
    on_hand_delta: int
    reserved_delta: int
    unit_cost: str
    reason: str
    actor: str

    @classmethod
    def of(cls, m: Movement) -> MovementOut:
        return cls(kind=str(m.kind), sku=m.sku, location=m.location, quantity=m.quantity,
                   on_hand_delta=m.on_hand_delta, reserved_delta=m.reserved_delta, unit_cost=money(m.unit_cost),
                   reason=m.reason, actor=m.actor)


class MovementResult(BaseModel):
    movement: MovementOut
    balance: BalanceOut


class CustomerIn(Strict):
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")] | None = None
    name: Text | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ().\-]{3,32}$")] | None = None


class AddressIn(Strict):
    postal_code: PostalCode
    country: Country = "US"
    address_lines: Annotated[list[Text], Field(max_length=4)] = []


class DeliveryVariant(BaseModel):
    """A member of a tagged union: pydantic allows no before-validator on the tag, so not Strict; every text
    field here is a pattern-checked code or an enum, which refuse a NUL character anyway."""

    model_config = ConfigDict(extra="forbid")


class ShipIn(DeliveryVariant):
    method: Literal["ship"]
    service_level: ServiceLevel = ServiceLevel.STANDARD
    # The date the storefront promised (from POST /v1/availability): routing keeps it or refuses a location.
    promised_by: date | None = None


class PickupIn(DeliveryVariant):
    method: Literal["pickup"]
    location: Code
    curbside: bool = False  # the store brings it out to the customer's car


class OrderLineIn(Strict):
    sku: Code
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_price: MoneyText


class OrderIn(Strict):
    channel: Code
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    customer: CustomerIn = CustomerIn()
    ship_to: AddressIn | None = None
    delivery: Annotated[ShipIn | PickupIn, Field(discriminator="method")]
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=200)]


class OrderLineOut(BaseModel):
    sku: str
    quantity: int
    unit_price: str


class FulfillmentLineOut(BaseModel):
    sku: str
    quantity: int


class FulfillmentOut(BaseModel):
    id: str
    location: str
    status: str
    lines: list[FulfillmentLineOut]


class OrderOut(BaseModel):
    id: str
    status: str
    channel: str
    external_id: str
    customer: dict[str, Any]
    ship_to: dict[str, Any] | None
    delivery: dict[str, Any]
    lines: list[OrderLineOut]
    fulfillments: list[FulfillmentOut]
    created_at: datetime
    channel_data: dict[str, Any] | None = None  # what a channel adapter kept: the channel's totals, taxes, discounts

    @model_serializer(mode="wrap")
    def _channel_data_only_when_kept(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Orders placed through POST /v1/orders keep nothing from a channel: their shape stays as it always was.
        data: dict[str, Any] = handler(self)
        if data.get("channel_data") is None:
            data.pop("channel_data", None)
        return data

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        delivery: dict[str, Any] = {"method": str(order.delivery.method)}
        if order.delivery.service_level:
            delivery["service_level"] = str(order.delivery.service_level)
        if order.delivery.location:
            delivery["location"] = order.delivery.location
        if order.delivery.curbside:
            delivery["curbside"] = True
        if order.delivery.promised_by:
            delivery["promised_by"] = order.delivery.promised_by.isoformat()
        ship_to = order.ship_to
        return cls(
            id=order.id, status=str(order.status), channel=order.channel, external_id=order.external_id,
            customer={"email": order.customer.email, "name": order.customer.name, "phone": order.customer.phone},
            ship_to={"postal_code": ship_to.postal_code, "country": ship_to.country,
                     "address_lines": list(ship_to.lines)} if ship_to else None,
            delivery=delivery,
            lines=[OrderLineOut(sku=ln.sku, quantity=ln.quantity, unit_price=money(ln.unit_price))
                   for ln in order.lines],
            fulfillments=[
                FulfillmentOut(id=f.id, location=f.location, status=str(f.status),
                               lines=[FulfillmentLineOut(sku=ln.sku, quantity=ln.quantity) for ln in f.lines])
                for f in order.fulfillments
            ],
            created_at=order.created_at, channel_data=order.channel_data,
        )


def render_order(order: Order) -> dict[str, Any]:
    return OrderOut.of(order).model_dump(mode="json")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class InventoryPage(BaseModel):
    items: list[BalanceOut]
    network_totals: list[NetworkTotalOut]
    next_cursor: str | None


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    error: ErrorBody
