"""Orders, cancellations and refunds that channels push (webhooks) or that are imported (Amazon).

A payload that cannot be used — malformed, an unknown SKU, an order the network cannot cover — is refused with
the path that failed and kept whole in the channel's rejected list, so it can be replayed after a fix. A webhook
whose signature does not verify is refused before anything is read or kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from omnifill.adapters.channels.amazon import split_import
from omnifill.adapters.channels.messages import IMPORT_TOPIC, WEBHOOK_HEADERS, map_message
from omnifill.adapters.channels.payload import parse
from omnifill.adapters.channels.signatures import signed_by
from omnifill.adapters.ids import new_id
from omnifill.adapters.return_policy import load_return_policy
from omnifill.adapters.sql.channel_repository import Rejection
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal, Role
from omnifill.domain.channel_orders import (
    Cancellation,
    ChannelMessage,
    ChannelOrder,
    Ignored,
    RefundInstruction,
    RefundLine,
)
from omnifill.domain.channels import Channel, ChannelKind
from omnifill.domain.errors import (
    BadSignature,
    DomainError,
    DuplicateOrder,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from omnifill.domain.events import DomainEvent
from omnifill.domain.orders import Order, OrderStatus
from omnifill.domain.return_policy import ReturnPolicy
from omnifill.domain.returns import RequestedLine, ReturnMethod
from omnifill.services.channels import configured_channel
from omnifill.services.orders import cancel_in, place_order
from omnifill.services.returns import (
    CHANNEL_REFUND_REASON,
    ReturnRequest,
    authorize_return,
    channel_refund_return_id,
)

# What a refused payload may be fixed and replayed for; any other refusal (a 409 on a shipped order) is answered.
REPLAYABLE = (InvalidInput, InsufficientStock)
# The return policy a channel refund is checked against when the caller gives none (the API passes the server's).
SHIPPED_POLICY = load_return_policy()
_WOO_PING = re.compile(rb"webhook_id=\d+")
_KEPT_HEADERS = ("x-shopify-topic", "x-shopify-shop-domain", "x-shopify-webhook-id", "x-shopify-api-version",
                 "x-wc-webhook-topic", "x-wc-webhook-source", "x-wc-webhook-id", "x-wc-webhook-delivery-id",
                 "content-type")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a channel message did: placed (201), refund_received (202); duplicate, cancelled, unchanged or
    ignored (200)."""

    result: str
    order_id: str | None = None
    order: Order | None = None
    note: str | None = None
    external_id: str | None = None  # the channel's order id, in an import's list of outcomes
    rejected_id: str | None = None  # where a refused order of an import was kept


def receive_webhook(
    uow: UnitOfWork, code: str, headers: Mapping[str, str], body: bytes, now: datetime,
    policy: ReturnPolicy = SHIPPED_POLICY,
) -> Outcome:
    """A signed delivery from Shopify or WooCommerce; the signature over the raw body is checked before parsing."""
    channel = configured_channel(uow, code)
    if channel.kind not in WEBHOOK_HEADERS:
        raise NotFound(f"channel {code} is a {channel.kind} channel: it takes no webhooks", channel=code)
    signature_header, topic_header = WEBHOOK_HEADERS[channel.kind]
    if channel.kind is ChannelKind.WOOCOMMERCE and topic_header.lower() not in headers and \
            _WOO_PING.fullmatch(body):
        return Outcome("ignored", note="WooCommerce ping: the delivery URL answers")
    assert channel.secret is not None  # a signed kind always has one (Channel refuses otherwise)
    if not signed_by(channel.secret, body, headers.get(signature_header.lower())):
        raise BadSignature(f"the {signature_header} header does not sign this body with channel {code}'s secret",
                           header=signature_header)
    topic = headers.get(topic_header.lower(), "")
    kept = {name: headers[name][:200] for name in _KEPT_HEADERS if name in headers}
    return _kept_if_refused(uow, channel, topic, kept, body, now, policy)


