"""POST /v1/availability: the storefront's question, answered by the routing engine without reserving."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from omnifill.domain.access import Permission
from omnifill.domain.errors import InvalidInput
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.routing_schemas import AvailabilityIn, AvailabilityOut
from omnifill.services.promising import check_availability

router = APIRouter(prefix="/v1/availability", tags=["promises"])


@router.post("")
def availability(body: AvailabilityIn, caller: Caller, uow: Uow, request: Request) -> AvailabilityOut:
    """Pickup options (stores that hold the basket now, ready-by time) and delivery options (service level,
    promised date, carrier price). Stock may be up to a second behind; placing the order checks it again."""
    caller.require(Permission.AVAILABILITY_READ)
    if body.channel is not None:
        caller.require_channel(body.channel)
    lines: dict[str, int] = {}
    for index, line in enumerate(body.lines):
        if line.sku in lines:
            raise InvalidInput(f"lines[{index}].sku", f"{line.sku} is listed twice")
        lines[line.sku] = line.quantity
    found = check_availability(uow, request.app.state.stock_snapshot, body.postal_code, body.country, lines,
                               body.channel or caller.channel, datetime.now(UTC))
    return AvailabilityOut.of(found)
