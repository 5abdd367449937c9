"""Sales channels: configuration, signed order webhooks, Amazon imports, rejected payloads, availability feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.channel_schemas import (
    AvailabilityFeedOut,
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    ImportOut,
    OutcomeOut,
    RejectionOut,
    SellableOut,
)
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.schemas import Limit, Page
from omnifill.services import channel_intake, channels

router = APIRouter(prefix="/v1/channels", tags=["channels"])
# A first delivery placed is 201, a refund recorded for the returns process 202, anything else 200.
_STATUS = {"placed": 201, "refund_received": 202, "return_authorized": 202}


@router.post("", status_code=201)
def create_channel(body: ChannelIn, caller: Caller, uow: Uow) -> ChannelOut:
    return ChannelOut.of(channels.create_channel(uow, body.to_domain(), caller, datetime.now(UTC)))


@router.get("")
def list_channels(
    caller: Caller, uow: Uow, limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[ChannelOut]:
    found = channels.list_channels(uow, caller, decode_text_cursor(cursor), limit)
    return Page(items=[ChannelOut.of(c) for c in found],
                next_cursor=encode_cursor(found[-1].code) if len(found) == limit else None)


@router.get("/{code}")
def get_channel(code: str, caller: Caller, uow: Uow) -> ChannelOut:
    return ChannelOut.of(channels.get_channel(uow, code, caller))


@router.patch("/{code}")
def update_channel(code: str, body: ChannelPatch, caller: Caller, uow: Uow) -> ChannelOut:
    return ChannelOut.of(channels.update_channel(uow, code, body.changes(), caller, datetime.now(UTC)))


@router.post("/{code}/webhooks/orders", status_code=201, response_model=OutcomeOut,
             responses={200: {"model": OutcomeOut}, 202: {"model": OutcomeOut}})
async def receive_webhook(code: str, request: Request, uow: Uow) -> JSONResponse:
    """Authenticated by the signature over the raw body (X-Shopify-Hmac-Sha256 or X-WC-Webhook-Signature), not
    by an API key: the one /v1 call without one."""
    body = await request.body()
    headers = {name.lower(): value for name, value in request.headers.items()}
    outcome = await run_in_threadpool(channel_intake.receive_webhook, uow, code, headers, body, datetime.now(UTC),
                                      request.app.state.return_policy)
    return JSONResponse(OutcomeOut.of(outcome).model_dump(mode="json"), status_code=_STATUS.get(outcome.result, 200))


@router.post("/{code}/import")
async def import_orders(code: str, request: Request, caller: Caller, uow: Uow) -> ImportOut:
    """Amazon: `{"orders": <getOrders response>, "items": {"<AmazonOrderId>": <getOrderItems response>}}`, or an
    ORDER_CHANGE notification. One outcome per order."""
    body = await request.body()
    outcomes = await run_in_threadpool(channel_intake.import_orders, uow, code, body, caller, datetime.now(UTC),
                                       request.app.state.return_policy)
    return ImportOut(items=[OutcomeOut.of(o) for o in outcomes])


@router.get("/{code}/rejected")
def list_rejected(
    code: str, caller: Caller, uow: Uow, status: str | None = None, limit: Annotated[Limit, Query()] = 50,
    cursor: str | None = None,
) -> Page[RejectionOut]:
    found = channel_intake.list_rejected(uow, code, caller, status, decode_text_cursor(cursor), limit)
    return Page(items=[RejectionOut.of(r) for r in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)


@router.post("/{code}/rejected/{rejection_id}/replay", status_code=201, response_model=OutcomeOut,
             responses={200: {"model": OutcomeOut}, 202: {"model": OutcomeOut}})
def replay_rejected(code: str, rejection_id: str, caller: Caller, uow: Uow, request: Request) -> JSONResponse:
    outcome = channel_intake.replay_rejected(uow, code, rejection_id, caller, datetime.now(UTC),
                                             request.app.state.return_policy)
    return JSONResponse(OutcomeOut.of(outcome).model_dump(mode="json"), status_code=_STATUS.get(outcome.result, 200))


@router.get("/{code}/availability")
def channel_availability(
    code: str, caller: Caller, uow: Uow, updated_since: datetime | None = None,
    limit: Annotated[Limit, Query()] = 500, cursor: str | None = None,
) -> AvailabilityFeedOut:
    """What the channel may sell per SKU, after its allocation rules; with updated_since, only what changed."""
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    feed = channels.channel_availability(uow, code, caller, updated_since, decode_text_cursor(cursor), limit,
                                         datetime.now(UTC))
    return AvailabilityFeedOut(
        items=[SellableOut(sku=s.sku, sellable=s.sellable) for s in feed.items],
        next_cursor=encode_cursor(feed.items[-1].sku) if len(feed.items) == limit else None,
        as_of=feed.as_of, complete=feed.everything,
    )
