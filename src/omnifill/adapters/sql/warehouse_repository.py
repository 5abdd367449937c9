"""Bins and what is placed in them, location layouts, pick waves, and the cartons a fulfillment was packed in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from omnifill.adapters.sql.tables import (
    bin_stock,
    bins,
    fulfillment_cartons,
    location_layouts,
    pick_wave_fulfillments,
    pick_waves,
    skus,
)
from omnifill.domain.bins import Bin, Layout
from omnifill.domain.packing import PackedCarton

_BIN_COLUMNS = (bins.c.code, bins.c.zone, bins.c.aisle, bins.c.shelf)


def _bin(row: Any) -> Bin:
    return Bin(row.code, row.zone, row.aisle, row.shelf)


@dataclass(frozen=True, slots=True)
class Placement:
    bin: Bin
    sku: str
    quantity: int


class BinRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"

    def add(self, location_id: int, found: Bin, now: datetime) -> None:
        self._c.execute(insert(bins).values(location_id=location_id, code=found.code, zone=found.zone,
                                            aisle=found.aisle, shelf=found.shelf, created_at=now))

    def id_for(self, location_id: int, code: str) -> int | None:
        return self._c.execute(
            select(bins.c.id).where(bins.c.location_id == location_id, bins.c.code == code)
        ).scalar()

    def get(self, location_id: int, code: str) -> Bin | None:
        row = self._c.execute(
            select(*_BIN_COLUMNS).where(bins.c.location_id == location_id, bins.c.code == code)
        ).first()
        return _bin(row) if row else None

    def at(self, location_id: int, after: str | None = None, limit: int | None = None) -> list[Bin]:
        """The location's bins by code."""
        query = select(*_BIN_COLUMNS).where(bins.c.location_id == location_id).order_by(bins.c.code).limit(limit)
        if after is not None:
            query = query.where(bins.c.code > after)
        return [_bin(row) for row in self._c.execute(query)]

    def place(self, bin_id: int, sku_id: int, units: int, now: datetime) -> int:
        """Add units to a bin; returns what the bin now holds of that SKU."""
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        statement = dialect_insert(bin_stock).values(bin_id=bin_id, sku_id=sku_id, quantity=units, updated_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[bin_stock.c.bin_id, bin_stock.c.sku_id],
            set_={"quantity": bin_stock.c.quantity + statement.excluded.quantity, "updated_at": now},
        )
        self._c.execute(statement)
        held: int = self._c.execute(
            select(bin_stock.c.quantity).where(bin_stock.c.bin_id == bin_id, bin_stock.c.sku_id == sku_id)
        ).scalar_one()
        return held

    def placed_total(self, location_id: int, sku_id: int) -> int:
        rows = self._c.execute(
            select(bin_stock.c.quantity).join(bins, bins.c.id == bin_stock.c.bin_id)
            .where(bins.c.location_id == location_id, bin_stock.c.sku_id == sku_id)
        )
        return sum(row[0] for row in rows)

    def placements(
        self, location_id: int, sku_codes: Iterable[str] | None = None, bin_code: str | None = None,
    ) -> list[Placement]:
        """What is where at the location (units > 0), by bin code then SKU."""
        query = (
            select(*_BIN_COLUMNS, skus.c.code.label("sku"), bin_stock.c.quantity)
            .join(bins, bins.c.id == bin_stock.c.bin_id).join(skus, skus.c.id == bin_stock.c.sku_id)
            .where(bins.c.location_id == location_id, bin_stock.c.quantity > 0)
            .order_by(bins.c.code, skus.c.code)
        )
        if sku_codes is not None:
            query = query.where(skus.c.code.in_(list(sku_codes)))
        if bin_code is not None:
            query = query.where(bins.c.code == bin_code)
        return [Placement(_bin(row), row.sku, row.quantity) for row in self._c.execute(query)]

    def take(
        self, location_id: int, sku_id: int, units: int, first: Sequence[tuple[str, int]], now: datetime,
    ) -> int:
        """Take up to `units` of a SKU out of the location's bins: up to the (bin, units) in `first` first, then
        from the fullest; returns the units taken. The rows are locked (PostgreSQL) in bin order first."""
        query = (select(bins.c.code, bin_stock.c.bin_id, bin_stock.c.quantity)
                 .join(bins, bins.c.id == bin_stock.c.bin_id)
                 .where(bins.c.location_id == location_id, bin_stock.c.sku_id == sku_id, bin_stock.c.quantity > 0)
                 .order_by(bin_stock.c.bin_id))
        if self._postgres:
            query = query.with_for_update(of=bin_stock)
        held = {code: (bin_id, quantity) for code, bin_id, quantity in self._c.execute(query)}
        plan: dict[str, int] = {}
        fullest = sorted(held, key=lambda code: (-held[code][1], code))
        for code, wanted in [*first, *((code, units) for code in fullest)]:
            if code in held:
                plan[code] = plan.get(code, 0) + min(wanted, held[code][1] - plan.get(code, 0),
                                                     units - sum(plan.values()))
        for code, take in plan.items():
            if take > 0:
                self._c.execute(update(bin_stock)
                                .where(bin_stock.c.bin_id == held[code][0], bin_stock.c.sku_id == sku_id)
                                .values(quantity=bin_stock.c.quantity - take, updated_at=now))
        return sum(plan.values())


