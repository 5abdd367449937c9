"""Tills: sales and returns as they happen, an offline till's backlog in one upload, and the conflicts logged
when a till sold units promised online."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from omnifill.domain.access import Permission, Principal
from omnifill.domain.errors import InvalidInput
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_cursor, encode_cursor
from omnifill.entrypoints.api.pos_schemas import (
    BatchItemOut,
    BatchOut,
    ConflictRecordOut,
    PosResultOut,
    ReturnIn,
    SaleBatchIn,
    SaleIn,
)
from omnifill.entrypoints.api.schemas import Limit, Page
from omnifill.services import pos

router = APIRouter(tags=["pos"])


@router.post("/v1/pos/sales")
def record_sale(body: SaleIn, caller: Caller, uow: Uow) -> PosResultOut:
    """Units leave the store's shelf at once. Sending the same transaction again answers the first result
    (`replayed: true`); the same transaction id with a different body is a 422."""
    location = _till_location(caller, body.location)
    return PosResultOut.of(pos.record_pos(uow, body.report(), location, str(caller), datetime.now(UTC)))


@router.post("/v1/pos/returns")
def record_return(body: ReturnIn, caller: Caller, uow: Uow) -> PosResultOut:
    """Sellable units go back on the shelf; damaged ones are recorded only."""
    location = _till_location(caller, body.location)
    return PosResultOut.of(pos.record_pos(uow, body.report(), location, str(caller), datetime.now(UTC)))


@router.post("/v1/pos/sales/batch")
def record_sales_batch(body: SaleBatchIn, caller: Caller, uow: Uow) -> BatchOut:
    """An offline till's sales, each with its original time: each recorded (or replayed, or refused) on its
    own, oldest first; the results come back in the order sent."""
    location = _till_location(caller, body.location)
    for index, sale in enumerate(body.sales):
        if sale.location not in (None, location):
            raise InvalidInput(f"sales[{index}].location", "a batch is for one store: the batch's location")
    answers = pos.record_batch(uow, [sale.report() for sale in body.sales], location, str(caller),
                               datetime.now(UTC))
    results = [BatchItemOut.of(sale.transaction_id, answer) for sale, answer in zip(body.sales, answers, strict=True)]
    return BatchOut(
        recorded=sum(r.status == "recorded" for r in results), replayed=sum(r.status == "replayed" for r in results),
        failed=sum(r.status == "failed" for r in results), results=results,
    )


@router.get("/v1/locations/{code}/pos-conflicts")
def list_pos_conflicts(
    code: str, caller: Caller, uow: Uow, limit: Annotated[Limit, Query()] = 100, cursor: str | None = None,
) -> Page[ConflictRecordOut]:
    """Till sales that took units promised online, and what gave way, oldest first."""
    caller.require(Permission.INVENTORY_READ)
    caller.require_location(code)
    after = decode_cursor(cursor)
    if after is not None and not isinstance(after, int):
        raise InvalidInput("cursor", "not a cursor this API returned")
    found = pos.list_conflicts(uow, code, after, limit)
    return Page(items=[ConflictRecordOut.of(c) for c in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)


def _till_location(caller: Principal, location: str | None) -> str:
    """A store key's till sells at its own store; admin and operator keys name the store."""
    caller.require(Permission.POS_WRITE)
    chosen = location or caller.location
    if chosen is None:
        raise InvalidInput("location", "name the store the till belongs to")
    caller.require_location(chosen)
    return chosen
