"""Warehouse and backroom work at a location: bins, put-away, what is where, the floor layout, pick waves.

A store key acts on its own store only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from omnifill.domain.access import Permission
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.schemas import Code, Limit, Page
from omnifill.entrypoints.api.warehouse_schemas import (
    BinContentsOut,
    BinIn,
    BinLineOut,
    BinOut,
    LayoutIn,
    LayoutOut,
    PickWaveIn,
    PickWaveOut,
    PlacementOut,
    PlaceStockIn,
    PutAwayOut,
)
from omnifill.services import bins, picking

router = APIRouter(prefix="/v1/locations", tags=["warehouse"])


@router.post("/{code}/bins", status_code=201)
def create_bin(code: str, body: BinIn, caller: Caller, uow: Uow) -> BinOut:
    caller.require(Permission.INVENTORY_WRITE)
    return BinOut.of(bins.create_bin(uow, code, body.to_domain(), caller, datetime.now(UTC)))


@router.get("/{code}/bins")
def list_bins(
    code: str, caller: Caller, uow: Uow, limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[BinOut]:
    caller.require(Permission.INVENTORY_READ)
    found = bins.list_bins(uow, code, caller, decode_text_cursor(cursor), limit)
    return Page(items=[BinOut.of(b) for b in found],
                next_cursor=encode_cursor(found[-1].code) if len(found) == limit else None)


@router.get("/{code}/bins/{bin_code}")
def get_bin(code: str, bin_code: str, caller: Caller, uow: Uow) -> BinContentsOut:
    """The bin and what is in it."""
    caller.require(Permission.INVENTORY_READ)
    found, contents = bins.get_bin(uow, code, bin_code, caller)
    return BinContentsOut(**BinOut.of(found).model_dump(),
                          stock=[BinLineOut(sku=p.sku, quantity=p.quantity) for p in contents])


@router.post("/{code}/bins/{bin_code}/stock", status_code=201)
def put_away(code: str, bin_code: str, body: PlaceStockIn, caller: Caller, uow: Uow) -> PutAwayOut:
    """Place units on hand at the location in a bin (a placement: the ledger is unchanged)."""
    caller.require(Permission.INVENTORY_WRITE)
    done = bins.put_away(uow, code, bin_code, body.sku, body.quantity, caller, datetime.now(UTC))
    return PutAwayOut(bin=done.bin, sku=done.sku, quantity=done.quantity, unplaced=done.unplaced)


@router.get("/{code}/bin-stock")
def stock_in_bins(code: str, caller: Caller, uow: Uow, sku: Code | None = None) -> list[PlacementOut]:
    """What is where: each (bin, SKU) holding units, by bin then SKU."""
    caller.require(Permission.INVENTORY_READ)
    return [PlacementOut.of(p) for p in bins.stock_in_bins(uow, code, caller, sku=sku)]


@router.put("/{code}/layout")
def set_layout(code: str, body: LayoutIn, caller: Caller, uow: Uow) -> LayoutOut:
    """The floor: from now on the location's waves walk the shortest path over it."""
    caller.require(Permission.INVENTORY_WRITE)
    return LayoutOut.of(bins.set_layout(uow, code, body.to_domain(), caller, datetime.now(UTC)))


@router.get("/{code}/layout")
def get_layout(code: str, caller: Caller, uow: Uow) -> LayoutOut:
    caller.require(Permission.INVENTORY_READ)
    return LayoutOut.of(bins.get_layout(uow, code, caller))


@router.post("/{code}/waves", status_code=201)
def start_pick_wave(code: str, caller: Caller, uow: Uow, body: PickWaveIn | None = None) -> PickWaveOut:
    """Take the location's accepted ship work into one pick wave: one walk, then sorted to orders."""
    caller.require(Permission.FULFILLMENT_WRITE)
    record = picking.start_pick_wave(uow, code, caller, datetime.now(UTC), body.max_orders if body else None)
    return _wave(record)


@router.get("/{code}/waves/{wave_id}")
def get_pick_wave(code: str, wave_id: str, caller: Caller, uow: Uow) -> PickWaveOut:
    caller.require(Permission.ORDERS_READ)
    return _wave(picking.get_pick_wave(uow, code, wave_id, caller))


def _wave(record: dict[str, Any]) -> PickWaveOut:
    return PickWaveOut.model_validate(record)
