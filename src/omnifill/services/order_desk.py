"""The console's order desk: find orders, read one order whole (routing, work, parcels, returns, every event),
and the two moves people make on it from there: cancel, and re-route work nobody has started."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from omnifill.adapters.sql.order_search_repository import OrderFilters
from omnifill.adapters.sql.routing_repository import StoredDecision
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal
from omnifill.domain.errors import InvalidTransition, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.orders import FulfillmentStatus, Order
from omnifill.domain.returns import ReturnAuthorization
from omnifill.domain.shipping import Shipment
from omnifill.services.orders import cancel_order, find_fulfillment, order_locations
from omnifill.services.rerouting import reject_fulfillment

__all__ = ["OrderFile", "OrderFilters", "StoredDecision", "cancel_from_desk", "find_orders", "order_file",
           "reroute_pending"]
RETURNS_SHOWN = 100  # an order has a handful; the page says so if there were ever more


@dataclass(frozen=True, slots=True)
class OrderFile:
    """Everything the order page shows, read in one transaction."""

    order: Order
    decisions: list[StoredDecision]
    shipments: list[Shipment]
    returns: list[ReturnAuthorization]
    timeline: list[DomainEvent]  # every event of the order, its fulfillments, shipments and returns, oldest first


def find_orders(
    uow: UnitOfWork, principal: Principal, filters: OrderFilters, before: str | None, limit: int,
) -> list[Order]:
    """Orders newest first; a store sees those its store fulfills or hands over, as in the API."""
    principal.require(Permission.ORDERS_READ)
    if filters.channel is not None:
        principal.require_channel(filters.channel)
    if filters.location is not None:
        principal.require_location(filters.location)
    scoped = replace(filters, channel=filters.channel or principal.channel,
                     location=filters.location or principal.location)
    with uow.reading() as reader:
        return reader.orders.many(reader.order_search.newest_first(scoped, before, limit))


def order_file(uow: UnitOfWork, order_id: str, principal: Principal) -> OrderFile:
    principal.require(Permission.ORDERS_READ)
    with uow.reading() as reader:
        order = reader.orders.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}", order_id=order_id)
        principal.require_order(order.channel, order_locations(order))
        shipments = reader.shipments.find(order_id=order_id)
        returns = reader.returns.page(order_id=order_id, status=None, channel=principal.channel,
                                      location=principal.location, after=None, limit=RETURNS_SHOWN)
        about = [order.id, *(f.id for f in order.fulfillments), *(s.id for s in shipments), *(r.id for r in returns)]
        return OrderFile(order, reader.routing_decisions.for_order(order_id), shipments, returns,
                         reader.order_search.events_of(about))


def cancel_from_desk(uow: UnitOfWork, order_id: str, principal: Principal, now: datetime) -> Order:
    principal.require(Permission.ORDERS_WRITE)
    return cancel_order(uow, order_id, principal, now)


def reroute_pending(
    uow: UnitOfWork, order_id: str, fulfillment_id: str, principal: Principal, reason: str, now: datetime,
) -> Order:
    """Take work nobody has started away from its location and route it again: the location's reject, made on
    its behalf (the one re-route path, services/rerouting.py)."""
    principal.require(Permission.FULFILLMENT_WRITE)
    with uow.reading() as reader:
        order, found = find_fulfillment(reader, fulfillment_id, lock=False)
    if order.id != order_id:
        raise NotFound(f"order {order_id} has no fulfillment {fulfillment_id}", fulfillment_id=fulfillment_id)
    if found.status is not FulfillmentStatus.PENDING:
        raise InvalidTransition(f"fulfillment {found.id} is {found.status}: only work nobody has started is "
                                "re-routed from here", current_status=str(found.status))
    return reject_fulfillment(uow, fulfillment_id, principal, reason, now)
