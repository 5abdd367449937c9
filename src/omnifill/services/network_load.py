"""The network at a glance: every location with today's load against its daily capacity, and switching a
location's fulfillment on or off for a phased rollout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal
from omnifill.domain.locations import Location
from omnifill.services.catalog import update_location
from omnifill.services.routing import orders_today

WHOLE_NETWORK = 10_000  # the map shows every location; a retailer's network is far smaller than this


@dataclass(frozen=True, slots=True)
class LocationLoad:
    location: Location
    today: int  # fulfillments taken on the location's local day (counted only where a capacity applies)

    @property
    def capacity(self) -> int | None:
        return self.location.daily_order_capacity

    @property
    def utilization(self) -> float | None:
        """Today's fulfillments ÷ the daily capacity; None without a capacity (no limit to measure against)."""
        if self.capacity is None:
            return None
        return self.today / self.capacity if self.capacity else 1.0


def network_load(uow: UnitOfWork, principal: Principal, now: datetime) -> list[LocationLoad]:
    """Every location in code order with its load today, as routing counts it (`location_day_loads`)."""
    principal.require(Permission.NETWORK_READ)
    with uow.reading() as reader:
        places = reader.locations.page(None, WHOLE_NETWORK, principal.location)
        ids = reader.locations.by_code(loc.code for loc in places)
        taken = orders_today(reader, [(ids[loc.code][0], loc, "", 0) for loc in places], now)
    return [LocationLoad(loc, taken.get(loc.code, 0)) for loc in places]


def switch_fulfillment(uow: UnitOfWork, code: str, enabled: bool, principal: Principal, now: datetime) -> Location:
    """The same change as `PATCH /v1/locations/{code}` with `fulfillment_enabled`: the same event, the same rules."""
    principal.require(Permission.NETWORK_WRITE)
    return update_location(uow, code, {"fulfillment_enabled": enabled}, now)
