"""Bins at a location: set them up, put stock away into them, read what is where, and take units out at pick.

Put-away is a placement, not a movement: the location's on-hand (the ledger) is unchanged, and the units placed
in bins never exceed the units on hand there (the balance row is locked while that is checked, so two put-aways
cannot both pass). Picking takes the units out of the bins their wave drew them from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.adapters.sql.warehouse_repository import Placement
from omnifill.domain.access import Principal
from omnifill.domain.bins import Bin, Layout
from omnifill.domain.errors import AlreadyExists, InvalidInput, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.orders import FulfillmentOrder

__all__ = ["Placement", "PutAway", "create_bin", "get_bin", "get_layout", "list_bins", "location_id", "put_away",
           "set_layout", "stock_in_bins", "take_from_bins"]


@dataclass(frozen=True, slots=True)
class PutAway:
    bin: str
    sku: str
    quantity: int  # what the bin now holds of the SKU
    unplaced: int  # units of the SKU on hand at the location and in no bin


def location_id(uow: UnitOfWork, location: str) -> int:
    found = uow.locations.id_for(location)
    if found is None:
        raise NotFound(f"no location {location}", location=location)
    return found


def create_bin(uow: UnitOfWork, location: str, new: Bin, principal: Principal, now: datetime) -> Bin:
    principal.require_location(location)
    with uow:
        at = location_id(uow, location)
        if uow.bins.id_for(at, new.code) is not None:
            raise AlreadyExists(f"bin {new.code} already exists at {location}", bin=new.code, location=location)
        uow.bins.add(at, new, now)
        uow.outbox.add([DomainEvent("bin.created", "bin", f"{location}/{new.code}", {
            "location": location, "bin": new.code, "zone": new.zone, "aisle": new.aisle, "shelf": new.shelf,
            "actor": str(principal)}, now)])
        uow.commit()
    return new


def list_bins(uow: UnitOfWork, location: str, principal: Principal, after: str | None, limit: int) -> list[Bin]:
    principal.require_location(location)
    with uow.reading() as reader:
        return reader.bins.at(location_id(reader, location), after, limit)


def put_away(
    uow: UnitOfWork, location: str, bin_code: str, sku: str, units: int, principal: Principal, now: datetime,
) -> PutAway:
    """Place units of a SKU, on hand at the location, in one of its bins."""
    principal.require_location(location)
    if units <= 0:
        raise InvalidInput("quantity", "must be at least 1")
    with uow:
        at = location_id(uow, location)
        bin_id = uow.bins.id_for(at, bin_code)
        if bin_id is None:
            raise NotFound(f"no bin {bin_code} at {location}", bin=bin_code, location=location)
        sku_id = uow.skus.ids_for([sku]).get(sku)
        if sku_id is None:
            raise InvalidInput("sku", f"unknown SKU {sku}")
        level = uow.inventory.level_for_update(Keys(sku_id, at))  # held: two put-aways check one after the other
        free = (level.on_hand if level else 0) - uow.bins.placed_total(at, sku_id)
        if units > free:
            raise InvalidInput("quantity", f"only {max(free, 0)} of {sku} at {location} are on hand and in no bin")
        held = uow.bins.place(bin_id, sku_id, units, now)
        uow.outbox.add([DomainEvent("bin.stock_placed", "bin", f"{location}/{bin_code}", {
            "location": location, "bin": bin_code, "sku": sku, "quantity": units, "in_bin": held,
            "actor": str(principal)}, now)])
        uow.commit()
    return PutAway(bin_code, sku, held, free - units)


def get_bin(uow: UnitOfWork, location: str, bin_code: str, principal: Principal) -> tuple[Bin, list[Placement]]:
    """A bin and what is in it."""
    principal.require_location(location)
    with uow.reading() as reader:
        at = location_id(reader, location)
        found = reader.bins.get(at, bin_code)
        if found is None:
            raise NotFound(f"no bin {bin_code} at {location}", bin=bin_code, location=location)
        return found, reader.bins.placements(at, bin_code=bin_code)


def stock_in_bins(uow: UnitOfWork, location: str, principal: Principal, sku: str | None = None) -> list[Placement]:
    """What is where: every (bin, SKU) with units in it, by bin then SKU."""
    principal.require_location(location)
    with uow.reading() as reader:
        return reader.bins.placements(location_id(reader, location), [sku] if sku else None)


def set_layout(uow: UnitOfWork, location: str, layout: Layout, principal: Principal, now: datetime) -> Layout:
    """The location's floor; from now on its waves walk the shortest path over it."""
    principal.require_location(location)
    with uow:
        at = location_id(uow, location)
        known = {b.code for b in uow.bins.at(at)}
        if unknown := sorted(set(layout.bins) - known):
            raise InvalidInput(f"bins.{unknown[0]}", f"no bin {unknown[0]} at {location}")
        uow.layouts.put(at, layout, now)
        uow.outbox.add([DomainEvent("location.layout_set", "location", location, {
            "location": location, "points": len(layout.points), "paths": len(layout.paths),
            "bins": len(layout.bins), "actor": str(principal)}, now)])
        uow.commit()
    return layout


def get_layout(uow: UnitOfWork, location: str, principal: Principal) -> Layout:
    principal.require_location(location)
    with uow.reading() as reader:
        found = reader.layouts.get(location_id(reader, location))
    if found is None:
        raise NotFound(f"no layout is set for {location}", location=location)
    return found


def take_from_bins(uow: UnitOfWork, fulfillment: FulfillmentOrder, now: datetime) -> None:
    """The picked units leave their bins: those the fulfillment's wave drew from first, then the fullest."""
    at = uow.locations.id_for(fulfillment.location)
    assert at is not None
    sources = uow.pick_waves.sources_of(fulfillment.id)
    sku_ids = uow.skus.ids_for({line.sku for line in fulfillment.lines})
    for line in sorted(fulfillment.lines, key=lambda ln: ln.sku):
        first = [(str(code), int(units)) for code, units in sources.get(line.sku, [])]
        uow.bins.take(at, sku_ids[line.sku], line.quantity, first, now)
