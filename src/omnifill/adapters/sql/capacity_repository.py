"""Order capacity: fulfillments taken per location and local day (and local hour), counted with a guarded upsert."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from omnifill.adapters.sql.tables import location_day_loads, location_hour_loads

_loads = location_day_loads
_hours = location_hour_loads
# Built once: intake runs them for every order (see InventoryRepository for why).
_TAKEN = select(_loads.c.location_id, _loads.c.day, _loads.c.fulfillments).where(
    _loads.c.location_id.in_(bindparam("locations", expanding=True)),
    _loads.c.day.in_(bindparam("days", expanding=True)),
)
_TAKEN_HOURS = select(_hours.c.location_id, _hours.c.day, _hours.c.hour, _hours.c.fulfillments).where(
    _hours.c.location_id.in_(bindparam("locations", expanding=True)),
    _hours.c.day.in_(bindparam("days", expanding=True)),
)


def _take(insert: Any, table: Any, keys: tuple[str, ...]) -> Any:
    """One more in the counter row of `keys`, created at 1, or raised only while below `capacity`."""
    return insert(table).values(
        **{key: bindparam(key) for key in keys}, fulfillments=1,
    ).on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={"fulfillments": table.c.fulfillments + 1},
        where=table.c.fulfillments < bindparam("capacity"),
    ).returning(table.c.fulfillments)


_DAY, _HOUR = ("location_id", "day"), ("location_id", "day", "hour")
_TAKE = {"postgresql": _take(postgresql.insert, _loads, _DAY), "sqlite": _take(sqlite.insert, _loads, _DAY)}
_TAKE_HOUR = {"postgresql": _take(postgresql.insert, _hours, _HOUR), "sqlite": _take(sqlite.insert, _hours, _HOUR)}
_GIVE_BACK = (
    update(_loads)
    .where(_loads.c.location_id == bindparam("location"), _loads.c.day == bindparam("on_day"),
           _loads.c.fulfillments > 0)
    .values(fulfillments=_loads.c.fulfillments - 1)
)


class LocationLoadRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._take = _TAKE[connection.dialect.name]
        self._take_hour = _TAKE_HOUR[connection.dialect.name]

    def taken(self, days: Mapping[int, date]) -> dict[int, int]:
        """Fulfillments taken by each location (id) on its day; a location with none taken is left out."""
        if not days:
            return {}
        rows = self._c.execute(_TAKEN, {"locations": list(days), "days": sorted(set(days.values()))})
        return {location_id: count for location_id, day, count in rows if days[location_id] == day}

    def take(self, location_id: int, day: date, capacity: int) -> bool:
        """One more fulfillment for the location that day, only while it is below its capacity."""
        if capacity <= 0:
            return False
        found = self._c.execute(self._take, {"location_id": location_id, "day": day, "capacity": capacity}).first()
        return found is not None

    def taken_this_hour(self, hours: Mapping[int, tuple[date, int]]) -> dict[int, int]:
        """Fulfillments taken by each location (id) in its (local day, hour); none taken is left out."""
        if not hours:
            return {}
        rows = self._c.execute(_TAKEN_HOURS, {"locations": list(hours),
                                              "days": sorted({day for day, _ in hours.values()})})
        return {location_id: count for location_id, day, hour, count in rows if hours[location_id] == (day, hour)}

    def take_hour(self, location_id: int, hour: tuple[date, int], capacity: int) -> bool:
        """One more fulfillment for the location in that local (day, hour), only while below its capacity."""
        if capacity <= 0:
            return False
        found = self._c.execute(self._take_hour, {"location_id": location_id, "day": hour[0], "hour": hour[1],
                                                  "capacity": capacity}).first()
        return found is not None

    def give_back(self, location_id: int, day: date) -> None:
        """A fulfillment moved away (a wave): its slot is free again."""
        self._c.execute(_GIVE_BACK, {"location": location_id, "on_day": day})
