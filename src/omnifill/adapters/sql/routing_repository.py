"""What routing keeps: profiles, the decision trail of each order, backorders, waves and opportunity costs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, delete, func, insert, select, update

from omnifill.adapters.sql.tables import (
    backorders,
    locations,
    opportunity_costs,
    routing_decisions,
    routing_profiles,
    routing_waves,
    skus,
)
from omnifill.domain.errors import NotFound
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import ServiceLevel
from omnifill.domain.routing.backorders import Backorder, BackorderStatus
from omnifill.domain.routing.profiles import RoutingProfile

# --------------------------------------------------------------------------------------- profiles


def profile_body(profile: RoutingProfile) -> dict[str, Any]:
    """A profile as JSON, every field but its name: sets as sorted lists, enums as their values."""
    return {
        "channels": sorted(profile.channels),
        "service_levels": sorted(str(s) for s in profile.service_levels),
        "excluded_locations": sorted(profile.excluded_locations),
        "excluded_kinds": sorted(str(k) for k in profile.excluded_kinds),
        "max_distance_miles": profile.max_distance_miles,
        "safety_buffer_by_kind": {str(k): units for k, units in sorted(profile.safety_buffer_by_kind.items())},
        "safety_buffer_by_location": dict(sorted(profile.safety_buffer_by_location.items())),
        "enforce_promise": profile.enforce_promise,
        "max_packages": profile.max_packages,
        "split_threshold": profile.split_threshold,
        "look_ahead": profile.look_ahead,
        "batchable": profile.batchable,
        "pickup_lead_minutes": profile.pickup_lead_minutes,
    }


# The fields JSON cannot hold as they are; the rest (numbers, booleans) are stored as they are.
_DECODE: dict[str, Callable[[Any], Any]] = {
    "channels": frozenset,
    "service_levels": lambda values: frozenset(ServiceLevel(v) for v in values),
    "excluded_locations": frozenset,
    "excluded_kinds": lambda values: frozenset(LocationKind(v) for v in values),
    "safety_buffer_by_kind": lambda buffers: {LocationKind(k): units for k, units in buffers.items()},
    "safety_buffer_by_location": dict,
}
_PROFILE_FIELDS = frozenset(f.name for f in fields(RoutingProfile)) - {"name"}


def profile_from_body(name: str, body: Mapping[str, Any]) -> RoutingProfile:
    """The inverse of profile_body. A field an older body lacks takes its default; one no longer known is ignored."""
    values = {key: _DECODE.get(key, _same)(value) for key, value in body.items() if key in _PROFILE_FIELDS}
    return RoutingProfile(name=name, **values)


def _same(value: Any) -> Any:
    return value


class RoutingProfileRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def all(self) -> list[RoutingProfile]:
        p = routing_profiles
        rows = self._c.execute(select(p.c.name, p.c.body).order_by(p.c.name))
        return [profile_from_body(name, body) for name, body in rows]

    def get(self, name: str) -> RoutingProfile | None:
        body = self._c.execute(select(routing_profiles.c.body).where(routing_profiles.c.name == name)).scalar()
        return profile_from_body(name, body) if body is not None else None

    def put(self, profile: RoutingProfile, now: datetime) -> bool:
        """Store the profile whole, replacing one of the same name; True if it is new.

        Update first, insert if nothing was there: two first writes racing on PostgreSQL end with one of them
        refused by the primary key (a 409 at the API), never with one silently lost.
        """
        body = profile_body(profile)
        changed = self._c.execute(
            update(routing_profiles).where(routing_profiles.c.name == profile.name).values(body=body, updated_at=now)
        ).rowcount
        if changed:
            return False
        self._c.execute(insert(routing_profiles).values(name=profile.name, body=body, created_at=now, updated_at=now))
        return True


# -------------------------------------------------------------------------------------- decisions


@dataclass(frozen=True, slots=True)
class StoredDecision:
    sequence: int
    kind: str  # "initial" | "reroute" | "wave"
    profile: str
    body: dict[str, Any]
    created_at: datetime


_INSERT_DECISION = insert(routing_decisions)  # built once: intake writes one per order


class RoutingDecisionRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(
        self, order_id: str, kind: str, profile: str, body: dict[str, Any], now: datetime, *, first: bool = False,
    ) -> int:
        """Append a decision to the order's trail; returns its sequence number (the first is 1).

        `first` says the order is new (intake), which saves looking up the last number. Two writers appending
        to one order at once collide on (order_id, sequence) rather than interleave; services that reroute hold
        the order's row anyway.
        """
        last = 0 if first else self._c.execute(
            select(func.max(routing_decisions.c.sequence)).where(routing_decisions.c.order_id == order_id)
        ).scalar()
        sequence = (last or 0) + 1
        self._c.execute(_INSERT_DECISION, {
            "order_id": order_id, "sequence": sequence, "kind": kind, "profile": profile, "body": body,
            "created_at": now,
        })
        return sequence

    def for_order(self, order_id: str) -> list[StoredDecision]:
        d = routing_decisions
        rows = self._c.execute(
            select(d.c.sequence, d.c.kind, d.c.profile, d.c.body, d.c.created_at)
            .where(d.c.order_id == order_id).order_by(d.c.sequence)
        )
        return [StoredDecision(*row) for row in rows]


# ------------------------------------------------------------------------------------- backorders


def _backorder(row: RowMapping) -> Backorder:
    return Backorder(
        id=row["id"], order_id=row["order_id"], sku=row["sku"], quantity=row["quantity"],
        status=BackorderStatus(row["status"]), reason=row["reason"], created_at=row["created_at"],
    )


class BackorderRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, rows: Sequence[Backorder], now: datetime) -> None:
        """Insert backorders as given (their created_at included); `now` stamps updated_at."""
        if rows:
            self._c.execute(insert(backorders), [
                {"id": b.id, "order_id": b.order_id, "sku": b.sku, "quantity": b.quantity, "status": str(b.status),
                 "reason": b.reason, "created_at": b.created_at, "updated_at": now}
                for b in rows
            ])

    def page(self, status: str | None, after: str | None, limit: int) -> list[Backorder]:
        """In id order (ids sort by creation time), optionally of one status only; `after` is the last id seen."""
        query = select(backorders).order_by(backorders.c.id).limit(limit)
        if status is not None:
            query = query.where(backorders.c.status == status)
        if after is not None:
            query = query.where(backorders.c.id > after)
        return [_backorder(r) for r in self._c.execute(query).mappings()]

    def for_order(self, order_id: str) -> list[Backorder]:
        query = select(backorders).where(backorders.c.order_id == order_id).order_by(backorders.c.id)
        return [_backorder(r) for r in self._c.execute(query).mappings()]

    def change_status(self, backorder_id: str, expected: str, new: str, now: datetime) -> bool:
        """`UPDATE … WHERE status = :expected`: False if it was not in `expected` (or does not exist)."""
        changed = self._c.execute(
            update(backorders).where(backorders.c.id == backorder_id, backorders.c.status == expected)
            .values(status=new, updated_at=now)
        ).rowcount
        return bool(changed)


# ------------------------------------------------------------------------------------------ waves


@dataclass(frozen=True, slots=True)
class StoredWave:
    id: str
    body: dict[str, Any]
    created_at: datetime


class WaveRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, wave_id: str, body: dict[str, Any], now: datetime) -> None:
        self._c.execute(insert(routing_waves).values(id=wave_id, body=body, created_at=now))

    def get(self, wave_id: str) -> StoredWave | None:
        row = self._c.execute(
            select(routing_waves.c.id, routing_waves.c.body, routing_waves.c.created_at)
            .where(routing_waves.c.id == wave_id)
        ).first()
        return StoredWave(*row) if row else None


# ----------------------------------------------------------------------------- opportunity costs

_CODES_PER_QUERY = 5000  # well under SQLite's and PostgreSQL's limits on bound parameters


class OpportunityCostRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def replace(self, rows: Sequence[tuple[str, str, float]], now: datetime) -> None:
        """The last solve's (SKU code, location code, per-unit cost) rows, in place of every earlier one.

        Raises NotFound naming any code that does not exist: nothing is replaced then.
        """
        sku_ids = _ids(self._c, skus, {sku for sku, _, _ in rows})
        location_ids = _ids(self._c, locations, {location for _, location, _ in rows})
        missing_skus = sorted({sku for sku, _, _ in rows} - sku_ids.keys())
        missing_locations = sorted({location for _, location, _ in rows} - location_ids.keys())
        if missing_skus or missing_locations:
            raise NotFound("opportunity costs name unknown SKUs or locations",
                           skus=missing_skus, locations=missing_locations)
        self._c.execute(delete(opportunity_costs))
        if rows:
            self._c.execute(insert(opportunity_costs), [
                {"sku_id": sku_ids[sku], "location_id": location_ids[location], "per_unit": per_unit,
                 "solved_at": now}
                for sku, location, per_unit in rows
            ])

    def all(self) -> dict[tuple[str, str], float]:
        """(SKU code, location code) → per-unit opportunity cost, as of the last solve."""
        rows = self._c.execute(
            select(skus.c.code, locations.c.code, opportunity_costs.c.per_unit)
            .join(skus, skus.c.id == opportunity_costs.c.sku_id)
            .join(locations, locations.c.id == opportunity_costs.c.location_id)
        )
        return {(sku, location): per_unit for sku, location, per_unit in rows}


def _ids(connection: Connection, table: Table, codes: Iterable[str]) -> dict[str, int]:
    """Code → surrogate id for the codes of `table` (skus or locations) that exist."""
    wanted = sorted(codes)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CODES_PER_QUERY):
        chunk = wanted[start:start + _CODES_PER_QUERY]
        rows = connection.execute(select(table.c.code, table.c.id).where(table.c.code.in_(chunk)))
        found.update((code, row_id) for code, row_id in rows)
    return found
