"""When a store is open: a week of opening hours on its local wall clock, and working time counted within it.

A store picks pickup orders only while it is open, so a promise counts the picking lead time in opening hours:
an order placed after closing is ready at the next opening plus the lead time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from omnifill.domain.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DayHours = tuple[time, time] | None  # (opens, closes) the same day; None: closed
SEARCH_DAYS = 740  # how far ahead (or back) working time is looked for: two years of calendar


@dataclass(frozen=True, slots=True)
class OpeningHours:
    week: tuple[DayHours, ...]  # Monday first

    def __post_init__(self) -> None:
        if len(self.week) != len(WEEKDAYS):
            raise InvalidInput("opening_hours", "gives the seven days of a week")
        for name, hours in zip(WEEKDAYS, self.week, strict=True):
            if hours is not None and not hours[0] < hours[1]:
                raise InvalidInput(f"opening_hours.{name}", "must open before it closes, on the same day")

    @classmethod
    def of(cls, days: Mapping[str, DayHours]) -> OpeningHours:
        """From {"mon": (opens, closes), …}; a day left out or None is closed."""
        unknown = set(days) - set(WEEKDAYS)
        if unknown:
            raise InvalidInput(f"opening_hours.{min(unknown)}", f"must be one of {', '.join(WEEKDAYS)}")
        return cls(tuple(days.get(name) for name in WEEKDAYS))

    def by_day(self) -> dict[str, DayHours]:
        return dict(zip(WEEKDAYS, self.week, strict=True))

    def on(self, day: date) -> DayHours:
        return self.week[day.weekday()]

    def after_working(self, start: datetime, minutes: int) -> datetime | None:
        """When `minutes` of opening time have passed since `start` (aware, on the store's clock): from the next
        opening if it is closed. None if the store never opens."""
        remaining = timedelta(minutes=minutes)
        moment, day = start, start.date()
        for _ in range(SEARCH_DAYS):
            hours = self.on(day)
            if hours is not None:
                opens, closes = _at(day, hours[0], start), _at(day, hours[1], start)
                begin = max(moment, opens)
                if begin < closes:
                    if begin + remaining <= closes:
                        return begin + remaining
                    remaining -= closes - begin
            day += timedelta(days=1)
        return None

    def open_until(self, moment: datetime) -> datetime | None:
        """The last moment at or before `moment` when the store is open: a collection window's end."""
        day = moment.date()
        for _ in range(SEARCH_DAYS):
            hours = self.on(day)
            if hours is not None:
                opens, closes = _at(day, hours[0], moment), _at(day, hours[1], moment)
                if opens <= moment:
                    return min(moment, closes)
            day -= timedelta(days=1)
        return None


def _at(day: date, clock: time, zone_of: datetime) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone_of.tzinfo)


# What a location gets until it says otherwise: common US retail hours.
DEFAULT_OPENING_HOURS = OpeningHours.of({
    **{name: (time(9, 0), time(21, 0)) for name in WEEKDAYS[:6]}, "sun": (time(10, 0), time(18, 0)),
})
