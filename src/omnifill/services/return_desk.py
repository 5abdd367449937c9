"""A store's return desk: find the customer's order, see what may still come back, and take units back at the
counter — authorized and received at once, each unit to the shelf or to its disposition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal
from omnifill.domain.catalog import Sku
from omnifill.domain.customers import IdentityKind, identities_of
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import Order
from omnifill.domain.return_policy import ReturnPolicy
from omnifill.domain.returns import (
    Condition,
    ReceivedLine,
    RequestedLine,
    ReturnAuthorization,
    ReturnMethod,
    disposition_for,
    returnable,
)
from omnifill.domain.shipping import Carrier
from omnifill.services.return_receiving import Receipt, receive_in
from omnifill.services.returns import ReturnRequest, authorize_in, delivered_units

MATCHES = 20  # a customer's e-mail may find several orders; the desk lists this many


def find_orders(uow: UnitOfWork, text: str, principal: Principal) -> list[Order]:
    """The orders an associate's search names: an order id, a channel's order number, or the customer's e-mail.
    A store takes back any order at its counter (BORIS), so a store key may search every channel's orders."""
    principal.require(Permission.RETURNS_WRITE)
    text = text.strip()
    if not text:
        raise InvalidInput("q", "give an order id, the channel's order number or the customer's e-mail")
    with uow.reading() as reader:
        if (order := reader.orders.get(text)) is not None:
            return [order]
        ids = reader.orders.ids_for_external_id(text, MATCHES)
        email = [i for i in identities_of(email=text) if i.kind is IdentityKind.EMAIL] if "@" in text else []
        if not ids and email and (customer := reader.customers.find(email[0])) is not None:
            ids = [o.id for o in reversed(reader.customers.orders(customer))][:MATCHES]  # the newest first
        return [o for o in (reader.orders.get(i) for i in ids) if o is not None]


@dataclass(frozen=True, slots=True)
class Returnable:
    sku: Sku
    units: int  # delivered or picked up, less what earlier returns hold


def returnable_lines(uow: UnitOfWork, order_id: str) -> list[Returnable]:
    """What may still come back on the order, per SKU (the window and final sale are checked on the request)."""
    with uow.reading() as reader:
        order = reader.orders.get(order_id)
        if order is None:
            return []
        earlier = [rma for rma in reader.returns.for_order(order.id) if rma.order_id == order.id]
        left = returnable(delivered_units(reader, order), earlier)
        skus = reader.skus.by_codes(left)
    return [Returnable(skus[sku], units) for sku, units in sorted(left.items())]


@dataclass(frozen=True, slots=True)
class CounterLine:
    sku: str
    quantity: int
    condition: Condition


def take_back_at_counter(
    uow: UnitOfWork, order_id: str, store: str, lines: Sequence[CounterLine], reason: str, principal: Principal,
    now: datetime, *, policy: ReturnPolicy, carriers: Sequence[Carrier],
) -> ReturnAuthorization:
    """Authorize an in-store return at this store and receive it, in one transaction: sellable units are available
    again here; damaged, defective and refurbish ones go to their disposition and are never available."""
    chosen = [ln for ln in lines if ln.quantity > 0]
    request = ReturnRequest(order_id, tuple(RequestedLine(ln.sku, ln.quantity, reason) for ln in chosen),
                            ReturnMethod.IN_STORE, store)
    received = tuple(ReceivedLine(ln.sku, ln.quantity, ln.condition, disposition_for(ln.condition, None, "condition"))
                     for ln in chosen)
    with uow:
        rma = authorize_in(uow, request, principal, now, policy=policy, carriers=carriers)
        rma = receive_in(uow, rma.id, Receipt(store, received), principal, now)
        uow.commit()
    return rma
