"""What a location does with the work routed to it. A store key acts on its own store's fulfillments only."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from omnifill.domain.access import Permission
from omnifill.domain.errors import InvalidInput
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.routing_schemas import RejectIn, ShortPickIn
from omnifill.entrypoints.api.schemas import OrderOut
from omnifill.services import rerouting

router = APIRouter(prefix="/v1/fulfillments", tags=["fulfillment"])


@router.post("/{fulfillment_id}/reject")
def reject_fulfillment(fulfillment_id: str, body: RejectIn, caller: Caller, uow: Uow) -> OrderOut:
    """The location cannot fulfill it: its stock is released and the order is routed again without it."""
    caller.require(Permission.FULFILLMENT_WRITE)
    return OrderOut.of(rerouting.reject_fulfillment(uow, fulfillment_id, caller, body.reason, datetime.now(UTC)))


@router.post("/{fulfillment_id}/short-pick")
def short_pick(fulfillment_id: str, body: ShortPickIn, caller: Caller, uow: Uow) -> OrderOut:
    """Fewer units were found than the books said: the books are corrected and the rest is routed again."""
    caller.require(Permission.FULFILLMENT_WRITE)
    picked: dict[str, int] = {}
    for index, line in enumerate(body.lines):
        if line.sku in picked:
            raise InvalidInput(f"lines[{index}].sku", f"{line.sku} is listed twice")
        picked[line.sku] = line.picked
    try:
        return OrderOut.of(rerouting.short_pick(uow, fulfillment_id, picked, caller, body.reason, datetime.now(UTC)))
    except InvalidInput as refused:
        raise _by_index(refused, list(picked)) from None


def _by_index(refused: InvalidInput, skus: list[str]) -> InvalidInput:
    """The service names a line by its SKU (`lines.SKU.picked`); the wire names it by position."""
    _, _, rest = refused.field.partition(".")
    sku, dot, attribute = rest.partition(".")
    if sku not in skus:
        return refused
    return InvalidInput(f"lines[{skus.index(sku)}]" + (f".{attribute}" if dot else ".sku"), refused.problem)
