"""Settling a return: refund what came back, exchange it for a routed replacement order, close it, or let an
unreceived one expire.

The refund is an event (`return.refunded`) for the payment or ERP side to pay out; omnifill integrates with no
payment provider. It is paid once: a second refund is a 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from omnifill.adapters.sql.return_repository import refund_json
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import DomainError, DuplicateOrder, InvalidInput, InvalidTransition
from omnifill.domain.orders import DeliveryMethod, FulfillmentStatus, Order, OrderDraft, OrderLine
from omnifill.domain.return_policy import ReturnedUnits, ReturnPolicy, Shipping, refund_for
from omnifill.domain.returns import ReturnAuthorization, ReturnStatus
from omnifill.services.orders import place_order
from omnifill.services.returns import change_status, move_return, return_event, visible_return, write_return

SHIPPED = frozenset({FulfillmentStatus.SHIPPED, FulfillmentStatus.DELIVERED})
EXCHANGEABLE = frozenset({ReturnStatus.AUTHORIZED, ReturnStatus.PARTIALLY_RECEIVED, ReturnStatus.RECEIVED})
BATCH = 500


class RefundMethod(StrEnum):
    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"


def refund_return(
    uow: UnitOfWork, return_id: str, method: RefundMethod, principal: Principal, now: datetime,
    policy: ReturnPolicy,
) -> ReturnAuthorization:
    """Refund the units received: the price paid less the reason's restocking fee, plus the shipping share of
    units the retailer was at fault for."""
    with uow:
        rma = visible_return(uow, return_id, principal, lock=True)
        if rma.replacement_order_id is not None:
            raise InvalidTransition(f"return {rma.id} was settled by the exchange order {rma.replacement_order_id}",
                                    current_status=str(rma.status), replacement_order_id=rma.replacement_order_id)
        order = uow.orders.get(rma.order_id)
        assert order is not None  # an RMA's order always exists (foreign key)
        prices = _prices_paid(order)
        returned = [ReturnedUnits(ln.sku, ln.received, ln.reason, prices[ln.sku]) for ln in rma.lines if ln.received]
        rma.refund, rma.refund_method = refund_for(returned, policy, _shipping(uow, order)), str(method)
        change_status(uow, rma, ReturnStatus.REFUNDED, now)
        assert rma.refund is not None
        uow.outbox.add([return_event("return.refunded", rma, now, refund_method=str(method), actor=str(principal),
                                     refund=refund_json(rma.refund))])
        uow.commit()
    return rma


def _prices_paid(order: Order) -> dict[str, Decimal]:
    """The unit price per SKU; a SKU on several lines at different prices is refunded at the lowest."""
    prices: dict[str, Decimal] = {}
    for line in order.lines:
        prices[line.sku] = min(prices.get(line.sku, line.unit_price), line.unit_price)
    return prices


def _shipping(uow: UnitOfWork, order: Order) -> Shipping:
    """What shipping the order cost (its labels on record) and how many units it carried."""
    if order.delivery.method is not DeliveryMethod.SHIP:
        return Shipping()
    paid = sum((s.cost for s in uow.shipments.find(order_id=order.id) if s.cost is not None), Decimal(0))
    units = sum(ln.quantity for f in order.fulfillments if f.status in SHIPPED for ln in f.lines)
    return Shipping(paid, units)


def close_return(uow: UnitOfWork, return_id: str, principal: Principal, now: datetime) -> ReturnAuthorization:
    """Settle what came back without a refund (kept as store policy decides, or paid outside omnifill)."""
    return move_return(uow, return_id, principal, now, ReturnStatus.CLOSED)


# ---------------------------------------------------------------------------------------------------- exchange


def exchange_return(
    uow: UnitOfWork, return_id: str, wanted: Mapping[str, int], principal: Principal, now: datetime,
) -> ReturnAuthorization:
    """Place the replacement order through routing, at no charge, for the original's customer, channel and
    delivery, and link the two. The replacement's channel order number is `exchange:<RMA id>`, so a retry after
    a failure between the two steps finds the order placed the first time instead of placing another."""
    with uow.reading() as reader:
        rma = visible_return(reader, return_id, principal)
        order = reader.orders.get(rma.order_id)
    assert order is not None
    _check_exchange(rma, wanted)
    draft = _replacement(order, rma, wanted)
    try:
        placed = place_order(uow, draft, str(principal), now).order_id
    except DuplicateOrder as existing:
        placed = str(existing.details["order_id"])
    except InvalidInput as refused:
        raise InvalidInput(refused.field.replace("lines", "exchange", 1), refused.problem) from None
    with uow:
        rma = visible_return(uow, return_id, principal, lock=True)
        _check_exchange(rma, wanted)
        expected, rma.replacement_order_id = rma.status, placed
        if rma.status is ReturnStatus.RECEIVED:
            rma.move(ReturnStatus.CLOSED)  # all back already: the replacement settles it
        write_return(uow, rma, expected, now)
        uow.outbox.add([return_event("return.exchanged", rma, now, actor=str(principal),
                                     exchange=[{"sku": s, "quantity": q} for s, q in wanted.items()])])
        uow.commit()
    return rma


def _check_exchange(rma: ReturnAuthorization, wanted: Mapping[str, int]) -> None:
    if rma.replacement_order_id is not None:
        raise InvalidTransition(f"return {rma.id} was already exchanged for order {rma.replacement_order_id}",
                                replacement_order_id=rma.replacement_order_id)
    if rma.status not in EXCHANGEABLE:
        raise InvalidTransition(f"return {rma.id} is {rma.status}; it can no longer be exchanged",
                                current_status=str(rma.status))
    returned = sum(ln.quantity for ln in rma.lines)
    if sum(wanted.values()) > returned:
        raise InvalidInput("exchange", f"an exchange replaces at most the {returned} units being returned")


def _replacement(order: Order, rma: ReturnAuthorization, wanted: Mapping[str, int]) -> OrderDraft:
    return OrderDraft(
        channel=order.channel, external_id=f"exchange:{rma.id}", customer=order.customer, ship_to=order.ship_to,
        delivery=replace(order.delivery, promised_by=None),
        lines=tuple(OrderLine(sku, units, Decimal(0)) for sku, units in wanted.items()),
    )


# ------------------------------------------------------------------------------------------------------ expiry


def expire_returns(uow: UnitOfWork, now: datetime, after: timedelta, actor: Principal) -> int:
    """RMAs nothing came back for within `after` expire, so their units may be authorized again."""
    with uow.reading() as reader:
        due = reader.returns.unreceived_before(now - after, BATCH)
    return sum(_expire(uow, return_id, now, after, actor) for return_id in due)


def _expire(uow: UnitOfWork, return_id: str, now: datetime, after: timedelta, actor: Principal) -> bool:
    with uow:
        rma = uow.returns.get(return_id, lock=True)
        if rma is None or rma.status is not ReturnStatus.AUTHORIZED or rma.created_at >= now - after:
            return False  # received or cancelled meanwhile
        try:
            change_status(uow, rma, ReturnStatus.EXPIRED, now)
        except DomainError:
            return False
        uow.outbox.add([return_event("return.expired", rma, now, actor=str(actor),
                                     reason=f"nothing received within {after.days} days")])
        uow.commit()
    return True

