"""Order intake and cancellation: reserve stock atomically, never oversell, never take an order twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.records_repository import StoredResponse
from omnifill.adapters.sql.routing_repository import StoredDecision
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.costs import PackageCosting
from omnifill.domain.errors import (
    DuplicateOrder,
    IdempotencyMismatch,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from omnifill.domain.events import DomainEvent
from omnifill.domain.inventory import Movement, MovementKind, StockLevel, movement
from omnifill.domain.locations import GeoPoint, Location
from omnifill.domain.orders import (
    DeliveryMethod,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    OrderDraft,
    OrderStatus,
)
from omnifill.domain.routing.engine import RoutingDecision, RoutingRequest, route_order
from omnifill.domain.routing.plans import AllocationPlan
from omnifill.domain.routing.profiles import profile_for
from omnifill.services.customers import order_customer
from omnifill.services.routing import (
    LostRace,
    decision_record,
    default_cost_model,
    destination_of,
    network_stock,
    orders_this_hour,
    orders_today,
    routing_profiles,
    take_capacity,
)


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """An Idempotency-Key, the fingerprint of the request it came with, and how to answer it."""

    scope: str
    key: str
    fingerprint: str
    render: Callable[[Order], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    order_id: str
    order: Order | None  # None when the answer is a replay
    body: dict[str, Any] | None  # the stored answer, when an Idempotency-Key was given
    replayed: bool = False


def place_order(
    uow: UnitOfWork, draft: OrderDraft, actor: str, now: datetime, *,
    idempotency: IdempotentRequest | None = None, attempts: int = 3, costing: PackageCosting | None = None,
) -> PlacedOrder:
    destination = destination_of(draft.ship_to) if draft.delivery.method is DeliveryMethod.SHIP else None
    for attempt in range(1, attempts + 1):
        try:
            return _place_once(uow, draft, actor, now, destination, idempotency, costing or default_cost_model())
        except LostRace:
            if attempt == attempts:
                raise InsufficientStock("stock for this order was taken by concurrent orders; try again") from None
        except IntegrityError:
            # Another request took the same channel order (or Idempotency-Key) between our check and our insert.
            return _after_duplicate(uow, draft, idempotency)
    raise AssertionError("unreachable")


def _place_once(
    uow: UnitOfWork, draft: OrderDraft, actor: str, now: datetime,
    destination: GeoPoint | None, idempotency: IdempotentRequest | None, costing: PackageCosting,
) -> PlacedOrder:
    with uow:
        # The order first, the stored answer second: a first request that commits between the two reads is
        # then seen as a replay, not as a duplicate of itself.
        existing = uow.orders.id_for_external(draft.channel, draft.external_id)
        if idempotency and (stored := uow.idempotency.get(idempotency.scope, idempotency.key)):
            return _replay(stored, idempotency)
        if existing:
            raise _duplicate(draft, existing)
        stock = uow.inventory.availability({line.sku for line in draft.lines})
        sku_ids = _known_skus(draft, stock.sku_ids)
        network = network_stock(stock.at, destination, _pickup_store(uow, draft, stock.at),
                                orders_today(uow, stock.at, now), orders_this_hour=orders_this_hour(uow, stock.at, now))
        request = RoutingRequest(draft.demand(), draft.delivery, now, destination, stock.weights_kg,
                                 draft.delivery.promised_by)
        profile = profile_for(routing_profiles(uow), draft.channel, draft.delivery.method,
                              draft.delivery.service_level)
        decision = route_order(request, network.candidates, profile, costing, stock.opportunity)
        order = _order_from_plan(draft, decision, now)
        ledger = reserve_plan(uow, order.id, decision.plan, sku_ids, network.location_ids, actor, now, "order placed")
        take_capacity(uow, decision.plan, network, now)
        customer_id = order_customer(uow, draft.customer.email, draft.customer.phone, draft.customer.name, now)
        uow.orders.add(order, sku_ids, network.location_ids, now, customer_id)
        uow.inventory.record(ledger, now)
        uow.routing_decisions.add(order.id, "initial", decision.profile, decision_record(decision, request), now,
                                  first=True)
        uow.outbox.add([order_event("order.placed", order, now)])
        body = None
        if idempotency:
            body = idempotency.render(order)
            stored = StoredResponse(idempotency.fingerprint, order.id, 201, body)
            uow.idempotency.add(idempotency.scope, idempotency.key, stored, now)
        uow.commit()
    return PlacedOrder(order.id, order, body)


def _known_skus(draft: OrderDraft, sku_ids: dict[str, int]) -> dict[str, int]:
    for index, line in enumerate(draft.lines):
        if line.sku not in sku_ids:
            raise InvalidInput(f"lines[{index}].sku", f"unknown SKU {line.sku}")
    return sku_ids


def _pickup_store(
    uow: UnitOfWork, draft: OrderDraft, availability: list[tuple[int, Any, str, int]]
) -> dict[str, tuple[int, Location]]:
    """The pickup store, even when it holds none of the order (routing then says so)."""
    pickup = draft.delivery.location
    if draft.delivery.method is not DeliveryMethod.PICKUP or pickup is None:
        return {}
    if any(row[1].code == pickup for row in availability):
        return {}
    found = uow.locations.by_code([pickup]).get(pickup)
    if found is None:
        raise InvalidInput("delivery.location", f"unknown location {pickup}")
    return {pickup: found}


def _order_from_plan(draft: OrderDraft, decision: RoutingDecision, now: datetime) -> Order:
    fulfillments = [
        FulfillmentOrder(new_id("ful"), f.location, FulfillmentStatus.PENDING,
                         tuple(FulfillmentLine(sku, units) for sku, units in f.lines))
        for f in decision.plan.fulfillments
    ]
    return Order(
        id=new_id("ord"), channel=draft.channel, external_id=draft.external_id, status=OrderStatus.ALLOCATED,
        customer=draft.customer, ship_to=draft.ship_to, delivery=draft.delivery, lines=draft.lines,
        created_at=now, fulfillments=fulfillments, routing_profile=decision.profile, channel_data=draft.channel_data,
    )


def reserve_plan(
    uow: UnitOfWork, order_id: str, plan: AllocationPlan, sku_ids: dict[str, int],
    location_ids: dict[str, int], actor: str, now: datetime, reason: str,
) -> list[tuple[Movement, Keys, StockLevel]]:
    """Reserve every line of the plan with the oversell guard; a lost race raises `LostRace` to plan again."""
    ledger = []
    for location, sku, units in plan.reservations():  # sorted: every writer locks rows in one order
        keys = Keys(sku_ids[sku], location_ids[location])
        after = uow.inventory.reserve(keys, units, now)
        if after is None:
            raise LostRace()
        before = replace(after, reserved=after.reserved - units)
        row, _ = movement(MovementKind.RESERVATION, sku, location, units, before,
                          reason=reason, actor=actor, order_id=order_id)
        ledger.append((row, keys, after))
    return ledger


def _replay(stored: StoredResponse, request: IdempotentRequest) -> PlacedOrder:
    if stored.fingerprint != request.fingerprint:
        raise IdempotencyMismatch(
            "this Idempotency-Key was already used with a different request body", order_id=stored.order_id
        )
    return PlacedOrder(stored.order_id, None, stored.body, replayed=True)


def _duplicate(draft: OrderDraft, existing: str) -> DuplicateOrder:
    return DuplicateOrder(
        f"channel {draft.channel} order {draft.external_id} is already order {existing}",
        order_id=existing, channel=draft.channel, external_id=draft.external_id,
    )


def _after_duplicate(uow: UnitOfWork, draft: OrderDraft, idempotency: IdempotentRequest | None) -> PlacedOrder:
    with uow.reading() as reader:
        if idempotency and (stored := reader.idempotency.get(idempotency.scope, idempotency.key)):
            return _replay(stored, idempotency)
        existing = reader.orders.id_for_external(draft.channel, draft.external_id)
    if existing is None:
        raise InvalidInput("external_id", "conflicts with an order being placed at the same moment; try again")
    raise _duplicate(draft, existing)


def get_order(uow: UnitOfWork, order_id: str, principal: Principal) -> Order:
    with uow.reading() as reader:
        order = reader.orders.get(order_id)
    if order is None:
        raise NotFound(f"no order {order_id}", order_id=order_id)
    principal.require_order(order.channel, order_locations(order))
    return order


def list_orders(
    uow: UnitOfWork, *, status: str | None, channel: str | None, location: str | None, after: str | None, limit: int
) -> list[Order]:
    with uow.reading() as reader:
        return reader.orders.page(status=status, channel=channel, location=location, after=after, limit=limit)


def cancel_order(uow: UnitOfWork, order_id: str, principal: Principal, now: datetime) -> Order:
    """Cancel and release every reservation; once anything has shipped the order can no longer be cancelled."""
    with uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}", order_id=order_id)
        principal.require_order(order.channel, order_locations(order))
        cancel_in(uow, order, str(principal), now, "order cancelled")
        uow.commit()
    return order


def cancel_in(
    uow: UnitOfWork, order: Order, actor: str, now: datetime, reason: str, *events: DomainEvent,
) -> None:
    """Cancel an order read in the caller's transaction: every reservation released (with `reason` on the
    ledger), the status written only if nobody moved it meanwhile, `order.cancelled` and `events` in the outbox."""
    expected = order.status
    held = sorted(order.reserved_units())
    order.cancel()
    ledger = release_units(uow, order.id, held, actor, now, reason)
    try:
        uow.orders.change_status(order, expected, now)
    except StaleStatus:
        raise InvalidTransition(f"order {order.id} changed while it was being cancelled; read it again") from None
    uow.inventory.record(ledger, now)
    uow.outbox.add([order_event("order.cancelled", order, now), *events])


def release_units(
    uow: UnitOfWork, order_id: str, held: list[tuple[str, str, int]], actor: str, now: datetime, reason: str
) -> list[tuple[Movement, Keys, StockLevel]]:
    """Give back (location, SKU, units) reserved for the order, in the fixed lock order."""
    sku_ids = uow.skus.ids_for({sku for _, sku, _ in held})
    location_ids = {code: found[0] for code, found in uow.locations.by_code({loc for loc, _, _ in held}).items()}
    ledger = []
    for location, sku, units in sorted(held):
        keys = Keys(sku_ids[sku], location_ids[location])
        after = uow.inventory.release(keys, units, now)
        if after is None:
            raise InvalidTransition(f"order {order_id} holds no reservation of {sku} at {location} to release")
        before = replace(after, reserved=after.reserved + units)
        row, _ = movement(MovementKind.RELEASE, sku, location, units, before,
                          reason=reason, actor=actor, order_id=order_id)
        ledger.append((row, keys, after))
    return ledger


def find_fulfillment(uow: UnitOfWork, fulfillment_id: str, *, lock: bool) -> tuple[Order, FulfillmentOrder]:
    """A fulfillment and its order; `lock` holds the order's row, as every move on the work does."""
    order_id = uow.orders.order_id_for_fulfillment(fulfillment_id)
    order = uow.orders.get(order_id, lock=lock) if order_id else None
    fulfillment = order.fulfillment(fulfillment_id) if order else None
    if order is None or fulfillment is None:
        raise NotFound(f"no fulfillment {fulfillment_id}", fulfillment_id=fulfillment_id)
    return order, fulfillment


def order_locations(order: Order) -> set[str]:
    found = {f.location for f in order.fulfillments}
    if order.delivery.location:
        found.add(order.delivery.location)
    return found


def order_event(kind: str, order: Order, now: datetime) -> DomainEvent:
    return DomainEvent(kind, "order", order.id, {
        "order_id": order.id, "channel": order.channel, "external_id": order.external_id,
        "status": str(order.status),
        "fulfillments": [
            {"id": f.id, "location": f.location, "lines": [{"sku": ln.sku, "quantity": ln.quantity} for ln in f.lines]}
            for f in order.fulfillments
        ],
    }, now)


def order_decisions(uow: UnitOfWork, order_id: str, principal: Principal) -> list[StoredDecision]:
    """The routing decisions of an order in the order they were made: the first routing, then each re-route."""
    with uow.reading() as reader:
        order = reader.orders.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}", order_id=order_id)
        principal.require_order(order.channel, order_locations(order))
        return reader.routing_decisions.for_order(order_id)
