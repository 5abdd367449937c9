"""Dates promised to customers: when a location ships, when a package arrives, when a pickup is ready.

Dates are the location's local calendar: an order released after the location's cut-off ships the next day.
Carriers' weekend schedules are not modelled; transit days are calendar days from the rate card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from omnifill.domain.locations import Location


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(location: Location, now: datetime) -> datetime:
    return now.astimezone(_zone(location.time_zone))


def ship_date(location: Location, now: datetime) -> date:
    """Today, local to the location, if before its cut-off; otherwise tomorrow."""
    return _ship_date(location.time_zone, location.ship_cutoff, now)


@lru_cache(maxsize=4096)  # a promise dates every service level from the same few locations at the same moment
def _ship_date(time_zone: str, cutoff: time, now: datetime) -> date:
    local = now.astimezone(_zone(time_zone))
    return local.date() if local.time() < cutoff else local.date() + timedelta(days=1)


def delivery_date(location: Location, now: datetime, transit_days: int) -> date:
    return ship_date(location, now) + timedelta(days=transit_days)


def pickup_ready_by(location: Location, now: datetime, lead_minutes: int) -> datetime | None:
    """When a pickup order can be collected, in the store's time zone: the picking lead time counted in its
    opening hours (placed after closing: the next opening plus the lead time). None if the store never opens."""
    return location.opening_hours.after_working(local_time(location, now), lead_minutes)


@dataclass(frozen=True, slots=True)
class PickupWindow:
    opens: datetime  # on the store's clock
    closes: datetime


def pickup_window(location: Location, ready_at: datetime, hold: timedelta) -> PickupWindow | None:
    """When a ready order can be collected: from the moment it is ready (or the next opening) until the store's
    last open moment before the hold ends. None if the store never opens."""
    opens = location.opening_hours.after_working(local_time(location, ready_at), 0)
    until = location.opening_hours.open_until(local_time(location, ready_at + hold))
    if opens is None or until is None:
        return None
    return PickupWindow(opens, max(opens, until))
