"""Daily order capacity: fulfillments taken per location and local day, counted with a guarded upsert."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from omnifill.adapters.sql.tables import location_day_loads

_loads = location_day_loads
# Built once: intake runs them for every order (see InventoryRepository for why).
_TAKEN = select(_loads.c.location_id, _loads.c.day, _loads.c.fulfillments).where(
    _loads.c.location_id.in_(bindparam("locations", expanding=True)),
    _loads.c.day.in_(bindparam("days", expanding=True)),
)


def _take(insert: Any) -> Any:
    return insert(_loads).values(
        location_id=bindparam("location"), day=bindparam("day"), fulfillments=1,
    ).on_conflict_do_update(
        index_elements=[_loads.c.location_id, _loads.c.day],
        set_={"fulfillments": _loads.c.fulfillments + 1},
        where=_loads.c.fulfillments < bindparam("capacity"),
    ).returning(_loads.c.fulfillments)


_TAKE = {"postgresql": _take(postgresql.insert), "sqlite": _take(sqlite.insert)}
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
        found = self._c.execute(self._take, {"location": location_id, "day": day, "capacity": capacity}).first()
        return found is not None

    def give_back(self, location_id: int, day: date) -> None:
        """A fulfillment moved away (a wave): its slot is free again."""
        self._c.execute(_GIVE_BACK, {"location": location_id, "on_day": day})
