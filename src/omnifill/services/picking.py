"""Pick waves at a location: its accepted ship work picked in one walk, then sorted back to orders.

Starting a wave moves each fulfillment it takes from `accepted` to `picking` the way every move does: the order's
row is held and its state read again, and the write is a conditional update. Every candidate's row is held (in
order-id order, so two waves never deadlock) before any is chosen, so a wave that waited for another sees what that
one took, leaves it out and takes the next ones instead.
The key of `pick_wave_fulfillments` refuses a fulfillment in two waves even so. Picks are then confirmed per
fulfillment (`POST /v1/fulfillments/{id}/pick`), which takes the units out of the bins the wave drew them from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.order_repository import StaleStatus
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.adapters.walks import shortest_walk
from omnifill.domain.access import Principal
from omnifill.domain.bins import Bin, Layout, serpentine, walk_length, walking_distances
from omnifill.domain.errors import InvalidInput, InvalidTransition, NotFound, NoWorkWaiting
from omnifill.domain.events import DomainEvent
from omnifill.domain.orders import (
    FULFILLMENT_TRANSITIONS,
    DeliveryMethod,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    transition,
)
from omnifill.domain.picking import PickList, WaveWork, pick_list
from omnifill.services.bins import location_id

MAX_WAVE_ORDERS = 500
_F = FulfillmentStatus


@dataclass(slots=True)
class _Walker:
    """Orders a wave's stops: the shortest walk over the layout when every stop is on it, else serpentine."""

    layout: Layout | None
    method: str = "serpentine"
    metres: float | None = None
    serpentine_metres: float | None = None
    note: str | None = None

    def __call__(self, stops: Sequence[Bin]) -> list[Bin]:
        snake = serpentine(stops)
        if self.layout is None or not stops:
            return snake
        off = [b.code for b in snake if b.code not in self.layout.bins]
        if off:
            self.note = f"walked serpentine: bins not on the layout: {', '.join(off[:5])}"
            return snake
        on = self.layout.bins
        points = [self.layout.start, *sorted({on[b.code] for b in stops})]
        metres = walking_distances(self.layout, points)
        visits = shortest_walk(metres)
        rank = {points[i]: n for n, i in enumerate(visits)}
        snake_visits = [points.index(p) for p in dict.fromkeys(on[b.code] for b in snake)]
        self.method, self.metres = "shortest_path", round(walk_length(metres, visits), 2)
        self.serpentine_metres = round(walk_length(metres, snake_visits), 2)
        return sorted(snake, key=lambda b: rank[on[b.code]])  # stable: bins at one point keep serpentine order


def start_pick_wave(
    uow: UnitOfWork, location: str, principal: Principal, now: datetime, max_orders: int | None = None,
) -> dict[str, Any]:
    """Take the location's accepted ship work (the oldest promise first, up to `max_orders`) into one pick wave."""
    principal.require_location(location)
    limit = MAX_WAVE_ORDERS if max_orders is None else max_orders
    if not 1 <= limit <= MAX_WAVE_ORDERS:
        raise InvalidInput("max_orders", f"must be from 1 to {MAX_WAVE_ORDERS}")
    wave_id = new_id("pwv")
    with uow:
        at = location_id(uow, location)
        work = _take_work(uow, location, limit, now)
        if not work:
            raise NoWorkWaiting(f"no accepted ship work is waiting to be picked at {location}", location=location)
        bins = {b.code: b for b in uow.bins.at(at)}
        placed: dict[str, dict[str, int]] = {}
        for p in uow.bins.placements(at, {ln.sku for w in work for ln in w.fulfillment.lines}):
            placed.setdefault(p.sku, {})[p.bin.code] = p.quantity
        walker = _Walker(uow.layouts.get(at))
        picks = pick_list(work, placed, bins, walker)
        record = _record(wave_id, location, principal, now, work, picks, walker)
        uow.pick_waves.add(wave_id, at, record, _sources(picks), now)
        uow.outbox.add([DomainEvent("pick_wave.started", "pick_wave", wave_id, record, now), *[
            DomainEvent("fulfillment.picking", "fulfillment", w.fulfillment.id, {
                "fulfillment_id": w.fulfillment.id, "order_id": w.order_id, "location": location,
                "status": str(_F.PICKING), "actor": str(principal), "wave_id": wave_id}, now)
            for w in work]])
        uow.commit()
    return record


