"""Store hours: pickup promises count the picking lead time in opening hours, in the store's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.opening_hours import DEFAULT_OPENING_HOURS, OpeningHours
from omnifill.domain.routing.promises import PickupWindow, pickup_ready_by, pickup_window

NINE_TO_SIX = (time(9, 0), time(18, 0))
# Monday to Saturday 09:00-18:00; closed on Sunday.
CLOSED_SUNDAY = OpeningHours.of(dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat"), NINE_TO_SIX))
LA = ZoneInfo("America/Los_Angeles")


def store(hours: OpeningHours = CLOSED_SUNDAY, zone: str = "America/Los_Angeles") -> Location:
    return Location("ST", "Store", LocationKind.STORE, GeoPoint(0, 0), "90012", "US", zone,
                    frozenset({Capability.PICKUP}), opening_hours=hours)


def la(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 on the Los Angeles clock (the 28th is a Saturday, the 29th a Sunday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LA)


def test_an_order_placed_while_the_store_is_open_is_ready_after_the_lead_time() -> None:
    placed = la(26, 10, 0).astimezone(UTC)  # Thursday 10:00 in Los Angeles

    assert pickup_ready_by(store(), placed, 120) == la(26, 12, 0)


def test_an_order_placed_after_closing_is_ready_at_the_next_opening_plus_the_lead_time() -> None:
    placed = datetime(2026, 11, 27, 3, 30, tzinfo=UTC)  # Thursday 19:30 in Los Angeles, after 18:00

    ready = pickup_ready_by(store(), placed, 90)

    assert ready == la(27, 10, 30)  # Friday 09:00 + 90 minutes
    assert ready is not None
    assert ready.utcoffset() == timedelta(hours=-8)  # told on the store's clock


def test_a_closed_day_is_skipped() -> None:
    placed = la(28, 17, 0).astimezone(UTC)  # Saturday 17:00: one hour left, then closed all Sunday

    assert pickup_ready_by(store(), placed, 120) == la(30, 10, 0)  # 60 min Saturday, 60 min Monday


def test_the_same_instant_is_after_closing_in_new_york_but_not_in_los_angeles() -> None:
    instant = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # 18:30 in New York, 15:30 in Los Angeles

    assert pickup_ready_by(store(zone="America/New_York"), instant, 60) == datetime(
        2026, 11, 27, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert pickup_ready_by(store(), instant, 60) == la(26, 16, 30)


def test_a_store_that_never_opens_promises_no_pickup() -> None:
    assert pickup_ready_by(store(OpeningHours.of({})), la(26, 10).astimezone(UTC), 30) is None


def test_the_collection_window_runs_from_ready_to_the_last_open_moment_of_the_hold() -> None:
    ready = la(25, 19, 0).astimezone(UTC)  # Wednesday 19:00, after closing

    window = pickup_window(store(), ready, timedelta(days=5))

    # ready at Thursday's opening; the hold ends Monday 19:00, after Monday's closing at 18:00
    assert window == PickupWindow(la(26, 9, 0), la(30, 18, 0))


def test_a_hold_ending_on_a_closed_day_ends_at_the_last_closing_before_it() -> None:
    window = pickup_window(store(), la(24, 11, 0).astimezone(UTC), timedelta(days=5))  # ends Sunday 11:00

    assert window == PickupWindow(la(24, 11, 0), la(28, 18, 0))


def test_the_default_week_is_nine_to_nine_and_ten_to_six_on_sunday() -> None:
    assert DEFAULT_OPENING_HOURS.by_day() == {
        **{day: (time(9, 0), time(21, 0)) for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
        "sun": (time(10, 0), time(18, 0)),
    }


@pytest.mark.parametrize(("days", "field"), [
    ({"mon": (time(18, 0), time(9, 0))}, "opening_hours.mon"),
    ({"sun": (time(9, 0), time(9, 0))}, "opening_hours.sun"),
    ({"funday": NINE_TO_SIX}, "opening_hours.funday"),
])
def test_impossible_hours_are_refused_naming_the_day(days: dict[str, tuple[time, time]], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        OpeningHours.of(days)
    assert refused.value.field == field
