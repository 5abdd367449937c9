"""US postal geography, offline, from the `zipcodes` package: ZIP code → position and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import zipcodes

from omnifill.domain.locations import GeoPoint


@dataclass(frozen=True, slots=True)
class PostalPlace:
    postal_code: str
    position: GeoPoint
    time_zone: str | None
    city: str
    state: str


@cache
def _directory() -> dict[str, PostalPlace]:
    places = {}
    for row in zipcodes.list_all():  # type: ignore[no-untyped-call]
        if not row.get("lat") or not row.get("long"):
            continue
        places[row["zip_code"]] = PostalPlace(
            postal_code=row["zip_code"],
            position=GeoPoint(float(row["lat"]), float(row["long"])),
            time_zone=row.get("timezone") or None,
            city=row.get("city", ""),
            state=row.get("state", ""),
        )
    return places


def lookup_postal_code(postal_code: str, country: str = "US") -> PostalPlace | None:
    """ZIP or ZIP+4 in the US; None when unknown (the caller decides whether that is an error)."""
    if country.upper() != "US":
        return None
    return _directory().get(postal_code.strip()[:5])


@cache
def is_time_zone(name: str) -> bool:
    """An IANA time zone name zoneinfo knows (from the system database or the tzdata package)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def all_postal_codes() -> list[str]:
    """Every ZIP code with a known position, in order."""
    return sorted(_directory())


def region_of(postal_code: str) -> str:
    """A demand region: the ZIP code's first three digits, the carriers' sectional center facility."""
    return postal_code.strip()[:3]


@cache
def _regions() -> dict[str, GeoPoint]:
    sums: dict[str, tuple[float, float, int]] = {}
    for code, place in _directory().items():
        lat, lon, n = sums.get(code[:3], (0.0, 0.0, 0))
        sums[code[:3]] = (lat + place.position.latitude, lon + place.position.longitude, n + 1)
    return {region: GeoPoint(lat / n, lon / n) for region, (lat, lon, n) in sums.items()}


def region_centroid(region: str) -> GeoPoint | None:
    """The mean position of the region's ZIP codes; None for a region no ZIP code belongs to."""
    return _regions().get(region)
