"""The event stream: positioning committed outbox events, reading them by position, and the readers' cursors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, false, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from omnifill.adapters.sql.tables import event_cursors, outbox_events
from omnifill.domain.event_stream import StoredEvent

POSITIONS = "positions"  # the relay's own cursor row: the last position it gave out
_E = outbox_events.c


class EventStreamRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def has_unpositioned(self) -> bool:
        """A cheap read, so an idle relay never takes the write lock."""
        return self._c.execute(select(_E.id).where(_E.published_at.is_(None)).limit(1)).first() is not None

    def position_pending(self, now: datetime, limit: int) -> list[StoredEvent]:
        """Give the oldest committed, unpositioned events the next positions, in id order.

        The caller's transaction serializes this step: on PostgreSQL the relay's cursor row is held FOR UPDATE
        (every later statement then sees what committed before the lock was granted); on SQLite the write
        transaction (BEGIN IMMEDIATE) already excludes every other writer. Positions given out therefore
        become visible in order, without gaps, and a reader paging by position can never pass over one.
        """
        last = self._lock_cursor(POSITIONS, now)
        rows = self._c.execute(
            select(outbox_events).where(_E.published_at.is_(None)).order_by(_E.id).limit(limit)
        ).mappings().all()
        if not rows:
            return []
        self._c.execute(
            update(outbox_events).where(_E.id == bindparam("event_id"))
            .values(position=bindparam("new_position"), published_at=now),
            [{"event_id": r["id"], "new_position": last + i} for i, r in enumerate(rows, start=1)],
        )
        self._set_cursor(POSITIONS, last + len(rows), now)
        return [stored_event({**r, "position": last + i}) for i, r in enumerate(rows, start=1)]

    def page(self, after: int, patterns: Sequence[str], limit: int) -> list[StoredEvent]:
        """Positioned events after `after`, of the given types (see event_stream.matches), in stream order."""
        query = select(outbox_events).where(_E.position > after)
        if patterns:
            query = query.where(or_(false(), *(_type_is(p) for p in patterns)))
        rows = self._c.execute(query.order_by(_E.position).limit(limit)).mappings()
        return [stored_event(r) for r in rows]

    def cursor(self, name: str) -> int:
        found = self._c.execute(select(event_cursors.c.position).where(event_cursors.c.name == name))
        return int(found.scalar_one_or_none() or 0)

    def advance_cursor(self, name: str, expected: int, position: int, now: datetime) -> bool:
        """Move a reader's cursor from `expected` to `position`; False if another reader moved it meanwhile."""
        self._ensure_cursor(name, now)
        moved = self._c.execute(
            update(event_cursors).where(event_cursors.c.name == name, event_cursors.c.position == expected)
            .values(position=position, updated_at=now)
        )
        return moved.rowcount == 1

    def _lock_cursor(self, name: str, now: datetime) -> int:
        self._ensure_cursor(name, now)
        found = self._c.execute(
            select(event_cursors.c.position).where(event_cursors.c.name == name).with_for_update()
        )
        return int(found.scalar_one())

    def _set_cursor(self, name: str, position: int, now: datetime) -> None:
        self._c.execute(update(event_cursors).where(event_cursors.c.name == name)
                        .values(position=position, updated_at=now))

    def _ensure_cursor(self, name: str, now: datetime) -> None:
        dialect = postgresql if self._c.dialect.name == "postgresql" else sqlite
        self._c.execute(dialect.insert(event_cursors).values(name=name, position=0, updated_at=now)
                        .on_conflict_do_nothing(index_elements=["name"]))


def _type_is(pattern: str) -> ColumnElement[bool]:
    return _E.type.startswith(pattern, autoescape=True) if pattern.endswith(".") else _E.type == pattern


def stored_event(row: Any) -> StoredEvent:
    """An outbox row (a mapping with its columns) as a stream event."""
    return StoredEvent(row["id"], row["position"], row["type"], row["entity_type"], row["entity_id"],
                       row["payload"], row["occurred_at"])
