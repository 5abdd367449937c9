"""Stock levels and the movement ledger. Every write here is a guarded update or a ledger insert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from omnifill.adapters.sql.catalog_repository import location_from_row
from omnifill.adapters.sql.tables import inventory_levels, inventory_movements, locations, skus
from omnifill.domain.inventory import Movement, StockLevel
from omnifill.domain.locations import Location

_il = inventory_levels
_available = _il.c.on_hand - _il.c.reserved - _il.c.safety_stock


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
        row = self._c.execute(
            update(_il)
            .where(_il.c.sku_id == keys.sku_id, _il.c.location_id == keys.location_id, _available >= units)
            .values(reserved=_il.c.reserved + units, updated_at=now)
            .returning(_il.c.on_hand, _il.c.reserved, _il.c.safety_stock, _il.c.average_unit_cost)
        ).first()
        return StockLevel(row[0], row[1], row[2], row[3]) if row else None

    def release(self, keys: Keys, units: int, now: datetime) -> StockLevel | None:
        row = self._c.execute(
            update(_il)
            .where(_il.c.sku_id == keys.sku_id, _il.c.location_id == keys.location_id, _il.c.reserved >= units)
            .values(reserved=_il.c.reserved - units, updated_at=now)
            .returning(_il.c.on_hand, _il.c.reserved, _il.c.safety_stock, _il.c.average_unit_cost)
        ).first()
        return StockLevel(row[0], row[1], row[2], row[3]) if row else None

    def record(self, rows: Sequence[tuple[Movement, Keys, StockLevel]], now: datetime) -> None:
        """Append ledger rows; each carries the balance it produced, so history reads without replaying."""
        self._c.execute(insert(inventory_movements), [
            {
                "sku_id": keys.sku_id, "location_id": keys.location_id, "kind": str(m.kind),
                "quantity": m.quantity, "on_hand_delta": m.on_hand_delta, "reserved_delta": m.reserved_delta,
                "on_hand_after": after.on_hand, "reserved_after": after.reserved, "unit_cost": m.unit_cost,
                "reason": m.reason, "actor": m.actor, "order_id": m.order_id, "occurred_at": now,
            }
            for m, keys, after in rows
        ])

    def availability(self, sku_ids: Iterable[int]) -> list[tuple[int, Location, str, int]]:
        """(location id, location, SKU code, units available to promise) wherever any of these can be promised."""
        rows = self._c.execute(
            select(locations, skus.c.code.label("sku_code"), _available.label("available"))
            .select_from(_il.join(locations, locations.c.id == _il.c.location_id).join(skus, skus.c.id == _il.c.sku_id))
            .where(_il.c.sku_id.in_(list(sku_ids)), _available > 0)
        ).mappings()
        return [(r["id"], location_from_row(r), r["sku_code"], r["available"]) for r in rows]

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
