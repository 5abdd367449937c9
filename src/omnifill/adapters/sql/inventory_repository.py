"""Stock levels and the movement ledger. Every write here is a guarded update or a ledger insert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from omnifill.adapters.sql.catalog_repository import LOCATION_COLUMNS, location_from_values
from omnifill.adapters.sql.records_repository import OutboxRepository
from omnifill.adapters.sql.tables import inventory_levels, inventory_movements, locations, opportunity_costs, skus
from omnifill.domain.channels import availability_changed
from omnifill.domain.inventory import Movement, StockLevel
from omnifill.domain.locations import Location

_il = inventory_levels
_available = _il.c.on_hand - _il.c.reserved - _il.c.safety_stock
_this_pair = and_(_il.c.sku_id == bindparam("pair_sku"), _il.c.location_id == bindparam("pair_location"))
_level_columns = (_il.c.on_hand, _il.c.reserved, _il.c.safety_stock, _il.c.average_unit_cost)

# The statements of order intake, built once: constructing a Core statement costs more than running it on SQLite.
_RESERVE = (
    update(_il).where(_this_pair, _available >= bindparam("units"))
    .values(reserved=_il.c.reserved + bindparam("units"), updated_at=bindparam("now"))
    .returning(*_level_columns)
)
_RELEASE = (
    update(_il).where(_this_pair, _il.c.reserved >= bindparam("units"))
    .values(reserved=_il.c.reserved - bindparam("units"), updated_at=bindparam("now"))
    .returning(*_level_columns)
)
# Every requested SKU that exists, with each location where some of it can be promised (none: NULL location).
_WHERE_PROMISABLE = (
    skus.outerjoin(_il, and_(_il.c.sku_id == skus.c.id, _available > 0))
    .outerjoin(locations, locations.c.id == _il.c.location_id)
    .outerjoin(opportunity_costs, and_(opportunity_costs.c.sku_id == _il.c.sku_id,
                                       opportunity_costs.c.location_id == _il.c.location_id))
)
_ASKED = skus.c.code.in_(bindparam("codes", expanding=True))
_AVAILABILITY = (
    select(skus.c.code, skus.c.id, skus.c.weight_kg, _available, opportunity_costs.c.per_unit, locations.c.id,
           *LOCATION_COLUMNS)
    .select_from(_WHERE_PROMISABLE).where(_ASKED)
)
# The same by location code, for a storefront's stock snapshot: it takes the locations from its cached network.
_PROMISABLE = (
    select(skus.c.code, skus.c.weight_kg, _available, opportunity_costs.c.per_unit, locations.c.code)
    .select_from(_WHERE_PROMISABLE).where(_ASKED)
)
# A shipment consumes its reservation: units leave the shelf and the promise together.
_SHIP = (
    update(_il).where(_this_pair, _il.c.reserved >= bindparam("units"), _il.c.on_hand >= bindparam("units"))
    .values(on_hand=_il.c.on_hand - bindparam("units"), reserved=_il.c.reserved - bindparam("units"),
            updated_at=bindparam("now"))
    .returning(*_level_columns)
)
_INSERT_MOVEMENTS = insert(inventory_movements)


@dataclass(frozen=True, slots=True)
class Balance:
    sku: str
    location: str
    level: StockLevel


@dataclass(frozen=True, slots=True)
class NetworkTotal:
    """One SKU summed over locations; `available` adds each location's available, never goes below zero."""

    on_hand: int
    reserved: int
    safety_stock: int
    available: int


