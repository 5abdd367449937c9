"""Re-routing: when a location rejects a fulfillment or short-picks it, the remainder goes elsewhere.

The remainder is routed again without every location that already failed this order (the history of its
decisions says which). What no location can take waits on the backorder queue instead of disappearing. A pickup
order is never moved to another store behind the customer's back: its missing lines go to the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.inventory_repository import Keys
from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.costs import PackageCosting
from omnifill.domain.errors import InsufficientStock, InvalidInput, InvalidTransition
from omnifill.domain.inventory import Movement, MovementKind, StockLevel, movement
from omnifill.domain.orders import (
    FULFILLMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    DeliveryMethod,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    OrderStatus,
    transition,
)
from omnifill.domain.routing.backorders import Backorder, BackorderStatus
from omnifill.domain.routing.engine import RoutingRequest, route_order
from omnifill.domain.routing.profiles import profile_for
from omnifill.services.orders import find_fulfillment, order_event, release_units, reserve_plan
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

Ledger = list[tuple[Movement, Keys, StockLevel]]
SHORT_PICKABLE = frozenset({FulfillmentStatus.PENDING, FulfillmentStatus.ACCEPTED, FulfillmentStatus.PICKING})


@dataclass(frozen=True, slots=True)
class Remainder:
    """Units an order still needs after a location let it down, and the location that did."""

    units: Mapping[str, int]
    failed_at: str
    reason: str


def reject_fulfillment(
    uow: UnitOfWork, fulfillment_id: str, principal: Principal, reason: str, now: datetime,
    costing: PackageCosting | None = None,
) -> Order:
    """The location cannot fulfill it at all: release its stock and route every unit again."""
    return _retrying(lambda: _reject(uow, fulfillment_id, principal, reason, now, costing))


def short_pick(
    uow: UnitOfWork, fulfillment_id: str, picked: Mapping[str, int], principal: Principal, reason: str,
    now: datetime, costing: PackageCosting | None = None,
) -> Order:
    """The picker found fewer units than the books said: the books are corrected, the rest goes elsewhere.

    `picked` gives the units found per SKU of the fulfillment (a SKU left out was found in full).
    """
    return _retrying(lambda: _short_pick(uow, fulfillment_id, picked, principal, reason, now, costing))


def _retrying(attempt: Callable[[], Order], attempts: int = 3) -> Order:
    """Stock seen available can be taken before our guarded update: then everything is read and planned again."""
    for _ in range(attempts - 1):
        try:
            return attempt()
        except LostRace:
            continue
    try:
        return attempt()
    except LostRace:
        raise InsufficientStock("stock for the re-route was taken by concurrent orders; try again") from None


def _reject(
    uow: UnitOfWork, fulfillment_id: str, principal: Principal, reason: str, now: datetime,
    costing: PackageCosting | None,
) -> Order:
    with uow:
        order, fulfillment = find_fulfillment(uow, fulfillment_id, lock=True)
        principal.require_location(fulfillment.location)
        expected = order.status
        fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, FulfillmentStatus.REJECTED,
                                        f"fulfillment {fulfillment.id}")
        held = [(fulfillment.location, line.sku, line.quantity) for line in fulfillment.lines]
        ledger = release_units(uow, order.id, held, str(principal), now, f"fulfillment rejected: {reason}")
        remainder = Remainder({line.sku: line.quantity for line in fulfillment.lines}, fulfillment.location, reason)
        ledger += _route_remainder(uow, order, remainder, str(principal), now, costing or default_cost_model())
        _save(uow, order, expected, ledger, now, "order.rerouted")
    return order


def _short_pick(
    uow: UnitOfWork, fulfillment_id: str, picked: Mapping[str, int], principal: Principal, reason: str,
    now: datetime, costing: PackageCosting | None,
) -> Order:
    with uow:
        order, fulfillment = find_fulfillment(uow, fulfillment_id, lock=True)
        principal.require_location(fulfillment.location)
        if fulfillment.status not in SHORT_PICKABLE:
            raise InvalidTransition(f"fulfillment {fulfillment.id} is {fulfillment.status}; it cannot be short-picked",
                                    current_status=str(fulfillment.status))
        expected = order.status
        missing = _missing(fulfillment, picked)
        actor = str(principal)
        ledger = _write_off(uow, order.id, fulfillment.location, missing, actor, now, reason)
        _shrink(uow, fulfillment, missing)
        remainder = Remainder(missing, fulfillment.location, f"short pick: {reason}")
        ledger += _route_remainder(uow, order, remainder, actor, now, costing or default_cost_model())
        _save(uow, order, expected, ledger, now, "order.rerouted")
    return order


def _shrink(uow: UnitOfWork, fulfillment: FulfillmentOrder, missing: Mapping[str, int]) -> None:
    """The fulfillment keeps what is left of its lines; with nothing left it is rejected."""
    found = tuple(FulfillmentLine(line.sku, line.quantity - missing.get(line.sku, 0)) for line in fulfillment.lines)
    if any(line.quantity for line in found):
        fulfillment.lines = tuple(line for line in found if line.quantity)
        uow.orders.replace_fulfillment_lines(fulfillment, uow.skus.ids_for({ln.sku for ln in fulfillment.lines}))
    else:  # nothing found: the whole fulfillment is gone; its lines stay as the record of what was asked
        fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, FulfillmentStatus.REJECTED,
                                        f"fulfillment {fulfillment.id}")


def _missing(fulfillment: FulfillmentOrder, picked: Mapping[str, int]) -> dict[str, int]:
    asked = {line.sku: line.quantity for line in fulfillment.lines}
    missing = {}
    for sku, units in sorted(picked.items()):
        if sku not in asked:
            raise InvalidInput(f"lines.{sku}", f"fulfillment {fulfillment.id} has no line for {sku}")
        if not 0 <= units <= asked[sku]:
            raise InvalidInput(f"lines.{sku}.picked", f"must be between 0 and the {asked[sku]} units asked")
        if units < asked[sku]:
            missing[sku] = asked[sku] - units
    if not missing:
        raise InvalidInput("lines", "every unit was picked; nothing is short")
    return missing


def _write_off(
    uow: UnitOfWork, order_id: str, location: str, missing: Mapping[str, int], actor: str, now: datetime,
    reason: str,
) -> Ledger:
    """Release the reservation of the missing units, then adjust on-hand down: they are not on the shelf."""
    ledger = release_units(uow, order_id, [(location, sku, n) for sku, n in missing.items()], actor, now,
                           f"short pick: {reason}")
    for row, keys, after in list(ledger):
        uow.inventory.ensure_level(keys, after.average_unit_cost, now)
        level = uow.inventory.level_for_update(keys)
        assert level is not None
        adjustment, adjusted = movement(MovementKind.ADJUSTMENT, row.sku, location, -row.quantity, level,
                                        reason=f"short pick: {reason}", actor=actor, order_id=order_id)
        uow.inventory.store_level(keys, adjusted, now)
        ledger.append((adjustment, keys, adjusted))
    return ledger


def _route_remainder(
    uow: UnitOfWork, order: Order, remainder: Remainder, actor: str, now: datetime, costing: PackageCosting,
) -> Ledger:
    excluded = _failed_locations(uow, order.id) | {remainder.failed_at}
    request = RoutingRequest(dict(remainder.units), order.delivery, now, exclude=frozenset(excluded),
                             allow_partial=True, promised_by=order.delivery.promised_by)
    profile = profile_for(routing_profiles(uow), order.channel, order.delivery.method,
                          order.delivery.service_level)
    if order.delivery.method is DeliveryMethod.PICKUP:
        unfilled, ledger = dict(remainder.units), []
        uow.routing_decisions.add(order.id, "reroute", profile.name, {
            "reason": remainder.reason, "failed_at": remainder.failed_at, "excluded": sorted(excluded),
            "packages": [], "candidates": [], "note": "a pickup order is not moved to another store",
            "unfilled": [{"sku": s, "quantity": n} for s, n in sorted(unfilled.items())],
        }, now)
    else:
        stock = uow.inventory.availability(remainder.units)
        destination = destination_of(order.ship_to)
        request = replace(request, destination=destination, weights_kg=stock.weights_kg)
        network = network_stock(stock.at, destination, orders_today=orders_today(uow, stock.at, now),
                                orders_this_hour=orders_this_hour(uow, stock.at, now))
        decision = route_order(request, network.candidates, profile, costing, stock.opportunity)
        ledger = reserve_plan(uow, order.id, decision.plan, stock.sku_ids, network.location_ids, actor, now,
                              f"rerouted: {remainder.reason}")
        take_capacity(uow, decision.plan, network, now)
        added = [FulfillmentOrder(new_id("ful"), f.location, FulfillmentStatus.PENDING,
                                  tuple(FulfillmentLine(sku, n) for sku, n in f.lines))
                 for f in decision.plan.fulfillments]
        uow.orders.add_fulfillments(order.id, added, stock.sku_ids, network.location_ids, now)
        order.fulfillments.extend(added)
        record = decision_record(decision, request)
        uow.routing_decisions.add(order.id, "reroute", decision.profile,
                                  {"reason": remainder.reason, "failed_at": remainder.failed_at, **record}, now)
        unfilled = dict(decision.unfilled)
    _backorder(uow, order, unfilled, now)
    return ledger


def _failed_locations(uow: UnitOfWork, order_id: str) -> set[str]:
    """Every location an earlier re-route left out: this order does not go back to them."""
    return {code for d in uow.routing_decisions.for_order(order_id) for code in d.body.get("excluded", [])}


def _backorder(uow: UnitOfWork, order: Order, unfilled: Mapping[str, int], now: datetime) -> None:
    if not unfilled:
        return
    uow.backorders.add([
        Backorder(new_id("bo"), order.id, sku, units, BackorderStatus.OPEN, "no location can take it now", now)
        for sku, units in sorted(unfilled.items())
    ], now)
    if order.status is not OrderStatus.BACKORDERED:
        order.status = transition(ORDER_TRANSITIONS, order.status, OrderStatus.BACKORDERED, f"order {order.id}")


def _save(uow: UnitOfWork, order: Order, expected: OrderStatus, ledger: Ledger, now: datetime, event: str) -> None:
    try:
        uow.orders.change_status(order, expected, now)
    except StaleStatus:
        raise InvalidTransition(f"order {order.id} changed while it was being re-routed; read it again") from None
    uow.inventory.record(ledger, now)
    uow.outbox.add([order_event(event, order, now)])
    uow.commit()


def list_backorders(uow: UnitOfWork, status: BackorderStatus | None, after: str | None, limit: int) -> list[Backorder]:
    with uow.reading() as reader:
        return reader.backorders.page(str(status) if status else None, after, limit)


def take_back(
    uow: UnitOfWork, order: Order, fulfillment: FulfillmentOrder, units: Mapping[str, int], actor: str,
    now: datetime, reason: str,
) -> Ledger:
    """Units reserved for a fulfillment that someone else took off the shelf (a till sale): release them and
    route them elsewhere, inside the caller's transaction (the caller holds the order's lock and commits).

    Raises LostRace when the re-route's stock was taken meanwhile: the caller plans its whole transaction again.
    """
    expected = order.status
    ledger = release_units(uow, order.id, [(fulfillment.location, sku, n) for sku, n in sorted(units.items())],
                           actor, now, reason)
    _shrink(uow, fulfillment, units)
    ledger += _route_remainder(uow, order, Remainder(units, fulfillment.location, reason), actor, now,
                               default_cost_model())
    try:
        uow.orders.change_status(order, expected, now)
    except StaleStatus:
        raise InvalidTransition(f"order {order.id} changed while it was being re-routed; read it again") from None
    uow.outbox.add([order_event("order.rerouted", order, now)])
    return ledger
