"""Returns anywhere: authorize (RMA), receive and inspect, refund, exchange, close; labels, dispositions, rates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from omnifill.domain.access import Permission
from omnifill.domain.errors import InvalidInput
from omnifill.domain.return_analytics import GroupBy
from omnifill.domain.returns import Disposition, Outcome, ReturnStatus
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_cursor, decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.returns_schemas import (
    DispositionOut,
    ExchangeIn,
    ReceiveIn,
    RefundIn,
    ResolveIn,
    ReturnAnalyticsOut,
    ReturnIn,
    ReturnOut,
    ReturnRateOut,
)
from omnifill.entrypoints.api.schemas import Limit, Page
from omnifill.services import return_receiving, return_settlement, returns
from omnifill.services.return_analytics import return_analytics

router = APIRouter(prefix="/v1/returns", tags=["returns"])
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post("", status_code=201)
def authorize(body: ReturnIn, caller: Caller, uow: Uow, request: Request) -> ReturnOut:
    """Authorize a return of shipped or picked-up units, from any channel's key or at a store's counter; a mail
    return comes with a prepaid label to the returns location."""
    caller.require(Permission.RETURNS_WRITE)
    state = request.app.state
    rma = returns.authorize_return(
        uow, returns.ReturnRequest(body.order_id, body.requested(), body.return_method, body.location), caller,
        datetime.now(UTC), policy=state.return_policy, carriers=state.carriers,
    )
    return ReturnOut.of(rma)


@router.get("")
def list_returns(
    caller: Caller, uow: Uow, order: str | None = None, status: ReturnStatus | None = None,
    location: str | None = None, limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[ReturnOut]:
    """Return authorizations, oldest first: a channel key sees its own channel's, a store key its own store's."""
    caller.require(Permission.RETURNS_READ)
    found = returns.list_returns(uow, caller, order_id=order, status=status, location=location,
                                 after=decode_text_cursor(cursor), limit=limit)
    return Page(items=[ReturnOut.of(r) for r in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)


@router.get("/analytics", response_model_by_alias=True)
def analytics(
    caller: Caller, uow: Uow, start: Annotated[date, Query(alias="from")], to: date, group_by: GroupBy,
) -> ReturnAnalyticsOut:
    """Units received back and the return rate (returned ÷ units shipped or handed over in the same days) per SKU,
    reason, channel, location or day, over the days from `from` to `to` (both included, UTC)."""
    caller.require(Permission.RETURNS_ANALYTICS)
    rates = return_analytics(uow, start, to, group_by)
    return ReturnAnalyticsOut.model_validate({"from": start, "to": to, "group_by": str(group_by),
                                              "groups": [ReturnRateOut.of(r) for r in rates]})


@router.get("/dispositions")
def dispositions(
    caller: Caller, uow: Uow, location: str | None = None, disposition: Disposition | None = None,
    return_id: Annotated[str | None, Query(alias="return")] = None, waiting: bool | None = None,
    limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[DispositionOut]:
    """Every unit received back and where it went (restock, quarantine, return_to_vendor, dispose, refurbish);
    `waiting=true`: the queues still to work. A store key sees its own store's."""
    caller.require(Permission.RETURNS_RECEIVE)
    after = decode_cursor(cursor)
    if after is not None and (isinstance(after, bool) or not isinstance(after, int)):
        raise InvalidInput("cursor", "not a cursor this API returned")
    found = return_receiving.list_dispositions(uow, caller, location=location, disposition=disposition,
                                               return_id=return_id, waiting=waiting, after=after, limit=limit)
    return Page(items=[DispositionOut.of(d) for d in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)


@router.post("/dispositions/{disposition_id}/resolve")
def resolve(disposition_id: RowId, body: ResolveIn, caller: Caller, uow: Uow) -> DispositionOut:
    """Work a unit off its queue: `restock` (refurbished, or cleared from quarantine: on the shelf and available
    at once), `dispose`, or `returned_to_vendor`."""
    caller.require(Permission.RETURNS_RECEIVE)
    outcome = Outcome(body.outcome)
    return DispositionOut.of(return_receiving.resolve_disposition(uow, disposition_id, outcome, caller,
                                                                  datetime.now(UTC)))


@router.get("/{return_id}")
def get_return(return_id: str, caller: Caller, uow: Uow) -> ReturnOut:
    caller.require(Permission.RETURNS_READ)
    return ReturnOut.of(returns.get_return(uow, return_id, caller))


@router.get("/{return_id}/label", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "A 4×6 inch prepaid return label"}})
def label(return_id: str, caller: Caller, uow: Uow) -> Response:
    caller.require(Permission.RETURNS_READ)
    pdf = returns.return_label(uow, return_id, caller)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="return-label-{return_id}.pdf"'})


@router.post("/{return_id}/receive")
def receive(return_id: str, body: ReceiveIn, caller: Caller, uow: Uow) -> ReturnOut:
    """Units arrived at a location that takes returns: sellable ones go back on its shelf and are available at
    once; damaged, defective and refurbish ones go to their disposition and are never available."""
    caller.require(Permission.RETURNS_RECEIVE)
    receipt = return_receiving.Receipt(body.location, body.received())
    return ReturnOut.of(return_receiving.receive_return(uow, return_id, receipt, caller, datetime.now(UTC)))


@router.post("/{return_id}/refund")
def refund(return_id: str, body: RefundIn, caller: Caller, uow: Uow, request: Request) -> ReturnOut:
    """Refund the units received (a `return.refunded` event for the payment side); once only."""
    caller.require(Permission.RETURNS_WRITE)
    method = return_settlement.RefundMethod(body.method)
    return ReturnOut.of(return_settlement.refund_return(uow, return_id, method, caller, datetime.now(UTC),
                                                        request.app.state.return_policy))


@router.post("/{return_id}/exchange")
def exchange(return_id: str, body: ExchangeIn, caller: Caller, uow: Uow) -> ReturnOut:
    """Place the replacement order (routed, at no charge) and link it to the return."""
    caller.require(Permission.RETURNS_WRITE)
    wanted = body.wanted()
    return ReturnOut.of(return_settlement.exchange_return(uow, return_id, wanted, caller, datetime.now(UTC)))


@router.post("/{return_id}/close")
def close(return_id: str, caller: Caller, uow: Uow) -> ReturnOut:
    """Settle what came back without a refund."""
    caller.require(Permission.RETURNS_WRITE)
    return ReturnOut.of(return_settlement.close_return(uow, return_id, caller, datetime.now(UTC)))


@router.post("/{return_id}/cancel")
def cancel(return_id: str, caller: Caller, uow: Uow) -> ReturnOut:
    """Nothing came back: the units may be returned on another authorization."""
    caller.require(Permission.RETURNS_WRITE)
    return ReturnOut.of(returns.cancel_return(uow, return_id, caller, datetime.now(UTC)))