def import_orders(
    uow: UnitOfWork, code: str, body: bytes, principal: Principal, now: datetime,
    policy: ReturnPolicy = SHIPPED_POLICY,
) -> list[Outcome]:
    """An Amazon import (getOrders + getOrderItems) or ORDER_CHANGE notification; each order on its own, so one
    refused order (kept for replay) does not hold back the others."""
    principal.require(Permission.CHANNELS_SYNC)
    principal.require_channel(code)
    channel = configured_channel(uow, code)
    if channel.kind is not ChannelKind.AMAZON:
        raise InvalidInput("channel", f"channel {code} is a {channel.kind} channel; imports are Amazon's")
    try:
        documents = split_import(parse(body))
    except InvalidInput as error:
        raise _kept(uow, channel, IMPORT_TOPIC, {}, body, error, now) from None
    outcomes = []
    for external_id, document in documents:
        try:
            outcome = _kept_if_refused(uow, channel, IMPORT_TOPIC, {}, document, now, policy)
        except DomainError as error:  # kept for replay (REPLAYABLE), or refused as it stands (a shipped order)
            outcome = Outcome("rejected", note=error.message, rejected_id=error.details.get("rejected_id"))
        outcomes.append(replace(outcome, external_id=external_id))
    return outcomes


def list_rejected(
    uow: UnitOfWork, code: str, principal: Principal, status: str | None, after: str | None, limit: int,
) -> list[Rejection]:
    principal.require(Permission.CHANNELS_SYNC)
    principal.require_channel(code)
    configured_channel(uow, code)
    with uow.reading() as reader:
        return reader.channels.rejections(code, status, after, limit)


def replay_rejected(
    uow: UnitOfWork, code: str, rejection_id: str, principal: Principal, now: datetime,
    policy: ReturnPolicy = SHIPPED_POLICY,
) -> Outcome:
    """Map the kept payload again (after the SKU was added, the stock received…) and act on it.

    The order is placed in its own transaction and the entry marked replayed in the next: if the second never
    happens, replaying again finds the order (a duplicate) and marks it then.
    """
    principal.require(Permission.CHANNELS_SYNC)
    principal.require_channel(code)
    channel = configured_channel(uow, code)
    with uow.reading() as reader:
        rejection = reader.channels.rejection(code, rejection_id)
    if rejection is None:
        raise NotFound(f"no rejected payload {rejection_id} on channel {code}", rejection_id=rejection_id)
    if rejection.status != "rejected":
        raise InvalidTransition(f"payload {rejection_id} was already replayed", current_status=rejection.status)
    try:
        outcome = _act(uow, channel, rejection.topic, rejection.body, now, policy)
    except REPLAYABLE as error:
        with uow:
            uow.channels.refused_again(rejection_id, _storable(_field_of(error)), _storable(error.message))
            uow.commit()
        error.details["rejected_id"] = rejection_id
        raise
    with uow:
        if uow.channels.mark_replayed(rejection_id, outcome.order_id, now):
            uow.outbox.add([DomainEvent("channel.payload_replayed", "channel", code, {
                "channel": code, "rejected_id": rejection_id, "result": outcome.result, "order_id": outcome.order_id,
            }, now)])
        uow.commit()
    return outcome


def _kept_if_refused(
    uow: UnitOfWork, channel: Channel, topic: str, headers: dict[str, str], body: bytes, now: datetime,
    policy: ReturnPolicy,
) -> Outcome:
    try:
        return _act(uow, channel, topic, body, now, policy)
    except REPLAYABLE as error:
        raise _kept(uow, channel, topic, headers, body, error, now) from None


def _kept(
    uow: UnitOfWork, channel: Channel, topic: str, headers: dict[str, str], body: bytes, error: DomainError,
    now: datetime,
) -> DomainError:
    """Keep a refused payload in the channel's rejected list; the error, now naming the entry, to raise."""
    rejection = Rejection(new_id("rej"), channel.code, _storable(topic)[:64], headers, body,
                          _storable(_field_of(error))[:300], _storable(error.message)[:500], "rejected", now)
    with uow:
        if (kept := uow.channels.rejected_body(channel.code, rejection.topic, body)) is not None:
            error.details["rejected_id"] = kept  # the channel retried a payload already kept
            return error
        uow.channels.add_rejection(rejection)
        uow.outbox.add([DomainEvent("channel.payload_rejected", "channel", channel.code, {
            "channel": channel.code, "rejected_id": rejection.id, "topic": rejection.topic,
            "field": rejection.error_field, "problem": rejection.error_message,
        }, now)])
        uow.commit()
    error.details["rejected_id"] = rejection.id
    return error


def _storable(text: str) -> str:
    # A payload may carry a NUL character (in a SKU it names, say); PostgreSQL text cannot hold one.
    return text.replace("\x00", "\ufffd")