def get_pick_wave(uow: UnitOfWork, location: str, wave_id: str, principal: Principal) -> dict[str, Any]:
    principal.require_location(location)
    with uow.reading() as reader:
        found = reader.pick_waves.get(wave_id, location_id(reader, location))
    if found is None:
        raise NotFound(f"no pick wave {wave_id} at {location}", wave_id=wave_id, location=location)
    return found


def _take_work(uow: UnitOfWork, location: str, limit: int, now: datetime) -> list[WaveWork]:
    """Move the oldest-promised waiting fulfillments (up to `limit`) to picking.

    Every candidate's order row is held, in order-id order, before any is chosen: a wave that waited for another
    then reads what that one left and takes the next ones, and two waves lock alike, so they never deadlock.
    """
    accepted = str(_F.ACCEPTED)
    candidates = sorted(o.id for o in uow.orders.open_at(location, [accepted], MAX_WAVE_ORDERS)
                        if o.delivery.method is DeliveryMethod.SHIP)
    waiting: list[tuple[Order, FulfillmentOrder]] = []
    for order_id in candidates:
        order = uow.orders.get(order_id, lock=True)
        fulfillment = _accepted_here(order, location)
        if order is not None and fulfillment is not None:  # else another wave or associate moved it meanwhile
            waiting.append((order, fulfillment))
    waiting.sort(key=lambda pair: (pair[0].delivery.promised_by or date.max, pair[0].created_at, pair[0].id))
    work = []
    for order, fulfillment in waiting[:limit]:  # the pack bench sorts in this order too
        expected = order.status
        fulfillment.status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, _F.PICKING,
                                        f"fulfillment {fulfillment.id}")
        try:
            uow.orders.change_status(order, expected, now)
        except StaleStatus:
            raise InvalidTransition(f"order {order.id} changed meanwhile; start the wave again") from None
        work.append(WaveWork(order.id, fulfillment))
    return work


def _accepted_here(order: Order | None, location: str) -> FulfillmentOrder | None:
    if order is None:
        return None
    return next((f for f in order.fulfillments if f.location == location and f.status is _F.ACCEPTED), None)


def _sources(picks: PickList) -> dict[str, dict[str, list[list[Any]]]]:
    found: dict[str, dict[str, list[list[Any]]]] = {}
    for line in picks.sort:
        found.setdefault(line.fulfillment_id, {})[line.sku] = [[code, units] for code, units in line.bins]
    return found


def _record(
    wave_id: str, location: str, principal: Principal, now: datetime, work: Sequence[WaveWork], picks: PickList,
    walker: _Walker,
) -> dict[str, Any]:
    sort: dict[str, dict[str, Any]] = {}
    for s in picks.sort:
        entry = sort.setdefault(s.fulfillment_id, {"fulfillment_id": s.fulfillment_id, "order_id": s.order_id,
                                                    "lines": []})
        entry["lines"].append({"sku": s.sku, "quantity": s.quantity,
                               "bins": [{"bin": code, "quantity": units} for code, units in s.bins]})
    return {
        "id": wave_id, "location": location, "started_at": now.isoformat(), "started_by": str(principal),
        "walk": {"method": walker.method, "metres": walker.metres, "serpentine_metres": walker.serpentine_metres,
                 "note": walker.note},
        "fulfillments": [{"fulfillment_id": w.fulfillment.id, "order_id": w.order_id} for w in work],
        "pick_list": [
            {"sequence": n, "bin": b.code, "zone": b.zone, "aisle": b.aisle, "shelf": b.shelf, "sku": sku,
             "quantity": units}
            for n, (b, sku, units) in enumerate(((ln.bin, ln.sku, ln.quantity) for ln in picks.lines if ln.bin),
                                                start=1)
        ],
        "unassigned": [{"sku": line.sku, "quantity": line.quantity} for line in picks.lines if line.bin is None],
        "sort": list(sort.values()),
    }
