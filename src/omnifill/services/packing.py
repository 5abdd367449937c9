"""Carton choice at `pack`, and the cartons a packed fulfillment is in (what a shipment is made of)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from omnifill.adapters.cartons import grams, load_carton_sizes, millimetres
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.adapters.sql.warehouse_repository import CartonRecord
from omnifill.domain.access import Principal
from omnifill.domain.orders import FulfillmentOrder
from omnifill.domain.packing import CartonSizes, Dimensions, PackedCarton, choose_cartons, units_to_pack
from omnifill.services.orders import find_fulfillment

__all__ = ["CartonRecord", "cartons_for", "cartons_of", "default_carton_sizes", "pack_in_cartons"]


@cache
def default_carton_sizes() -> CartonSizes:
    """The carton sizes shipped with omnifill, read once per process."""
    return load_carton_sizes()


def pack_in_cartons(
    uow: UnitOfWork, fulfillment: FulfillmentOrder, sizes: CartonSizes, now: datetime,
) -> list[PackedCarton]:
    """Choose the fulfillment's cartons and record them, inside the caller's transaction (the `pack` move)."""
    skus = uow.skus.by_codes({line.sku for line in fulfillment.lines})
    weights = {code: grams(sku.weight_kg) for code, sku in skus.items()}
    dimensions: dict[str, Dimensions | None] = {}
    for code, sku in skus.items():
        if sku.dimensions_cm is not None:
            length, width, height = (millimetres(side) for side in sku.dimensions_cm)
            dimensions[code] = (length, width, height)
    lines = {line.sku: line.quantity for line in fulfillment.lines}
    packed = choose_cartons(units_to_pack(lines, weights, dimensions, sizes), sizes)
    uow.cartons.add(fulfillment.id, packed, now)
    return packed


def cartons_payload(packed: list[PackedCarton]) -> list[dict[str, Any]]:
    """The cartons as the `fulfillment.packed` event carries them."""
    return [
        {"number": number, "carton": p.carton.code, "dimensions_cm": [mm / 10 for mm in p.carton.inner_mm],
         "weight_kg": p.grams / 1000, "lines": [{"sku": sku, "quantity": units} for sku, units in p.lines]}
        for number, p in enumerate(packed, start=1)
    ]


def cartons_of(uow: UnitOfWork, fulfillment_id: str, principal: Principal) -> list[CartonRecord]:
    """Each carton of a packed fulfillment: code, inner dimensions, weight with tare, and the units in it.

    Inside an open transaction read `uow.cartons.of([fulfillment_id])` instead.
    """
    with uow.reading() as reader:
        _, fulfillment = find_fulfillment(reader, fulfillment_id, lock=False)
        principal.require_location(fulfillment.location)
        return reader.cartons.of([fulfillment_id]).get(fulfillment_id, [])


def cartons_for(uow: UnitOfWork, fulfillment_ids: list[str]) -> dict[str, list[CartonRecord]]:
    """The cartons of fulfillments the caller has already been allowed to read."""
    if not fulfillment_ids:
        return {}
    with uow.reading() as reader:
        return reader.cartons.of(fulfillment_ids)