def _field_of(error: DomainError) -> str:
    return error.field if isinstance(error, InvalidInput) else "lines"


def _act(
    uow: UnitOfWork, channel: Channel, topic: str, body: bytes, now: datetime, policy: ReturnPolicy,
) -> Outcome:
    message: ChannelMessage = map_message(channel, topic, body)
    actor = f"channel:{channel.code}"
    if isinstance(message, ChannelOrder):
        return _place(uow, message, actor, now)
    if isinstance(message, Cancellation):
        return _cancel(uow, channel, message, actor, now)
    if isinstance(message, RefundInstruction):
        return _refund_received(uow, channel, message, now, policy)
    assert isinstance(message, Ignored)
    return Outcome("ignored", note=message.reason)


def _place(uow: UnitOfWork, message: ChannelOrder, actor: str, now: datetime) -> Outcome:
    """Through the same use case as POST /v1/orders; the same channel order again is answered unchanged."""
    draft = message.to_draft(_catalog_lookup(uow, message.identifiers()).get)
    try:
        placed = place_order(uow, draft, actor, now)
    except DuplicateOrder as duplicate:
        return Outcome("duplicate", order_id=duplicate.details["order_id"], note=duplicate.message)
    return Outcome("placed", order_id=placed.order_id, order=placed.order)


def _catalog_lookup(uow: UnitOfWork, identifiers: set[str]) -> dict[str, str]:
    """Channel identifier → SKU code: the SKU code itself, else the SKU whose GTIN (barcode) it is."""
    with uow.reading() as reader:
        found = {code: code for code in reader.skus.by_codes(identifiers)}
        for identifier in sorted(identifiers - set(found)):
            if identifier.isdigit() and (code := reader.skus.code_for_gtin(identifier)) is not None:
                found[identifier] = code
    return found


def _cancel(uow: UnitOfWork, channel: Channel, message: Cancellation, actor: str, now: datetime) -> Outcome:
    with uow:
        order_id = uow.orders.id_for_external(channel.code, message.external_id)
        order = uow.orders.get(order_id, lock=True) if order_id else None
        if order is None:
            # Kept for replay: the order itself may be in the rejected list, waiting for its own fix.
            raise InvalidInput(message.path, f"no order from channel {channel.code} has id {message.external_id}")
        if order.status is OrderStatus.CANCELLED:
            return Outcome("unchanged", order_id=order.id, order=order, note="the order was already cancelled")
        cancel_in(uow, order, actor, now, message.reason)
        uow.commit()
    return Outcome("cancelled", order_id=order.id, order=order)


def _refund_received(
    uow: UnitOfWork, channel: Channel, refund: RefundInstruction, now: datetime, policy: ReturnPolicy,
) -> Outcome:
    """The channel refunded the customer. Units it says come back (restock) are authorized as a return that any
    store or returns location can receive; omnifill refunds nothing again. A redelivered refund finds its return
    by the channel's refund id and changes nothing."""
    with uow:
        order_id = uow.orders.id_for_external(channel.code, refund.external_id)
        uow.outbox.add([DomainEvent("channel.refund_received", "channel", channel.code, {
            "channel": channel.code, "order_id": order_id, **refund.as_payload(),
        }, now)])
        uow.commit()
    if not refund.restock or order_id is None:
        return Outcome("refund_received", order_id=order_id, note="refunded on the channel; nothing comes back")
    skus = _catalog_lookup(uow, {i for line in refund.lines for i in line.identifiers})
    lines = tuple(RequestedLine(_refunded_sku(line, skus, n), line.quantity, CHANNEL_REFUND_REASON)
                  for n, line in enumerate(refund.lines))
    request = ReturnRequest(order_id, lines, ReturnMethod.IN_STORE, return_id=channel_refund_return_id(
        channel.code, refund.refund_id))
    rma = authorize_return(uow, request, Principal(Role.CHANNEL, channel.code), now, policy=policy, carriers=())
    return Outcome("return_authorized", order_id=order_id, note=f"return {rma.id} expects the units back")


def _refunded_sku(line: RefundLine, skus: Mapping[str, str], n: int) -> str:
    sku = next((skus[i] for i in line.identifiers if i in skus), None)
    if sku is None:
        raise InvalidInput(f"refund_line_items[{n}]", f"no SKU {' or '.join(line.identifiers) or '(none)'}")
    return sku
