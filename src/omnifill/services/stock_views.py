"""The console's stock pages: one SKU across the network with its ledger, and the pairs running low.

A store sees its own store's rows only, as its API key does.
"""

from __future__ import annotations

from omnifill.adapters.sql.inventory_repository import Balance
from omnifill.adapters.sql.stock_view_repository import LedgerEntry
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal
from omnifill.domain.errors import InvalidInput, NotFound

__all__ = ["Balance", "LedgerEntry", "running_low", "sku_ledger", "sku_stock"]


def sku_stock(uow: UnitOfWork, principal: Principal, sku: str) -> list[Balance]:
    """The SKU at every location that holds a balance of it; an unknown SKU is a 404."""
    principal.require(Permission.INVENTORY_READ)
    with uow.reading() as reader:
        if reader.skus.get(sku) is None:
            raise NotFound(f"no SKU {sku}", sku=sku)
        return reader.stock_views.at_every_location(sku, principal.location)


def sku_ledger(uow: UnitOfWork, principal: Principal, sku: str, before: int | None, limit: int) -> list[LedgerEntry]:
    """The SKU's movements, newest first."""
    principal.require(Permission.INVENTORY_READ)
    with uow.reading() as reader:
        return reader.stock_views.ledger(sku, principal.location, before, limit)


def running_low(
    uow: UnitOfWork, principal: Principal, below: int | None, after: tuple[str, str] | None, limit: int,
) -> list[Balance]:
    """Pairs whose available is at most their safety stock (or at most `below`), by SKU then location."""
    principal.require(Permission.INVENTORY_READ)
    if below is not None and below < 0:
        raise InvalidInput("below", "must not be negative")
    with uow.reading() as reader:
        return reader.stock_views.running_low(below, principal.location, after, limit)
