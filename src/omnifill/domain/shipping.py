"""Shipments: parcels, carriers and their quotes, rate-shopping, tracking numbers and the tracking state machine.

A carrier is anything that can quote a parcel's price and transit time and create a shipment with a tracking
number (`Carrier`): omnifill's built-in carriers price from rate cards (adapters/carriers.py); a real carrier's
API can take their place behind the same protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from omnifill.domain.errors import InvalidInput, InvalidTransition, NoCarrier
from omnifill.domain.locations import Location
from omnifill.domain.orders import Address, ServiceLevel, transition

MAX_PARCEL_KG = Decimal(70)  # what parcel carriers take in one box (150 lb)
MAX_SIDE_CM = Decimal(300)
LIGHTEST_PARCEL_KG = Decimal("0.1")  # a box weighs something even when its SKUs are recorded as weightless


@dataclass(frozen=True, slots=True)
class Parcel:
    """One box: its weight and, when known, its outside dimensions (for the carriers' dimensional weight)."""

    weight_kg: Decimal
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None

    def __post_init__(self) -> None:
        if not 0 < self.weight_kg <= MAX_PARCEL_KG:
            raise InvalidInput("weight_kg", f"must be above 0 and at most {MAX_PARCEL_KG}")
        sides = (self.length_cm, self.width_cm, self.height_cm)
        if any(s is None for s in sides) and any(s is not None for s in sides):
            raise InvalidInput("length_cm", "give all three dimensions or none")
        if any(s is not None and not 0 < s <= MAX_SIDE_CM for s in sides):
            raise InvalidInput("length_cm", f"each side must be above 0 and at most {MAX_SIDE_CM} cm")

    def billable_kg(self, dim_divisor: int) -> Decimal:
        """The greater of the actual and the dimensional weight (length × width × height ÷ the carrier's divisor)."""
        if self.length_cm is None or self.width_cm is None or self.height_cm is None:
            return self.weight_kg
        return max(self.weight_kg, self.length_cm * self.width_cm * self.height_cm / dim_divisor)


def parcel_of(weights_kg: Sequence[Decimal]) -> Parcel:
    """One box holding everything: the sum of the units' weights."""
    return Parcel(max(sum(weights_kg, Decimal(0)), LIGHTEST_PARCEL_KG))


@dataclass(frozen=True, slots=True)
class CarrierQuote:
    carrier: str
    service: ServiceLevel
    price: Decimal  # for all the parcels, in the currency's units
    transit_days: int  # calendar days from the day the parcels leave
    zone: int | None = None


@dataclass(frozen=True, slots=True)
class CarrierShipment:
    """What a carrier answers when a shipment is created: the tracking number and what its label must show."""

    tracking_number: str
    label: Mapping[str, str] = field(default_factory=dict)


class Carrier(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    def quote(
        self, origin: Location, destination: Address, parcels: Sequence[Parcel], service: ServiceLevel,
    ) -> CarrierQuote | None:
        """The price and transit days for these parcels, or None where the carrier does not offer the service."""
        ...

    def create_shipment(
        self, origin: Location, destination: Address, parcels: Sequence[Parcel], quote: CarrierQuote,
    ) -> CarrierShipment:
        ...


# ------------------------------------------------------------------------------------------------ rate-shopping


def arrival(quote: CarrierQuote, ships_on: date) -> date:
    return ships_on + timedelta(days=quote.transit_days)


def choose_carrier(quotes: Sequence[CarrierQuote], ships_on: date, promised_by: date | None) -> CarrierQuote:
    """The cheapest quote that arrives by the promised date (any quote when nothing was promised).

    Ties go to the faster, then to the carrier code in alphabetical order, so the choice never depends on the
    order carriers are configured in. When no quote keeps the promise, the earliest arrival wins (cheapest among
    equally fast): the customer is least late.
    """
    if not quotes:
        raise NoCarrier("no configured carrier offers this service between these places")
    in_time = [q for q in quotes if promised_by is None or arrival(q, ships_on) <= promised_by]
    if in_time:
        return min(in_time, key=lambda q: (q.price, q.transit_days, q.carrier))
    return min(quotes, key=lambda q: (q.transit_days, q.price, q.carrier))


# --------------------------------------------------------------------------------------------- tracking numbers

# UPU standard S10: two letters, an 8-digit serial, a check digit, the two-letter country (e.g. GL473124829US).
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    if len(serial) != 8 or not serial.isdigit():
        raise InvalidInput("serial", "must be 8 digits")
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


def s10_tracking_number(prefix: str, serial: int, country: str = "US") -> str:
    if len(prefix) != 2 or not prefix.isalpha() or not prefix.isupper():
        raise InvalidInput("tracking_prefix", "must be two capital letters")
    if not 0 <= serial < 10**8:
        raise InvalidInput("serial", "must be 8 digits")
    digits = f"{serial:08d}"
    return f"{prefix}{digits}{s10_check_digit(digits)}{country}"


def is_s10_tracking_number(text: str) -> bool:
    if len(text) != 13 or not (text[:2] + text[11:]).isalpha() or not text[2:11].isdigit():
        return False
    return s10_check_digit(text[2:10]) == int(text[10])


# -------------------------------------------------------------------------------------------------- tracking


class ShipmentStatus(StrEnum):
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"  # a carrier problem (damaged, address, weather); the parcel may still move on


_S = ShipmentStatus
_MOVING = frozenset({_S.IN_TRANSIT, _S.OUT_FOR_DELIVERY, _S.DELIVERED, _S.EXCEPTION})
# Repeated scans on the way are normal (in transit at each hub); going back from out for delivery is not.
SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    _S.LABEL_CREATED: _MOVING,
    _S.IN_TRANSIT: _MOVING,
    _S.EXCEPTION: _MOVING,
    _S.OUT_FOR_DELIVERY: frozenset({_S.DELIVERED, _S.EXCEPTION}),
    _S.DELIVERED: frozenset(),
}
TRACKING_STATUSES = tuple(s for s in ShipmentStatus if s is not _S.LABEL_CREATED)


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    status: ShipmentStatus
    at: datetime  # when the carrier saw it
    note: str | None = None
    actor: str = ""


@dataclass(slots=True)
class Shipment:
    id: str
    fulfillment_id: str
    order_id: str
    origin: str  # the location code it left from
    carrier: str
    service: ServiceLevel | None
    tracking_number: str
    cost: Decimal | None  # None when a dropship vendor paid its own carrier
    promised_by: date | None  # the order's promise
    estimated_delivery: date | None  # the carrier's, when omnifill bought the label
    status: ShipmentStatus
    created_at: datetime
    parcels: tuple[Parcel, ...]
    label: Mapping[str, str] = field(default_factory=dict)
    delivered_at: datetime | None = None
    on_time: bool | None = None
    events: list[TrackingEvent] = field(default_factory=list)

    @property
    def due_by(self) -> date | None:
        """What on-time is measured against: the order's promise, or else the carrier's estimate."""
        return self.promised_by or self.estimated_delivery

    @property
    def has_label(self) -> bool:
        """omnifill bought this one's label (and knows its cost); a dropship vendor's carrier labels its own."""
        return self.cost is not None

    @property
    def weight_kg(self) -> Decimal:
        return sum((p.weight_kg for p in self.parcels), Decimal(0))

    def track(self, event: TrackingEvent, destination_time_zone: str) -> None:
        """Move to the event's status; delivery records whether it came on time, in the customer's calendar."""
        entity = f"shipment {self.id}"
        target = transition(SHIPMENT_TRANSITIONS, self.status, event.status, entity)
        last = self.events[-1].at if self.events else self.created_at
        if event.at < last:
            raise InvalidTransition(f"{entity} is {self.status} since {last.isoformat()}; an event at "
                                    f"{event.at.isoformat()} is out of order",
                                    current_status=str(self.status), last_event_at=last.isoformat())
        self.status = target
        self.events.append(event)
        if event.status is _S.DELIVERED:
            self.delivered_at = event.at
            due = self.due_by
            self.on_time = None if due is None else delivered_on(event.at, destination_time_zone) <= due


def delivered_on(at: datetime, time_zone: str) -> date:
    """The calendar day at the destination: a parcel left at 23:30 in Los Angeles came that day, not the next."""
    return at.astimezone(ZoneInfo(time_zone)).date()


@dataclass(frozen=True, slots=True)
class ShippingLabel:
    """What a 4×6 label carries: one page per parcel, each with the shipment's tracking number as a barcode."""

    ship_from: tuple[str, ...]
    ship_to: tuple[str, ...]
    carrier: str  # the carrier's name
    service: str
    tracking_number: str
    parcels: tuple[Parcel, ...]
    shipped_on: date
    reference: str  # the order id, for the packer and for returns
    routing: Mapping[str, str] = field(default_factory=dict)  # what the carrier asked to show (zone…)
