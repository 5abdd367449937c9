"""Reads for the console's stock pages: one SKU across the network, its ledger, and what runs low."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, tuple_

from omnifill.adapters.sql.inventory_repository import Balance
from omnifill.adapters.sql.tables import inventory_levels, inventory_movements, locations, skus
from omnifill.domain.inventory import StockLevel

_il = inventory_levels
_im = inventory_movements
_unclipped_available = _il.c.on_hand - _il.c.reserved - _il.c.safety_stock
_level_rows = (select(skus.c.code, locations.c.code, _il.c.on_hand, _il.c.reserved, _il.c.safety_stock,
                      _il.c.average_unit_cost)
               .select_from(_il.join(skus, skus.c.id == _il.c.sku_id)
                            .join(locations, locations.c.id == _il.c.location_id)))


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    location: str
    kind: str
    quantity: int
    on_hand_after: int
    reserved_after: int
    reason: str
    actor: str
    order_id: str | None
    occurred_at: datetime


class StockViewRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def at_every_location(self, sku: str, location: str | None) -> list[Balance]:
        """The SKU's balance at every location holding a level for it, in location order."""
        query = _level_rows.where(skus.c.code == sku).order_by(locations.c.code)
        if location is not None:
            query = query.where(locations.c.code == location)
        return _balances(self._c.execute(query))

    def ledger(self, sku: str, location: str | None, before: int | None, limit: int) -> list[LedgerEntry]:
        """The SKU's movements newest first, older than the movement id `before`."""
        query = (select(_im.c.id, locations.c.code.label("location"), _im.c.kind, _im.c.quantity, _im.c.on_hand_after,
                        _im.c.reserved_after, _im.c.reason, _im.c.actor, _im.c.order_id, _im.c.occurred_at)
                 .select_from(_im.join(skus, skus.c.id == _im.c.sku_id)
                              .join(locations, locations.c.id == _im.c.location_id))
                 .where(skus.c.code == sku).order_by(_im.c.id.desc()).limit(limit))
        if location is not None:
            query = query.where(locations.c.code == location)
        if before is not None:
            query = query.where(_im.c.id < before)
        return [LedgerEntry(**row) for row in self._c.execute(query).mappings()]

    def running_low(self, below: int | None, location: str | None, after: tuple[str, str] | None,
                    limit: int) -> list[Balance]:
        """Pairs whose available is at most their safety stock, or at most `below` when given; by SKU, location."""
        limit_of = _il.c.safety_stock if below is None else below
        # available = max(0, on hand − reserved − safety); against a limit ≥ 0 the clipping changes nothing.
        query = (_level_rows.where(_unclipped_available <= limit_of)
                 .order_by(skus.c.code, locations.c.code).limit(limit))
        if location is not None:
            query = query.where(locations.c.code == location)
        if after is not None:
            query = query.where(tuple_(skus.c.code, locations.c.code) > tuple_(*after))
        return _balances(self._c.execute(query))


def _balances(rows: Iterable[Sequence[Any]]) -> list[Balance]:
    return [Balance(r[0], r[1], StockLevel(r[2], r[3], r[4], r[5])) for r in rows]
