"""Use cases for the catalog and the location network."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from omnifill.adapters.geography import is_time_zone, lookup_postal_code
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.catalog import Sku
from omnifill.domain.errors import AlreadyExists, InvalidInput, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.locations import (
    DEFAULT_SHIP_CUTOFF,
    Capability,
    GeoPoint,
    Location,
    LocationKind,
    require_walk_in,
)
from omnifill.domain.opening_hours import DEFAULT_OPENING_HOURS, OpeningHours


def create_sku(uow: UnitOfWork, sku: Sku, now: datetime) -> Sku:
    with uow:
        if uow.skus.get(sku.code) is not None:
            raise AlreadyExists(f"SKU {sku.code} already exists", sku=sku.code)
        if sku.gtin and (holder := uow.skus.code_for_gtin(sku.gtin)):
            raise AlreadyExists(f"GTIN {sku.gtin} already belongs to SKU {holder}", gtin=sku.gtin, sku=holder)
        uow.skus.add(sku, now)
        uow.outbox.add([DomainEvent("sku.created", "sku", sku.code, {"sku": sku.code, "name": sku.name}, now)])
        uow.commit()
    return sku


def get_sku(uow: UnitOfWork, code: str) -> Sku:
    with uow.reading() as reader:
        sku = reader.skus.get(code)
    if sku is None:
        raise NotFound(f"no SKU {code}", sku=code)
    return sku


def list_skus(uow: UnitOfWork, after: str | None, limit: int) -> list[Sku]:
    with uow.reading() as reader:
        return reader.skus.page(after, limit)


@dataclass(frozen=True, slots=True)
class LocationDraft:
    """A location as an admin describes it; position and time zone default from the postal code."""

    code: str
    name: str
    kind: LocationKind
    postal_code: str
    capabilities: frozenset[Capability]
    country: str = "US"
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str | None = None
    daily_order_capacity: int | None = None
    fulfillment_enabled: bool = True
    ship_cutoff: time = DEFAULT_SHIP_CUTOFF  # local time; orders released later ship the next day
    address: str | None = None
    opening_hours: OpeningHours = DEFAULT_OPENING_HOURS
    service_radius_miles: float | None = None
    hourly_order_capacity: int | None = None


def resolve_location(draft: LocationDraft) -> Location:
    place = lookup_postal_code(draft.postal_code, draft.country)
    if draft.latitude is None or draft.longitude is None:
        if place is None:
            raise InvalidInput("postal_code", "unknown postal code: give latitude and longitude")
        position = place.position
    else:
        position = GeoPoint(draft.latitude, draft.longitude)
    time_zone = draft.time_zone or (place.time_zone if place else None)
    if time_zone is None:
        raise InvalidInput("time_zone", "no time zone is known for this postal code: give one")
    _require_time_zone(time_zone)
    require_walk_in(draft.kind, draft.capabilities)
    return Location(
        code=draft.code, name=draft.name, kind=draft.kind, position=position, postal_code=draft.postal_code,
        country=draft.country, time_zone=time_zone, capabilities=draft.capabilities,
        daily_order_capacity=draft.daily_order_capacity, fulfillment_enabled=draft.fulfillment_enabled,
        ship_cutoff=draft.ship_cutoff, address=draft.address, opening_hours=draft.opening_hours,
        service_radius_miles=draft.service_radius_miles, hourly_order_capacity=draft.hourly_order_capacity,
    )


def create_location(uow: UnitOfWork, draft: LocationDraft, now: datetime) -> Location:
    location = resolve_location(draft)
    with uow:
        if uow.locations.get(location.code) is not None:
            raise AlreadyExists(f"location {location.code} already exists", location=location.code)
        uow.locations.add(location, now)
        uow.outbox.add([DomainEvent("location.created", "location", location.code, _location_payload(location), now)])
        uow.commit()
    return location


def update_location(uow: UnitOfWork, code: str, changes: dict[str, Any], now: datetime) -> Location:
    """Change some fields (e.g. switch fulfillment on for a pilot store); the rest stay as they are."""
    with uow:
        current = uow.locations.get(code)
        if current is None:
            raise NotFound(f"no location {code}", location=code)
        if "time_zone" in changes:
            _require_time_zone(changes["time_zone"])
        updated = dataclasses.replace(current, **changes)
        require_walk_in(updated.kind, updated.capabilities)
        uow.locations.replace(updated, now)
        uow.outbox.add([DomainEvent(
            "location.updated", "location", code, {**_location_payload(updated), "changed": sorted(changes)}, now
        )])
        uow.commit()
    return updated


def get_location(uow: UnitOfWork, code: str) -> Location:
    with uow.reading() as reader:
        location = reader.locations.get(code)
    if location is None:
        raise NotFound(f"no location {code}", location=code)
    return location


def list_locations(uow: UnitOfWork, after: str | None, limit: int, only: str | None = None) -> list[Location]:
    with uow.reading() as reader:
        return reader.locations.page(after, limit, only)


def _location_payload(location: Location) -> dict[str, Any]:
    return {
        "location": location.code, "kind": str(location.kind),
        "capabilities": sorted(str(c) for c in location.capabilities),
        "fulfillment_enabled": location.fulfillment_enabled,
        "daily_order_capacity": location.daily_order_capacity,
        "ship_cutoff": location.ship_cutoff.strftime("%H:%M"),
        "service_radius_miles": location.service_radius_miles,
        "hourly_order_capacity": location.hourly_order_capacity,
    }


def _require_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise InvalidInput("time_zone", f"{name} is not an IANA time zone such as America/Chicago")
