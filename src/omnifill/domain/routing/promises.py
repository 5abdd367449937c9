"""Dates promised to customers: when a location ships, when a package arrives, when a pickup is ready.

Dates are the location's local calendar: an order released after the location's cut-off ships the next day.
Carriers' weekend schedules are not modelled; transit days are calendar days from the rate card.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from omnifill.domain.locations import Location


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(location: Location, now: datetime) -> datetime:
    return now.astimezone(_zone(location.time_zone))


def ship_date(location: Location, now: datetime) -> date:
    """Today, local to the location, if before its cut-off; otherwise tomorrow."""
    local = local_time(location, now)
    return local.date() if local.time() < location.ship_cutoff else local.date() + timedelta(days=1)


def delivery_date(location: Location, now: datetime, transit_days: int) -> date:
    return ship_date(location, now) + timedelta(days=transit_days)


def pickup_ready_by(location: Location, now: datetime, lead_minutes: int) -> datetime:
    """When a pickup order can be collected: now plus the store's picking lead time, in the store's time zone."""
    return local_time(location, now) + timedelta(minutes=lead_minutes)