@dataclass(frozen=True, slots=True)
class Availability:
    """What order intake reads in one query: the SKUs that exist, and where each can be promised."""

    sku_ids: dict[str, int]
    at: list[tuple[int, Location, str, int]]  # (location id, location, SKU code, units available to promise)
    weights_kg: dict[str, float]
    # The look-ahead's opportunity cost of a unit per (SKU, location code), where the last solve priced one.
    opportunity: dict[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class Promisable:
    """Where SKUs can be promised, by location code: what a storefront's snapshot re-reads every second."""

    weights_kg: dict[str, float]  # every requested SKU that exists
    units: list[tuple[str, str, int]]  # (SKU, location code, units available to promise)
    opportunity: dict[tuple[str, str], float]  # (SKU, location code) → the look-ahead's cost of a unit


@dataclass(frozen=True, slots=True)
class Keys:
    """Surrogate ids of one (SKU, location) pair."""

    sku_id: int
    location_id: int


class InventoryRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"

    def ensure_level(self, keys: Keys, average_unit_cost: Decimal, now: datetime) -> None:
        """Create the zero balance of a pair the first time stock is booked there (idempotent under races)."""
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        self._c.execute(
            dialect_insert(_il).values(
                sku_id=keys.sku_id, location_id=keys.location_id, on_hand=0, reserved=0, safety_stock=0,
                average_unit_cost=average_unit_cost, updated_at=now,
            ).on_conflict_do_nothing()
        )

    def level_for_update(self, keys: Keys) -> StockLevel | None:
        """Read one balance and hold its row lock until commit (SQLite already holds the database lock)."""
        query = select(_il.c.on_hand, _il.c.reserved, _il.c.safety_stock, _il.c.average_unit_cost).where(
            _il.c.sku_id == keys.sku_id, _il.c.location_id == keys.location_id
        )
        if self._postgres:
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return StockLevel(row[0], row[1], row[2], row[3]) if row else None

    def store_level(self, keys: Keys, level: StockLevel, now: datetime) -> None:
        self._c.execute(
            update(_il).where(_il.c.sku_id == keys.sku_id, _il.c.location_id == keys.location_id).values(
                on_hand=level.on_hand, reserved=level.reserved, safety_stock=level.safety_stock,
                average_unit_cost=level.average_unit_cost, updated_at=now,
            )
        )

    def reserve(self, keys: Keys, units: int, now: datetime) -> StockLevel | None:
        """The oversell guard: reserve only if that many units are still available; None if the race was lost."""
        return self._change_reserved(_RESERVE, keys, units, now)

    def release(self, keys: Keys, units: int, now: datetime) -> StockLevel | None:
        """Give back reserved units; None if fewer than that are reserved."""
        return self._change_reserved(_RELEASE, keys, units, now)

    def ship(self, keys: Keys, units: int, now: datetime) -> StockLevel | None:
        """Units reserved for an order leave the location; None if fewer than that are reserved."""
        return self._change_reserved(_SHIP, keys, units, now)

    def _change_reserved(self, statement: Any, keys: Keys, units: int, now: datetime) -> StockLevel | None:
        row = self._c.execute(
            statement, {"pair_sku": keys.sku_id, "pair_location": keys.location_id, "units": units, "now": now}
        ).first()
        return StockLevel(row[0], row[1], row[2], row[3]) if row else None

    def record(self, rows: Sequence[tuple[Movement, Keys, StockLevel]], now: datetime) -> None:
        """Append ledger rows; each carries the balance it produced, so history reads without replaying.

        Every change of on-hand or reserved passes through here, whoever made it (intake, cancels, picks,
        counts, feeds), so this is the one place that tells channel connectors a location's availability moved:
        an `inventory.availability_changed` event per row that changed it, in the same transaction.
        """
        if not rows:
            return
        OutboxRepository(self._c).add(
            event for m, _, after in rows if (event := availability_changed(m, after, now)) is not None
        )
        self._c.execute(_INSERT_MOVEMENTS, [
            {
                "sku_id": keys.sku_id, "location_id": keys.location_id, "kind": str(m.kind),
                "quantity": m.quantity, "on_hand_delta": m.on_hand_delta, "reserved_delta": m.reserved_delta,
                "on_hand_after": after.on_hand, "reserved_after": after.reserved, "unit_cost": m.unit_cost,
                "reason": m.reason, "actor": m.actor, "order_id": m.order_id, "occurred_at": now,
            }
            for m, keys, after in rows
        ])

    def availability(self, sku_codes: Iterable[str]) -> Availability:
        """Which of these SKUs exist, and every location where any of them can be promised."""
        found = Availability({}, [], {}, {})
        rows = self._c.execute(_AVAILABILITY, {"codes": list(sku_codes)})
        for sku, sku_id, weight, available, opportunity, location_id, *location in rows:
            found.sku_ids[sku] = sku_id
            found.weights_kg[sku] = float(weight)
            if location_id is not None:
                place = location_from_values(location)
                found.at.append((location_id, place, sku, available))
                if opportunity:
                    found.opportunity[sku, place.code] = opportunity
        return found

    def promisable(self, sku_codes: Iterable[str]) -> Promisable:
        """`availability` without the locations' columns, for a reader that already holds the network."""
        found = Promisable({}, [], {})
        rows = self._c.execute(_PROMISABLE, {"codes": list(sku_codes)}).all()  # fetchall: hundreds of rows
        for sku, weight, available, opportunity, location in rows:
            found.weights_kg[sku] = float(weight)
            if location is not None:
                found.units.append((sku, location, available))
                if opportunity:
                    found.opportunity[sku, location] = opportunity
        return found

    def balances(
        self, sku: str | None, location: str | None, after: tuple[str, str] | None, limit: int
    ) -> list[Balance]:
        query = (
            select(skus.c.code, locations.c.code.label("location_code"), _il.c.on_hand, _il.c.reserved,
                   _il.c.safety_stock, _il.c.average_unit_cost)
            .select_from(_il.join(skus, skus.c.id == _il.c.sku_id).join(locations, locations.c.id == _il.c.location_id))
            .order_by(skus.c.code, locations.c.code)
            .limit(limit)
        )
        if sku is not None:
            query = query.where(skus.c.code == sku)
        if location is not None:
            query = query.where(locations.c.code == location)
        if after is not None:
            query = query.where(tuple_(skus.c.code, locations.c.code) > tuple_(*after))
        return [Balance(r[0], r[1], StockLevel(r[2], r[3], r[4], r[5])) for r in self._c.execute(query)]

    def network_totals(self, sku_codes: Iterable[str], location: str | None) -> dict[str, NetworkTotal]:
        conditions: list[Any] = [skus.c.code.in_(list(sku_codes))]
        if location is not None:
            conditions.append(locations.c.code == location)
        clipped = func.sum(func.max(_available, 0)) if not self._postgres else func.sum(func.greatest(_available, 0))
        rows = self._c.execute(
            select(skus.c.code, func.sum(_il.c.on_hand), func.sum(_il.c.reserved),
                   func.sum(_il.c.safety_stock), clipped)
            .select_from(_il.join(skus, skus.c.id == _il.c.sku_id).join(locations, locations.c.id == _il.c.location_id))
            .where(and_(*conditions))
            .group_by(skus.c.code)
        )
        return {r[0]: NetworkTotal(int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}

    def ledger_sums(self) -> dict[tuple[int, int], tuple[int, int]]:
        """(sku_id, location_id) → (Σ on_hand_delta, Σ reserved_delta): what balances must equal."""
        rows = self._c.execute(
            select(inventory_movements.c.sku_id, inventory_movements.c.location_id,
                   func.sum(inventory_movements.c.on_hand_delta), func.sum(inventory_movements.c.reserved_delta))
            .group_by(inventory_movements.c.sku_id, inventory_movements.c.location_id)
        )
        return {(r[0], r[1]): (int(r[2]), int(r[3])) for r in rows}
