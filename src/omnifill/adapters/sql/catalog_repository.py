"""SKUs and locations: the reference data every other table points at."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, RowMapping, Text, cast, insert, select, update

from omnifill.adapters.sql.tables import locations, skus
from omnifill.domain.catalog import Sku
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.opening_hours import DEFAULT_OPENING_HOURS, WEEKDAYS, OpeningHours


def sku_from_row(row: RowMapping) -> Sku:
    dimensions = (row["length_cm"], row["width_cm"], row["height_cm"])
    return Sku(
        code=row["code"], name=row["name"], gtin=row["gtin"], unit_cost=row["unit_cost"],
        unit_price=row["unit_price"], weight_kg=row["weight_kg"],
        dimensions_cm=dimensions if None not in dimensions else None,
    )


# The columns a Location is made of, in the order location_from_values takes them. The JSON ones are read as
# their stored text: the memo below keys on it, so a row is decoded once, not on every read (order intake and
# promises read dozens of location rows per question).
_AS_TEXT = {"capabilities", "opening_hours"}
LOCATION_COLUMNS = tuple(cast(locations.c[name], Text).label(name) if name in _AS_TEXT else locations.c[name]
                         for name in (
    "code", "name", "kind", "latitude", "longitude", "postal_code", "country", "time_zone", "capabilities",
    "daily_order_capacity", "fulfillment_enabled", "ship_cutoff", "address", "opening_hours",
    "service_radius_miles", "hourly_order_capacity",
))


def location_from_row(row: RowMapping) -> Location:
    return location_from_values([row[c.name] for c in LOCATION_COLUMNS])


def location_from_values(values: Sequence[Any]) -> Location:
    """A Location from the values of LOCATION_COLUMNS, in that order."""
    return _location(*values)


@lru_cache(maxsize=4096)
def _location(
    code: str, name: str, kind: str, latitude: float, longitude: float, postal_code: str, country: str,
    time_zone: str, capabilities: str, daily_order_capacity: int | None, fulfillment_enabled: bool,
    ship_cutoff: str, address: str | None = None, opening_hours: str | None = None,
    service_radius_miles: float | None = None, hourly_order_capacity: int | None = None,
) -> Location:
    """Memoized on every column's value, so a changed row builds a new Location and none is ever stale."""
    hours = json.loads(opening_hours) if opening_hours else None
    return Location(
        code=code, name=name, kind=LocationKind(kind), position=GeoPoint(latitude, longitude),
        postal_code=postal_code, country=country, time_zone=time_zone,
        capabilities=frozenset(Capability(c) for c in json.loads(capabilities)),
        daily_order_capacity=daily_order_capacity, fulfillment_enabled=fulfillment_enabled,
        ship_cutoff=time.fromisoformat(ship_cutoff), address=address,
        opening_hours=_opening_hours(hours) if hours else DEFAULT_OPENING_HOURS,
        service_radius_miles=service_radius_miles, hourly_order_capacity=hourly_order_capacity,
    )


def _opening_hours(week: Mapping[str, list[str] | None]) -> OpeningHours:
    return OpeningHours.of({day: (time.fromisoformat(hours[0]), time.fromisoformat(hours[1]))
                            if (hours := week.get(day)) else None for day in WEEKDAYS})


def opening_hours_json(hours: OpeningHours) -> dict[str, list[str] | None] | None:
    """{"mon": ["09:00", "21:00"], "sun": None, …}; None for the default week, so a later default applies."""
    if hours == DEFAULT_OPENING_HOURS:
        return None
    return {day: [clock.strftime("%H:%M") for clock in found] if found else None
            for day, found in hours.by_day().items()}


def location_values(location: Location) -> dict[str, Any]:
    return {
        "code": location.code, "name": location.name, "kind": str(location.kind),
        "latitude": location.position.latitude, "longitude": location.position.longitude,
        "postal_code": location.postal_code, "country": location.country, "time_zone": location.time_zone,
        "capabilities": sorted(str(c) for c in location.capabilities),
        "daily_order_capacity": location.daily_order_capacity,
        "fulfillment_enabled": location.fulfillment_enabled,
        "ship_cutoff": location.ship_cutoff.strftime("%H:%M"),  # the local wall-clock time, minutes only
        "address": location.address, "opening_hours": opening_hours_json(location.opening_hours),
        "service_radius_miles": location.service_radius_miles,
        "hourly_order_capacity": location.hourly_order_capacity,
    }


class SkuRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, sku: Sku, now: datetime) -> None:
        self._c.execute(insert(skus).values(
            code=sku.code, name=sku.name, gtin=sku.gtin, unit_cost=sku.unit_cost,
            unit_price=sku.unit_price, weight_kg=sku.weight_kg, created_at=now,
            **dict(zip(("length_cm", "width_cm", "height_cm"), sku.dimensions_cm or (None, None, None), strict=True)),
        ))

    def get(self, code: str) -> Sku | None:
        row = self._c.execute(select(skus).where(skus.c.code == code)).mappings().first()
        return sku_from_row(row) if row else None

    def by_codes(self, codes: Iterable[str]) -> dict[str, Sku]:
        rows = self._c.execute(select(skus).where(skus.c.code.in_(list(codes)))).mappings()
        return {r["code"]: sku_from_row(r) for r in rows}

    def code_for_gtin(self, gtin: str) -> str | None:
        return self._c.execute(select(skus.c.code).where(skus.c.gtin == gtin)).scalar()

    def ids_for(self, codes: Iterable[str]) -> dict[str, int]:
        """SKU code → surrogate id for the codes that exist."""
        rows = self._c.execute(select(skus.c.code, skus.c.id).where(skus.c.code.in_(list(codes))))
        return dict(rows.all())

    def page(self, after: str | None, limit: int) -> list[Sku]:
        query = select(skus).order_by(skus.c.code).limit(limit)
        if after is not None:
            query = query.where(skus.c.code > after)
        return [sku_from_row(r) for r in self._c.execute(query).mappings()]


class LocationRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, location: Location, now: datetime) -> None:
        self._c.execute(insert(locations).values(**location_values(location), created_at=now, updated_at=now))

    def get(self, code: str) -> Location | None:
        row = self._c.execute(select(*LOCATION_COLUMNS).where(locations.c.code == code)).mappings().first()
        return location_from_row(row) if row else None

    def id_for(self, code: str) -> int | None:
        return self._c.execute(select(locations.c.id).where(locations.c.code == code)).scalar()

    def replace(self, location: Location, now: datetime) -> None:
        self._c.execute(
            update(locations).where(locations.c.code == location.code)
            .values(**location_values(location), updated_at=now)
        )

    def page(self, after: str | None, limit: int, only: str | None = None) -> list[Location]:
        query = select(*LOCATION_COLUMNS).order_by(locations.c.code).limit(limit)
        if after is not None:
            query = query.where(locations.c.code > after)
        if only is not None:
            query = query.where(locations.c.code == only)
        return [location_from_row(r) for r in self._c.execute(query).mappings()]

    def by_code(self, codes: Iterable[str]) -> Mapping[str, tuple[int, Location]]:
        query = select(locations.c.id, *LOCATION_COLUMNS).where(locations.c.code.in_(list(codes)))
        return {r["code"]: (r["id"], location_from_row(r)) for r in self._c.execute(query).mappings()}