def layout_body(layout: Layout) -> dict[str, Any]:
    return {"start": layout.start, "points": {k: list(v) for k, v in sorted(layout.points.items())},
            "paths": [list(p) for p in layout.paths], "bins": dict(sorted(layout.bins.items()))}


def layout_from(body: dict[str, Any]) -> Layout:
    return Layout(body["start"], {k: (float(v[0]), float(v[1])) for k, v in body["points"].items()},
                  tuple((a, b) for a, b in body["paths"]), dict(body["bins"]))


class LayoutRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, location_id: int) -> Layout | None:
        body = self._c.execute(
            select(location_layouts.c.body).where(location_layouts.c.location_id == location_id)
        ).scalar()
        return layout_from(body) if body else None

    def put(self, location_id: int, layout: Layout, now: datetime) -> None:
        self._c.execute(delete(location_layouts).where(location_layouts.c.location_id == location_id))
        self._c.execute(insert(location_layouts).values(location_id=location_id, body=layout_body(layout),
                                                        updated_at=now))


class PickWaveRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(
        self, wave_id: str, location_id: int, body: dict[str, Any], sources: dict[str, dict[str, list[list[Any]]]],
        now: datetime,
    ) -> None:
        """The wave, and for each fulfillment it took the bins its units come from ({SKU: [[bin, units]]})."""
        self._c.execute(insert(pick_waves).values(id=wave_id, location_id=location_id, body=body, created_at=now))
        self._c.execute(insert(pick_wave_fulfillments), [
            {"fulfillment_id": fulfillment_id, "wave_id": wave_id, "bins": found}
            for fulfillment_id, found in sources.items()
        ])

    def get(self, wave_id: str, location_id: int) -> dict[str, Any] | None:
        body: dict[str, Any] | None = self._c.execute(
            select(pick_waves.c.body).where(pick_waves.c.id == wave_id, pick_waves.c.location_id == location_id)
        ).scalar()
        return body

    def sources_of(self, fulfillment_id: str) -> dict[str, list[list[Any]]]:
        """The bins the fulfillment's wave drew its units from, per SKU; empty when it was in no wave."""
        found: dict[str, list[list[Any]]] | None = self._c.execute(
            select(pick_wave_fulfillments.c.bins).where(pick_wave_fulfillments.c.fulfillment_id == fulfillment_id)
        ).scalar()
        return found or {}


@dataclass(frozen=True, slots=True)
class CartonRecord:
    """A carton a fulfillment was packed in, as shipping needs it."""

    number: int
    carton: str
    dimensions_cm: tuple[Decimal, Decimal, Decimal]
    weight_kg: Decimal  # contents and tare
    lines: tuple[tuple[str, int], ...]


class CartonRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, fulfillment_id: str, packed: Sequence[PackedCarton], now: datetime) -> None:
        if not packed:
            return
        self._c.execute(insert(fulfillment_cartons), [
            {"fulfillment_id": fulfillment_id, "number": number, "carton": p.carton.code,
             **{side: Decimal(mm) / 10 for side, mm in zip(("length_cm", "width_cm", "height_cm"),
                                                            p.carton.inner_mm, strict=True)},
             "weight_kg": Decimal(p.grams) / 1000, "lines": [{"sku": s, "quantity": n} for s, n in p.lines],
             "created_at": now}
            for number, p in enumerate(packed, start=1)
        ])

    def of(self, fulfillment_ids: Iterable[str]) -> dict[str, list[CartonRecord]]:
        fc = fulfillment_cartons
        rows = self._c.execute(select(fc).where(fc.c.fulfillment_id.in_(list(fulfillment_ids)))
                               .order_by(fc.c.fulfillment_id, fc.c.number)).mappings()
        found: dict[str, list[CartonRecord]] = {}
        for r in rows:
            found.setdefault(r["fulfillment_id"], []).append(CartonRecord(
                r["number"], r["carton"], (r["length_cm"], r["width_cm"], r["height_cm"]), r["weight_kg"],
                tuple((line["sku"], line["quantity"]) for line in r["lines"]),
            ))
        return found
