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


def load_postal_directory() -> int:
    """Read the ZIP code table now rather than on the first question; how many places it holds."""
    return len(_directory())


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


# The lower 48 states: Alaska, Hawaii and the territories would stretch a flat map to a sliver.
_CONTIGUOUS = (24.0, 50.0, -125.0, -66.0)  # south, north, west, east


@cache
def _contiguous() -> list[PostalPlace]:
    south, north, west, east = _CONTIGUOUS
    return [place for _, place in sorted(_directory().items())
            if south <= place.position.latitude <= north and west <= place.position.longitude <= east]


def sample_postal_places(count: int) -> list[PostalPlace]:
    """An even sample of about `count` of the lower 48's ZIP codes, always the same."""
    inside = _contiguous()
    return inside[::max(1, len(inside) // count)]


@cache
def postal_silhouette(points: int = 3000) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(longitudes, latitudes) of an even sample of the lower 48's ZIP codes: drawn small and grey they outline
    the country, so a map needs no tiles or shapes from the internet."""
    sample = sample_postal_places(points)
    return tuple(p.position.longitude for p in sample), tuple(p.position.latitude for p in sample)
