"""Promise dates: each location's cut-off, in its own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.routing.promises import delivery_date, pickup_ready_by, ship_date


def location(time_zone: str, cutoff: time = time(15, 0)) -> Location:
    return Location("L", "L", LocationKind.STORE, GeoPoint(0, 0), "00000", "US", time_zone,
                    frozenset({Capability.SHIP}), ship_cutoff=cutoff)


@pytest.mark.parametrize(("utc", "zone", "expected"), [
    (datetime(2026, 11, 26, 19, 59, tzinfo=UTC), "America/New_York", date(2026, 11, 26)),  # 14:59 local
    (datetime(2026, 11, 26, 20, 0, tzinfo=UTC), "America/New_York", date(2026, 11, 27)),  # 15:00 local
    (datetime(2026, 11, 26, 20, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 11, 26)),  # 12:00 local
    (datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 11, 27)),  # 18:00 on the 26th
])
def test_a_location_ships_today_before_its_local_cut_off_and_tomorrow_after(
    utc: datetime, zone: str, expected: date
) -> None:
    assert ship_date(location(zone), utc) == expected


def test_a_later_cut_off_keeps_the_same_day() -> None:
    evening = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)  # 18:00 in New York

    assert ship_date(location("America/New_York", time(20, 0)), evening) == date(2026, 11, 26)
    assert delivery_date(location("America/New_York", time(20, 0)), evening, 3) == date(2026, 11, 29)


def test_a_pickup_is_ready_after_the_lead_time_in_the_store_time_zone() -> None:
    ready = pickup_ready_by(location("America/Chicago"), datetime(2026, 11, 26, 17, 0, tzinfo=UTC), 90)

    assert ready is not None
    assert ready.isoformat() == "2026-11-26T12:30:00-06:00"
