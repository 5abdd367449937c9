from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from omnifill.domain.access import Permission
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.schemas import Limit, Page, SkuIn, SkuOut
from omnifill.services import catalog

router = APIRouter(prefix="/v1/skus", tags=["catalog"])


@router.post("", status_code=201)
def create_sku(body: SkuIn, caller: Caller, uow: Uow) -> SkuOut:
    caller.require(Permission.CATALOG_WRITE)
    return SkuOut.of(catalog.create_sku(uow, body.to_domain(), datetime.now(UTC)))


@router.get("")
def list_skus(
    caller: Caller, uow: Uow, limit: Annotated[Limit, Query()] = 50, cursor: str | None = None
) -> Page[SkuOut]:
    caller.require(Permission.CATALOG_READ)
    found = catalog.list_skus(uow, decode_text_cursor(cursor), limit)
    return Page(items=[SkuOut.of(s) for s in found],
                next_cursor=encode_cursor(found[-1].code) if len(found) == limit else None)


@router.get("/{code}")
def get_sku(code: str, caller: Caller, uow: Uow) -> SkuOut:
    caller.require(Permission.CATALOG_READ)
    return SkuOut.of(catalog.get_sku(uow, code))
